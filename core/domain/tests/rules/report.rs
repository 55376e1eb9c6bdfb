//! The report against a small day worked out by hand.
//!
//! The day (Monday 23 November 2026, WIB = UTC+7; times below in UTC):
//!
//! | visit | service, lane | events |
//! | --- | --- | --- |
//! | 1 | new passport, walk-in | issued 1:00; C1 calls 1:10, starts document check 1:12, finishes 1:20; C2 calls 1:30, starts photo/fingerprints/interview 1:31, finishes 1:41 (completed) |
//! | 2 | new passport, walk-in | issued 1:05; C1 calls 1:20, recalls 1:21 and 1:22, no-show 1:25 |
//! | 3 | new passport, appointment | issued and checked in 2:00; C1 calls 2:30, starts document check 2:32, finishes 2:40; reset 9:00 while waiting (closed unserved) |
//! | 4 | pickup, priority | issued 3:00; never called; reset 9:00 (closed unserved) |
//! | 5 | information, walk-in | issued 2:10; C2 calls 2:20, starts 2:25; reset 9:00 in service |
//! | 6 | new passport, walk-in, **24 November** | outside the range: ignored |
//!
//! Sessions: C1 opened by budi 1:00-5:00 (14,400 s), C2 by sari 1:00-3:00 (7,200 s).

use super::utc;
use super::visits::new_visit;
use loket_domain::{
    Bap, BapId, BapOutcome, BapOutcomeKind, BapReason, BapStatus, BookFee, CounterId,
    CounterSession, DailyQuota, DamageState, DurationStats, EventKind, FeeItem, FeeSchedule, Lane,
    OfficeTimeZone, OfficerRef, QuotaDay, ReportParams, Role, ServiceCode, Stage,
    SupervisorApproval, Validity, VisitEvent, VisitRecord, VisitRules, office_report,
};

fn call(counter: i64) -> EventKind {
    EventKind::Called {
        counter: CounterId(counter),
        manual: false,
    }
}

fn record(
    id: i64,
    service: ServiceCode,
    lane: Lane,
    issued: (u32, u32),
    events: &[((u32, u32), EventKind)],
) -> VisitRecord {
    VisitRecord {
        visit: new_visit(id, service, lane),
        issued_at: utc(issued.0, issued.1),
        events: events
            .iter()
            .map(|((h, m), k)| VisitEvent::new(utc(*h, *m), *k))
            .collect(),
    }
}

fn day() -> Vec<VisitRecord> {
    let dc = Stage::DocumentCheck;
    let pfi = Stage::PhotoFingerprintInterview;
    let mut outside = record(6, ServiceCode::NewPassport, Lane::WalkIn, (1, 0), &[]);
    outside.visit.office_date = super::date(2026, 11, 24);
    vec![
        record(
            1,
            ServiceCode::NewPassport,
            Lane::WalkIn,
            (1, 0),
            &[
                ((1, 10), call(1)),
                ((1, 12), EventKind::Started { stage: dc }),
                ((1, 20), EventKind::Finished { stage: dc }),
                ((1, 30), call(2)),
                ((1, 31), EventKind::Started { stage: pfi }),
                ((1, 41), EventKind::Finished { stage: pfi }),
            ],
        ),
        record(
            2,
            ServiceCode::NewPassport,
            Lane::WalkIn,
            (1, 5),
            &[
                ((1, 20), call(1)),
                ((1, 21), EventKind::Recalled),
                ((1, 22), EventKind::Recalled),
                ((1, 25), EventKind::NoShow),
            ],
        ),
        record(
            3,
            ServiceCode::NewPassport,
            Lane::Appointment,
            (2, 0),
            &[
                ((2, 0), EventKind::CheckedIn),
                ((2, 30), call(1)),
                ((2, 32), EventKind::Started { stage: dc }),
                ((2, 40), EventKind::Finished { stage: dc }),
                ((9, 0), EventKind::Reset),
            ],
        ),
        record(
            4,
            ServiceCode::Pickup,
            Lane::Priority,
            (3, 0),
            &[((9, 0), EventKind::Reset)],
        ),
        record(
            5,
            ServiceCode::Information,
            Lane::WalkIn,
            (2, 10),
            &[
                ((2, 20), call(2)),
                (
                    (2, 25),
                    EventKind::Started {
                        stage: Stage::Information,
                    },
                ),
                ((9, 0), EventKind::Reset),
            ],
        ),
        outside,
    ]
}

