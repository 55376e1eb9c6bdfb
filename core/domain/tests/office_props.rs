//! Property tests: random interleavings of issue, check-in, call, recall, no-show,
//! transfer, park, finish and reset against the in-memory office model.
//!
//! Invariants checked after every step (see `OfficeModel::check_invariants`): numbers per
//! service and day unique and gapless, every visit's log replays to the visit and holds at
//! most one closing event, no visit passed by more than the bound. A refused action
//! changes nothing. After the end-of-day reset every visit has exactly one outcome.

use chrono::{DateTime, Duration, TimeZone, Utc};
use loket_domain::{
    CallPolicy, Counter, CounterId, DailyQuota, DayKind, Lane, LaneWeights, OfficeModel,
    PriorityGroup, QuotaTable, RulesConfig, ServiceCode, Stage, TransferTarget, VisitRules,
    VisitState,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Issue {
        service: usize,
        lane: usize,
    },
    Open(usize),
    Close(usize),
    CallNext(usize),
    CallGiven(usize, usize),
    Recall(usize),
    NoShow(usize),
    Start(usize),
    Finish(usize),
    Park(usize),
    Transfer {
        counter: usize,
        stage: Option<usize>,
        to: Option<usize>,
    },
    CloseDay,
    /// Moves a counter on: start a called visit, finish one in service, or call next.
    Serve(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0..3usize;
    prop_oneof![
        6 => (0..5usize, 0..3usize).prop_map(|(service, lane)| Op::Issue { service, lane }),
        2 => c.clone().prop_map(Op::Open),
        1 => c.clone().prop_map(Op::Close),
        6 => c.clone().prop_map(Op::CallNext),
        2 => (c.clone(), 0..40usize).prop_map(|(c, v)| Op::CallGiven(c, v)),
        2 => c.clone().prop_map(Op::Recall),
        2 => c.clone().prop_map(Op::NoShow),
        6 => c.clone().prop_map(Op::Start),
        8 => c.clone().prop_map(Op::Finish),
        1 => c.clone().prop_map(Op::Park),
        1 => (c.clone(), proptest::option::of(0..7usize), proptest::option::of(0..3usize))
            .prop_map(|(counter, stage, to)| Op::Transfer { counter, stage, to }),
        1 => Just(Op::CloseDay),
        12 => c.clone().prop_map(Op::Serve),
    ]
}

fn counters() -> Vec<Counter> {
    vec![
        Counter {
            id: CounterId(1),
            name: "Loket 1".into(),
            services: vec![],
            stages: vec![],
            open: false,
        },
        Counter {
            id: CounterId(2),
            name: "Loket 2".into(),
            services: vec![
                ServiceCode::NewPassport,
                ServiceCode::Replacement,
                ServiceCode::LostDamaged,
            ],
            stages: vec![Stage::DocumentCheck],
            open: false,
        },
        Counter {
            id: CounterId(3),
            name: "Loket 3".into(),
            services: vec![],
            stages: vec![
                Stage::Bap,
                Stage::Decision,
                Stage::PhotoFingerprint,
                Stage::PhotoFingerprintInterview,
                Stage::IdentityReceiptCheck,
            ],
            open: false,
        },
    ]
}

#[derive(Debug, Clone)]
struct Setup {
    weights: (u32, u32, u32),
    priority_first: bool,
    bound: u32,
    no_show_after: u32,
    quota: u32,
    simpatik: bool,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        (0..4u32, 0..4u32, 0..3u32),
        any::<bool>(),
        0..5u32,
        1..4u32,
        1..12u32,
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(weights, priority_first, bound, no_show_after, quota, simpatik)| Setup {
                weights,
                priority_first,
                bound,
                no_show_after,
                quota,
                simpatik,
            },
        )
}

