use super::utc;
use super::visits::new_visit;
use loket_domain::{
    CallPolicy, CallReason, Counter, CounterId, EventKind, Lane, LaneCursor, LaneWeights,
    ServiceCode, Stage, UserFacing, Visit, VisitEvent, VisitId, VisitRules, call_given, call_next,
};

fn counter(services: Vec<ServiceCode>, stages: Vec<Stage>) -> Counter {
    Counter {
        id: CounterId(1),
        name: "Loket 1".into(),
        services,
        stages,
        open: true,
    }
}

/// Waiting visits issued one minute apart, in the given lanes, all new passports.
fn queue(lanes: &[Lane]) -> Vec<Visit> {
    lanes
        .iter()
        .enumerate()
        .map(|(i, lane)| {
            let id = i64::try_from(i).unwrap_or(0) + 1;
            let (v, _) = Visit::issue(
                new_visit(id, ServiceCode::NewPassport, *lane),
                utc(1, u32::try_from(i).unwrap_or(0)),
            )
            .expect("issue");
            if *lane == Lane::Appointment {
                v.apply(
                    &VisitEvent::new(v.issued_at, EventKind::CheckedIn),
                    &VisitRules::default(),
                )
                .expect("check in")
            } else {
                v
            }
        })
        .collect()
}

/// Calls `n` times through the policy, applying calls and passes; returns the lanes called.
fn drain(visits: &mut [Visit], policy: &CallPolicy, n: usize) -> Vec<(VisitId, Lane)> {
    let c = counter(vec![], vec![]);
    let mut cursor = LaneCursor::default();
    let rules = VisitRules::default();
    let mut called = Vec::new();
    for _ in 0..n {
        let Ok(d) = call_next(visits, &c, policy, cursor) else {
            break;
        };
        for v in visits.iter_mut() {
            if d.passed.contains(&v.id) {
                *v = v
                    .apply(
                        &VisitEvent::new(utc(2, 0), EventKind::Passed { by: d.visit }),
                        &rules,
                    )
                    .expect("pass");
                assert!(v.passed_by <= policy.starvation_bound);
            }
            if v.id == d.visit {
                *v = v
                    .apply(
                        &VisitEvent::new(
                            utc(2, 0),
                            EventKind::Called {
                                counter: c.id,
                                manual: false,
                            },
                        ),
                        &rules,
                    )
                    .expect("call");
                called.push((v.id, v.lane));
            }
        }
        cursor = d.cursor;
    }
    called
}

#[test]
fn pattern_spreads_the_weights() {
    use Lane::{Appointment as A, Priority as P, WalkIn as W};
    let p = |a, w, pr, first| CallPolicy {
        weights: LaneWeights {
            appointment: a,
            walk_in: w,
            priority: pr,
        },
        priority_first: first,
        starvation_bound: 10,
    };
    assert_eq!(p(2, 1, 1, true).pattern(), vec![A, W, A]);
    assert_eq!(p(1, 1, 1, true).pattern(), vec![A, W]);
    assert_eq!(p(3, 1, 0, true).pattern(), vec![A, A, W, A]);
    assert_eq!(p(2, 1, 1, false).pattern(), vec![A, W, P, A]);
    assert_eq!(p(0, 1, 0, true).pattern(), vec![W]);
    assert!(p(0, 0, 0, true).pattern().is_empty());
}

#[test]
fn appointments_and_walk_ins_interleave_two_to_one() {
    use Lane::{Appointment as A, WalkIn as W};
    // Walk-ins came first; appointments still get two of every three calls.
    let mut visits = queue(&[W, W, W, W, A, A, A, A, A, A]);
    let policy = CallPolicy {
        starvation_bound: 100,
        ..CallPolicy::default()
    };
    let lanes: Vec<Lane> = drain(&mut visits, &policy, 9)
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert_eq!(lanes, vec![A, W, A, A, W, A, A, W, A]);
}

#[test]
fn priority_lane_goes_first_when_configured() {
    use Lane::{Appointment as A, Priority as P, WalkIn as W};
    let mut visits = queue(&[W, A, P, W, P]);
    let called = drain(&mut visits, &CallPolicy::default(), 5);
    let lanes: Vec<Lane> = called.iter().map(|(_, l)| *l).collect();
    assert_eq!(lanes[..2], [P, P]);
    assert_eq!(called[0].0, VisitId(3), "oldest priority first");
}

