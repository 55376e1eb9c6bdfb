//! What the API answers with: plain serde structures built from the domain types and the
//! stored rows. docs/api.md shows each as JSON.

use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::{
    CheckInFlag, DailyQuota, DayKind, Lane, Outcome, PriorityGroup, Role, ServiceCode, Stage,
    Visit, VisitState,
};
use serde::{Deserialize, Serialize};

/// A ticket as the kiosk prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    /// Visit id.
    pub id: i64,
    /// The ticket number, e.g. `A001`.
    pub ticket: String,
    /// Service.
    pub service: ServiceCode,
    /// Service name in Indonesian.
    pub service_name_id: String,
    /// Service name in English.
    pub service_name_en: String,
    /// Lane.
    pub lane: Lane,
    /// Priority group (priority lane).
    pub priority_group: Option<PriorityGroup>,
    /// Office day.
    pub office_date: NaiveDate,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Booking code (appointments).
    pub booking_code: Option<String>,
    /// Applicant index in the booking, 0-based (appointments).
    pub applicant_index: Option<u8>,
    /// Payment could not be confirmed: the officer asks for the proof.
    pub payment_not_verified: bool,
    /// Visits of the same service waiting ahead of this one.
    pub ahead: u32,
    /// Estimated wait in minutes; `null` when no counter serving it is open.
    pub estimated_wait_minutes: Option<u64>,
}

/// The answer to a check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInView {
    /// Booking code.
    pub booking_code: String,
    /// True when the booking had been checked in before: these are the same tickets.
    pub already_checked_in: bool,
    /// Flags for the officer (`payment_not_verified`, `rescheduled`).
    pub flags: Vec<CheckInFlag>,
    /// One ticket per applicant, in booking order.
    pub tickets: Vec<TicketView>,
}

/// A visit as counters and supervisors see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitView {
    /// Visit id.
    pub id: i64,
    /// Ticket number.
    pub ticket: String,
    /// Service.
    pub service: ServiceCode,
    /// Lane.
    pub lane: Lane,
    /// Priority group.
    pub priority_group: Option<PriorityGroup>,
    /// Current stage.
    pub stage: Stage,
    /// All stages of the visit, in order.
    pub stages: Vec<Stage>,
    /// `awaiting_check_in`, `waiting`, `called`, `in_service`, `parked` or `closed`.
    pub state: String,
    /// Counter holding it (called, in service, parked).
    pub counter_id: Option<i64>,
    /// Calls at this stage so far (while called).
    pub calls: u32,
    /// Counter it is reserved for after a transfer.
    pub reserved_counter: Option<i64>,
    /// Booking code (appointments).
    pub booking_code: Option<String>,
    /// Applicant index (appointments).
    pub applicant_index: Option<u8>,
    /// Applicant's name from the booking (appointments; officers only).
    pub applicant_name: Option<String>,
    /// Payment not confirmed at check-in.
    pub payment_not_verified: bool,
    /// Issue time.
    pub issued_at: DateTime<Utc>,
    /// Check-in time.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Waiting since (queue order).
    pub waiting_since: DateTime<Utc>,
    /// Whole minutes since `waiting_since`.
    pub waiting_minutes: i64,
    /// Later tickets called ahead of it at this stage.
    pub passed_by: u32,
    /// How it ended, once closed.
    pub outcome: Option<Outcome>,
}

impl VisitView {
    /// Builds the view of a domain visit.
    pub fn new(
        v: &Visit,
        applicant_name: Option<String>,
        payment_not_verified: bool,
        now: DateTime<Utc>,
    ) -> VisitView {
        let (calls, counter_id) = match v.state {
            VisitState::Called { counter, calls } => (calls, Some(counter.0)),
            _ => (0, v.counter().map(|c| c.0)),
        };
        VisitView {
            id: v.id.0,
            ticket: v.ticket.to_string(),
            service: v.service,
            lane: v.lane,
            priority_group: v.priority_group,
            stage: v.current_stage(),
            stages: v.stages.clone(),
            state: v.state.as_str().to_string(),
            counter_id,
            calls,
            reserved_counter: v.reserved_counter.map(|c| c.0),
            booking_code: v.booking_code.clone(),
            applicant_index: v.applicant_index,
            applicant_name,
            payment_not_verified,
            issued_at: v.issued_at,
            checked_in_at: v.checked_in_at,
            waiting_since: v.waiting_since,
            waiting_minutes: (now - v.waiting_since).num_minutes().max(0),
            passed_by: v.passed_by,
            outcome: v.outcome(),
        }
    }
}

/// A counter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterView {
    /// Id.
    pub id: i64,
    /// Name on the display board.
    pub name: String,
    /// Open or closed.
    pub open: bool,
    /// Services served (empty: all).
    pub services: Vec<ServiceCode>,
    /// Stages served (empty: all).
    pub stages: Vec<Stage>,
    /// Officer who opened it.
    pub officer: Option<String>,
    /// Ticket it has called or is serving.
    pub serving: Option<String>,
}

