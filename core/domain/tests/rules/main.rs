//! Unit tests of the office's rules, one module per rule.

mod access;
mod bap;
mod checkin;
mod config;
mod errors;
mod fees;
mod identity;
mod lanes;
mod names;
mod pickup;
mod policy;
mod quotas;
mod report;
mod tickets;
mod time_zones;
mod timing;
mod visits;
mod wait;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// A UTC instant on 2026-11-23 (a Monday).
pub fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0)
        .single()
        .unwrap_or_default()
}

/// A date.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}
