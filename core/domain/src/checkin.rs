//! M-Paspor bookings and the check-in rule.
//!
//! A booking is accepted when, in this order: it is not cancelled, it is for this office,
//! it is for today (the office day in the office's time zone), `now` is inside the window
//! around its slot, and it is paid. When the payment status is unknown or the office's copy
//! is stale (central unreachable), check-in is accepted with the flag
//! `payment_not_verified` for the officer; a booking known to be unpaid is refused.

use crate::error::CheckInError;
use crate::office_day::OfficeTimeZone;
use crate::service::ServiceCode;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Most applicants one M-Paspor booking may carry.
pub const MAX_APPLICANTS: usize = 5;

/// A booking code as the office compares it: upper case, without spaces (the QR, the
/// booking proof typed by hand, and central's feed all meet on this form).
pub fn normalize_booking_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// A 15-digit SIMPONI billing code (kode billing).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BillingCode(String);

impl BillingCode {
    /// Validates the format: exactly 15 digits (spaces ignored).
    pub fn parse(input: &str) -> Result<BillingCode, CheckInError> {
        let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() == 15 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(BillingCode(code))
        } else {
            Err(CheckInError::InvalidBillingCode)
        }
    }

    /// The 15 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BillingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for BillingCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BillingCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        BillingCode::parse(&s)
            .map_err(|_| serde::de::Error::custom("billing code must be 15 digits"))
    }
}

/// Payment status as last known from central.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// PNBP paid.
    Paid,
    /// Not paid.
    Unpaid,
    /// Not known.
    Unknown,
}

/// How fresh the office's knowledge of payments is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKnowledge {
    /// Confirmed with central recently.
    Current,
    /// Central unreachable or the last download is old: the status may be out of date.
    Stale,
}

/// One applicant of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Full name.
    pub name: String,
    /// NIK as given in the booking.
    pub nik: String,
    /// The service booked for this applicant.
    pub service: ServiceCode,
}

/// A local copy of an M-Paspor booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Booking code (shown as QR and on the booking proof).
    pub code: String,
    /// Office code the booking is for.
    pub office_code: String,
    /// Date of the appointment.
    pub date: NaiveDate,
    /// Start of the slot, office local time.
    pub slot_start: NaiveTime,
    /// 1 to 5 applicants.
    pub applicants: Vec<Applicant>,
    /// Payment status.
    pub payment: PaymentStatus,
    /// SIMPONI billing code, when known.
    pub billing_code: Option<BillingCode>,
    /// Cancelled (for example unpaid after 2 hours, or by the applicant).
    pub cancelled: bool,
    /// Rescheduled once already (date and slot are the new ones).
    pub rescheduled: bool,
}

/// The check-in window around a slot start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckInWindow {
    /// Minutes before the slot start from which check-in is accepted (default 60).
    pub before_minutes: u32,
    /// Minutes after the slot start until which check-in is accepted (default 60).
    pub after_minutes: u32,
}

impl Default for CheckInWindow {
    fn default() -> Self {
        CheckInWindow {
            before_minutes: 60,
            after_minutes: 60,
        }
    }
}

/// The office doing the check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeIdentity {
    /// Office code as used by M-Paspor.
    pub code: String,
    /// Its time zone.
    pub time_zone: OfficeTimeZone,
}

/// A flag for the officer on an accepted check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckInFlag {
    /// Payment could not be confirmed with central: ask for the payment proof.
    PaymentNotVerified,
    /// The booking was rescheduled.
    Rescheduled,
}

/// An accepted check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInDecision {
    /// Booking code.
    pub booking_code: String,
    /// The office day.
    pub office_date: NaiveDate,
    /// The service of each applicant, in booking order: the hub gives each its own visit.
    pub services: Vec<ServiceCode>,
    /// Flags for the officer.
    pub flags: Vec<CheckInFlag>,
}

impl CheckInDecision {
    /// Whether payment was confirmed.
    pub fn payment_verified(&self) -> bool {
        !self.flags.contains(&CheckInFlag::PaymentNotVerified)
    }
}

/// Decides a check-in. Errors, in the order checked: `booking_invalid` (no or too many
/// applicants), `booking_cancelled`, `booking_other_office`, `booking_other_day`,
/// `checkin_too_early`, `checkin_too_late`, `booking_unpaid`.
pub fn check_in(
    booking: &Booking,
    office: &OfficeIdentity,
    now: DateTime<Utc>,
    window: &CheckInWindow,
    knowledge: PaymentKnowledge,
) -> Result<CheckInDecision, CheckInError> {
    if booking.applicants.is_empty() || booking.applicants.len() > MAX_APPLICANTS {
        return Err(CheckInError::BookingInvalid {
            applicants: booking.applicants.len(),
        });
    }
    if booking.cancelled {
        return Err(CheckInError::BookingCancelled);
    }
    if !booking
        .office_code
        .trim()
        .eq_ignore_ascii_case(office.code.trim())
    {
        return Err(CheckInError::OtherOffice {
            booking_office: booking.office_code.clone(),
        });
    }
    let today = office.time_zone.office_date(now);
    if booking.date != today {
        return Err(CheckInError::OtherDay {
            booking_date: booking.date,
            today,
        });
    }
    let slot = office.time_zone.instant(booking.date, booking.slot_start);
    let opens = slot - Duration::minutes(i64::from(window.before_minutes));
    let closes = slot + Duration::minutes(i64::from(window.after_minutes));
    if now < opens {
        return Err(CheckInError::TooEarly {
            opens_at: office.time_zone.local(opens).time(),
        });
    }
    if now > closes {
        return Err(CheckInError::TooLate {
            closed_at: office.time_zone.local(closes).time(),
        });
    }
    let mut flags = Vec::new();
    match (booking.payment, knowledge) {
        (PaymentStatus::Paid, PaymentKnowledge::Current) => {}
        (PaymentStatus::Unpaid, _) => return Err(CheckInError::Unpaid),
        (PaymentStatus::Paid, PaymentKnowledge::Stale) | (PaymentStatus::Unknown, _) => {
            flags.push(CheckInFlag::PaymentNotVerified)
        }
    }
    if booking.rescheduled {
        flags.push(CheckInFlag::Rescheduled);
    }
    Ok(CheckInDecision {
        booking_code: booking.code.clone(),
        office_date: today,
        services: booking.applicants.iter().map(|a| a.service).collect(),
        flags,
    })
}
