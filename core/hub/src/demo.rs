//! Demo mode: accounts, devices, counters and bookings for today, so a fresh hub can be
//! tried at once. Seeding is idempotent: what exists is left alone; bookings are (re)made
//! for the current office day, so a demo started on a later day has fresh bookings.

use crate::auth::Principal;
use crate::error::Result;
use crate::hub::{BookingsFile, Hub};
use chrono::{Duration, NaiveTime, Timelike};
use loket_domain::{
    Applicant, BillingCode, Booking, DeviceKind, PaymentStatus, Role, ServiceCode, Stage,
};

/// Demo accounts: user name, password, display name, role.
pub const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    ("admin", "admin-demo", "Admin Demo", Role::Admin),
    ("head", "head-demo", "Kepala Kantor Demo", Role::Head),
    (
        "supervisor",
        "supervisor-demo",
        "Supervisor Demo",
        Role::Supervisor,
    ),
    ("officer", "officer-demo", "Petugas Demo 1", Role::Officer),
    ("officer2", "officer2-demo", "Petugas Demo 2", Role::Officer),
];

/// The demo kiosk's token.
pub const DEMO_KIOSK_TOKEN: &str = "lkd_demo_kiosk";
/// The demo display board's token.
pub const DEMO_DISPLAY_TOKEN: &str = "lkd_demo_display";

/// Seeds the demo office; returns the booking codes made for today.
pub async fn seed(hub: &Hub) -> Result<Vec<String>> {
    let local = Principal::local("demo");
    for (username, password, name, role) in DEMO_USERS {
        match hub.add_user(&local, username, name, *role, password).await {
            Ok(_) | Err(crate::HubError::AlreadyExists(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for (name, kind, token) in [
        ("kiosk-demo", DeviceKind::Kiosk, DEMO_KIOSK_TOKEN),
        ("display-demo", DeviceKind::Display, DEMO_DISPLAY_TOKEN),
    ] {
        if !hub.has_device(name).await? {
            hub.add_device_with_token(&local, kind, name, token).await?;
        }
    }
    let counters: [(&str, Vec<ServiceCode>, Vec<Stage>); 4] = [
        ("Loket 1", vec![], vec![Stage::DocumentCheck]),
        (
            "Loket 2",
            vec![],
            vec![Stage::PhotoFingerprintInterview, Stage::PhotoFingerprint],
        ),
        (
            "Loket 3",
            vec![ServiceCode::LostDamaged],
            vec![Stage::Bap, Stage::Decision],
        ),
        (
            "Loket 4",
            vec![ServiceCode::Pickup, ServiceCode::Information],
            vec![],
        ),
    ];
    for (name, services, stages) in counters {
        if hub.counter_by_name(name).await?.is_none() {
            hub.create_counter(&local, name, services, stages).await?;
        }
    }
    let file = demo_bookings(hub);
    let codes = file.bookings.iter().map(|b| b.code.clone()).collect();
    hub.import_bookings(&local, file).await?;
    Ok(codes)
}

/// Bookings for today (and a few that check-in must refuse): slots at the current half
/// hour, inside the default check-in window.
pub fn demo_bookings(hub: &Hub) -> BookingsFile {
    let config = hub.config();
    let tz = config.rules.time_zone;
    let now = tz.local(hub.clock().now());
    let today = now.date();
    let slot = NaiveTime::from_hms_opt(now.hour(), if now.minute() >= 30 { 30 } else { 0 }, 0)
        .unwrap_or_default();
    let tag = today.format("%y%m%d").to_string();
    let office = config.office_code.clone();
    let billing = |n: u32| BillingCode::parse(&format!("82{tag}{n:07}")).ok();
    let person = |name: &str, nik: &str, service| Applicant {
        name: name.into(),
        nik: nik.into(),
        service,
    };
    let booking = |n: u32, office: &str, date, payment, applicants: Vec<Applicant>| Booking {
        code: format!("DEMO{tag}{n}"),
        office_code: office.to_string(),
        date,
        slot_start: slot,
        applicants,
        payment,
        billing_code: billing(n),
        cancelled: false,
        rescheduled: false,
    };
    let tomorrow = today + Duration::days(1);
    let mut cancelled = booking(
        7,
        &office,
        today,
        PaymentStatus::Paid,
        vec![person(
            "Joko Susilo",
            "3171010101700007",
            ServiceCode::NewPassport,
        )],
    );
    cancelled.cancelled = true;
    BookingsFile {
        bookings: vec![
            booking(
                1,
                &office,
                today,
                PaymentStatus::Paid,
                vec![person(
                    "Siti Rahayu",
                    "3171014501900001",
                    ServiceCode::NewPassport,
                )],
            ),
            booking(
                2,
                &office,
                today,
                PaymentStatus::Paid,
                vec![
                    person("Budi Santoso", "3171010203850002", ServiceCode::NewPassport),
                    person("Dewi Lestari", "3174055507650004", ServiceCode::Replacement),
                    person("Agus Pratama", "3273024808100003", ServiceCode::NewPassport),
                ],
            ),
            booking(
                3,
                &office,
                today,
                PaymentStatus::Unknown,
                vec![person(
                    "Rina Wulandari",
                    "3578011212000005",
                    ServiceCode::Replacement,
                )],
            ),
            booking(
                4,
                &office,
                today,
                PaymentStatus::Unpaid,
                vec![person(
                    "Made Wirawan",
                    "5171016609920006",
                    ServiceCode::NewPassport,
                )],
            ),
            booking(
                5,
                &office,
                tomorrow,
                PaymentStatus::Paid,
                vec![person(
                    "Putu Ayu",
                    "5171015004950008",
                    ServiceCode::NewPassport,
                )],
            ),
            booking(
                6,
                "LAIN",
                today,
                PaymentStatus::Paid,
                vec![person(
                    "Hendra Gunawan",
                    "3171011506880009",
                    ServiceCode::NewPassport,
                )],
            ),
            cancelled,
        ],
    }
}
