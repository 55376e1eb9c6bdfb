use chrono::NaiveTime;
use loket_domain::{
    Action, CheckInError, CounterId, DayKind, DomainError, FeeItem, IdentityError, Lane,
    ServiceCode, Stage, TicketNumber, UserFacing,
};
use std::collections::HashSet;

fn samples() -> Vec<DomainError> {
    let t = TicketNumber::new('A', 1).unwrap_or_else(|_| unreachable!());
    let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let time = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let c = CounterId(3);
    vec![
        DomainError::QuotaExhausted {
            service: ServiceCode::NewPassport,
            lane: Lane::WalkIn,
            limit: 1,
        },
        DomainError::ServiceNotOfferedToday {
            service: ServiceCode::LostDamaged,
            day_kind: DayKind::WeekendSimpatik,
        },
        DomainError::UnknownService {
            service: "x".into(),
        },
        DomainError::TicketNumbersExhausted { letter: 'A' },
        DomainError::InvalidTicketNumber { input: "x".into() },
        DomainError::IllegalTransition {
            ticket: t,
            state: "waiting".into(),
            event: "recalled".into(),
        },
        DomainError::VisitClosed { ticket: t },
        DomainError::EventOutOfOrder { ticket: t },
        DomainError::StageMismatch {
            ticket: t,
            expected: Stage::Bap,
            got: Stage::Decision,
        },
        DomainError::StageNotInService {
            stage: Stage::Bap,
            service: ServiceCode::Pickup,
        },
        DomainError::RecallLimitReached {
            ticket: t,
            calls: 3,
        },
        DomainError::NoShowTooEarly {
            ticket: t,
            calls: 1,
            required: 3,
        },
        DomainError::CounterNotOpen { counter: c },
        DomainError::CounterCannotServe {
            counter: c,
            ticket: t,
        },
        DomainError::CounterBusy {
            counter: c,
            ticket: t,
        },
        DomainError::ReservedForOtherCounter {
            ticket: t,
            counter: c,
        },
        DomainError::QueueEmpty { counter: c },
        DomainError::VisitNotWaiting {
            ticket: t,
            state: "closed".into(),
        },
        DomainError::WouldStarve {
            waiting: t,
            bound: 3,
        },
        DomainError::VisitNotFound,
        DomainError::Forbidden {
            action: Action::CloseDay,
        },
        DomainError::FeeTableNotInForce { date: d },
        DomainError::FeeItemMissing {
            item: FeeItem::FastTrack,
            date: d,
        },
        DomainError::InvalidConfig { reason: "x".into() },
        CheckInError::BookingNotFound.into(),
        CheckInError::BookingInvalid { applicants: 0 }.into(),
        CheckInError::BookingCancelled.into(),
        CheckInError::OtherOffice {
            booking_office: "X".into(),
        }
        .into(),
        CheckInError::OtherDay {
            booking_date: d,
            today: d,
        }
        .into(),
        CheckInError::TooEarly { opens_at: time }.into(),
        CheckInError::TooLate { closed_at: time }.into(),
        CheckInError::Unpaid.into(),
        CheckInError::InvalidBillingCode.into(),
        IdentityError::NikFormat.into(),
        IdentityError::NikProvince { province: 1 }.into(),
        IdentityError::NikRegency.into(),
        IdentityError::NikDistrict.into(),
        IdentityError::NikBirthDate.into(),
        IdentityError::NikSerial.into(),
        IdentityError::PassportNumberFormat.into(),
        IdentityError::MrzFormat {
            line: 1,
            reason: "x".into(),
        }
        .into(),
        IdentityError::MrzNotPassport.into(),
        IdentityError::MrzDocumentNumberCheck.into(),
        IdentityError::MrzBirthDateCheck.into(),
        IdentityError::MrzExpiryDateCheck.into(),
        IdentityError::MrzPersonalNumberCheck.into(),
        IdentityError::MrzCompositeCheck.into(),
    ]
}

#[test]
fn codes_are_unique_stable_snake_case() {
    let samples = samples();
    let codes: HashSet<&str> = samples.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), samples.len(), "every variant has its own code");
    for code in &codes {
        assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{code}"
        );
    }
    for required in [
        "quota_exhausted",
        "invalid_nik",
        "booking_other_office",
        "booking_other_day",
        "checkin_too_early",
        "checkin_too_late",
        "booking_unpaid",
        "booking_cancelled",
        "counter_not_open",
        "illegal_transition",
    ] {
        assert!(codes.contains(required), "{required}");
    }
}

#[test]
fn messages_exist_in_both_languages_and_differ() {
    for e in samples() {
        let (id, en) = (e.message_id(), e.message_en());
        assert!(id.len() > 20 && en.len() > 20, "{}", e.code());
        assert_ne!(id, en, "{}", e.code());
        assert!(
            id.ends_with('.') && en.ends_with('.'),
            "{}: {id} / {en}",
            e.code()
        );
        assert_eq!(e.message(), format!("{id} / {en}"));
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn errors_serialize_with_their_kind() {
    let e = DomainError::from(CheckInError::Unpaid);
    let json = serde_json::to_string(&e).expect("serialize");
    assert!(json.contains("unpaid"), "{json}");
    assert_eq!(serde_json::from_str::<DomainError>(&json).ok(), Some(e));
}
