//! The hub's request bodies, at the level of the domain: arbitrary bytes go as JSON into
//! the serde `Deserialize` of every domain type a body of the LAN API carries (a booking of
//! `POST /bookings/import`, the BAP answers of `PUT /baps/{bap}`, an outcome, a handover's
//! collector and documents, a NIK check, dates), as the whole body and as the field the
//! hub's wrapper puts it in; what deserializes goes through the pure validation the hub
//! runs on it. (The hub's own wrapper structs live in `loket-hub`, too heavy to build
//! under the fuzzer; they add only plain strings, ids and these types.)
#![no_main]

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use libfuzzer_sys::fuzz_target;
use loket_domain::{
    Bap, BapId, BapInterview, BapOutcome, Booking, CheckInWindow, Collector, DayKind, DeviceKind,
    FeeSchedule, Lane, OfficeIdentity, OfficeTimeZone, OfficerRef, PassportForPickup,
    PaymentKnowledge, PickupRules, PresentedDocuments, PriorityGroup, ReportBuilder, ReportParams,
    Role, ServiceCode, Stage, VisitRules, check_handover, check_in, check_nik, kiosk_answer,
    normalize_booking_code,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The body itself, and each of its top-level fields, as a `T`.
fn each<T: DeserializeOwned>(body: &Value, fields: &[&str], mut f: impl FnMut(T)) {
    if let Ok(v) = T::deserialize(body) {
        f(v);
    }
    for field in fields {
        if let Some(v) = body.get(field).and_then(|v| T::deserialize(v).ok()) {
            f(v);
        }
    }
}

fn at(date: NaiveDate, h: u32) -> DateTime<Utc> {
    OfficeTimeZone::Wib.instant(
        date,
        NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN),
    )
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or(NaiveDate::MIN)
}

/// `POST /bookings/import` checks every booking like this, then check-in decides on it.
fn booking(b: Booking) {
    for a in &b.applicants {
        let _ = check_nik(&a.nik, b.date, None);
    }
    let _ = normalize_booking_code(&b.code);
    let office = OfficeIdentity {
        code: b.office_code.clone(),
        time_zone: OfficeTimeZone::Wit,
    };
    let slot = office.time_zone.instant(b.date, b.slot_start);
    for minutes in [-90, -30, 0, 45, 120] {
        let Some(now) = slot.checked_add_signed(Duration::minutes(minutes)) else {
            continue;
        };
        for knowledge in [PaymentKnowledge::Current, PaymentKnowledge::Stale] {
            if let Ok(decision) = check_in(&b, &office, now, &CheckInWindow::default(), knowledge) {
                assert_eq!(decision.services.len(), b.applicants.len());
                assert_eq!(decision.office_date, b.date);
            }
        }
    }
}

/// `POST /baps` then `PUT /baps/{bap}`, `complete`, the fees.
fn bap_answers(interview: BapInterview) {
    let officer = OfficerRef::new("officer", Role::Officer);
    let start = at(today(), 9);
    let bap = Bap::new(BapId("BAP-1".into()), None, officer.clone(), start);
    let Ok(saved) = bap.update(interview, &officer, start + Duration::minutes(5)) else {
        return;
    };
    let missing = saved.missing();
    for m in &missing {
        let _ = (m.code(), m.step(), m.message_id(), m.message_en());
    }
    let _ = saved.warnings();
    let _ = saved.next_step();
    let _ = saved.interview.answers();
    let _ = loket_domain::bap::required_documents(&saved.interview);
    let _ = saved.fees(&FeeSchedule::default());
    if saved
        .complete(&officer, start + Duration::minutes(10))
        .is_ok()
    {
        assert!(missing.is_empty(), "completed with {missing:?}");
    }
}

/// `POST /baps/{bap}/decide`.
fn bap_outcome(outcome: BapOutcome) {
    let officer = OfficerRef::new("supervisor", Role::Supervisor);
    let start = at(today(), 9);
    let bap = Bap::new(BapId("BAP-2".into()), None, officer.clone(), start);
    if let Ok(decided) = bap.decide(outcome, &officer, start) {
        let _ = decided.fees(&FeeSchedule::default());
        let _ = decided.fee_items();
    }
}

#[derive(Deserialize)]
struct PickupCase {
    passport: PassportForPickup,
    collector: Collector,
    #[serde(default)]
    presented: PresentedDocuments,
    #[serde(default)]
    rules: PickupRules,
    today: NaiveDate,
}

/// `POST /pickups/handover` and the kiosk's pickup answer on a registered passport.
fn pickup(case: PickupCase) {
    let _ = check_handover(
        &case.passport,
        &case.collector,
        &case.presented,
        case.today,
        &case.rules,
    );
    let _ = kiosk_answer(Some(&case.passport), case.today, &case.rules);
    let _ = case
        .rules
        .status(case.passport.ready_date(&case.rules), case.today);
}

#[derive(Deserialize)]
struct NikRequest {
    nik: String,
    #[serde(default)]
    birth_date: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct DateRange {
    from: NaiveDate,
    #[serde(default)]
    to: Option<NaiveDate>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    each(&body, &["bookings"], |bookings: Vec<Booking>| {
        bookings.into_iter().for_each(booking)
    });
    each(&body, &["booking"], booking);
    each(&body, &["answers"], bap_answers);
    each(&body, &["outcome"], bap_outcome);
    each(&body, &["handover"], pickup);
    each(&body, &["collector"], |_: Collector| ());
    each(&body, &["presented"], |_: PresentedDocuments| ());
    each(&body, &[], |r: NikRequest| {
        let _ = check_nik(&r.nik, today(), r.birth_date);
    });
    // Dates (quota days, pickup days, report ranges) as the domain's report takes them.
    each(&body, &[], |r: DateRange| {
        let to = r.to.unwrap_or(r.from);
        if r.from <= to && (to - r.from).num_days() < 367 {
            let params = ReportParams {
                from: r.from,
                to,
                time_zone: OfficeTimeZone::Wita,
                visit_rules: VisitRules::default(),
                fees: FeeSchedule::default(),
                quotas: Vec::new(),
                sessions: Vec::new(),
            };
            let _ = ReportBuilder::new(params).finish();
        }
    });
    // The enums of the small bodies (issue a ticket, counters, users, devices, quotas).
    each(&body, &["service"], |_: ServiceCode| ());
    each(&body, &["services"], |_: Vec<ServiceCode>| ());
    each(&body, &["stages"], |_: Vec<Stage>| ());
    each(&body, &["lane"], |_: Lane| ());
    each(&body, &["priority_group"], |_: PriorityGroup| ());
    each(&body, &["day_kind"], |_: DayKind| ());
    each(&body, &["role"], |_: Role| ());
    each(&body, &["kind"], |_: DeviceKind| ());
});
