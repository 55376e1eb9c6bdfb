//! The v1 wire types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One event of an office's outbox, as it travels up. Its effect on central happens exactly
/// once: central keys it by `event_id` and ignores a second copy with the same content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The office's monotonic sequence number (the outbox's `seq`).
    pub seq: i64,
    /// Globally unique id (UUID v7) given by the hub when the event was recorded.
    pub event_id: Uuid,
    /// What happened, e.g. `visit.checked_in`.
    pub kind: String,
    /// The event's data, as the hub wrote it.
    pub payload: serde_json::Value,
    /// When it happened (UTC, RFC 3339 on the wire).
    pub occurred_at: DateTime<Utc>,
}

/// `POST /api/v1/offices/{code}/events`: a batch of events in ascending `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadEvents {
    /// The events; any order is accepted, duplicates are harmless.
    pub events: Vec<Event>,
}

/// What central did with one event of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    /// First time seen: its effect was applied now.
    Applied,
    /// Already had exactly this event: nothing done again.
    Duplicate,
    /// Refused for good (see the reason); retrying will not help.
    Rejected,
}

/// Central's answer about one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventAck {
    /// The event this is about.
    pub event_id: Uuid,
    /// Its `seq`.
    pub seq: i64,
    /// What happened to it.
    pub outcome: EventOutcome,
    /// Why it was rejected (Bahasa Indonesia / English), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Response to [`UploadEvents`]: one ack per event, and the highest `seq` up to which
/// central holds every event of this office without a gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadEventsResponse {
    /// One entry per event of the request, in request order.
    pub acks: Vec<EventAck>,
    /// Highest seq such that central has seen every seq from the first one up to it.
    pub contiguous_seq: i64,
}

/// `GET /api/v1/offices/{code}/ack`: what central holds of this office's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeAck {
    /// The office.
    pub office: String,
    /// Highest contiguous seq held (0 when none).
    pub contiguous_seq: i64,
    /// Number of distinct events held.
    pub events: i64,
}

/// `GET` or `PUT /api/v1/blobs/{sha256}` answer: how much of a blob central holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStatus {
    /// The blob's SHA-256 (lowercase hex).
    pub sha256: String,
    /// Bytes central holds from the start of the blob (where the next chunk must start).
    pub received: u64,
    /// Total size when known (declared by the first chunk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// True once the whole blob arrived and its SHA-256 matched.
    pub complete: bool,
}

/// One blob of a `POST /api/v1/offices/{code}/blobs` batch, as its manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchBlob {
    /// The blob's SHA-256 (lowercase hex).
    pub sha256: String,
    /// Its size in bytes (the whole blob travels in the batch).
    pub size: u64,
}

/// The manifest that heads a blob batch body (see [`crate::encode_blob_batch`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobBatchManifest {
    /// The blobs, in the order their bytes follow.
    pub blobs: Vec<BatchBlob>,
}

/// What central did with one blob of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchBlobOutcome {
    /// The blob's SHA-256.
    pub sha256: String,
    /// True when central holds the whole blob and its SHA-256 matched.
    pub complete: bool,
    /// Why this blob was refused (`hash_mismatch`), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

/// `POST /api/v1/offices/{code}/blobs` answer: one outcome per blob, in manifest order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlobBatchResponse {
    /// The outcomes.
    pub blobs: Vec<BatchBlobOutcome>,
}

/// `POST /api/v1/enrol` (the one unsigned call): registers a device key for an office with
/// the one-time token printed by `loket-central office add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// Office code.
    pub office: String,
    /// One-time enrolment token.
    pub token: String,
    /// The device's ed25519 public key, 32 bytes as lowercase hex.
    pub public_key: String,
}

/// Response to [`EnrolRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// Office code as registered.
    pub office: String,
    /// Protocol version of central.
    pub protocol: String,
}

/// An error body, as every non-2xx answer carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine code, e.g. `storage_full`, `replay`, `forbidden_office`.
    pub code: String,
    /// Human message, Bahasa Indonesia first, then English.
    pub message: String,
}

/// `GET /api/v1/offices/{code}/feed?after=CURSOR&limit=N`: the next page of changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedPage {
    /// Changes with cursor > `after`, ascending.
    pub changes: Vec<FeedEntry>,
    /// Cursor to ask after next time (the last change's, or `after` when empty).
    pub next_cursor: i64,
    /// Whether more changes wait beyond this page.
    pub more: bool,
}

/// One change of the feed with its position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    /// Position in this office's feed (strictly increasing, starts at 1).
    pub cursor: i64,
    /// The change.
    pub change: Change,
}

