use super::{date, utc};
use chrono::{Duration, NaiveTime};
use loket_domain::{
    Applicant, BillingCode, Booking, CheckInError, CheckInFlag, CheckInWindow, OfficeIdentity,
    OfficeTimeZone, PaymentKnowledge, PaymentStatus, ServiceCode, UserFacing, check_in,
};

fn office() -> OfficeIdentity {
    OfficeIdentity {
        code: "JKT-SEL".into(),
        time_zone: OfficeTimeZone::Wib,
    }
}

/// Paid booking for 2026-11-23 09:00 WIB (02:00 UTC) with two applicants.
fn booking() -> Booking {
    Booking {
        code: "MP-7KQ2".into(),
        office_code: "JKT-SEL".into(),
        date: date(2026, 11, 23),
        slot_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        applicants: vec![
            Applicant {
                name: "Budi".into(),
                nik: "3171010101900001".into(),
                service: ServiceCode::NewPassport,
            },
            Applicant {
                name: "Sari".into(),
                nik: "3171014101920001".into(),
                service: ServiceCode::Replacement,
            },
        ],
        payment: PaymentStatus::Paid,
        billing_code: BillingCode::parse("820241123000001").ok(),
        cancelled: false,
        rescheduled: false,
    }
}

fn decide(
    b: &Booking,
    now: chrono::DateTime<chrono::Utc>,
    k: PaymentKnowledge,
) -> Result<Vec<CheckInFlag>, &'static str> {
    check_in(b, &office(), now, &CheckInWindow::default(), k)
        .map(|d| d.flags)
        .map_err(|e| e.code())
}

#[test]
fn accepts_a_paid_booking_in_the_window() {
    let d = check_in(
        &booking(),
        &office(),
        utc(2, 0),
        &CheckInWindow::default(),
        PaymentKnowledge::Current,
    )
    .expect("accepted");
    assert!(d.payment_verified());
    assert_eq!(
        d.services,
        vec![ServiceCode::NewPassport, ServiceCode::Replacement]
    );
    assert_eq!(d.office_date, date(2026, 11, 23));
}

#[test]
fn window_edges() {
    let b = booking();
    let slot = utc(2, 0);
    let k = PaymentKnowledge::Current;
    assert!(decide(&b, slot - Duration::minutes(60), k).is_ok());
    assert_eq!(
        decide(&b, slot - Duration::minutes(61), k),
        Err("checkin_too_early")
    );
    assert!(decide(&b, slot + Duration::minutes(60), k).is_ok());
    assert_eq!(
        decide(&b, slot + Duration::minutes(61), k),
        Err("checkin_too_late")
    );
    let narrow = CheckInWindow {
        before_minutes: 15,
        after_minutes: 0,
    };
    let err = check_in(&b, &office(), slot - Duration::minutes(16), &narrow, k).expect_err("early");
    assert_eq!(
        err,
        CheckInError::TooEarly {
            opens_at: NaiveTime::from_hms_opt(8, 45, 0).unwrap_or_default()
        }
    );
    assert!(err.message_id().contains("08:45"));
}

#[test]
fn payment_matrix() {
    let mut b = booking();
    let now = utc(2, 0);
    assert_eq!(decide(&b, now, PaymentKnowledge::Current), Ok(vec![]));
    assert_eq!(
        decide(&b, now, PaymentKnowledge::Stale),
        Ok(vec![CheckInFlag::PaymentNotVerified])
    );
    b.payment = PaymentStatus::Unknown;
    assert_eq!(
        decide(&b, now, PaymentKnowledge::Current),
        Ok(vec![CheckInFlag::PaymentNotVerified])
    );
    b.payment = PaymentStatus::Unpaid;
    assert_eq!(
        decide(&b, now, PaymentKnowledge::Current),
        Err("booking_unpaid")
    );
    assert_eq!(
        decide(&b, now, PaymentKnowledge::Stale),
        Err("booking_unpaid")
    );
}

#[test]
fn refusals_are_distinct() {
    let now = utc(2, 0);
    let k = PaymentKnowledge::Current;
    let mut other_office = booking();
    other_office.office_code = "DPS".into();
    assert_eq!(decide(&other_office, now, k), Err("booking_other_office"));
    let mut same_office_other_case = booking();
    same_office_other_case.office_code = "jkt-sel".into();
    assert!(decide(&same_office_other_case, now, k).is_ok());
    let mut tomorrow = booking();
    tomorrow.date = date(2026, 11, 24);
    assert_eq!(decide(&tomorrow, now, k), Err("booking_other_day"));
    let mut cancelled = booking();
    cancelled.cancelled = true;
    assert_eq!(decide(&cancelled, now, k), Err("booking_cancelled"));
    let mut empty = booking();
    empty.applicants.clear();
    assert_eq!(decide(&empty, now, k), Err("booking_invalid"));
    let mut six = booking();
    six.applicants = std::iter::repeat_n(six.applicants[0].clone(), 6).collect();
    assert_eq!(decide(&six, now, k), Err("booking_invalid"));
    let mut moved = booking();
    moved.rescheduled = true;
    assert_eq!(decide(&moved, now, k), Ok(vec![CheckInFlag::Rescheduled]));
}

#[test]
fn office_day_decides_today_in_wita() {
    // 23:30 UTC on the 22nd is 07:30 WITA on the 23rd.
    let office = OfficeIdentity {
        code: "JKT-SEL".into(),
        time_zone: OfficeTimeZone::Wita,
    };
    let mut b = booking();
    b.slot_start = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    let now = utc(0, 0) - Duration::minutes(30);
    assert!(
        check_in(
            &b,
            &office,
            now,
            &CheckInWindow::default(),
            PaymentKnowledge::Current
        )
        .is_ok()
    );
    // In WIB the same instant is still the 23rd 06:30: too early for 08:00.
    let wib = OfficeIdentity {
        time_zone: OfficeTimeZone::Wib,
        ..office
    };
    let err = check_in(
        &b,
        &wib,
        now,
        &CheckInWindow::default(),
        PaymentKnowledge::Current,
    )
    .expect_err("early");
    assert_eq!(err.code(), "checkin_too_early");
}

#[test]
fn billing_codes_are_15_digits() {
    assert_eq!(
        BillingCode::parse("8202 4112 3000 001").map(|c| c.to_string()),
        Ok("820241123000001".to_string())
    );
    for bad in ["", "82024112300000", "8202411230000011", "82024112300000A"] {
        assert_eq!(
            BillingCode::parse(bad).map_err(|e| e.code()),
            Err("invalid_billing_code"),
            "{bad}"
        );
    }
    let json = serde_json::to_string(&booking()).expect("serialize");
    assert!(json.contains("\"820241123000001\""));
    assert_eq!(serde_json::from_str::<Booking>(&json).ok(), Some(booking()));
    let broken = json.replace("820241123000001", "8202");
    assert!(serde_json::from_str::<Booking>(&broken).is_err());
}
