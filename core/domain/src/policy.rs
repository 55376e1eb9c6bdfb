//! The call-next policy: which waiting visit a counter calls next.
//!
//! Candidates for a counter are the visits that are `Waiting`, whose service and current
//! stage the counter serves, and that are not reserved for another counter. Among them:
//!
//! 1. **No starvation.** A candidate that has already been passed by `starvation_bound`
//!    later tickets must not be passed again: if there are such candidates, the one that
//!    waits longest is called.
//! 2. **Priority first** (when `priority_first`): the longest-waiting priority-lane
//!    candidate.
//! 3. **Interleave.** The lane weights (for example appointment 2, walk-in 1) give a
//!    repeating pattern of lanes (A W A ...); the office keeps a cursor into it. The first
//!    lane at or after the cursor that has a candidate is served, longest-waiting first.
//! 4. Otherwise the longest-waiting candidate.
//!
//! Calling a visit *passes* every candidate of the same counter that waits longer than it
//! (an earlier queue key): each gets a `Passed` event. Because of rule 1, no visit is ever
//! passed by more than the bound through "call next". "Call a given ticket" passes the
//! same way and is refused with `starvation_bound` if it would break the bound, unless
//! forced (a supervisor's override the hub audits).

use crate::counter::Counter;
use crate::error::DomainError;
use crate::lane::Lane;
use crate::visit::{Visit, VisitId, VisitState};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;

/// Weights of the lanes in the interleave pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LaneWeights {
    /// Checked-in appointments per cycle.
    pub appointment: u32,
    /// Walk-ins per cycle.
    pub walk_in: u32,
    /// Priority-lane visits per cycle (used only when `priority_first` is off).
    pub priority: u32,
}

impl Default for LaneWeights {
    fn default() -> Self {
        LaneWeights {
            appointment: 2,
            walk_in: 1,
            priority: 1,
        }
    }
}

/// Settings of the call-next policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallPolicy {
    /// Lane weights of the interleave pattern.
    pub weights: LaneWeights,
    /// Serve the priority lane before the others (default true); when false, the priority
    /// lane takes its turn by weight.
    pub priority_first: bool,
    /// K: the most later tickets that may be called ahead of a waiting one (default 10).
    pub starvation_bound: u32,
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy {
            weights: LaneWeights::default(),
            priority_first: true,
            starvation_bound: 10,
        }
    }
}

/// Largest weight taken into account (keeps the pattern short).
pub const MAX_LANE_WEIGHT: u32 = 20;

impl CallPolicy {
    /// The repeating lane pattern, spread by smooth weighted round robin (2:1 gives
    /// A W A). Empty when every weight is zero.
    pub fn pattern(&self) -> Vec<Lane> {
        let mut lanes: Vec<(Lane, i64)> = vec![
            (
                Lane::Appointment,
                i64::from(self.weights.appointment.min(MAX_LANE_WEIGHT)),
            ),
            (
                Lane::WalkIn,
                i64::from(self.weights.walk_in.min(MAX_LANE_WEIGHT)),
            ),
        ];
        if !self.priority_first {
            lanes.push((
                Lane::Priority,
                i64::from(self.weights.priority.min(MAX_LANE_WEIGHT)),
            ));
        }
        lanes.retain(|(_, w)| *w > 0);
        let total: i64 = lanes.iter().map(|(_, w)| w).sum();
        let mut current = vec![0i64; lanes.len()];
        let mut pattern = Vec::new();
        for _ in 0..total {
            for (c, (_, w)) in current.iter_mut().zip(&lanes) {
                *c += w;
            }
            let mut best = 0;
            for i in 1..lanes.len() {
                if current[i] > current[best] {
                    best = i;
                }
            }
            current[best] -= total;
            pattern.push(lanes[best].0);
        }
        pattern
    }
}

/// The office's position in the interleave pattern; the hub stores it between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LaneCursor(pub u32);

/// Why a visit was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallReason {
    /// It had reached the starvation bound.
    Starvation,
    /// Priority lane first.
    PriorityFirst,
    /// Its lane's turn in the interleave pattern.
    Interleave,
    /// The longest-waiting candidate (no lane of the pattern had one).
    Oldest,
    /// Called by number.
    Manual,
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallDecision {
    /// The visit to call.
    pub visit: VisitId,
    /// Why.
    pub reason: CallReason,
    /// Visits passed by this call: each gets a `Passed` event.
    pub passed: Vec<VisitId>,
    /// The cursor to store for the next call.
    pub cursor: LaneCursor,
}

