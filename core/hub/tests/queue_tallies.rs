//! The tallies kept beside each ticket counter (visits issued per lane, visits waiting;
//! migration 0008) always equal what counting the visits gives, and the service times kept
//! per service (migration 0010) always equal the finished events', whatever the office
//! does: random runs of ticket issues, check-ins, calls, recalls, starts, parks, finishes,
//! transfers, no-shows and the day's close, through the LAN API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{KIOSK, TestHub, start};
use loket_domain::{Lane, ServiceCode};
use proptest::prelude::*;
use serde_json::json;
use sqlx::{ConnectOptions as _, Connection as _};

#[derive(Debug, Clone)]
enum Step {
    Issue { service: usize, priority: bool },
    CheckIn { booking: usize },
    CallNext { counter: usize },
    Recall { counter: usize },
    Start { counter: usize },
    Park { counter: usize },
    Finish { counter: usize },
    Transfer { counter: usize, to: usize },
    NoShow { counter: usize },
    CloseDay,
}

fn step() -> impl Strategy<Value = Step> {
    let counter = 0..2usize;
    prop_oneof![
        6 => (0..ServiceCode::ALL.len(), any::<bool>())
            .prop_map(|(service, priority)| Step::Issue { service, priority }),
        2 => (0..4usize).prop_map(|booking| Step::CheckIn { booking }),
        4 => counter.clone().prop_map(|counter| Step::CallNext { counter }),
        2 => counter.clone().prop_map(|counter| Step::Recall { counter }),
        3 => counter.clone().prop_map(|counter| Step::Start { counter }),
        1 => counter.clone().prop_map(|counter| Step::Park { counter }),
        3 => counter.clone().prop_map(|counter| Step::Finish { counter }),
        1 => (counter.clone(), 0..2usize).prop_map(|(counter, to)| Step::Transfer { counter, to }),
        1 => counter.prop_map(|counter| Step::NoShow { counter }),
        1 => Just(Step::CloseDay),
    ]
}

/// A day and service: (walk-in, appointment, priority issued, waiting, waiting in the
/// priority lane) by the tallies and by counting the visits.
type Tallied = (String, String, [i64; 5], [i64; 5]);

/// Each day and service with a counter row, tallied and counted; and checks that every
/// visit has a counter row not below its number.
async fn tallies_and_counts(t: &TestHub) -> Vec<Tallied> {
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    let lanes = [Lane::WalkIn, Lane::Appointment, Lane::Priority].map(Lane::as_str);
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT t.office_date, t.service, \
           json_array(t.walk_in_issued, t.appointment_issued, t.priority_issued, t.waiting, t.waiting_priority), \
           json_array( \
           (SELECT COUNT(*) FROM visits v WHERE v.office_date = t.office_date AND v.service = t.service AND v.lane = ?1), \
           (SELECT COUNT(*) FROM visits v WHERE v.office_date = t.office_date AND v.service = t.service AND v.lane = ?2), \
           (SELECT COUNT(*) FROM visits v WHERE v.office_date = t.office_date AND v.service = t.service AND v.lane = ?3), \
           (SELECT COUNT(*) FROM visits v WHERE v.office_date = t.office_date AND v.service = t.service AND v.state = 'waiting'), \
           (SELECT COUNT(*) FROM visits v WHERE v.office_date = t.office_date AND v.service = t.service AND v.state = 'waiting' \
              AND v.lane = ?3)) \
         FROM ticket_counters t ORDER BY 1, 2",
    )
    .bind(lanes[0])
    .bind(lanes[1])
    .bind(lanes[2])
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let orphans: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM ticket_counters t \
           WHERE t.office_date = v.office_date AND t.service = v.service AND t.last_number >= v.number)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(orphans.0, 0, "every visit's number is within its counter");
    conn.close().await.unwrap();
    rows.into_iter()
        .map(|(d, s, tally, count)| {
            let five = |json: &str| serde_json::from_str::<[i64; 5]>(json).unwrap();
            (d, s, five(&tally), five(&count))
        })
        .collect()
}

/// The service times kept per service and the ones the finished events give, each as
/// (service, event id, seconds) in that order.
type ServiceTimes = Vec<(String, i64, i64)>;