fn params() -> ReportParams {
    let d = super::date(2026, 11, 23);
    ReportParams {
        from: d,
        to: d,
        time_zone: OfficeTimeZone::Wib,
        visit_rules: VisitRules::default(),
        fees: FeeSchedule::default(),
        quotas: vec![
            QuotaDay {
                date: d,
                service: ServiceCode::NewPassport,
                quota: DailyQuota {
                    walk_in: 50,
                    appointment: 150,
                    priority: 30,
                },
            },
            QuotaDay {
                date: d,
                service: ServiceCode::Pickup,
                quota: DailyQuota {
                    walk_in: 300,
                    appointment: 0,
                    priority: 50,
                },
            },
        ],
        sessions: vec![
            CounterSession {
                counter: CounterId(1),
                officer: "budi".into(),
                opened_at: utc(1, 0),
                closed_at: utc(5, 0),
            },
            CounterSession {
                counter: CounterId(2),
                officer: "sari".into(),
                opened_at: utc(1, 0),
                closed_at: utc(3, 0),
            },
        ],
    }
}

fn bap(n: u32, reason: BapReason, outcome: Option<BapOutcome>, signed: bool) -> Bap {
    let mut b = Bap::new(
        BapId(format!("bap-{n}")),
        None,
        OfficerRef::new("budi", Role::Officer),
        utc(2, n),
    );
    b.interview.reason = Some(reason);
    b.interview.outcome = outcome;
    if signed {
        b.status = BapStatus::Signed;
    }
    b
}

fn baps() -> Vec<Bap> {
    let lost = BapReason::Lost {
        police_report_number: "LP/1".into(),
        police_report_date: None,
        police_station: "Polsek".into(),
    };
    let damaged = BapReason::Damaged {
        state: Some(DamageState::Torn),
        description: String::new(),
    };
    let book = BookFee {
        electronic: true,
        validity: Validity::TenYears,
    };
    let approve = Some(BapOutcome::ApproveWithCharge { book });
    vec![
        bap(1, lost.clone(), approve.clone(), true),
        bap(2, damaged.clone(), approve.clone(), true),
        bap(
            3,
            damaged,
            Some(BapOutcome::WaiveForceMajeure { book }),
            true,
        ),
        bap(
            4,
            lost.clone(),
            Some(BapOutcome::Suspend {
                months: 12,
                approval: Some(SupervisorApproval {
                    by: OfficerRef::new("sari", Role::Supervisor),
                    at: utc(2, 4),
                }),
            }),
            true,
        ),
        bap(5, lost, approve, false),
    ]
}

fn stats(count: u32, mean: f64, median: f64, p90: u32, max: u32) -> DurationStats {
    DurationStats {
        count,
        mean_seconds: mean,
        median_seconds: median,
        p90_seconds: p90,
        max_seconds: max,
    }
}

