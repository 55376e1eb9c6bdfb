//! # loket-domain: the immigration office's rules, pure
//!
//! This crate holds the rules of an office's counter hall and nothing else: **no I/O, no
//! async, no database, no clock reads**. Every function that needs the time takes it as an
//! argument (`DateTime<Utc>`); the hub stores what these functions decide.
//!
//! ## Map
//!
//! | module | what | entry points |
//! | --- | --- | --- |
//! | [`service`] | services, ticket letters, names, stages per service, flags | [`ServiceCatalog::default`], [`ServiceCatalog::ensure_offered`] |
//! | [`quota`] | walk-in / appointment / priority quotas per service and day kind | [`QuotaTable::quota`], [`check_quota`], [`DailyQuota::check`] |
//! | [`office_day`] | WIB / WITA / WIT, the office date of an instant, kinds of day | [`OfficeTimeZone::office_date`], [`DayKind`] |
//! | [`ticket`] | A001..A999 per service per office day | [`next_ticket_number`], [`TicketNumber`] (`Display` / `FromStr` / serde as `"A001"`) |
//! | [`lane`] | appointment, walk-in and priority lanes; Ramah HAM groups | [`Lane`], [`PriorityGroup`], [`PriorityRules::group_by_age`] |
//! | [`visit`] | the visit state machine over timed events; end-of-day reset | [`Visit::issue`], [`Visit::apply`], [`Visit::replay`], [`end_of_day`] |
//! | [`counter`] | counters and what they serve | [`Counter::serves`], [`Counter::ensure_open`] |
//! | [`policy`] | call-next policy: priority, interleave, starvation bound | [`call_next`], [`call_given`] |
//! | [`wait`] | estimated wait per service | [`estimate_wait`] |
//! | [`timing`] | waiting, walk and service times per sitting, from a visit's events | [`sittings`] |
//! | [`checkin`] | M-Paspor bookings, billing codes, the check-in rule | [`check_in`], [`BillingCode::parse`] |
//! | [`identity`] | NIK, passport number, MRZ (TD3) | [`check_nik`], [`check_passport_number`], [`parse_td3`] |
//! | [`fees`] | PNBP fee tables by effective date; validity rule | [`FeeSchedule::fee_for`], [`validity_for`] |
//! | [`access`] | roles, devices, the permission table | [`may`], [`authorize`] |
//! | [`config`] | every setting in one serde struct with defaults | [`RulesConfig`] |
//! | [`error`] | errors with stable codes and Indonesian / English messages | [`DomainError`], [`CheckInError`], [`IdentityError`], [`UserFacing`] |
//! | [`bap`] | the BAP interview for lost/damaged passports: answers, missing items, outcomes, sign, amend | [`Bap::new`], [`Bap::update`], [`Bap::decide`], [`Bap::complete`], [`Bap::sign`], [`Bap::amend`], [`Bap::fees`] |
//! | [`pickup`] | passport pickup: keys, collectors, document checks, ready date, 30-day rule, kiosk answer | [`check_handover`], [`PickupRules::ready_date`], [`PickupRules::status`], [`kiosk_answer`] |
//! | [`report`] | the head's report over any range: tickets, outcomes, waiting and service times, counters and officers, arrivals, quotas, BAPs, fees | [`ReportBuilder`], [`office_report`] |
//! | [`announce`] | the display board's spoken call, in Indonesian words | [`announce::call_announcement`], [`announce::number_words`] |
//! | [`office_model`] | a small in-memory office built from the rules, for tests (the hub's too) | [`OfficeModel`] |
//!
//! ## How the hub uses it
//!
//! * **Issue a ticket:** [`check_quota`] with today's count for (service, lane), then
//!   [`next_ticket_number`] from the last number stored for (office day, service), then
//!   [`Visit::issue`]; store visit, event and number in one transaction.
//! * **Every counter action** is a [`VisitEvent`] applied with [`Visit::apply`]; store the
//!   event on success. `call next` asks [`call_next`] which visit, then applies `Called` to
//!   it and `Passed` to every id in [`CallDecision::passed`], and stores the new
//!   [`LaneCursor`].
//! * **Close the day:** [`end_of_day`] gives one `Reset` event and outcome per open visit.
//! * **BAP:** [`Bap::new`] when the BAP stage starts; each save is [`Bap::update`] /
//!   [`Bap::decide`] (store the returned version; show [`Bap::missing`] and
//!   [`Bap::warnings`]); [`Bap::complete`] before printing; [`Bap::sign`] with the three
//!   signatures; [`Bap::amend`] stores a new row (id, version + 1). A suspension's
//!   [`SupervisorApproval`] must come from a supervisor the hub authenticated.
//! * **Pickup:** look the passport up by a [`PickupKey`], then [`check_handover`]; store a
//!   [`Handover`] with the signature; the kiosk calls [`kiosk_query`] then [`kiosk_answer`];
//!   the supervisor's list is [`pickup::overdue_for_cancellation`].
//! * **Report:** feed [`ReportBuilder::add_visit`] (a [`VisitRecord`] per visit, e.g.
//!   [`VisitRecord::from_visit`]) and [`ReportBuilder::add_bap`] (latest versions), with
//!   counter sessions and quotas in [`ReportParams`]; [`ReportBuilder::finish`] gives the
//!   serde [`OfficeReport`] for the screen, PDF, CSV and the day's summary.
//! * **Errors** implement [`UserFacing`]: `code()` for the JSON error, `message_id()` /
//!   `message_en()` for people.
//!
//! ## Invariants (tested, see `tests/` and [`office_model`])
//!
//! * Ticket numbers per (office day, service) are 1, 2, 3, ... without gaps or repeats, up
//!   to 999.
//! * Every visit ends in exactly one [`Outcome`]; a closed visit accepts no event.
//! * Through [`call_next`], no waiting visit is passed by more than
//!   [`CallPolicy::starvation_bound`] later ones; [`call_given`] refuses to break the bound
//!   unless forced.

