//! The conflict rules for changes coming down (pure; written up in ARCHITECTURE.md).
//!
//! The office's facts win over central's for a visit already under way: central cannot undo
//! a check-in that happened. Central learns of every conflict through a `sync.conflict`
//! event going up.

use loket_sync_protocol::{Booking, Change, PaymentState};
use serde::{Deserialize, Serialize};

/// What the office knows locally about a booking when a change arrives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalBooking {
    /// The booking as last received, if it was.
    pub booking: Option<Booking>,
    /// Whether the applicant has been checked in at this office.
    pub checked_in: bool,
}

/// A conflict rule that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRule {
    /// Cancelled centrally after the office checked the applicant in.
    CancelledAfterCheckIn,
    /// Rescheduled centrally after the office checked the applicant in.
    RescheduledAfterCheckIn,
    /// Payment revoked after check-in.
    PaymentRevokedAfterCheckIn,
    /// The change names another office.
    BookingForAnotherOffice,
}

impl ConflictRule {
    /// Stable name (stored and sent up).
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictRule::CancelledAfterCheckIn => "cancelled_after_check_in",
            ConflictRule::RescheduledAfterCheckIn => "rescheduled_after_check_in",
            ConflictRule::PaymentRevokedAfterCheckIn => "payment_revoked_after_check_in",
            ConflictRule::BookingForAnotherOffice => "booking_for_another_office",
        }
    }
}

/// What to do with a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Store it as it comes.
    Apply,
    /// Older than what the office has (a booking's version went backwards): ignore.
    Stale,
    /// The visit under way keeps its booking as it was; the change is kept aside as a
    /// conflict for the supervisor.
    KeepVisit(ConflictRule),
    /// Store it, and put the visit on hold (no document issued until the supervisor
    /// resolves it); record the conflict.
    ApplyAndHold(ConflictRule),
    /// Not for this office: not stored; an item error is recorded.
    Refuse(ConflictRule),
}

/// Decides what to do with `change` at office `own_office` given the local state.
pub fn decide(own_office: &str, change: &Change, local: &LocalBooking) -> Decision {
    if let Some(office) = change.booking_office()
        && office != own_office
    {
        return Decision::Refuse(ConflictRule::BookingForAnotherOffice);
    }
    match change {
        Change::BookingUpserted { booking } => {
            let Some(known) = &local.booking else {
                return Decision::Apply;
            };
            if booking.version < known.version {
                return Decision::Stale;
            }
            let moved = booking.date != known.date || booking.slot != known.slot;
            if local.checked_in && moved {
                Decision::KeepVisit(ConflictRule::RescheduledAfterCheckIn)
            } else {
                Decision::Apply
            }
        }
        Change::BookingCancelled { .. } if local.checked_in => {
            Decision::KeepVisit(ConflictRule::CancelledAfterCheckIn)
        }
        Change::PaymentStatus {
            status: PaymentState::Revoked,
            ..
        } if local.checked_in => Decision::ApplyAndHold(ConflictRule::PaymentRevokedAfterCheckIn),
        _ => Decision::Apply,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn booking(office: &str, day: u32, version: i64) -> Booking {
        Booking {
            booking_id: "B1".into(),
            office: office.into(),
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default(),
            slot: "08:00-09:00".into(),
            service: "new_passport".into(),
            applicant_name: "X".into(),
            payment: PaymentState::Paid,
            version,
            applicants: Vec::new(),
            billing_code: None,
            rescheduled: false,
        }
    }

    fn local(checked_in: bool) -> LocalBooking {
        LocalBooking {
            booking: Some(booking("JKT", 23, 1)),
            checked_in,
        }
    }

    #[test]
    fn cancellation_after_check_in_keeps_the_visit() {
        let c = Change::BookingCancelled {
            booking_id: "B1".into(),
            office: "JKT".into(),
            reason: "applicant".into(),
        };
        assert_eq!(
            decide("JKT", &c, &local(true)),
            Decision::KeepVisit(ConflictRule::CancelledAfterCheckIn)
        );
        assert_eq!(decide("JKT", &c, &local(false)), Decision::Apply);
    }

    #[test]
    fn reschedule_after_check_in_keeps_the_visit() {
        let c = Change::BookingUpserted {
            booking: booking("JKT", 25, 2),
        };
        assert_eq!(
            decide("JKT", &c, &local(true)),
            Decision::KeepVisit(ConflictRule::RescheduledAfterCheckIn)
        );
        assert_eq!(decide("JKT", &c, &local(false)), Decision::Apply);
        // Same day and slot (e.g. a corrected detail): no conflict.
        let same = Change::BookingUpserted {
            booking: booking("JKT", 23, 2),
        };
        assert_eq!(decide("JKT", &same, &local(true)), Decision::Apply);
    }

    #[test]
    fn older_versions_are_stale() {
        let c = Change::BookingUpserted {
            booking: booking("JKT", 25, 0),
        };
        assert_eq!(decide("JKT", &c, &local(false)), Decision::Stale);
    }

    #[test]
    fn payment_revoked_after_check_in_holds_the_visit() {
        let c = Change::PaymentStatus {
            booking_id: "B1".into(),
            office: "JKT".into(),
            status: PaymentState::Revoked,
        };
        assert_eq!(
            decide("JKT", &c, &local(true)),
            Decision::ApplyAndHold(ConflictRule::PaymentRevokedAfterCheckIn)
        );
        assert_eq!(decide("JKT", &c, &local(false)), Decision::Apply);
    }

    #[test]
    fn bookings_for_another_office_are_refused() {
        let c = Change::BookingUpserted {
            booking: booking("SBY", 23, 1),
        };
        assert_eq!(
            decide("JKT", &c, &LocalBooking::default()),
            Decision::Refuse(ConflictRule::BookingForAnotherOffice)
        );
    }
}