/// A call for the display board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallView {
    /// Event id (increases with every call).
    pub id: i64,
    /// Visit id.
    pub visit_id: i64,
    /// Ticket number.
    pub ticket: String,
    /// Service.
    pub service: ServiceCode,
    /// Counter id.
    pub counter_id: i64,
    /// Counter name ("Loket 3").
    pub counter: String,
    /// When.
    pub at: DateTime<Utc>,
    /// A recall rather than the first call.
    pub recall: bool,
}

/// A service as the kiosk and counters see it today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    /// Code.
    pub code: ServiceCode,
    /// Ticket letter.
    pub letter: char,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
    /// Stages in order.
    pub stages: Vec<StageView>,
    /// Needs a BAP.
    pub needs_bap: bool,
    /// Offered on today's kind of day.
    pub offered_today: bool,
    /// Today's quota.
    pub quota: DailyQuota,
    /// Issued today per lane.
    pub used: DailyQuota,
    /// Left today per lane.
    pub left: DailyQuota,
    /// Waiting now.
    pub waiting: u32,
    /// Estimated wait for a new ticket, minutes (`null`: no counter open for it).
    pub estimated_wait_minutes: Option<u64>,
}

/// A stage with its names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    /// Code.
    pub code: Stage,
    /// Indonesian name.
    pub name_id: String,
    /// English name.
    pub name_en: String,
}

impl StageView {
    /// Names of a stage.
    pub fn new(stage: Stage) -> StageView {
        StageView {
            code: stage,
            name_id: stage.name_id().to_string(),
            name_en: stage.name_en().to_string(),
        }
    }
}

/// The office and its day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeView {
    /// M-Paspor office code.
    pub code: String,
    /// Name.
    pub name: String,
    /// WIB, WITA or WIT.
    pub time_zone: String,
    /// Today's office date.
    pub office_date: NaiveDate,
    /// Kind of today.
    pub day_kind: DayKind,
    /// Now, UTC.
    pub now: DateTime<Utc>,
}

/// A logged-in officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    /// User name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
}

/// The answer to a log-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// Bearer token.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Who.
    pub user: UserView,
}

/// Who the token belongs to (`GET /auth/me`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeView {
    /// `officer` or `device`.
    pub kind: String,
    /// User or device name.
    pub name: String,
    /// Officer's role.
    pub role: Option<Role>,
    /// Device kind (`kiosk`, `display`).
    pub device_kind: Option<String>,
}

/// One service's line on the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceStats {
    /// Service.
    pub service: ServiceCode,
    /// Waiting now.
    pub waiting: u32,
    /// Longest current wait, minutes.
    pub longest_wait_minutes: Option<i64>,
    /// Called or in service now.
    pub in_service: u32,
    /// Completed today.
    pub served: u32,
    /// No-shows today.
    pub no_show: u32,
    /// Issued today (all lanes).
    pub issued: u32,
}

/// The head's and supervisors' summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    /// Office day.
    pub office_date: NaiveDate,
    /// Kind of day.
    pub day_kind: DayKind,
    /// Waiting now, all services.
    pub waiting: u32,
    /// Longest current wait, minutes.
    pub longest_wait_minutes: Option<i64>,
    /// Counters open.
    pub counters_open: u32,
    /// Completed today.
    pub served_today: u32,
    /// No-shows today.
    pub no_show_today: u32,
    /// Per service.
    pub services: Vec<ServiceStats>,
    /// Counters.
    pub counters: Vec<CounterView>,
}

/// Quotas of one service on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaLine {
    /// Service.
    pub service: ServiceCode,
    /// The quota in force.
    pub quota: DailyQuota,
    /// Set for this date (rather than the standing table).
    pub overridden: bool,
    /// Issued that day per lane.
    pub used: DailyQuota,
}

/// Quotas of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotasView {
    /// Date.
    pub date: NaiveDate,
    /// Kind of day.
    pub day_kind: DayKind,
    /// Per service.
    pub services: Vec<QuotaLine>,
}

/// The end-of-day reset's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCloseView {
    /// The office day closed.
    pub office_date: NaiveDate,
    /// Visits closed by the reset.
    pub closed_visits: u32,
    /// Counters closed.
    pub closed_counters: u32,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    /// Row id.
    pub id: i64,
    /// When.
    pub at: String,
    /// `officer`, `device` or `local`.
    pub actor_kind: String,
    /// User or device name.
    pub actor: String,
    /// Workstation.
    pub device: Option<String>,
    /// What (e.g. `call_next`).
    pub action: String,
    /// On what (ticket, counter, user...).
    pub target: Option<String>,
    /// Details (JSON).
    pub detail: serde_json::Value,
}

/// A NIK check's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NikView {
    /// Always true (an invalid NIK is an error answer).
    pub valid: bool,
    /// Province code.
    pub province: u8,
    /// Regency code.
    pub regency: u8,
    /// District code.
    pub district: u8,
    /// Birth date encoded.
    pub birth_date: NaiveDate,
    /// `male` or `female`.
    pub sex: loket_domain::Sex,
    /// Warnings for the officer.
    pub warnings: Vec<WarningView>,
}

/// A warning with its messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningView {
    /// Code.
    pub code: String,
    /// Indonesian.
    pub message_id: String,
    /// English.
    pub message_en: String,
}
