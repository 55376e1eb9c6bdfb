use super::{date, utc};
use chrono::NaiveTime;
use loket_domain::OfficeTimeZone;

#[test]
fn office_date_follows_the_office_zone() {
    // (instant, zone, office date)
    let cases = [
        (utc(16, 59), OfficeTimeZone::Wib, date(2026, 11, 23)),
        (utc(17, 0), OfficeTimeZone::Wib, date(2026, 11, 24)),
        (utc(15, 59), OfficeTimeZone::Wita, date(2026, 11, 23)),
        (utc(16, 0), OfficeTimeZone::Wita, date(2026, 11, 24)),
        (utc(14, 59), OfficeTimeZone::Wit, date(2026, 11, 23)),
        (utc(15, 0), OfficeTimeZone::Wit, date(2026, 11, 24)),
        (utc(0, 0), OfficeTimeZone::Wib, date(2026, 11, 23)),
    ];
    for (instant, zone, expected) in cases {
        assert_eq!(zone.office_date(instant), expected, "{instant} {zone}");
    }
}

#[test]
fn local_instants_round_trip() {
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
    for zone in [
        OfficeTimeZone::Wib,
        OfficeTimeZone::Wita,
        OfficeTimeZone::Wit,
    ] {
        let instant = zone.instant(date(2026, 11, 23), eight);
        assert_eq!(zone.local(instant).time(), eight);
        assert_eq!(
            instant,
            utc(8, 0) - chrono::Duration::hours(i64::from(zone.utc_offset_hours()))
        );
    }
    assert_eq!(
        serde_json::to_string(&OfficeTimeZone::Wita).ok(),
        Some("\"WITA\"".to_string())
    );
}
