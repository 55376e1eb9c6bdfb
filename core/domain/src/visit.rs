//! Visits: one applicant's way through the office on one day, as a state machine over timed
//! events.
//!
//! ```text
//!  issue(walk-in / priority) ──► Waiting ◄───────────── Transferred / Finished (more stages)
//!  issue(appointment) ─► AwaitingCheckIn ─CheckedIn─► Waiting
//!  Waiting ─Called─► Called ─Recalled (< N calls)─► Called
//!  Called ─Started─► InService ─Finished (last stage)─► Closed(Completed)
//!  Called ─NoShow (after N calls)─► Closed(NoShow)
//!  Called / InService ─Parked─► Parked ─Called─► Called
//!  any open state ─Reset─► Closed(outcome by state)
//! ```
//!
//! [`Visit::apply`] returns the next state or a typed error; a closed visit accepts nothing.

use crate::counter::CounterId;
use crate::error::DomainError;
use crate::lane::{Lane, PriorityGroup};
use crate::service::{ServiceCode, Stage};
use crate::ticket::TicketNumber;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A visit's id, assigned by the hub in issue order (a later-issued visit has a larger id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VisitId(pub i64);

impl fmt::Display for VisitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Settings of the visit state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitRules {
    /// A called applicant may be marked no-show after this many calls (first call
    /// included); recalls stop there. Default 3.
    pub no_show_after_calls: u32,
}

impl Default for VisitRules {
    fn default() -> Self {
        VisitRules {
            no_show_after_calls: 3,
        }
    }
}

/// How a visit ended. Every visit ends in exactly one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// All stages finished.
    Completed,
    /// Called N times without coming to the counter.
    NoShow,
    /// Still waiting (or not yet checked in) at the end-of-day reset.
    ClosedUnserved,
    /// Called but not arrived at the counter at the end-of-day reset.
    ClosedNoShow,
    /// Being served at the end-of-day reset (the officer did not press finish).
    ClosedInService,
    /// Parked at the end-of-day reset.
    ClosedParked,
}

impl Outcome {
    /// Stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::NoShow => "no_show",
            Outcome::ClosedUnserved => "closed_unserved",
            Outcome::ClosedNoShow => "closed_no_show",
            Outcome::ClosedInService => "closed_in_service",
            Outcome::ClosedParked => "closed_parked",
        }
    }
}

/// Where a visit is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VisitState {
    /// An appointment visit created before the applicant checked in.
    AwaitingCheckIn,
    /// In the queue for its current stage.
    Waiting,
    /// Called to a counter, not yet started.
    Called {
        /// The calling counter.
        counter: CounterId,
        /// Calls so far at this stage (1 after the first call).
        calls: u32,
    },
    /// Being served at a counter.
    InService {
        /// The serving counter.
        counter: CounterId,
    },
    /// Set aside by a counter (for example to fetch a document); only a call of this
    /// ticket brings it back.
    Parked {
        /// The counter that parked it.
        counter: CounterId,
    },
    /// Ended.
    Closed {
        /// How.
        outcome: Outcome,
    },
}

impl VisitState {
    /// Stable machine name.
    pub fn as_str(&self) -> &'static str {
        match self {
            VisitState::AwaitingCheckIn => "awaiting_check_in",
            VisitState::Waiting => "waiting",
            VisitState::Called { .. } => "called",
            VisitState::InService { .. } => "in_service",
            VisitState::Parked { .. } => "parked",
            VisitState::Closed { .. } => "closed",
        }
    }

    /// Whether the visit is still open.
    pub fn is_open(&self) -> bool {
        !matches!(self, VisitState::Closed { .. })
    }

    /// The outcome the end-of-day reset gives a visit in this state (`None` if closed).
    pub fn reset_outcome(&self) -> Option<Outcome> {
        match self {
            VisitState::AwaitingCheckIn | VisitState::Waiting => Some(Outcome::ClosedUnserved),
            VisitState::Called { .. } => Some(Outcome::ClosedNoShow),
            VisitState::InService { .. } => Some(Outcome::ClosedInService),
            VisitState::Parked { .. } => Some(Outcome::ClosedParked),
            VisitState::Closed { .. } => None,
        }
    }
}