fn model(s: &Setup) -> OfficeModel {
    let mut config = RulesConfig {
        calls: CallPolicy {
            weights: LaneWeights {
                appointment: s.weights.0,
                walk_in: s.weights.1,
                priority: s.weights.2,
            },
            priority_first: s.priority_first,
            starvation_bound: s.bound,
        },
        visits: VisitRules {
            no_show_after_calls: s.no_show_after,
        },
        quotas: QuotaTable { entries: vec![] },
        ..RulesConfig::default()
    };
    let q = DailyQuota {
        walk_in: s.quota,
        appointment: s.quota,
        priority: s.quota / 2,
    };
    for day in DayKind::ALL {
        for service in ServiceCode::ALL {
            config.quotas.set(day, service, q);
        }
    }
    let day_kind = if s.simpatik {
        DayKind::WeekendSimpatik
    } else {
        DayKind::Regular
    };
    let mut counters = counters();
    for c in &mut counters {
        c.open = true;
    }
    OfficeModel::new(config, day_kind, counters)
}

fn start_time() -> DateTime<Utc> {
    // 07:30 WIB on a Monday.
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 30, 0)
        .single()
        .unwrap_or_default()
}

fn step(m: &mut OfficeModel, op: &Op, at: DateTime<Utc>) -> Result<(), loket_domain::DomainError> {
    let cid = |i: usize| CounterId(i64::try_from(i).unwrap_or(0) + 1);
    match *op {
        Op::Issue { service, lane } => {
            let lane = Lane::ALL[lane];
            let group = (lane == Lane::Priority).then_some(PriorityGroup::Elderly);
            m.issue(ServiceCode::ALL[service], lane, group, at)
                .map(|_| ())
        }
        Op::Open(c) => m.open_counter(cid(c)),
        Op::Close(c) => m.close_counter(cid(c)),
        Op::CallNext(c) => m.call_next(cid(c), at).map(|_| ()),
        Op::CallGiven(c, v) => {
            let Some(visit) = m.visits.get(v).map(|v| v.id) else {
                return Ok(());
            };
            m.call_given(cid(c), visit, false, at).map(|_| ())
        }
        Op::Recall(c) => m.recall(cid(c), at),
        Op::NoShow(c) => m.no_show(cid(c), at),
        Op::Start(c) => m.start(cid(c), at),
        Op::Finish(c) => m.finish(cid(c), at),
        Op::Park(c) => m.park(cid(c), at),
        Op::Transfer { counter, stage, to } => {
            let to = TransferTarget {
                stage: stage.map(|s| Stage::ALL[s]),
                counter: to.map(cid),
            };
            m.transfer(cid(counter), to, at)
        }
        Op::CloseDay => m.close_day(at).map(|_| ()),
        Op::Serve(c) => match m.held_by(cid(c)).map(|v| v.state) {
            Some(VisitState::Called { .. }) => m.start(cid(c), at),
            Some(_) => m.finish(cid(c), at),
            None => m.call_next(cid(c), at).map(|_| ()),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_days_keep_the_invariants(
        s in setup(),
        ops in proptest::collection::vec((op(), 0..4i64), 1..200),
    ) {
        let mut m = model(&s);
        let mut at = start_time();
        for (op, minutes) in &ops {
            at += Duration::minutes(*minutes);
            let before = (m.visits.clone(), m.events.len(), m.cursor);
            let result = step(&mut m, op, at);
            if result.is_err() {
                prop_assert_eq!(&before.0, &m.visits, "refused {:?} changed visits", op);
                prop_assert_eq!(before.1, m.events.len(), "refused {:?} logged events", op);
                prop_assert_eq!(before.2, m.cursor);
            }
            if let Err(broken) = m.check_invariants() {
                prop_assert!(false, "after {:?}: {}", op, broken);
            }
            if matches!(op, Op::CloseDay) {
                prop_assert!(m.visits.iter().all(|v| !v.is_open()));
                // The next office day starts the next morning.
                at += Duration::days(1);
            }
        }
        m.close_day(at).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(m.check_invariants().is_ok());
        prop_assert_eq!(m.outcomes().len(), m.visits.len(), "every visit has exactly one outcome");
    }
}

/// A focused scenario: many tickets, one counter, the bound holds with every lane weight.
#[test]
fn a_busy_morning_never_starves_walk_ins() {
    for bound in [0, 1, 5] {
        let s = Setup {
            weights: (3, 0, 0),
            priority_first: true,
            bound,
            no_show_after: 1,
            quota: 60,
            simpatik: false,
        };
        let mut m = model(&s);
        let mut at = start_time();
        for i in 0..40 {
            at += Duration::minutes(1);
            let lane = if i % 4 == 0 {
                Lane::WalkIn
            } else {
                Lane::Appointment
            };
            m.issue(ServiceCode::Pickup, lane, None, at).expect("issue");
        }
        while m.call_next(CounterId(1), at).is_ok() {
            at += Duration::minutes(1);
            m.start(CounterId(1), at).expect("start");
            m.finish(CounterId(1), at).expect("finish");
            assert_eq!(m.check_invariants(), Ok(()));
        }
        assert!(m.visits.iter().all(|v| !v.is_open()), "everyone served");
        assert!(m.visits.iter().all(|v| v.passed_by <= bound));
    }
}

/// The invariant checker itself must catch broken states (otherwise the properties above
/// could not fail).
#[test]
fn the_invariant_checker_catches_broken_states() {
    let s = Setup {
        weights: (2, 1, 1),
        priority_first: true,
        bound: 2,
        no_show_after: 3,
        quota: 10,
        simpatik: false,
    };
    let mut m = model(&s);
    let at = start_time();
    for _ in 0..3 {
        m.issue(ServiceCode::NewPassport, Lane::WalkIn, None, at)
            .expect("issue");
    }
    assert_eq!(m.check_invariants(), Ok(()));

    let mut gap = m.clone();
    gap.visits.remove(1);
    assert!(gap.check_invariants().is_err(), "a gap in the numbers");

    let mut starved = m.clone();
    starved.visits[0].passed_by = 3;
    assert!(
        starved.check_invariants().is_err(),
        "passed beyond the bound"
    );

    let mut unlogged = m.clone();
    unlogged.visits[2].state = VisitState::Closed {
        outcome: loket_domain::Outcome::Completed,
    };
    assert!(
        unlogged.check_invariants().is_err(),
        "state not backed by events"
    );

    // Quotas stop issuing; numbers continue on the next ticket after a refusal.
    let mut full = model(&Setup { quota: 1, ..s });
    full.issue(ServiceCode::Pickup, Lane::WalkIn, None, at)
        .expect("first");
    assert!(
        full.issue(ServiceCode::Pickup, Lane::WalkIn, None, at)
            .is_err()
    );
    let id = full
        .issue(ServiceCode::Pickup, Lane::Appointment, None, at)
        .expect("other lane");
    assert_eq!(
        full.visit(id).map(|v| v.ticket.to_string()),
        Some("D002".to_string())
    );
    assert_eq!(full.check_invariants(), Ok(()));
}

proptest! {
    /// With both lanes always full and a bound that never bites, the calls follow the lane
    /// weights exactly.
    #[test]
    fn interleave_follows_the_weights(appointment in 1u32..4, walk_in in 1u32..4, rounds in 1u32..5) {
        let calls = (appointment + walk_in) * rounds;
        let s = Setup {
            weights: (appointment, walk_in, 0),
            priority_first: true,
            bound: 1000,
            no_show_after: 1,
            quota: 500,
            simpatik: false,
        };
        let mut m = model(&s);
        let mut at = start_time();
        for _ in 0..calls {
            m.issue(ServiceCode::Information, Lane::WalkIn, None, at).map_err(|e| TestCaseError::fail(e.to_string()))?;
            m.issue(ServiceCode::Information, Lane::Appointment, None, at).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let mut lanes = Vec::new();
        for _ in 0..calls {
            at += Duration::minutes(1);
            let id = m.call_next(CounterId(1), at).map_err(|e| TestCaseError::fail(e.to_string()))?;
            lanes.push(m.visit(id).map(|v| v.lane));
            m.start(CounterId(1), at).map_err(|e| TestCaseError::fail(e.to_string()))?;
            m.finish(CounterId(1), at).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let count = |lane| u32::try_from(lanes.iter().filter(|l| **l == Some(lane)).count()).unwrap_or(0);
        prop_assert_eq!(count(Lane::Appointment), appointment * rounds);
        prop_assert_eq!(count(Lane::WalkIn), walk_in * rounds);
        prop_assert_eq!(m.check_invariants(), Ok(()));
    }
}
