//! The office head's report for any range of office days, computed from visits and their
//! timed events in one pass (definitions in `docs/reports.md`).
//!
//! The hub streams rows into a [`ReportBuilder`] (or calls [`office_report`] with
//! iterators): each visit is replayed once with [`Visit::apply`] (for its outcome and
//! waits) and once by [`sittings`] (for service times per counter); figures are counters and sample lists that are sorted once
//! at the end for the median and p90. Visits whose office day is outside the range are
//! ignored, so the hub may stream a little more than the range.
//!
//! Definitions, in short:
//! * **issued**: visits (tickets) of the range; every visit counts once in exactly one
//!   outcome ([`OutcomeCounts`], `open` for visits not yet closed), so
//!   `issued = completed + no_show + closed_unserved + closed_no_show + closed_in_service +
//!   closed_parked + open`. **served** = completed; **no-shows** = no-show + closed no-show.
//! * **waiting**: per visit, first call minus arrival (issue, or check-in for
//!   appointments); visits never called have no waiting sample. **waiting, all stages**: the
//!   sum of every sitting's wait (each call minus the moment the visit began waiting again).
//! * **service time per stage**: per visit and stage, the sum of start-to-leave times of its
//!   sittings at that stage.
//! * **per counter and officer**: the officer is the one whose [`CounterSession`] at that
//!   counter contains the call. `occupied` = call to leaving the counter; `idle` = session
//!   time in the range minus occupied time inside the sessions.
//! * **median**: middle sample, or the mean of the two middle samples; **p90**: nearest
//!   rank, the sample at rank ⌈0.9·n⌉ of the sorted samples.

use crate::bap::{Bap, BapOutcomeKind, BapStatus};
use crate::counter::CounterId;
use crate::fees::{FeeItem, FeeSchedule};
use crate::lane::Lane;
use crate::office_day::OfficeTimeZone;
use crate::quota::DailyQuota;
use crate::service::{ServiceCode, Stage};
use crate::timing::sittings;
use crate::visit::{EventKind, NewVisit, Outcome, Visit, VisitEvent, VisitId, VisitRules};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A counter opened by an officer, from opening to closing (the hub passes `now` as the end
/// of a session still open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterSession {
    /// The counter.
    pub counter: CounterId,
    /// The officer (account name).
    pub officer: String,
    /// Opened.
    pub opened_at: DateTime<Utc>,
    /// Closed.
    pub closed_at: DateTime<Utc>,
}

/// The quota of a service on one date (the hub resolves the standing table, the kind of day
/// and any override).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaDay {
    /// The date.
    pub date: NaiveDate,
    /// The service.
    pub service: ServiceCode,
    /// The quotas.
    pub quota: DailyQuota,
}

/// What the report needs besides the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportParams {
    /// First office day.
    pub from: NaiveDate,
    /// Last office day (inclusive).
    pub to: NaiveDate,
    /// The office's time zone (office days, arrival hours).
    pub time_zone: OfficeTimeZone,
    /// Visit rules (to replay the events).
    pub visit_rules: VisitRules,
    /// Fee tables (BAP fees).
    pub fees: FeeSchedule,
    /// Quotas per date and service in the range.
    pub quotas: Vec<QuotaDay>,
    /// Counter sessions overlapping the range.
    pub sessions: Vec<CounterSession>,
}

/// One visit with its stored events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitRecord {
    /// What was fixed at issue.
    pub visit: NewVisit,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Its events after `Issued` (an `Issued` event in the list is skipped).
    pub events: Vec<VisitEvent>,
}

impl VisitRecord {
    /// A record from a stored visit (its issue data) and its events.
    pub fn from_visit(visit: &Visit, events: Vec<VisitEvent>) -> VisitRecord {
        VisitRecord {
            visit: NewVisit {
                id: visit.id,
                office_date: visit.office_date,
                service: visit.service,
                lane: visit.lane,
                ticket: visit.ticket,
                stages: visit.stages.clone(),
                priority_group: visit.priority_group,
                booking_code: visit.booking_code.clone(),
                applicant_index: visit.applicant_index,
            },
            issued_at: visit.issued_at,
            events,
        }
    }
}

