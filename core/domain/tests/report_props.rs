//! Property tests of the office report: over random days of visits with random legal
//! events, the totals are consistent with each other and with the visits.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use loket_domain::{
    CounterId, CounterSession, DailyQuota, DurationStats, EventKind, FeeSchedule, GroupFigures,
    Lane, NewVisit, OfficeTimeZone, QuotaDay, ReportParams, ServiceCatalog, ServiceCode,
    TicketNumber, TransferTarget, Visit, VisitEvent, VisitId, VisitRecord, VisitRules,
    office_report, sittings,
};
use proptest::prelude::*;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 30, 0)
        .single()
        .unwrap_or_default()
}

#[derive(Debug, Clone)]
struct VisitPlan {
    service: usize,
    lane: usize,
    issue_minute: i64,
    ops: Vec<(u8, i64, i64)>,
    close: bool,
}

fn plan() -> impl Strategy<Value = VisitPlan> {
    (
        0..5usize,
        0..3usize,
        0..400i64,
        proptest::collection::vec((0..9u8, 1..4i64, 0..30i64), 0..14),
        any::<bool>(),
    )
        .prop_map(|(service, lane, issue_minute, ops, close)| VisitPlan {
            service,
            lane,
            issue_minute,
            ops,
            close,
        })
}

/// Builds a visit's record by trying each planned event and keeping the legal ones.
fn build(id: i64, p: &VisitPlan, rules: &VisitRules) -> Option<(VisitRecord, Visit)> {
    let catalog = ServiceCatalog::default();
    let def = catalog.services.get(p.service)?;
    let lane = Lane::ALL[p.lane];
    let new = NewVisit {
        id: VisitId(id),
        office_date: day(),
        service: def.code,
        lane,
        ticket: TicketNumber::new(def.letter, u16::try_from(id).ok()?).ok()?,
        stages: def.stages.clone(),
        priority_group: None,
        booking_code: None,
        applicant_index: None,
    };
    let issued_at = start() + Duration::minutes(p.issue_minute);
    let (mut visit, _) = Visit::issue(new.clone(), issued_at).ok()?;
    let mut at = issued_at;
    let mut events = Vec::new();
    for &(op, counter, dt) in &p.ops {
        at += Duration::minutes(dt);
        let stage = visit.current_stage();
        let kind = match op {
            0 => EventKind::CheckedIn,
            1 | 2 => EventKind::Called {
                counter: CounterId(counter),
                manual: false,
            },
            3 => EventKind::Recalled,
            4 => EventKind::Started { stage },
            5 => EventKind::Finished { stage },
            6 => EventKind::NoShow,
            7 => EventKind::Parked,
            _ => EventKind::Transferred {
                to: TransferTarget {
                    stage: None,
                    counter: None,
                },
            },
        };
        let event = VisitEvent::new(at, kind);
        if let Ok(next) = visit.apply(&event, rules) {
            visit = next;
            events.push(event);
        }
    }
    if p.close && visit.is_open() {
        let event = VisitEvent::new(at + Duration::minutes(1), EventKind::Reset);
        if let Ok(next) = visit.apply(&event, rules) {
            visit = next;
            events.push(event);
        }
    }
    Some((
        VisitRecord {
            visit: new,
            issued_at,
            events,
        },
        visit,
    ))
}

fn check_stats(s: &DurationStats) -> Result<(), TestCaseError> {
    if s.count == 0 {
        prop_assert_eq!(*s, DurationStats::default());
    } else {
        prop_assert!(s.median_seconds <= s.p90_seconds as f64);
        prop_assert!(s.p90_seconds <= s.max_seconds);
        prop_assert!(s.mean_seconds <= s.max_seconds as f64);
    }
    Ok(())
}