/// What central tells an office. Internally tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A new booking, or a booking's new details (a reschedule changes date and slot).
    BookingUpserted {
        /// The booking as central has it now.
        booking: Booking,
    },
    /// The applicant or central cancelled a booking.
    BookingCancelled {
        /// The booking.
        booking_id: String,
        /// Office the booking belongs to.
        office: String,
        /// Why (free text from central, no personal data).
        reason: String,
    },
    /// A booking's payment status changed (paid, refunded, revoked...).
    PaymentStatus {
        /// The booking.
        booking_id: String,
        /// Office the booking belongs to.
        office: String,
        /// The new status.
        status: PaymentState,
    },
    /// The fee table in force from a date.
    FeeTable(FeeTable),
    /// The number of bookable slots for a day and service.
    Quota(Quota),
    /// Office settings (opening hours, counters...), as a JSON document the hub interprets.
    OfficeSettings {
        /// The settings document.
        settings: serde_json::Value,
    },
}

impl Change {
    /// The office a booking-related change is addressed to, if it names one.
    pub fn booking_office(&self) -> Option<&str> {
        match self {
            Change::BookingUpserted { booking } => Some(&booking.office),
            Change::BookingCancelled { office, .. } | Change::PaymentStatus { office, .. } => {
                Some(office)
            }
            _ => None,
        }
    }

    /// The booking this change is about, if any.
    pub fn booking_id(&self) -> Option<&str> {
        match self {
            Change::BookingUpserted { booking } => Some(&booking.booking_id),
            Change::BookingCancelled { booking_id, .. }
            | Change::PaymentStatus { booking_id, .. } => Some(booking_id),
            _ => None,
        }
    }
}

/// A booking as central knows it (the M-Paspor side). Maps onto the domain's booking
/// (`loket_domain::Booking`, what check-in reads): `booking_id` = booking code, `date` +
/// the start of `slot` = appointment, `applicants` (or, when absent, one applicant made of
/// `applicant_name` and `service`), `payment`, `billing_code`, `rescheduled`. Service names
/// are the domain's (`new_passport`, `replacement`, `lost_damaged`, `pickup`,
/// `information`; `renewal` is read as `replacement`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    /// Central's booking code (unique nationally).
    pub booking_id: String,
    /// Office code the booking is for.
    pub office: String,
    /// Appointment day (office local date).
    pub date: NaiveDate,
    /// Time slot label, e.g. `08:00-09:00`.
    pub slot: String,
    /// Service, e.g. `new_passport`, `renewal`.
    pub service: String,
    /// Applicant's name as booked (personal data: never logged).
    pub applicant_name: String,
    /// Payment status.
    pub payment: PaymentState,
    /// Central's version of this booking (increases with each change).
    pub version: i64,
    /// Every applicant of the booking (M-Paspor: one account books for up to 5 people).
    /// Empty: the one applicant is `applicant_name` for `service` (NIK not sent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applicants: Vec<BookingApplicant>,
    /// The 15-digit SIMPONI billing code, when central has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_code: Option<String>,
    /// The applicant used the booking's one reschedule (date and slot are the new ones).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rescheduled: bool,
}

/// One applicant of a booking (personal data: never logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingApplicant {
    /// Full name.
    pub name: String,
    /// NIK as given in the booking.
    pub nik: String,
    /// The service booked for this applicant.
    pub service: String,
}

/// Payment status of a booking (PNBP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Billing code issued, not paid.
    Unpaid,
    /// Paid.
    Paid,
    /// A payment previously reported as paid was revoked (reversed or found invalid).
    Revoked,
    /// Refunded.
    Refunded,
}

/// One fee table version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeTable {
    /// First day it applies.
    pub valid_from: NaiveDate,
    /// Fees in rupiah by service.
    pub fees: Vec<Fee>,
}

/// A fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fee {
    /// Service code.
    pub service: String,
    /// Amount in rupiah.
    pub amount_idr: i64,
}

/// Bookable slots for one day and service at this office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    /// The day.
    pub date: NaiveDate,
    /// Service code.
    pub service: String,
    /// Number of slots.
    pub slots: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_json_is_tagged_and_round_trips() {
        let c = Change::PaymentStatus {
            booking_id: "B1".into(),
            office: "JKT".into(),
            status: PaymentState::Revoked,
        };
        let j = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(j["type"], "payment_status");
        assert_eq!(j["status"], "revoked");
        let back: Change = serde_json::from_value(j).unwrap_or(Change::OfficeSettings {
            settings: serde_json::Value::Null,
        });
        assert_eq!(back, c);
        assert_eq!(back.booking_office(), Some("JKT"));
    }
}