/// A distribution of durations in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DurationStats {
    /// Samples.
    pub count: u32,
    /// Mean (0 without samples).
    pub mean_seconds: f64,
    /// Median: the middle sample, or the mean of the two middle ones.
    pub median_seconds: f64,
    /// 90th percentile, nearest rank.
    pub p90_seconds: u32,
    /// Largest.
    pub max_seconds: u32,
}

impl DurationStats {
    /// Statistics of samples (sorts them).
    pub fn from_samples(samples: &mut [u32]) -> DurationStats {
        let n = samples.len();
        if n == 0 {
            return DurationStats::default();
        }
        samples.sort_unstable();
        let sum: u64 = samples.iter().map(|&s| u64::from(s)).sum();
        let median = if n % 2 == 1 {
            f64::from(samples[n / 2])
        } else {
            (f64::from(samples[n / 2 - 1]) + f64::from(samples[n / 2])) / 2.0
        };
        // Nearest rank: ceil(0.9 n), 1-based.
        let rank = (9 * n).div_ceil(10).max(1);
        DurationStats {
            count: u32::try_from(n).unwrap_or(u32::MAX),
            mean_seconds: sum as f64 / n as f64,
            median_seconds: median,
            p90_seconds: samples[rank - 1],
            max_seconds: samples[n - 1],
        }
    }
}

/// How the visits ended (each visit counts once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// All stages finished.
    pub completed: u32,
    /// Marked no-show.
    pub no_show: u32,
    /// Never served, closed by the end-of-day reset.
    pub closed_unserved: u32,
    /// Called, not come, closed by the reset.
    pub closed_no_show: u32,
    /// In service at the reset.
    pub closed_in_service: u32,
    /// Parked at the reset.
    pub closed_parked: u32,
    /// Not closed yet (the day is not over).
    pub open: u32,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Option<Outcome>) {
        let slot = match outcome {
            Some(Outcome::Completed) => &mut self.completed,
            Some(Outcome::NoShow) => &mut self.no_show,
            Some(Outcome::ClosedUnserved) => &mut self.closed_unserved,
            Some(Outcome::ClosedNoShow) => &mut self.closed_no_show,
            Some(Outcome::ClosedInService) => &mut self.closed_in_service,
            Some(Outcome::ClosedParked) => &mut self.closed_parked,
            None => &mut self.open,
        };
        *slot += 1;
    }

    /// Sum of all outcomes (equals the visits issued).
    pub fn total(&self) -> u32 {
        self.completed
            + self.no_show
            + self.closed_unserved
            + self.closed_no_show
            + self.closed_in_service
            + self.closed_parked
            + self.open
    }
}

/// Service time of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageFigures {
    /// The stage.
    pub stage: Stage,
    /// Per visit: sum of its sittings' service times at the stage.
    pub service_time: DurationStats,
}

/// Figures of a set of visits (all, one service, or one service in one lane).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupFigures {
    /// Tickets issued.
    pub issued: u32,
    /// Walk-in tickets.
    pub walk_in: u32,
    /// Appointment (M-Paspor) visits.
    pub appointment: u32,
    /// Priority-lane tickets.
    pub priority: u32,
    /// How they ended.
    pub outcomes: OutcomeCounts,
    /// Served to the end (= outcomes.completed).
    pub served: u32,
    /// No-shows (no-show + closed no-show).
    pub no_shows: u32,
    /// Waiting until the first call.
    pub waiting: DurationStats,
    /// Waiting over all stages.
    pub waiting_all_stages: DurationStats,
    /// Service time per stage, in stage order.
    pub stages: Vec<StageFigures>,
}

/// One service's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceFigures {
    /// The service.
    pub service: ServiceCode,
    /// Figures.
    pub figures: GroupFigures,
}

/// One service and lane's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLaneFigures {
    /// The service.
    pub service: ServiceCode,
    /// The lane.
    pub lane: Lane,
    /// Figures.
    pub figures: GroupFigures,
}