#[test]
fn no_ticket_is_passed_more_than_the_bound() {
    use Lane::{Appointment as A, WalkIn as W};
    // One walk-in, then a flood of appointments; walk-ins have weight 0.
    let mut lanes = vec![W];
    lanes.extend(std::iter::repeat_n(A, 12));
    let mut visits = queue(&lanes);
    let policy = CallPolicy {
        weights: LaneWeights {
            appointment: 1,
            walk_in: 0,
            priority: 0,
        },
        priority_first: true,
        starvation_bound: 3,
    };
    let called = drain(&mut visits, &policy, 13);
    let position = called
        .iter()
        .position(|(id, _)| *id == VisitId(1))
        .expect("walk-in called");
    assert_eq!(position, 3, "called right after being passed 3 times");
    assert!(visits.iter().all(|v| v.passed_by <= 3));
}

#[test]
fn bound_zero_is_first_come_first_served() {
    use Lane::{Appointment as A, Priority as P, WalkIn as W};
    let mut visits = queue(&[W, A, P, W, A]);
    let policy = CallPolicy {
        starvation_bound: 0,
        ..CallPolicy::default()
    };
    let ids: Vec<i64> = drain(&mut visits, &policy, 5)
        .into_iter()
        .map(|(id, _)| id.0)
        .collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[test]
fn counters_call_only_what_they_serve() {
    let mut visits = queue(&[Lane::WalkIn]);
    let (pickup, _) =
        Visit::issue(new_visit(2, ServiceCode::Pickup, Lane::WalkIn), utc(1, 5)).expect("issue");
    visits.push(pickup);
    let pickup_counter = counter(vec![ServiceCode::Pickup], vec![]);
    let d = call_next(
        &visits,
        &pickup_counter,
        &CallPolicy::default(),
        LaneCursor::default(),
    )
    .expect("pickup");
    assert_eq!(d.visit, VisitId(2));
    assert!(
        d.passed.is_empty(),
        "a visit this counter cannot serve is not passed"
    );

    let photo_counter = counter(vec![], vec![Stage::PhotoFingerprintInterview]);
    let err = call_next(
        &visits[..1],
        &photo_counter,
        &CallPolicy::default(),
        LaneCursor::default(),
    )
    .expect_err("none");
    assert_eq!(err.code(), "queue_empty");

    let mut closed = counter(vec![], vec![]);
    closed.open = false;
    let err = call_next(
        &visits,
        &closed,
        &CallPolicy::default(),
        LaneCursor::default(),
    )
    .expect_err("closed");
    assert_eq!(err.code(), "counter_not_open");
}

#[test]
fn calling_a_given_ticket_counts_as_passing_and_respects_the_bound() {
    use Lane::WalkIn as W;
    let mut visits = queue(&[W, W, W]);
    let c = counter(vec![], vec![]);
    let policy = CallPolicy {
        starvation_bound: 1,
        ..CallPolicy::default()
    };
    let d = call_given(&visits, &c, VisitId(3), &policy, LaneCursor(2), false).expect("allowed");
    assert_eq!(d.reason, CallReason::Manual);
    assert_eq!(d.passed, vec![VisitId(1), VisitId(2)]);
    assert_eq!(d.cursor, LaneCursor(2));
    // Apply the passes: visit 1 is now at the bound.
    let rules = VisitRules::default();
    for v in visits.iter_mut().filter(|v| d.passed.contains(&v.id)) {
        *v = v
            .apply(
                &VisitEvent::new(utc(2, 0), EventKind::Passed { by: VisitId(3) }),
                &rules,
            )
            .expect("pass");
    }
    visits.retain(|v| v.id != VisitId(3));
    visits.extend(queue(&[W, W, W, W]).into_iter().skip(3));
    let err = call_given(&visits, &c, VisitId(4), &policy, LaneCursor(0), false)
        .expect_err("would starve");
    assert_eq!(err.code(), "starvation_bound");
    assert!(err.message_en().contains("A001"), "{}", err.message_en());
    assert!(
        call_given(&visits, &c, VisitId(4), &policy, LaneCursor(0), true).is_ok(),
        "forced"
    );
    // Calling next now must take the starving one.
    let next = call_next(&visits, &c, &policy, LaneCursor(0)).expect("next");
    assert_eq!(
        (next.visit, next.reason),
        (VisitId(1), CallReason::Starvation)
    );

    let err =
        call_given(&visits, &c, VisitId(99), &policy, LaneCursor(0), false).expect_err("unknown");
    assert_eq!(err.code(), "visit_not_found");
}
