//! Times derived from a visit's events, for reports and wait estimates: per sitting at a
//! counter, how long the applicant waited (call - start of waiting), walked (start of
//! service - call) and was served (end - start of service).

use crate::counter::CounterId;
use crate::error::DomainError;
use crate::service::Stage;
use crate::visit::{EventKind, NewVisit, Visit, VisitEvent, VisitRules, VisitState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a sitting at a counter ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SittingEnd {
    /// The stage was finished.
    Finished,
    /// Transferred elsewhere.
    Transferred,
    /// Parked.
    Parked,
    /// Marked no-show.
    NoShow,
    /// Closed by the end-of-day reset.
    Reset,
}

/// One sitting: a call at a counter and what followed, until the visit left the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sitting {
    /// The stage.
    pub stage: Stage,
    /// The counter.
    pub counter: CounterId,
    /// When the visit began waiting for this call (issue, check-in, previous stage's end,
    /// transfer or park).
    pub waiting_since: DateTime<Utc>,
    /// First call.
    pub called_at: DateTime<Utc>,
    /// Start of service, if it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it left the counter.
    pub ended_at: DateTime<Utc>,
    /// How.
    pub end: SittingEnd,
}

impl Sitting {
    /// Waiting time in seconds (call - waiting since).
    pub fn waited_seconds(&self) -> i64 {
        (self.called_at - self.waiting_since).num_seconds()
    }

    /// Walk time in seconds (start - call), if service started.
    pub fn walk_seconds(&self) -> Option<i64> {
        self.started_at.map(|s| (s - self.called_at).num_seconds())
    }

    /// Service time in seconds (end - start), if service started.
    pub fn service_seconds(&self) -> Option<i64> {
        self.started_at.map(|s| (self.ended_at - s).num_seconds())
    }
}

/// Replays a visit's events and returns its sittings in order. Events must be the visit's
/// stored events after `Issued` (an `Issued` event in the list is skipped).
pub fn sittings<'a>(
    new: NewVisit,
    issued_at: DateTime<Utc>,
    events: impl IntoIterator<Item = &'a VisitEvent>,
    rules: &VisitRules,
) -> Result<Vec<Sitting>, DomainError> {
    let (mut visit, _) = Visit::issue(new, issued_at)?;
    let mut open: Option<Sitting> = None;
    let mut out = Vec::new();
    for event in events {
        if event.kind == EventKind::Issued {
            continue;
        }
        let before = visit.clone();
        visit = visit.apply(event, rules)?;
        match (event.kind, visit.state) {
            (EventKind::Called { counter, .. }, _) => {
                open = Some(Sitting {
                    stage: before.current_stage(),
                    counter,
                    waiting_since: before.waiting_since,
                    called_at: event.at,
                    started_at: None,
                    ended_at: event.at,
                    end: SittingEnd::Reset,
                });
            }
            (EventKind::Started { .. }, _) => {
                if let Some(s) = open.as_mut() {
                    s.started_at = Some(event.at);
                }
            }
            (kind, state) => {
                let end = match kind {
                    EventKind::Finished { .. } => Some(SittingEnd::Finished),
                    EventKind::Transferred { .. } => Some(SittingEnd::Transferred),
                    EventKind::Parked => Some(SittingEnd::Parked),
                    EventKind::NoShow => Some(SittingEnd::NoShow),
                    EventKind::Reset => Some(SittingEnd::Reset),
                    _ => None,
                };
                let left_counter = !matches!(
                    state,
                    VisitState::Called { .. } | VisitState::InService { .. }
                );
                if let (Some(end), true) = (end, left_counter)
                    && let Some(mut s) = open.take()
                {
                    s.ended_at = event.at;
                    s.end = end;
                    out.push(s);
                }
            }
        }
    }
    Ok(out)
}