/// What one counter did under one officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterFigures {
    /// The counter.
    pub counter: CounterId,
    /// The officer whose session contained the calls; `None` for calls outside any
    /// session.
    pub officer: Option<String>,
    /// Calls handled (sittings).
    pub sittings: u32,
    /// Sittings where service started.
    pub served: u32,
    /// Sum of service times (start to leaving).
    pub serving_seconds: u64,
    /// Mean service time of the served sittings (0 without).
    pub mean_service_seconds: f64,
    /// Sum of call-to-leaving times.
    pub occupied_seconds: u64,
    /// Session time within the range.
    pub open_seconds: u64,
    /// Open time minus the occupied time inside the sessions.
    pub idle_seconds: u64,
}

/// Quota against use, over the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaUse {
    /// Service.
    pub service: ServiceCode,
    /// Lane.
    pub lane: Lane,
    /// Sum of the daily quotas.
    pub quota: u32,
    /// Tickets issued.
    pub used: u32,
}

/// BAPs of the range (latest version of each, by examination day).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BapFigures {
    /// Signed, by outcome (every kind listed, in [`BapOutcomeKind::ALL`] order).
    pub signed_by_outcome: Vec<(BapOutcomeKind, u32)>,
    /// Not signed yet (draft or completed).
    pub unsigned: u32,
    /// Signed with fees due but no fee table in force on their day.
    pub unpriced: u32,
}

/// A fee line due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeDue {
    /// The item.
    pub item: FeeItem,
    /// Rupiah each.
    pub unit_rupiah: u64,
    /// How many.
    pub count: u32,
    /// Rupiah in all.
    pub total_rupiah: u64,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeReport {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// All visits.
    pub total: GroupFigures,
    /// Per service.
    pub services: Vec<ServiceFigures>,
    /// Per service and lane.
    pub service_lanes: Vec<ServiceLaneFigures>,
    /// Per counter and officer.
    pub counters: Vec<CounterFigures>,
    /// Arrivals per local hour 0..=23 (issue, or check-in for appointments).
    pub arrivals_per_hour: [u32; 24],
    /// Quota use per service and lane.
    pub quotas: Vec<QuotaUse>,
    /// BAPs by outcome.
    pub baps: BapFigures,
    /// Fees due from signed BAPs (charges and book fees).
    pub fees: Vec<FeeDue>,
    /// Sum of `fees`.
    pub fees_total_rupiah: u64,
    /// Visits whose events do not replay (left out; the hub should look at them).
    pub skipped_visits: Vec<VisitId>,
}

#[derive(Default)]
struct GroupAcc {
    issued: u32,
    walk_in: u32,
    appointment: u32,
    priority: u32,
    outcomes: OutcomeCounts,
    waits: Vec<u32>,
    total_waits: Vec<u32>,
    stages: BTreeMap<Stage, Vec<u32>>,
}

impl GroupAcc {
    fn add(&mut self, v: &VisitFacts) {
        self.issued += 1;
        match v.lane {
            Lane::WalkIn => self.walk_in += 1,
            Lane::Appointment => self.appointment += 1,
            Lane::Priority => self.priority += 1,
        }
        self.outcomes.add(v.outcome);
        if let Some(w) = v.first_wait {
            self.waits.push(w);
            self.total_waits.push(v.total_wait);
        }
        for &(stage, secs) in &v.stage_times {
            self.stages.entry(stage).or_default().push(secs);
        }
    }

    fn finish(mut self) -> GroupFigures {
        GroupFigures {
            issued: self.issued,
            walk_in: self.walk_in,
            appointment: self.appointment,
            priority: self.priority,
            served: self.outcomes.completed,
            no_shows: self.outcomes.no_show + self.outcomes.closed_no_show,
            outcomes: self.outcomes,
            waiting: DurationStats::from_samples(&mut self.waits),
            waiting_all_stages: DurationStats::from_samples(&mut self.total_waits),
            stages: self
                .stages
                .into_iter()
                .map(|(stage, mut samples)| StageFigures {
                    stage,
                    service_time: DurationStats::from_samples(&mut samples),
                })
                .collect(),
        }
    }
}

struct VisitFacts {
    lane: Lane,
    outcome: Option<Outcome>,
    first_wait: Option<u32>,
    total_wait: u32,
    stage_times: Vec<(Stage, u32)>,
}