/// Where a transfer sends a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferTarget {
    /// The stage to wait for (must be one of the visit's stages); `None` keeps the current
    /// stage.
    pub stage: Option<Stage>,
    /// A counter to reserve the visit for; `None` lets any serving counter call it.
    pub counter: Option<CounterId>,
}

/// What happened to a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was issued (the visit's first event; produced by [`Visit::issue`]).
    Issued,
    /// The appointment was checked in.
    CheckedIn,
    /// A counter called the ticket.
    Called {
        /// The calling counter.
        counter: CounterId,
        /// True when an officer called this ticket by number rather than "call next"
        /// (the hub audits it).
        manual: bool,
    },
    /// The counter called the ticket again.
    Recalled,
    /// Service at the counter began.
    Started {
        /// The stage served (must be the visit's current stage).
        stage: Stage,
    },
    /// Sent to another stage and/or counter; the visit waits again.
    Transferred {
        /// Where to.
        to: TransferTarget,
    },
    /// Set aside by the counter.
    Parked,
    /// A stage finished: the visit waits for the next stage or is completed.
    Finished {
        /// The stage finished (must be the visit's current stage).
        stage: Stage,
    },
    /// Marked absent after N calls.
    NoShow,
    /// A later ticket was called while this one waited (counts toward the starvation bound).
    Passed {
        /// The visit called ahead of this one.
        by: VisitId,
    },
    /// The end-of-day reset closed the visit.
    Reset,
}

impl EventKind {
    /// Stable machine name.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Issued => "issued",
            EventKind::CheckedIn => "checked_in",
            EventKind::Called { .. } => "called",
            EventKind::Recalled => "recalled",
            EventKind::Started { .. } => "started",
            EventKind::Transferred { .. } => "transferred",
            EventKind::Parked => "parked",
            EventKind::Finished { .. } => "finished",
            EventKind::NoShow => "no_show",
            EventKind::Passed { .. } => "passed",
            EventKind::Reset => "reset",
        }
    }
}

/// An event with its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
}

impl VisitEvent {
    /// An event at a time.
    pub fn new(at: DateTime<Utc>, kind: EventKind) -> VisitEvent {
        VisitEvent { at, kind }
    }
}

/// What is fixed when a ticket is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVisit {
    /// Id assigned by the hub, increasing in issue order.
    pub id: VisitId,
    /// The office day.
    pub office_date: NaiveDate,
    /// The service.
    pub service: ServiceCode,
    /// The lane.
    pub lane: Lane,
    /// The ticket number.
    pub ticket: TicketNumber,
    /// The service's stages at issue time (copied so later catalog edits do not change a
    /// visit under way).
    pub stages: Vec<Stage>,
    /// The priority group, for priority-lane visits.
    pub priority_group: Option<PriorityGroup>,
    /// The M-Paspor booking code, for appointment visits.
    pub booking_code: Option<String>,
    /// Index of the applicant within the booking (0-based), for appointment visits.
    pub applicant_index: Option<u8>,
}

/// One applicant's visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// Id (issue order).
    pub id: VisitId,
    /// The office day it belongs to.
    pub office_date: NaiveDate,
    /// The service.
    pub service: ServiceCode,
    /// The lane.
    pub lane: Lane,
    /// The ticket number.
    pub ticket: TicketNumber,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// Index into `stages` of the current stage.
    pub stage_index: usize,
    /// Priority group (priority lane).
    pub priority_group: Option<PriorityGroup>,
    /// Booking code (appointment lane).
    pub booking_code: Option<String>,
    /// Applicant index in the booking (appointment lane).
    pub applicant_index: Option<u8>,
    /// The state.
    pub state: VisitState,
    /// When the ticket was issued.
    pub issued_at: DateTime<Utc>,
    /// When the appointment was checked in.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Since when it waits for its current stage: its place in the queue (ties broken by
    /// id). Updated when it starts waiting for a new stage, is transferred or parked.
    pub waiting_since: DateTime<Utc>,
    /// A counter it is reserved for (after a transfer to a counter).
    pub reserved_counter: Option<CounterId>,
    /// How many later tickets were called ahead of it while it waited for its current
    /// stage. The call-next policy keeps this at most the starvation bound.
    pub passed_by: u32,
    /// Time of the last event (events must come in time order).
    pub last_event_at: DateTime<Utc>,
}