pub mod access;
pub mod announce;
pub mod bap;
pub mod checkin;
pub mod config;
pub mod counter;
pub mod error;
pub mod fees;
pub mod identity;
pub mod lane;
pub mod office_day;
pub mod office_model;
pub mod pickup;
pub mod policy;
pub mod quota;
pub mod report;
pub mod service;
pub mod ticket;
pub mod timing;
pub mod visit;
pub mod wait;

pub use access::{Action, Actor, DeviceKind, Role, authorize, may};
pub use bap::{
    Amendment, Bap, BapAnswer, BapDocument, BapError, BapId, BapIdentity, BapInterview, BapMissing,
    BapOutcome, BapOutcomeKind, BapReason, BapSignatures, BapStatus, BapStep, BookFee, DamageState,
    OfficerRef, OldPassport, SignatureRef, SupervisorApproval,
};
pub use checkin::{
    Applicant, BillingCode, Booking, CheckInDecision, CheckInFlag, CheckInWindow, MAX_APPLICANTS,
    OfficeIdentity, PaymentKnowledge, PaymentStatus, check_in, normalize_booking_code,
};
pub use config::RulesConfig;
pub use counter::{Counter, CounterId};
pub use error::{CheckInError, DomainError, UserFacing};
pub use fees::{
    FeeItem, FeeLine, FeeQuote, FeeSchedule, FeeTable, Validity, fee_for, validity_for,
};
pub use identity::{
    IdentityError, IdentityWarning, MrzDate, NikCheck, NikInfo, PassportNumberCheck, Sex, Td3,
    check_nik, check_passport_number, mrz_check_digit, parse_nik, parse_td3,
};
pub use lane::{Lane, PriorityGroup, PriorityRules, age_on};
pub use office_day::{DayKind, OfficeTimeZone};
pub use office_model::OfficeModel;
pub use pickup::{
    Collector, CollectorKind, FamilyCardShown, FamilyRelation, Handover, HandoverApproval,
    IdDocument, IdKind, KioskPickupAnswer, PassportForPickup, PickupError, PickupKey, PickupRules,
    PickupStatus, PowerOfAttorneyShown, PresentedDocuments, ReceiptNumber, check_handover,
    kiosk_answer, kiosk_query, pickup_status,
};
pub use policy::{
    CallDecision, CallPolicy, CallReason, LaneCursor, LaneWeights, call_given, call_next,
};
pub use quota::{DailyQuota, QuotaEntry, QuotaTable, check_quota};
pub use report::{
    BapFigures, CounterFigures, CounterSession, DurationStats, FeeDue, GroupFigures, OfficeReport,
    OutcomeCounts, QuotaDay, QuotaUse, ReportBuilder, ReportParams, ServiceFigures,
    ServiceLaneFigures, StageFigures, VisitRecord, office_report,
};
pub use service::{ServiceCatalog, ServiceCode, ServiceDef, Stage};
pub use ticket::{MAX_TICKET_NUMBER, TicketNumber, next_ticket_number};
pub use timing::{Sitting, SittingEnd, sittings};
pub use visit::{
    DayCloseItem, EventKind, NewVisit, Outcome, TransferTarget, Visit, VisitEvent, VisitId,
    VisitRules, VisitState, end_of_day,
};
pub use wait::{WaitBasis, WaitEstimate, WaitRules, estimate_wait};