#[derive(Default)]
struct CounterAcc {
    sittings: u32,
    served: u32,
    serving: u64,
    occupied: u64,
    open: u64,
    occupied_in_sessions: u64,
}

/// Accumulates rows into a report; see the module docs.
pub struct ReportBuilder {
    params: ReportParams,
    range_start: DateTime<Utc>,
    range_end: DateTime<Utc>,
    total: GroupAcc,
    services: BTreeMap<ServiceCode, GroupAcc>,
    service_lanes: BTreeMap<(ServiceCode, Lane), GroupAcc>,
    /// Session indexes per counter, sorted by opening.
    sessions_by_counter: HashMap<CounterId, Vec<usize>>,
    /// Occupied seconds inside each session.
    session_occupied: Vec<u64>,
    /// Per session, the index of the first session of the same officer (rows of one
    /// officer at one counter merge).
    session_officer: Vec<usize>,
    counters: BTreeMap<(CounterId, Option<usize>), CounterAcc>,
    arrivals: [u32; 24],
    used: BTreeMap<(ServiceCode, Lane), u32>,
    bap_signed: BTreeMap<BapOutcomeKind, u32>,
    bap_unsigned: u32,
    bap_unpriced: u32,
    /// (item, unit amount) -> count, in order of first appearance.
    fees: Vec<((FeeItem, u64), u32)>,
    skipped: Vec<VisitId>,
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.num_seconds().max(0)).unwrap_or(u32::MAX)
}

fn overlap(a0: DateTime<Utc>, a1: DateTime<Utc>, b0: DateTime<Utc>, b1: DateTime<Utc>) -> u64 {
    let start = a0.max(b0);
    let end = a1.min(b1);
    if end > start {
        u64::try_from((end - start).num_seconds()).unwrap_or(0)
    } else {
        0
    }
}