impl Visit {
    /// Issues a visit: walk-in and priority visits start waiting, appointment visits wait
    /// for check-in. Returns the visit and its `Issued` event.
    pub fn issue(new: NewVisit, at: DateTime<Utc>) -> Result<(Visit, VisitEvent), DomainError> {
        if new.stages.is_empty() {
            return Err(DomainError::InvalidConfig {
                reason: format!("service {} has no stages", new.service),
            });
        }
        let state = match new.lane {
            Lane::Appointment => VisitState::AwaitingCheckIn,
            Lane::WalkIn | Lane::Priority => VisitState::Waiting,
        };
        let visit = Visit {
            id: new.id,
            office_date: new.office_date,
            service: new.service,
            lane: new.lane,
            ticket: new.ticket,
            stages: new.stages,
            stage_index: 0,
            priority_group: new.priority_group,
            booking_code: new.booking_code,
            applicant_index: new.applicant_index,
            state,
            issued_at: at,
            checked_in_at: None,
            waiting_since: at,
            reserved_counter: None,
            passed_by: 0,
            last_event_at: at,
        };
        Ok((visit, VisitEvent::new(at, EventKind::Issued)))
    }

    /// Rebuilds a visit from its issue data and its stored events (after `Issued`).
    pub fn replay<'a>(
        new: NewVisit,
        issued_at: DateTime<Utc>,
        events: impl IntoIterator<Item = &'a VisitEvent>,
        rules: &VisitRules,
    ) -> Result<Visit, DomainError> {
        let (mut visit, _) = Visit::issue(new, issued_at)?;
        for event in events {
            visit = visit.apply(event, rules)?;
        }
        Ok(visit)
    }

    /// The stage the visit is at (or was at when it closed).
    pub fn current_stage(&self) -> Stage {
        // stage_index is kept inside stages by apply; stages is never empty (checked at issue).
        self.stages
            .get(self.stage_index)
            .or(self.stages.last())
            .copied()
            .unwrap_or(Stage::Information)
    }

    /// The outcome, once closed.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.state {
            VisitState::Closed { outcome } => Some(outcome),
            _ => None,
        }
    }

    /// Whether the visit is still open.
    pub fn is_open(&self) -> bool {
        self.state.is_open()
    }

    /// The counter currently holding the visit (called, in service or parked).
    pub fn counter(&self) -> Option<CounterId> {
        match self.state {
            VisitState::Called { counter, .. }
            | VisitState::InService { counter }
            | VisitState::Parked { counter } => Some(counter),
            _ => None,
        }
    }

    /// The visit's place in the queue: earlier sorts first.
    pub fn queue_key(&self) -> (DateTime<Utc>, VisitId) {
        (self.waiting_since, self.id)
    }

    /// Applies an event; returns the new visit or why the event is not allowed now.
    pub fn apply(&self, event: &VisitEvent, rules: &VisitRules) -> Result<Visit, DomainError> {
        let at = event.at;
        if at < self.last_event_at {
            return Err(DomainError::EventOutOfOrder {
                ticket: self.ticket,
            });
        }
        if let VisitState::Closed { .. } = self.state {
            return Err(DomainError::VisitClosed {
                ticket: self.ticket,
            });
        }
        let illegal = || DomainError::IllegalTransition {
            ticket: self.ticket,
            state: self.state.as_str().to_string(),
            event: event.kind.as_str().to_string(),
        };
        let mut next = self.clone();
        next.last_event_at = at;
        match (event.kind, self.state) {
            (EventKind::CheckedIn, VisitState::AwaitingCheckIn) => {
                next.state = VisitState::Waiting;
                next.checked_in_at = Some(at);
                next.waiting_since = at;
            }
            (
                EventKind::Called { counter, .. },
                VisitState::Waiting | VisitState::Parked { .. },
            ) => {
                if let Some(reserved) = self.reserved_counter
                    && reserved != counter
                {
                    return Err(DomainError::ReservedForOtherCounter {
                        ticket: self.ticket,
                        counter: reserved,
                    });
                }
                next.state = VisitState::Called { counter, calls: 1 };
            }
            (EventKind::Recalled, VisitState::Called { counter, calls }) => {
                if calls >= rules.no_show_after_calls {
                    return Err(DomainError::RecallLimitReached {
                        ticket: self.ticket,
                        calls,
                    });
                }
                next.state = VisitState::Called {
                    counter,
                    calls: calls + 1,
                };
            }
            (EventKind::Started { stage }, VisitState::Called { counter, .. }) => {
                self.ensure_stage(stage)?;
                next.state = VisitState::InService { counter };
            }
            (EventKind::NoShow, VisitState::Called { calls, .. }) => {
                if calls < rules.no_show_after_calls {
                    return Err(DomainError::NoShowTooEarly {
                        ticket: self.ticket,
                        calls,
                        required: rules.no_show_after_calls,
                    });
                }
                next.state = VisitState::Closed {
                    outcome: Outcome::NoShow,
                };
            }
            (
                EventKind::Transferred { to },
                VisitState::Waiting
                | VisitState::Called { .. }
                | VisitState::InService { .. }
                | VisitState::Parked { .. },
            ) => {
                if let Some(stage) = to.stage {
                    next.stage_index = self.stages.iter().position(|s| *s == stage).ok_or(
                        DomainError::StageNotInService {
                            stage,
                            service: self.service,
                        },
                    )?;
                }
                next.state = VisitState::Waiting;
                next.reserved_counter = to.counter;
                next.waiting_since = at;
                next.passed_by = 0;
            }
            (
                EventKind::Parked,
                VisitState::Called { counter, .. } | VisitState::InService { counter },
            ) => {
                next.state = VisitState::Parked { counter };
                next.waiting_since = at;
                next.passed_by = 0;
            }
            (EventKind::Finished { stage }, VisitState::InService { .. }) => {
                self.ensure_stage(stage)?;
                if self.stage_index + 1 < self.stages.len() {
                    next.stage_index = self.stage_index + 1;
                    next.state = VisitState::Waiting;
                    next.waiting_since = at;
                    next.passed_by = 0;
                    next.reserved_counter = None;
                } else {
                    next.state = VisitState::Closed {
                        outcome: Outcome::Completed,
                    };
                }
            }
            (EventKind::Passed { .. }, VisitState::Waiting) => {
                next.passed_by = self.passed_by.saturating_add(1);
            }
            (EventKind::Reset, state) => {
                let outcome = state.reset_outcome().ok_or_else(illegal)?;
                next.state = VisitState::Closed { outcome };
            }
            _ => return Err(illegal()),
        }
        Ok(next)
    }

    fn ensure_stage(&self, stage: Stage) -> Result<(), DomainError> {
        let current = self.current_stage();
        if stage == current {
            Ok(())
        } else {
            Err(DomainError::StageMismatch {
                ticket: self.ticket,
                expected: current,
                got: stage,
            })
        }
    }
}

/// One visit closed by the end-of-day reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCloseItem {
    /// The visit.
    pub visit: VisitId,
    /// Its ticket.
    pub ticket: TicketNumber,
    /// The `Reset` event to store.
    pub event: VisitEvent,
    /// The outcome it ends with.
    pub outcome: Outcome,
}

/// The end-of-day reset: every open visit gets a `Reset` event and its closing outcome
/// (waiting -> `ClosedUnserved`, called -> `ClosedNoShow`, in service -> `ClosedInService`,
/// parked -> `ClosedParked`). Closed visits are left alone, so each visit ends in exactly
/// one outcome. Visits whose last event is later than `at` are closed at their last event
/// time, keeping events in order.
pub fn end_of_day<'a>(
    visits: impl IntoIterator<Item = &'a Visit>,
    at: DateTime<Utc>,
) -> Vec<DayCloseItem> {
    visits
        .into_iter()
        .filter_map(|v| {
            let outcome = v.state.reset_outcome()?;
            let at = at.max(v.last_event_at);
            Some(DayCloseItem {
                visit: v.id,
                ticket: v.ticket,
                event: VisitEvent::new(at, EventKind::Reset),
                outcome,
            })
        })
        .collect()
}