/// Whether a counter may call this visit through "call next": waiting, served by the
/// counter, not reserved for another counter.
pub fn is_candidate(visit: &Visit, counter: &Counter) -> bool {
    visit.state == VisitState::Waiting
        && counter.serves(visit.service, visit.current_stage())
        && visit.reserved_counter.is_none_or(|c| c == counter.id)
}

/// Candidates of a counter waiting longer than `chosen` (they are passed when it is called).
/// The visits may be owned or shared (`Arc<Visit>`: the hub keeps parsed visits shared).
pub fn passed_by_call<'a, V: Borrow<Visit>>(
    visits: &'a [V],
    counter: &Counter,
    chosen: &Visit,
) -> Vec<&'a Visit> {
    let key = chosen.queue_key();
    visits
        .iter()
        .map(Borrow::borrow)
        .filter(|v| v.id != chosen.id && is_candidate(v, counter) && v.queue_key() < key)
        .collect()
}

/// Chooses the next visit for a counter. Errors: `counter_not_open`, `queue_empty`.
pub fn call_next<V: Borrow<Visit>>(
    visits: &[V],
    counter: &Counter,
    policy: &CallPolicy,
    cursor: LaneCursor,
) -> Result<CallDecision, DomainError> {
    counter.ensure_open()?;
    let mut candidates: Vec<&Visit> = visits
        .iter()
        .map(Borrow::borrow)
        .filter(|v| is_candidate(v, counter))
        .collect();
    candidates.sort_by_key(|v| v.queue_key());
    let oldest_in = |lane: Lane| candidates.iter().copied().find(|v| v.lane == lane);

    let decide = |chosen: &Visit, reason, cursor| CallDecision {
        visit: chosen.id,
        reason,
        passed: passed_by_call(visits, counter, chosen)
            .iter()
            .map(|v| v.id)
            .collect(),
        cursor,
    };

    if let Some(starving) = candidates
        .iter()
        .copied()
        .find(|v| v.passed_by >= policy.starvation_bound)
    {
        return Ok(decide(starving, CallReason::Starvation, cursor));
    }
    if policy.priority_first
        && let Some(v) = oldest_in(Lane::Priority)
    {
        return Ok(decide(v, CallReason::PriorityFirst, cursor));
    }
    let pattern = policy.pattern();
    let len = pattern.len();
    if len > 0 {
        let start = cursor.0 as usize % len;
        for step in 0..len {
            let slot = (start + step) % len;
            if let Some(v) = oldest_in(pattern[slot]) {
                let next = LaneCursor(((slot + 1) % len) as u32);
                return Ok(decide(v, CallReason::Interleave, next));
            }
        }
    }
    match candidates.first() {
        Some(v) => Ok(decide(v, CallReason::Oldest, cursor)),
        None => Err(DomainError::QueueEmpty {
            counter: counter.id,
        }),
    }
}

/// Checks a call of a given ticket by a counter. The visit must be waiting or parked and
/// served by the counter. Unless `force`, refuses with `starvation_bound` when the call
/// would pass a visit already at the bound. The cursor does not move.
pub fn call_given<V: Borrow<Visit>>(
    visits: &[V],
    counter: &Counter,
    target: VisitId,
    policy: &CallPolicy,
    cursor: LaneCursor,
    force: bool,
) -> Result<CallDecision, DomainError> {
    counter.ensure_open()?;
    let visit: &Visit = visits
        .iter()
        .map(Borrow::borrow)
        .find(|v| v.id == target)
        .ok_or(DomainError::VisitNotFound)?;
    if !matches!(visit.state, VisitState::Waiting | VisitState::Parked { .. }) {
        return Err(DomainError::VisitNotWaiting {
            ticket: visit.ticket,
            state: visit.state.as_str().to_string(),
        });
    }
    if !counter.serves(visit.service, visit.current_stage()) {
        return Err(DomainError::CounterCannotServe {
            counter: counter.id,
            ticket: visit.ticket,
        });
    }
    if let Some(reserved) = visit.reserved_counter
        && reserved != counter.id
    {
        return Err(DomainError::ReservedForOtherCounter {
            ticket: visit.ticket,
            counter: reserved,
        });
    }
    let passed = passed_by_call(visits, counter, visit);
    if !force
        && let Some(starving) = passed
            .iter()
            .filter(|v| v.passed_by >= policy.starvation_bound)
            .min_by_key(|v| v.queue_key())
    {
        return Err(DomainError::WouldStarve {
            waiting: starving.ticket,
            bound: policy.starvation_bound,
        });
    }
    Ok(CallDecision {
        visit: visit.id,
        reason: CallReason::Manual,
        passed: passed.iter().map(|v| v.id).collect(),
        cursor,
    })
}