fn check_group(g: &GroupFigures) -> Result<(), TestCaseError> {
    let o = &g.outcomes;
    prop_assert_eq!(o.total(), g.issued);
    prop_assert_eq!(g.served, o.completed);
    prop_assert_eq!(g.no_shows, o.no_show + o.closed_no_show);
    prop_assert_eq!(
        g.served + g.no_shows + o.closed_unserved + o.closed_in_service + o.closed_parked + o.open,
        g.issued
    );
    prop_assert_eq!(g.walk_in + g.appointment + g.priority, g.issued);
    prop_assert!(g.waiting.count <= g.issued);
    prop_assert_eq!(g.waiting.count, g.waiting_all_stages.count);
    check_stats(&g.waiting)?;
    check_stats(&g.waiting_all_stages)?;
    for s in &g.stages {
        prop_assert!(s.service_time.count <= g.issued);
        check_stats(&s.service_time)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn report_totals_are_consistent(plans in proptest::collection::vec(plan(), 0..60)) {
        let rules = VisitRules::default();
        let mut records = Vec::new();
        let mut visits = Vec::new();
        for (i, p) in plans.iter().enumerate() {
            let id = i64::try_from(i).unwrap_or(0) + 1;
            if let Some((r, v)) = build(id, p, &rules) {
                records.push(r);
                visits.push(v);
            }
        }
        let end = start() + Duration::hours(12);
        let sessions: Vec<CounterSession> = (1..4)
            .map(|c| CounterSession {
                counter: CounterId(c),
                officer: format!("officer{c}"),
                opened_at: start(),
                closed_at: end,
            })
            .collect();
        let quotas = ServiceCode::ALL
            .iter()
            .map(|&service| QuotaDay {
                date: day(),
                service,
                quota: DailyQuota { walk_in: 10, appointment: 10, priority: 10 },
            })
            .collect();
        let params = ReportParams {
            from: day(),
            to: day(),
            time_zone: OfficeTimeZone::Wib,
            visit_rules: rules,
            fees: FeeSchedule::default(),
            quotas,
            sessions,
        };
        let r = office_report(params, &records, &[]);
        prop_assert!(r.skipped_visits.is_empty());
        let issued = u32::try_from(records.len()).unwrap_or(u32::MAX);
        prop_assert_eq!(r.total.issued, issued);
        check_group(&r.total)?;
        for s in &r.services {
            check_group(&s.figures)?;
        }
        for s in &r.service_lanes {
            check_group(&s.figures)?;
        }
        let by_service: u32 = r.services.iter().map(|s| s.figures.issued).sum();
        let by_lane: u32 = r.service_lanes.iter().map(|s| s.figures.issued).sum();
        let used: u32 = r.quotas.iter().map(|q| q.used).sum();
        prop_assert_eq!(by_service, issued);
        prop_assert_eq!(by_lane, issued);
        prop_assert_eq!(used, issued);
        let served: u32 = r.services.iter().map(|s| s.figures.served).sum();
        prop_assert_eq!(served, r.total.served);

        // Outcomes agree with the replayed visits.
        let completed = visits
            .iter()
            .filter(|v| v.outcome() == Some(loket_domain::Outcome::Completed))
            .count();
        prop_assert_eq!(r.total.outcomes.completed as usize, completed);
        let open = visits.iter().filter(|v| v.is_open()).count();
        prop_assert_eq!(r.total.outcomes.open as usize, open);

        // Arrivals: walk-in and priority at issue, appointments once checked in.
        let arrivals: u32 = r.arrivals_per_hour.iter().sum();
        let expected = visits
            .iter()
            .filter(|v| v.lane != Lane::Appointment || v.checked_in_at.is_some())
            .count();
        prop_assert_eq!(arrivals as usize, expected);

        // Every sitting lands on one counter row; the first call gives a waiting sample.
        let mut sitting_count = 0usize;
        let mut called = 0u32;
        for rec in &records {
            let list = sittings(rec.visit.clone(), rec.issued_at, &rec.events, &rules)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            sitting_count += list.len();
            called += u32::from(
                rec.events.iter().any(|e| matches!(e.kind, EventKind::Called { .. })),
            );
        }
        let rows: u32 = r.counters.iter().map(|c| c.sittings).sum();
        prop_assert_eq!(rows as usize, sitting_count);
        prop_assert_eq!(r.total.waiting.count, called);
        for c in &r.counters {
            prop_assert!(c.served <= c.sittings);
            prop_assert!(c.idle_seconds <= c.open_seconds);
            prop_assert!(c.officer.is_some());
        }
    }
}
