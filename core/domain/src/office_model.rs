//! A small in-memory office built only from this crate's rules: the reference the
//! property tests drive with random interleavings, and that the hub's tests can compare
//! against. It keeps what the hub keeps (visits, events, last numbers, quota counts, the
//! lane cursor) in plain collections.

use crate::config::RulesConfig;
use crate::counter::{Counter, CounterId};
use crate::error::DomainError;
use crate::lane::{Lane, PriorityGroup};
use crate::office_day::DayKind;
use crate::policy::{self, CallDecision, LaneCursor};
use crate::quota::check_quota;
use crate::service::ServiceCode;
use crate::ticket::next_ticket_number;
use crate::visit::{
    EventKind, NewVisit, Outcome, TransferTarget, Visit, VisitEvent, VisitId, VisitState,
    end_of_day,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// An office in memory.
#[derive(Debug, Clone)]
pub struct OfficeModel {
    /// Settings.
    pub config: RulesConfig,
    /// Kind of the days simulated.
    pub day_kind: DayKind,
    /// Counters.
    pub counters: Vec<Counter>,
    /// Every visit, in issue order.
    pub visits: Vec<Visit>,
    /// Every event, in order, with its visit.
    pub events: Vec<(VisitId, VisitEvent)>,
    /// The interleave cursor.
    pub cursor: LaneCursor,
    last_numbers: BTreeMap<(NaiveDate, ServiceCode), u16>,
    issued: BTreeMap<(NaiveDate, ServiceCode, Lane), u32>,
    issue_data: BTreeMap<VisitId, (NewVisit, DateTime<Utc>)>,
    next_id: i64,
}

impl OfficeModel {
    /// An office with settings and counters (counters start closed).
    pub fn new(config: RulesConfig, day_kind: DayKind, counters: Vec<Counter>) -> OfficeModel {
        OfficeModel {
            config,
            day_kind,
            counters,
            visits: Vec::new(),
            events: Vec::new(),
            cursor: LaneCursor::default(),
            last_numbers: BTreeMap::new(),
            issued: BTreeMap::new(),
            issue_data: BTreeMap::new(),
            next_id: 1,
        }
    }

    /// A visit by id.
    pub fn visit(&self, id: VisitId) -> Option<&Visit> {
        self.visits.iter().find(|v| v.id == id)
    }

    fn counter(&self, id: CounterId) -> Result<&Counter, DomainError> {
        self.counters
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| DomainError::InvalidConfig {
                reason: format!("no counter {id}"),
            })
    }

    /// Opens a counter.
    pub fn open_counter(&mut self, id: CounterId) -> Result<(), DomainError> {
        self.counter(id)?;
        for c in self.counters.iter_mut().filter(|c| c.id == id) {
            c.open = true;
        }
        Ok(())
    }

    /// Closes a counter (its current visit stays where it is).
    pub fn close_counter(&mut self, id: CounterId) -> Result<(), DomainError> {
        self.counter(id)?;
        for c in self.counters.iter_mut().filter(|c| c.id == id) {
            c.open = false;
        }
        Ok(())
    }

    /// Issues a walk-in or priority ticket (or, with `Lane::Appointment`, an appointment
    /// visit that is checked in at once).
    pub fn issue(
        &mut self,
        service: ServiceCode,
        lane: Lane,
        priority_group: Option<PriorityGroup>,
        at: DateTime<Utc>,
    ) -> Result<VisitId, DomainError> {
        let date = self.config.time_zone.office_date(at);
        let quota = self.config.quotas.quota(self.day_kind, service);
        let used = self
            .issued
            .get(&(date, service, lane))
            .copied()
            .unwrap_or(0);
        check_quota(
            &self.config.services,
            &quota,
            self.day_kind,
            service,
            lane,
            used,
        )?;
        let def = self.config.services.require(service)?;
        let ticket =
            next_ticket_number(def.letter, self.last_numbers.get(&(date, service)).copied())?;
        let id = VisitId(self.next_id);
        let new = NewVisit {
            id,
            office_date: date,
            service,
            lane,
            ticket,
            stages: def.stages.clone(),
            priority_group: if lane == Lane::Priority {
                priority_group
            } else {
                None
            },
            booking_code: (lane == Lane::Appointment).then(|| format!("BK{}", id.0)),
            applicant_index: (lane == Lane::Appointment).then_some(0),
        };
        let (mut visit, event) = Visit::issue(new.clone(), at)?;
        let mut events = vec![event];
        if lane == Lane::Appointment {
            let checked_in = VisitEvent::new(at, EventKind::CheckedIn);
            visit = visit.apply(&checked_in, &self.config.visits)?;
            events.push(checked_in);
        }
        // Commit: everything above is checked; from here nothing fails (the hub's transaction).
        self.next_id += 1;
        self.last_numbers.insert((date, service), ticket.number());
        *self.issued.entry((date, service, lane)).or_insert(0) += 1;
        self.issue_data.insert(id, (new, at));
        self.visits.push(visit);
        self.events.extend(events.into_iter().map(|e| (id, e)));
        Ok(id)
    }

    fn apply(
        &mut self,
        id: VisitId,
        kind: EventKind,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let index = self
            .visits
            .iter()
            .position(|v| v.id == id)
            .ok_or(DomainError::VisitNotFound)?;
        let event = VisitEvent::new(at, kind);
        let next = self.visits[index].apply(&event, &self.config.visits)?;
        self.visits[index] = next;
        self.events.push((id, event));
        Ok(())
    }

    /// The visit a counter holds (called or in service).
    pub fn held_by(&self, counter: CounterId) -> Option<&Visit> {
        self.visits.iter().find(|v| {
            matches!(v.state, VisitState::Called { counter: c, .. } | VisitState::InService { counter: c } if c == counter)
        })
    }

    fn ensure_free(&self, counter: CounterId) -> Result<Counter, DomainError> {
        let c = self.counter(counter)?.clone();
        c.ensure_open()?;
        if let Some(v) = self.held_by(counter) {
            return Err(DomainError::CounterBusy {
                counter,
                ticket: v.ticket,
            });
        }
        Ok(c)
    }

    fn commit_call(
        &mut self,
        counter: CounterId,
        decision: CallDecision,
        at: DateTime<Utc>,
    ) -> Result<VisitId, DomainError> {
        let manual = decision.reason == policy::CallReason::Manual;
        // Check the call applies before passing anyone, so a refused call changes nothing.
        let index = self
            .visits
            .iter()
            .position(|v| v.id == decision.visit)
            .ok_or(DomainError::VisitNotFound)?;
        self.visits[index].apply(
            &VisitEvent::new(at, EventKind::Called { counter, manual }),
            &self.config.visits,
        )?;
        for passed in &decision.passed {
            self.apply(*passed, EventKind::Passed { by: decision.visit }, at)?;
        }
        self.apply(decision.visit, EventKind::Called { counter, manual }, at)?;
        self.cursor = decision.cursor;
        Ok(decision.visit)
    }

    /// "Call next" at a counter.
    pub fn call_next(
        &mut self,
        counter: CounterId,
        at: DateTime<Utc>,
    ) -> Result<VisitId, DomainError> {
        let c = self.ensure_free(counter)?;
        let decision = policy::call_next(&self.visits, &c, &self.config.calls, self.cursor)?;
        self.commit_call(counter, decision, at)
    }

    /// Calls a given visit at a counter (`force`: supervisor override of the bound).
    pub fn call_given(
        &mut self,
        counter: CounterId,
        visit: VisitId,
        force: bool,
        at: DateTime<Utc>,
    ) -> Result<VisitId, DomainError> {
        let c = self.ensure_free(counter)?;
        let decision = policy::call_given(
            &self.visits,
            &c,
            visit,
            &self.config.calls,
            self.cursor,
            force,
        )?;
        self.commit_call(counter, decision, at)
    }

    fn held(&self, counter: CounterId) -> Result<VisitId, DomainError> {
        self.counter(counter)?;
        self.held_by(counter)
            .map(|v| v.id)
            .ok_or(DomainError::QueueEmpty { counter })
    }

    /// Recalls the counter's called visit.
    pub fn recall(&mut self, counter: CounterId, at: DateTime<Utc>) -> Result<(), DomainError> {
        let id = self.held(counter)?;
        self.apply(id, EventKind::Recalled, at)
    }

    /// Marks the counter's called visit no-show.
    pub fn no_show(&mut self, counter: CounterId, at: DateTime<Utc>) -> Result<(), DomainError> {
        let id = self.held(counter)?;
        self.apply(id, EventKind::NoShow, at)
    }

    /// Starts serving the counter's called visit at its current stage.
    pub fn start(&mut self, counter: CounterId, at: DateTime<Utc>) -> Result<(), DomainError> {
        let id = self.held(counter)?;
        let stage = self
            .visit(id)
            .map(Visit::current_stage)
            .ok_or(DomainError::VisitNotFound)?;
        self.apply(id, EventKind::Started { stage }, at)
    }

    /// Finishes the current stage of the counter's visit.
    pub fn finish(&mut self, counter: CounterId, at: DateTime<Utc>) -> Result<(), DomainError> {
        let id = self.held(counter)?;
        let stage = self
            .visit(id)
            .map(Visit::current_stage)
            .ok_or(DomainError::VisitNotFound)?;
        self.apply(id, EventKind::Finished { stage }, at)
    }

    /// Parks the counter's visit.
    pub fn park(&mut self, counter: CounterId, at: DateTime<Utc>) -> Result<(), DomainError> {
        let id = self.held(counter)?;
        self.apply(id, EventKind::Parked, at)
    }

    /// Transfers the counter's visit.
    pub fn transfer(
        &mut self,
        counter: CounterId,
        to: TransferTarget,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let id = self.held(counter)?;
        if let Some(target) = to.counter {
            self.counter(target)?;
        }
        self.apply(id, EventKind::Transferred { to }, at)
    }

    /// The end-of-day reset: closes every open visit with its outcome.
    pub fn close_day(&mut self, at: DateTime<Utc>) -> Result<usize, DomainError> {
        let items = end_of_day(&self.visits, at);
        for item in &items {
            self.apply(item.visit, item.event.kind, item.event.at)?;
        }
        Ok(items.len())
    }

    /// Checks the invariants; returns the first broken one.
    ///
    /// * numbers per (office day, service) are exactly 1..=n, each once, with the service's
    ///   letter;
    /// * replaying each visit's events gives the stored visit, and a visit's log holds at
    ///   most one closing event, exactly one if it is closed;
    /// * no visit has been passed more than the starvation bound since it started waiting
    ///   for its current stage.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut numbers: BTreeMap<(NaiveDate, ServiceCode), Vec<u16>> = BTreeMap::new();
        for v in &self.visits {
            let letter = self.config.services.get(v.service).map(|d| d.letter);
            if letter != Some(v.ticket.letter()) {
                return Err(format!(
                    "ticket {} has the wrong letter for {}",
                    v.ticket, v.service
                ));
            }
            numbers
                .entry((v.office_date, v.service))
                .or_default()
                .push(v.ticket.number());
        }
        for ((date, service), mut list) in numbers {
            list.sort_unstable();
            let expected: Vec<u16> = (1..=u16::try_from(list.len()).unwrap_or(u16::MAX)).collect();
            if list != expected {
                return Err(format!(
                    "numbers of {service} on {date} are not 1..n: {list:?}"
                ));
            }
            if self.last_numbers.get(&(date, service)).copied() != list.last().copied() {
                return Err(format!(
                    "last number of {service} on {date} disagrees with the visits"
                ));
            }
        }
        let bound = self.config.calls.starvation_bound;
        for v in &self.visits {
            let (new, at) = self
                .issue_data
                .get(&v.id)
                .ok_or_else(|| format!("no issue data for {}", v.ticket))?;
            let mut replayed = Visit::issue(new.clone(), *at).map_err(|e| e.to_string())?.0;
            let mut closings = 0;
            let mut passes_in_wait = 0u32;
            for (_, event) in self.events.iter().filter(|(id, _)| *id == v.id) {
                if event.kind == EventKind::Issued {
                    continue;
                }
                let before = replayed.state;
                replayed = replayed
                    .apply(event, &self.config.visits)
                    .map_err(|e| format!("replay of {} failed: {e}", v.ticket))?;
                if before.is_open() && !replayed.is_open() {
                    closings += 1;
                }
                match event.kind {
                    EventKind::Passed { .. } => passes_in_wait += 1,
                    EventKind::Finished { .. }
                    | EventKind::Transferred { .. }
                    | EventKind::Parked => passes_in_wait = 0,
                    _ => {}
                }
                if passes_in_wait > bound {
                    return Err(format!(
                        "{} was passed {passes_in_wait} times, bound {bound}",
                        v.ticket
                    ));
                }
            }
            if &replayed != v {
                return Err(format!(
                    "replay of {} differs from the stored visit",
                    v.ticket
                ));
            }
            let expected_closings = usize::from(!v.is_open());
            if closings != expected_closings {
                return Err(format!("{} has {closings} closing events", v.ticket));
            }
            if v.passed_by > bound {
                return Err(format!(
                    "{} passed_by {} above bound {bound}",
                    v.ticket, v.passed_by
                ));
            }
        }
        Ok(())
    }

    /// Outcomes of all closed visits.
    pub fn outcomes(&self) -> Vec<(VisitId, Outcome)> {
        self.visits
            .iter()
            .filter_map(|v| v.outcome().map(|o| (v.id, o)))
            .collect()
    }
}