#[test]
fn a_small_day_by_hand() {
    let visits = day();
    let baps = baps();
    let r = office_report(params(), &visits, &baps);
    assert!(r.skipped_visits.is_empty());

    // Outcomes: 1 completed (1), 1 no-show (2), 2 closed unserved (3, 4), 1 closed in
    // service (5). Visit 6 is another day.
    let t = &r.total;
    assert_eq!(t.issued, 5);
    assert_eq!(t.outcomes.completed, 1);
    assert_eq!(t.outcomes.no_show, 1);
    assert_eq!(t.outcomes.closed_unserved, 2);
    assert_eq!(t.outcomes.closed_in_service, 1);
    assert_eq!(t.outcomes.total(), 5);
    assert_eq!((t.served, t.no_shows), (1, 1));
    // Lanes: walk-in 1, 2, 5; appointment 3; priority 4.
    assert_eq!((t.walk_in, t.appointment, t.priority), (3, 1, 1));

    // First-call waits: 1: 1:00->1:10 = 600; 2: 1:05->1:20 = 900; 3: 2:00->2:30 = 1800;
    // 5: 2:10->2:20 = 600. Sorted 600 600 900 1800: mean 3900/4 = 975, median
    // (600+900)/2 = 750, p90 rank ceil(3.6) = 4 -> 1800.
    assert_eq!(t.waiting, stats(4, 975.0, 750.0, 1800, 1800));
    // All stages: visit 1 also waited 1:20->1:30 = 600 more, so 1200. Sorted 600 900 1200
    // 1800: mean 4500/4 = 1125, median (900+1200)/2 = 1050.
    assert_eq!(t.waiting_all_stages, stats(4, 1125.0, 1050.0, 1800, 1800));

    // Service per stage: document check 1: 1:12->1:20 = 480, 3: 2:32->2:40 = 480; photo
    // 1: 1:31->1:41 = 600; information 5: 2:25->9:00 = 23,700.
    let stage = |s: Stage| {
        t.stages
            .iter()
            .find(|f| f.stage == s)
            .map(|f| f.service_time)
    };
    assert_eq!(
        stage(Stage::DocumentCheck),
        Some(stats(2, 480.0, 480.0, 480, 480))
    );
    assert_eq!(
        stage(Stage::PhotoFingerprintInterview),
        Some(stats(1, 600.0, 600.0, 600, 600))
    );
    assert_eq!(
        stage(Stage::Information),
        Some(stats(1, 23_700.0, 23_700.0, 23_700, 23_700))
    );
    assert_eq!(stage(Stage::Bap), None);

    // New passport: visits 1, 2, 3; waits 600 900 1800: mean 1100, median 900, p90 rank
    // ceil(2.7) = 3 -> 1800.
    let np = r
        .services
        .iter()
        .find(|s| s.service == ServiceCode::NewPassport)
        .map(|s| &s.figures)
        .expect("new passport row");
    assert_eq!((np.issued, np.walk_in, np.appointment), (3, 2, 1));
    assert_eq!(np.waiting, stats(3, 1100.0, 900.0, 1800, 1800));
    // New passport walk-in: visits 1, 2; waits 600 900: mean = median = 750, p90 rank
    // ceil(1.8) = 2 -> 900.
    let npw = r
        .service_lanes
        .iter()
        .find(|s| s.service == ServiceCode::NewPassport && s.lane == Lane::WalkIn)
        .map(|s| &s.figures)
        .expect("row");
    assert_eq!((npw.issued, npw.served, npw.no_shows), (2, 1, 1));
    assert_eq!(npw.waiting, stats(2, 750.0, 750.0, 900, 900));
    assert_eq!(r.service_lanes.len(), 4);

    // Counters. C1 (budi): sittings 1 (1:10-1:20), 2 (1:20-1:25), 3 (2:30-2:40); served 1
    // and 3: 480 + 480 = 960, mean 480; occupied 600 + 300 + 600 = 1500; open 14,400; idle
    // 12,900.
    assert_eq!(r.counters.len(), 2);
    let c1 = &r.counters[0];
    assert_eq!(c1.counter, CounterId(1));
    assert_eq!(c1.officer.as_deref(), Some("budi"));
    assert_eq!((c1.sittings, c1.served), (3, 2));
    assert_eq!(c1.serving_seconds, 960);
    assert_eq!(c1.mean_service_seconds, 480.0);
    assert_eq!(c1.occupied_seconds, 1500);
    assert_eq!(c1.open_seconds, 14_400);
    assert_eq!(c1.idle_seconds, 12_900);
    // C2 (sari): 1 (1:30-1:41, served 600) and 5 (2:20-9:00, served 2:25-9:00 = 23,700);
    // serving 24,300, mean 12,150; occupied 660 + 24,000 = 24,660; inside the session
    // (to 3:00) 660 + 2,400 = 3,060; open 7,200; idle 4,140.
    let c2 = &r.counters[1];
    assert_eq!(c2.officer.as_deref(), Some("sari"));
    assert_eq!((c2.sittings, c2.served), (2, 2));
    assert_eq!(c2.serving_seconds, 24_300);
    assert_eq!(c2.mean_service_seconds, 12_150.0);
    assert_eq!(c2.occupied_seconds, 24_660);
    assert_eq!(c2.open_seconds, 7_200);
    assert_eq!(c2.idle_seconds, 4_140);

    // Arrivals (WIB): 1 and 2 at 08:xx, 3 (check-in) and 5 at 09:xx, 4 at 10:00.
    let mut arrivals = [0u32; 24];
    arrivals[8] = 2;
    arrivals[9] = 2;
    arrivals[10] = 1;
    assert_eq!(r.arrivals_per_hour, arrivals);

    // Quotas: rows with a quota or a use, in service then lane order.
    let quotas: Vec<(ServiceCode, Lane, u32, u32)> = r
        .quotas
        .iter()
        .map(|q| (q.service, q.lane, q.quota, q.used))
        .collect();
    assert_eq!(
        quotas,
        vec![
            (ServiceCode::NewPassport, Lane::Appointment, 150, 1),
            (ServiceCode::NewPassport, Lane::WalkIn, 50, 2),
            (ServiceCode::NewPassport, Lane::Priority, 30, 0),
            (ServiceCode::Pickup, Lane::WalkIn, 300, 0),
            (ServiceCode::Pickup, Lane::Priority, 50, 1),
            (ServiceCode::Information, Lane::WalkIn, 0, 1),
        ]
    );

    // BAPs: signed 2 approved, 1 waived, 1 suspended; 1 unsigned.
    assert_eq!(
        r.baps.signed_by_outcome,
        vec![
            (BapOutcomeKind::ApproveWithCharge, 2),
            (BapOutcomeKind::WaiveForceMajeure, 1),
            (BapOutcomeKind::Suspend, 1),
        ]
    );
    assert_eq!(r.baps.unsigned, 1);
    // Fees: lost 1,000,000; damaged 500,000; force majeure 0; three e-passport 10-year
    // books 3 x 950,000 = 2,850,000. Total 4,350,000.
    let fees: Vec<(FeeItem, u64, u32)> = r
        .fees
        .iter()
        .map(|f| (f.item, f.unit_rupiah, f.count))
        .collect();
    assert_eq!(
        fees,
        vec![
            (FeeItem::LostCharge, 1_000_000, 1),
            (FeeItem::Electronic10y, 950_000, 3),
            (FeeItem::DamagedCharge, 500_000, 1),
            (FeeItem::ForceMajeure, 0, 1),
        ]
    );
    assert_eq!(r.fees_total_rupiah, 4_350_000);
}

