//! The office day: which calendar date an instant belongs to in the office's time zone,
//! and which kind of day it is (regular, weekend "paspor simpatik", mobile service).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Indonesia's three time zones. None observes daylight saving time, so fixed offsets are
/// exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum OfficeTimeZone {
    /// Waktu Indonesia Barat, UTC+07 (Sumatra, Java, West and Central Kalimantan).
    #[default]
    Wib,
    /// Waktu Indonesia Tengah, UTC+08 (Bali, Nusa Tenggara, Sulawesi, ...).
    Wita,
    /// Waktu Indonesia Timur, UTC+09 (Maluku, Papua).
    Wit,
}

impl OfficeTimeZone {
    /// Hours east of UTC.
    pub fn utc_offset_hours(self) -> i32 {
        match self {
            OfficeTimeZone::Wib => 7,
            OfficeTimeZone::Wita => 8,
            OfficeTimeZone::Wit => 9,
        }
    }

    /// The zone as a chrono offset.
    pub fn offset(self) -> FixedOffset {
        match self {
            OfficeTimeZone::Wib => WIB,
            OfficeTimeZone::Wita => WITA,
            OfficeTimeZone::Wit => WIT,
        }
    }

    /// The office's local date and time of an instant.
    pub fn local(self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.offset()).naive_local()
    }

    /// The office day (local calendar date) an instant belongs to.
    pub fn office_date(self, instant: DateTime<Utc>) -> NaiveDate {
        self.local(instant).date()
    }

    /// The instant of a local date and time in this zone. On chrono's first day
    /// ([`NaiveDate::MIN`]) a local time earlier than the offset has no UTC instant: it
    /// gives the earliest one there is instead of panicking (a date typed into a request can
    /// be that day).
    pub fn instant(self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = NaiveDateTime::new(date, time);
        let utc = local
            .checked_sub_signed(chrono::Duration::hours(i64::from(self.utc_offset_hours())))
            .unwrap_or(NaiveDateTime::MIN);
        DateTime::from_naive_utc_and_offset(utc, Utc)
    }

    /// The usual abbreviation: "WIB", "WITA" or "WIT".
    pub fn abbreviation(self) -> &'static str {
        match self {
            OfficeTimeZone::Wib => "WIB",
            OfficeTimeZone::Wita => "WITA",
            OfficeTimeZone::Wit => "WIT",
        }
    }
}

const fn hours_east(hours: i32) -> FixedOffset {
    // Evaluated at compile time: an out-of-range constant would fail the build, never a run.
    match FixedOffset::east_opt(hours * 3600) {
        Some(offset) => offset,
        None => panic!("offset out of range"),
    }
}

const WIB: FixedOffset = hours_east(7);
const WITA: FixedOffset = hours_east(8);
const WIT: FixedOffset = hours_east(9);

impl fmt::Display for OfficeTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation())
    }
}

/// What kind of service day a date is. Each kind has its own quotas; some services are not
/// offered on some kinds (lost/damaged passports need a BAP and are not handled on simpatik
/// or mobile-service days).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary working day.
    #[default]
    Regular,
    /// A weekend "paspor simpatik" day: walk-in only, its own quotas.
    WeekendSimpatik,
    /// A mobile service day (Eazy Passport, ULP): walk-in only, its own quotas.
    MobileService,
}

impl DayKind {
    /// All day kinds.
    pub const ALL: [DayKind; 3] = [
        DayKind::Regular,
        DayKind::WeekendSimpatik,
        DayKind::MobileService,
    ];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Regular => "regular",
            DayKind::WeekendSimpatik => "weekend_simpatik",
            DayKind::MobileService => "mobile_service",
        }
    }

    /// Indonesian name.
    pub fn name_id(self) -> &'static str {
        match self {
            DayKind::Regular => "hari kerja biasa",
            DayKind::WeekendSimpatik => "hari paspor simpatik",
            DayKind::MobileService => "layanan paspor keliling",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            DayKind::Regular => "regular working day",
            DayKind::WeekendSimpatik => "weekend simpatik day",
            DayKind::MobileService => "mobile service day",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_is_the_local_time_minus_the_offset() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        let at = OfficeTimeZone::Wit.instant(date, nine);
        assert_eq!(at.naive_utc(), NaiveDateTime::new(date, NaiveTime::MIN));
        assert_eq!(OfficeTimeZone::Wit.office_date(at), date);
    }

    #[test]
    fn instant_on_the_first_representable_day_does_not_panic() {
        // Found while writing the api_json fuzz target (its seed `report_first_day` replays
        // it): a report range from -262143-01-01 made local midnight minus the offset overflow.
        for tz in [
            OfficeTimeZone::Wib,
            OfficeTimeZone::Wita,
            OfficeTimeZone::Wit,
        ] {
            let at = tz.instant(NaiveDate::MIN, NaiveTime::MIN);
            assert_eq!(at.naive_utc(), NaiveDateTime::MIN);
            let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default();
            assert_eq!(tz.local(tz.instant(NaiveDate::MIN, noon)).time(), noon);
            let last = tz.instant(NaiveDate::MAX, NaiveTime::MIN);
            assert_eq!(tz.office_date(last), NaiveDate::MAX);
        }
    }
}