impl ReportBuilder {
    /// A builder for the range and settings in `params`.
    pub fn new(params: ReportParams) -> ReportBuilder {
        let tz = params.time_zone;
        let range_start = tz.instant(params.from, NaiveTime::MIN);
        let range_end = tz.instant(params.to, NaiveTime::MIN) + Duration::days(1);
        let mut sessions_by_counter: HashMap<CounterId, Vec<usize>> = HashMap::new();
        for (i, s) in params.sessions.iter().enumerate() {
            sessions_by_counter.entry(s.counter).or_default().push(i);
        }
        for list in sessions_by_counter.values_mut() {
            list.sort_by_key(|&i| params.sessions[i].opened_at);
        }
        let session_occupied = vec![0; params.sessions.len()];
        let mut first_of: HashMap<&str, usize> = HashMap::new();
        let session_officer = params
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| *first_of.entry(s.officer.as_str()).or_insert(i))
            .collect();
        ReportBuilder {
            params,
            range_start,
            range_end,
            total: GroupAcc::default(),
            services: BTreeMap::new(),
            service_lanes: BTreeMap::new(),
            sessions_by_counter,
            session_occupied,
            session_officer,
            counters: BTreeMap::new(),
            arrivals: [0; 24],
            used: BTreeMap::new(),
            bap_signed: BTreeMap::new(),
            bap_unsigned: 0,
            bap_unpriced: 0,
            fees: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn in_range(&self, date: NaiveDate) -> bool {
        self.params.from <= date && date <= self.params.to
    }

    /// The session of a counter that contains an instant.
    fn session_at(&self, counter: CounterId, at: DateTime<Utc>) -> Option<usize> {
        let list = self.sessions_by_counter.get(&counter)?;
        let sessions = &self.params.sessions;
        let after = list.partition_point(|&i| sessions[i].opened_at <= at);
        // Sessions of one counter do not overlap; look back a little in case they do.
        list[..after]
            .iter()
            .rev()
            .take(4)
            .copied()
            .find(|&i| at < sessions[i].closed_at)
    }

    /// Adds one visit (ignored when its office day is outside the range).
    pub fn add_visit(&mut self, record: &VisitRecord) {
        let new = &record.visit;
        if !self.in_range(new.office_date) {
            return;
        }
        let rules = &self.params.visit_rules;
        // One replay for the outcome and the waits (a call waits from the moment the visit
        // began waiting: issue, check-in, previous stage, transfer or park), so a visit still
        // at the counter has its waiting counted too.
        let mut first_wait = None;
        let mut total_wait: u32 = 0;
        let visit = match Visit::issue(new.clone(), record.issued_at) {
            Ok((mut visit, _)) => {
                let mut ok = true;
                for event in &record.events {
                    if event.kind == EventKind::Issued {
                        continue;
                    }
                    let waited = secs(event.at - visit.waiting_since);
                    match visit.apply(event, rules) {
                        Ok(next) => visit = next,
                        Err(_) => {
                            ok = false;
                            break;
                        }
                    }
                    if let EventKind::Called { .. } = event.kind {
                        first_wait.get_or_insert(waited);
                        total_wait = total_wait.saturating_add(waited);
                    }
                }
                ok.then_some(visit)
            }
            Err(_) => None,
        };
        let Some(visit) = visit else {
            self.skipped.push(new.id);
            return;
        };
        let list = match sittings(new.clone(), record.issued_at, &record.events, rules) {
            Ok(list) => list,
            Err(_) => {
                self.skipped.push(new.id);
                return;
            }
        };
        let mut facts = VisitFacts {
            lane: new.lane,
            outcome: visit.outcome(),
            first_wait,
            total_wait,
            stage_times: Vec::with_capacity(new.stages.len()),
        };
        for s in &list {
            let service = s.started_at.map(|start| secs(s.ended_at - start));
            if let Some(service) = service {
                match facts.stage_times.iter_mut().find(|(st, _)| *st == s.stage) {
                    Some((_, sum)) => *sum = sum.saturating_add(service),
                    None => facts.stage_times.push((s.stage, service)),
                }
            }
            let session = self.session_at(s.counter, s.called_at);
            let key = (s.counter, session.map(|i| self.session_officer[i]));
            let occupied = secs(s.ended_at - s.called_at);
            if let Some(i) = session {
                let sess = &self.params.sessions[i];
                let inside = overlap(
                    s.called_at,
                    s.ended_at,
                    sess.opened_at.max(self.range_start),
                    sess.closed_at.min(self.range_end),
                );
                self.session_occupied[i] += inside;
            }
            let acc = self.counters.entry(key).or_default();
            acc.sittings += 1;
            acc.occupied += u64::from(occupied);
            if let Some(service) = service {
                acc.served += 1;
                acc.serving += u64::from(service);
            }
        }
        let arrival = match new.lane {
            Lane::Appointment => visit.checked_in_at,
            Lane::WalkIn | Lane::Priority => Some(record.issued_at),
        };
        if let Some(at) = arrival {
            let hour = self.params.time_zone.local(at).hour() as usize;
            if let Some(slot) = self.arrivals.get_mut(hour) {
                *slot += 1;
            }
        }
        *self.used.entry((new.service, new.lane)).or_default() += 1;
        self.total.add(&facts);
        self.services.entry(new.service).or_default().add(&facts);
        self.service_lanes
            .entry((new.service, new.lane))
            .or_default()
            .add(&facts);
    }

    /// Adds one BAP (its latest version; ignored when its examination day is outside the
    /// range).
    pub fn add_bap(&mut self, bap: &Bap) {
        let date = self.params.time_zone.office_date(bap.examined_at);
        if !self.in_range(date) {
            return;
        }
        let outcome = bap.interview.outcome.as_ref();
        match (bap.status, outcome) {
            (BapStatus::Signed, Some(outcome)) => {
                *self.bap_signed.entry(outcome.kind()).or_default() += 1;
                match bap.fees(&self.params.fees) {
                    Ok(Some(quote)) => {
                        for line in quote.lines {
                            let key = (line.item, line.amount);
                            match self.fees.iter_mut().find(|(k, _)| *k == key) {
                                Some((_, count)) => *count += 1,
                                None => self.fees.push((key, 1)),
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(_) => self.bap_unpriced += 1,
                }
            }
            _ => self.bap_unsigned += 1,
        }
    }

    /// The report.
    pub fn finish(self) -> OfficeReport {
        let mut counters = self.counters;
        for (i, s) in self.params.sessions.iter().enumerate() {
            let open = overlap(s.opened_at, s.closed_at, self.range_start, self.range_end);
            if open == 0 && self.session_occupied[i] == 0 {
                continue;
            }
            let officer = self.session_officer[i];
            let acc = counters.entry((s.counter, Some(officer))).or_default();
            acc.open += open;
            acc.occupied_in_sessions += self.session_occupied[i];
        }
        let sessions = &self.params.sessions;
        let mut counter_rows: Vec<CounterFigures> = counters
            .into_iter()
            .map(|((counter, officer), a)| CounterFigures {
                counter,
                officer: officer
                    .and_then(|i| sessions.get(i))
                    .map(|s| s.officer.clone()),
                sittings: a.sittings,
                served: a.served,
                serving_seconds: a.serving,
                mean_service_seconds: if a.served == 0 {
                    0.0
                } else {
                    a.serving as f64 / f64::from(a.served)
                },
                occupied_seconds: a.occupied,
                open_seconds: a.open,
                idle_seconds: a.open.saturating_sub(a.occupied_in_sessions),
            })
            .collect();
        counter_rows.sort_by(|a, b| (a.counter, &a.officer).cmp(&(b.counter, &b.officer)));

        let mut quota_sums: BTreeMap<(ServiceCode, Lane), u32> = BTreeMap::new();
        for q in &self.params.quotas {
            if self.params.from <= q.date && q.date <= self.params.to {
                for lane in Lane::ALL {
                    *quota_sums.entry((q.service, lane)).or_default() += q.quota.for_lane(lane);
                }
            }
        }
        let mut keys: Vec<(ServiceCode, Lane)> = quota_sums
            .iter()
            .filter(|(_, q)| **q > 0)
            .map(|(k, _)| *k)
            .chain(self.used.keys().copied())
            .collect();
        keys.sort();
        keys.dedup();
        let quotas = keys
            .into_iter()
            .map(|(service, lane)| QuotaUse {
                service,
                lane,
                quota: quota_sums.get(&(service, lane)).copied().unwrap_or(0),
                used: self.used.get(&(service, lane)).copied().unwrap_or(0),
            })
            .collect();

        let fees: Vec<FeeDue> = self
            .fees
            .into_iter()
            .map(|((item, unit), count)| FeeDue {
                item,
                unit_rupiah: unit,
                count,
                total_rupiah: unit.saturating_mul(u64::from(count)),
            })
            .collect();
        let fees_total_rupiah = fees
            .iter()
            .fold(0u64, |sum, f| sum.saturating_add(f.total_rupiah));

        OfficeReport {
            from: self.params.from,
            to: self.params.to,
            total: self.total.finish(),
            services: self
                .services
                .into_iter()
                .map(|(service, acc)| ServiceFigures {
                    service,
                    figures: acc.finish(),
                })
                .collect(),
            service_lanes: self
                .service_lanes
                .into_iter()
                .map(|((service, lane), acc)| ServiceLaneFigures {
                    service,
                    lane,
                    figures: acc.finish(),
                })
                .collect(),
            counters: counter_rows,
            arrivals_per_hour: self.arrivals,
            quotas,
            baps: BapFigures {
                signed_by_outcome: BapOutcomeKind::ALL
                    .into_iter()
                    .map(|k| (k, self.bap_signed.get(&k).copied().unwrap_or(0)))
                    .collect(),
                unsigned: self.bap_unsigned,
                unpriced: self.bap_unpriced,
            },
            fees,
            fees_total_rupiah,
            skipped_visits: self.skipped,
        }
    }
}

/// The report over visits and BAPs (see [`ReportBuilder`] to stream rows instead).
pub fn office_report<'a>(
    params: ReportParams,
    visits: impl IntoIterator<Item = &'a VisitRecord>,
    baps: impl IntoIterator<Item = &'a Bap>,
) -> OfficeReport {
    let mut builder = ReportBuilder::new(params);
    for v in visits {
        builder.add_visit(v);
    }
    for b in baps {
        builder.add_bap(b);
    }
    builder.finish()
}