#[test]
fn streaming_in_any_order_gives_the_same_report() {
    let visits = day();
    let baps = baps();
    let forward = office_report(params(), &visits, &baps);
    let backward = office_report(params(), visits.iter().rev(), baps.iter().rev());
    assert_eq!(forward.total, backward.total);
    assert_eq!(forward.counters, backward.counters);
    assert_eq!(forward.arrivals_per_hour, backward.arrivals_per_hour);
    assert_eq!(forward.fees_total_rupiah, backward.fees_total_rupiah);
}

#[test]
fn visits_that_do_not_replay_are_listed_not_counted() {
    let mut visits = day();
    visits[1]
        .events
        .push(VisitEvent::new(utc(1, 30), EventKind::Recalled));
    let r = office_report(params(), &visits, &[]);
    assert_eq!(r.skipped_visits.len(), 1);
    assert_eq!(r.skipped_visits[0].0, 2);
    assert_eq!(r.total.issued, 4);
}

#[test]
fn duration_statistics_methods() {
    assert_eq!(
        DurationStats::from_samples(&mut []),
        DurationStats::default()
    );
    assert_eq!(
        DurationStats::from_samples(&mut [5]),
        stats(1, 5.0, 5.0, 5, 5)
    );
    // 1..=10: median (5+6)/2 = 5.5, p90 rank 9 -> 9.
    let mut ten: Vec<u32> = (1..=10).rev().collect();
    assert_eq!(
        DurationStats::from_samples(&mut ten),
        stats(10, 5.5, 5.5, 9, 10)
    );
    // 1..=11: median 6, p90 rank ceil(9.9) = 10 -> 10.
    let mut eleven: Vec<u32> = (1..=11).collect();
    assert_eq!(
        DurationStats::from_samples(&mut eleven),
        stats(11, 6.0, 6.0, 10, 11)
    );
}

#[test]
fn report_serializes_for_the_hub() {
    let visits = day();
    let r = office_report(params(), &visits, &[]);
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["total"]["issued"], 5);
    assert_eq!(json["counters"][0]["officer"], "budi");
}

#[test]
fn calls_outside_sessions_and_officers_over_several_sessions() {
    let mut p = params();
    // budi works C1 in two sessions (1:00-1:15 and 2:00-5:00); C2 has no session at all.
    p.sessions = vec![
        CounterSession {
            counter: CounterId(1),
            officer: "budi".into(),
            opened_at: utc(1, 0),
            closed_at: utc(1, 15),
        },
        CounterSession {
            counter: CounterId(1),
            officer: "budi".into(),
            opened_at: utc(2, 0),
            closed_at: utc(5, 0),
        },
    ];
    let visits = day();
    let r = office_report(p, &visits, &[]);
    // C1/budi: visit 1 (1:10-1:20, 300 s inside the first session) and visit 3 (2:30-2:40,
    // inside the second); visit 2 was called at 1:20, between the sessions.
    // C1 without officer: visit 2 (occupied 300 s). C2 without officer: visits 1 and 5.
    let rows: Vec<(i64, Option<&str>, u32, u64, u64)> = r
        .counters
        .iter()
        .map(|c| {
            (
                c.counter.0,
                c.officer.as_deref(),
                c.sittings,
                c.open_seconds,
                c.idle_seconds,
            )
        })
        .collect();
    // Open 900 + 10,800 = 11,700; occupied inside 300 + 600 = 900; idle 10,800.
    assert_eq!(
        rows,
        vec![
            (1, None, 1, 0, 0),
            (1, Some("budi"), 2, 11_700, 10_800),
            (2, None, 2, 0, 0),
        ]
    );
}
