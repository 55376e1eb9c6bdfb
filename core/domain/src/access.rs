//! Who may do what: the permission table the hub enforces.
//!
//! | action | officer | supervisor | head | admin | kiosk | display |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | issue ticket, check in | yes | yes | yes | yes | yes | - |
//! | ask whether a passport is ready (kiosk answer, no personal data) | yes | yes | yes | yes | yes | - |
//! | read calls | yes | yes | yes | yes | - | yes |
//! | read queue | yes | yes | yes | yes | - | - |
//! | open/close own counter, call next, call given, recall, no-show, transfer, park, finish | yes | yes | yes | - | - | - |
//! | examine a BAP (interview, outcome, print, sign, amend), register and hand over passports | yes | yes | yes | - | - | - |
//! | force a call past the starvation bound, close the day, set quotas, approve BAP, reports, audit, import bookings, cancel uncollected passports | - | yes | yes | - | - | - |
//! | manage counters | - | yes | yes | yes | - | - |
//! | read the sync status (link, pending, items in error, conflicts) | - | yes | yes | yes | - | - |
//! | manage users, devices, settings | - | - | - | yes | - | - |
//!
//! The admin is the technical administrator: accounts, devices, counters and settings,
//! but no serving of applicants and no decisions on them.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An officer's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Counter officer.
    Officer,
    /// Supervisor.
    Supervisor,
    /// Office head (Kepala Kantor).
    Head,
    /// Technical administrator.
    Admin,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 4] = [Role::Officer, Role::Supervisor, Role::Head, Role::Admin];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Head => "head",
            Role::Admin => "admin",
        }
    }

    /// Parses the machine name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A device that acts with its own token rather than an officer's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A kiosk: issues tickets and checks in bookings, nothing else.
    Kiosk,
    /// A display board: reads calls, nothing else.
    Display,
}

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Actor {
    /// A logged-in officer with a role.
    Officer(Role),
    /// A device.
    Device(DeviceKind),
}

/// Actions the hub checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Issue a walk-in or priority ticket.
    IssueTicket,
    /// Check in a booking.
    CheckIn,
    /// Read the calls (display board).
    ReadCalls,
    /// Read the queue.
    ReadQueue,
    /// Open a counter.
    OpenCounter,
    /// Close a counter.
    CloseCounter,
    /// Call next.
    CallNext,
    /// Call a given ticket.
    CallGivenTicket,
    /// Call a given ticket past the starvation bound.
    ForceCall,
    /// Recall.
    Recall,
    /// Mark no-show.
    NoShow,
    /// Transfer.
    Transfer,
    /// Park.
    Park,
    /// Start and finish a stage.
    Serve,
    /// End-of-day reset.
    CloseDay,
    /// Set quotas.
    SetQuotas,
    /// Approve BAP decisions.
    ApproveBap,
    /// Daily reports.
    ViewReports,
    /// Audit trail.
    ViewAudit,
    /// Import bookings.
    ImportBookings,
    /// Create and edit counters.
    ManageCounters,
    /// Create and edit accounts.
    ManageUsers,
    /// Register devices and their tokens.
    ManageDevices,
    /// Change office settings.
    ManageSettings,
    /// Make a BAP: start, save answers, decide, complete, print, sign, amend.
    ExamineBap,
    /// Register passports ready for pickup, look them up, hand them over, print the register.
    HandOverPassport,
    /// Ask whether a passport is ready (the kiosk's answer: no personal data).
    CheckPickup,
    /// Cancel a passport not collected in time.
    CancelPassport,
    /// Read the sync status with central (link, pending items, errors, conflicts).
    ViewSync,
    /// Work a counter that another officer has open (open it over them, call, serve, close).
    TakeOverCounter,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 30] = [
        Action::IssueTicket,
        Action::CheckIn,
        Action::ReadCalls,
        Action::ReadQueue,
        Action::OpenCounter,
        Action::CloseCounter,
        Action::CallNext,
        Action::CallGivenTicket,
        Action::ForceCall,
        Action::Recall,
        Action::NoShow,
        Action::Transfer,
        Action::Park,
        Action::Serve,
        Action::CloseDay,
        Action::SetQuotas,
        Action::ApproveBap,
        Action::ViewReports,
        Action::ViewAudit,
        Action::ImportBookings,
        Action::ManageCounters,
        Action::ManageUsers,
        Action::ManageDevices,
        Action::ManageSettings,
        Action::ExamineBap,
        Action::HandOverPassport,
        Action::CheckPickup,
        Action::CancelPassport,
        Action::ViewSync,
        Action::TakeOverCounter,
    ];

    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::IssueTicket => "issue_ticket",
            Action::CheckIn => "check_in",
            Action::ReadCalls => "read_calls",
            Action::ReadQueue => "read_queue",
            Action::OpenCounter => "open_counter",
            Action::CloseCounter => "close_counter",
            Action::CallNext => "call_next",
            Action::CallGivenTicket => "call_given_ticket",
            Action::ForceCall => "force_call",
            Action::Recall => "recall",
            Action::NoShow => "no_show",
            Action::Transfer => "transfer",
            Action::Park => "park",
            Action::Serve => "serve",
            Action::CloseDay => "close_day",
            Action::SetQuotas => "set_quotas",
            Action::ApproveBap => "approve_bap",
            Action::ViewReports => "view_reports",
            Action::ViewAudit => "view_audit",
            Action::ImportBookings => "import_bookings",
            Action::ManageCounters => "manage_counters",
            Action::ManageUsers => "manage_users",
            Action::ManageDevices => "manage_devices",
            Action::ManageSettings => "manage_settings",
            Action::ExamineBap => "examine_bap",
            Action::HandOverPassport => "hand_over_passport",
            Action::CheckPickup => "check_pickup",
            Action::CancelPassport => "cancel_passport",
            Action::ViewSync => "view_sync",
            Action::TakeOverCounter => "take_over_counter",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an actor may perform an action.
pub fn may(actor: Actor, action: Action) -> bool {
    use Action::*;
    let front_desk = matches!(
        action,
        IssueTicket | CheckIn | ReadCalls | ReadQueue | CheckPickup
    );
    let serving = matches!(
        action,
        OpenCounter
            | CloseCounter
            | CallNext
            | CallGivenTicket
            | Recall
            | NoShow
            | Transfer
            | Park
            | Serve
            | ExamineBap
            | HandOverPassport
    );
    let supervising = matches!(
        action,
        ForceCall
            | CloseDay
            | SetQuotas
            | ApproveBap
            | ViewReports
            | ViewAudit
            | ImportBookings
            | ManageCounters
            | CancelPassport
            | ViewSync
            | TakeOverCounter
    );
    let administering = matches!(
        action,
        ManageCounters | ManageUsers | ManageDevices | ManageSettings | ViewSync
    );
    match actor {
        Actor::Device(DeviceKind::Kiosk) => matches!(action, IssueTicket | CheckIn | CheckPickup),
        Actor::Device(DeviceKind::Display) => matches!(action, ReadCalls),
        Actor::Officer(Role::Officer) => front_desk || serving,
        Actor::Officer(Role::Supervisor | Role::Head) => front_desk || serving || supervising,
        Actor::Officer(Role::Admin) => front_desk || administering,
    }
}

/// Like [`may`], as the `forbidden` error the hub returns.
pub fn authorize(actor: Actor, action: Action) -> Result<(), DomainError> {
    if may(actor, action) {
        Ok(())
    } else {
        Err(DomainError::Forbidden { action })
    }
}