async fn service_times_and_events(t: &TestHub) -> (ServiceTimes, ServiceTimes) {
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    let kept = sqlx::query_as("SELECT service, event_id, seconds FROM service_times ORDER BY 1, 2")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let events = sqlx::query_as(
        "SELECT v.service, e.id, e.service_seconds FROM visit_events e JOIN visits v ON v.id = e.visit_id \
         WHERE e.kind = 'finished' AND e.service_seconds IS NOT NULL ORDER BY 1, 2",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    (kept, events)
}

async fn run(steps: &[Step]) {
    let t = start().await;
    let officers = [t.login("officer").await, t.login("officer2").await];
    let counters = [t.counter_id("Loket 1").await, t.counter_id("Loket 2").await];
    for (officer, counter) in officers.iter().zip(counters) {
        let (s, v) = t
            .post_empty(officer, &format!("/api/v1/counters/{counter}/open"))
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let supervisor = t.login("supervisor").await;
    for step in steps {
        let at =
            |counter: usize, what: &str| format!("/api/v1/counters/{}/{what}", counters[counter]);
        let (status, body) = match step {
            Step::Issue { service, priority } => {
                let service = ServiceCode::ALL[*service].as_str();
                let body = if *priority {
                    json!({"service": service, "lane": "priority", "priority_group": "elderly"})
                } else {
                    json!({"service": service})
                };
                // The priority lane is called first (the default policy): only the
                // priority tickets waiting are ahead of a priority ticket.
                let ahead = if *priority { 4 } else { 3 };
                let waiting_before = tallies_and_counts(&t)
                    .await
                    .iter()
                    .find(|r| r.1 == service)
                    .map_or(0, |r| r.3[ahead]);
                let answer = t.post(KIOSK, "/api/v1/tickets", body).await;
                if answer.0 == 200 {
                    assert_eq!(answer.1["ahead"], waiting_before, "{}", answer.1);
                }
                answer
            }
            Step::CheckIn { booking } => {
                let code = &t.bookings[booking % t.bookings.len()];
                t.post(KIOSK, "/api/v1/check-ins", json!({"booking_code": code}))
                    .await
            }
            Step::CallNext { counter } => {
                t.post_empty(&officers[*counter], &at(*counter, "call-next"))
                    .await
            }
            Step::Recall { counter } => {
                t.post_empty(&officers[*counter], &at(*counter, "recall"))
                    .await
            }
            Step::Start { counter } => {
                t.post_empty(&officers[*counter], &at(*counter, "start"))
                    .await
            }
            Step::Park { counter } => {
                t.post_empty(&officers[*counter], &at(*counter, "park"))
                    .await
            }
            Step::Finish { counter } => {
                t.post_empty(&officers[*counter], &at(*counter, "finish"))
                    .await
            }
            Step::NoShow { counter } => {
                t.post_empty(&officers[*counter], &at(*counter, "no-show"))
                    .await
            }
            Step::Transfer { counter, to } => {
                t.post(
                    &officers[*counter],
                    &at(*counter, "transfer"),
                    json!({"counter_id": counters[*to]}),
                )
                .await
            }
            Step::CloseDay => t.post_empty(&supervisor, "/api/v1/day/close").await,
        };
        assert!(status < 500, "{step:?} failed: {status} {body}");
        for (date, service, tally, count) in tallies_and_counts(&t).await {
            assert_eq!(
                tally, count,
                "after {step:?}: tallies of {service} on {date}"
            );
        }
        let (kept, events) = service_times_and_events(&t).await;
        assert_eq!(kept, events, "after {step:?}: service times");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_tallies_and_service_times_equal_the_visits_and_events(steps in proptest::collection::vec(step(), 1..40)) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(run(&steps));
    }
}

/// The database refuses what would put the tallies wrong: moving a visit to another date,
/// service or lane, and deleting one.
#[tokio::test]
async fn a_visits_place_cannot_change_and_visits_are_not_deleted() {
    let t = start().await;
    t.issue("new_passport").await;
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    for change in [
        "UPDATE visits SET service = 'information'",
        "UPDATE visits SET lane = 'priority'",
        "UPDATE visits SET office_date = '2000-01-01'",
        "DELETE FROM visits",
    ] {
        let refused = sqlx::query(change).execute(&mut conn).await.unwrap_err();
        assert!(
            refused.to_string().contains("queue tallies"),
            "{change}: {refused}"
        );
    }
    // Changing a column to its own value is allowed (nothing moves).
    sqlx::query("UPDATE visits SET service = service, lane = lane")
        .execute(&mut conn)
        .await
        .unwrap();
    let rows = tallies_and_counts(&t).await;
    assert!(
        rows.iter().all(|(_, _, tally, count)| tally == count),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|(_, s, tally, _)| s == "new_passport" && tally[0] == 1)
    );
}

/// A database from before migration 0008 gets its tallies from the visits it holds when the
/// hub opens it, and its counters are never below a stored number.
#[tokio::test]
async fn a_database_from_before_the_tallies_gets_them_when_the_hub_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(loket_hub::db::DB_FILE_NAME);
    let older = {
        let mut conn = common::database_before(&db, 8).await;
        // Two days of new_passport (one day's counter row missing), one priority visit.
        for (id, date, lane, number, state) in [
            (1, "2026-11-30", "walk_in", 1, "closed"),
            (2, "2026-11-30", "priority", 2, "waiting"),
            (3, "2026-11-30", "appointment", 3, "waiting"),
            (4, "2026-12-01", "walk_in", 1, "waiting"),
            (5, "2026-12-01", "walk_in", 2, "called"),
        ] {
            sqlx::query(
                "INSERT INTO visits (id, office_date, service, lane, number, ticket, state, issued_at, updated_at, data) \
                 VALUES (?, ?, 'new_passport', ?, ?, 'A001', ?, '', '', '{}')",
            )
            .bind(id)
            .bind(date)
            .bind(lane)
            .bind(number)
            .bind(state)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        sqlx::query("INSERT INTO ticket_counters (office_date, service, last_number) VALUES ('2026-11-30', 'new_passport', 3)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    };
    let (_hub, mut conn) = common::opened_by_a_hub(older, dir.path()).await;
    let rows: Vec<(String, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT office_date, last_number, walk_in_issued, appointment_issued, priority_issued, waiting, \
                waiting_priority \
         FROM ticket_counters WHERE service = 'new_passport' ORDER BY office_date",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            ("2026-11-30".to_string(), 3, 1, 1, 1, 2, 1),
            ("2026-12-01".to_string(), 2, 2, 0, 0, 1, 0),
        ]
    );
}

/// A database from before migration 0010 gets the service times of the finished events it
/// holds when the hub opens it, each under its visit's service (the ticket's outlook reads
/// this table: `core/hub/src/store.rs` test
/// `a_tickets_outlook_reads_the_services_recent_times_by_their_key`).
#[tokio::test]
async fn a_database_from_before_the_service_times_gets_them_when_the_hub_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(loket_hub::db::DB_FILE_NAME);
    let older = {
        let mut conn = common::database_before(&db, 10).await;
        for (id, service) in [(1, "new_passport"), (2, "information")] {
            sqlx::query(
                "INSERT INTO visits (id, office_date, service, lane, number, ticket, state, issued_at, updated_at, data) \
                 VALUES (?, '2026-12-01', ?, 'walk_in', 1, 'A001', 'closed', '', '', '{}')",
            )
            .bind(id)
            .bind(service)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        // Visit 1 finished twice (a second stage), visit 2 once; one finish without a start
        // (no service time) and one event of another kind.
        for (visit, kind, seconds) in [
            (1, "finished", Some(300)),
            (2, "finished", Some(120)),
            (1, "finished", Some(240)),
            (2, "finished", None),
            (1, "called", None),
        ] {
            sqlx::query(
                "INSERT INTO visit_events (visit_id, kind, at, service_seconds, data) VALUES (?, ?, '', ?, '{}')",
            )
            .bind(visit)
            .bind(kind)
            .bind(seconds)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn
    };
    let (_hub, mut conn) = common::opened_by_a_hub(older, dir.path()).await;
    let kept: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT service, event_id, seconds FROM service_times ORDER BY 1, 2")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        kept,
        [
            ("information".to_string(), 2, 120),
            ("new_passport".to_string(), 1, 300),
            ("new_passport".to_string(), 3, 240),
        ]
    );
}
