//! Storage helpers used inside the hub's write transactions: the outbox, the audit log,
//! visits and their events, counters, quotas. Each takes the transaction's connection so
//! that a state change, its outbox row and its audit row commit together or not at all.

use crate::auth::Principal;
use crate::db::{Exec, OwnedRow, Params};
use crate::error::{HubError, Result};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use loket_domain::{
    Counter, CounterId, DailyQuota, DayKind, EventKind, QuotaTable, ServiceCode, Stage, Visit,
    VisitEvent, VisitRules,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::SqliteConnection;
use std::sync::Arc;

/// RFC 3339 UTC with milliseconds: sorts as text in time order.
pub fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a stored timestamp.
pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| HubError::Corrupt(format!("timestamp: {e}")))
}

/// The serde name of a unit enum value (`new_passport`, `walk_in`...).
pub fn enum_str<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Parses a unit enum value from its serde name.
pub fn parse_enum<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_value(Value::String(s.to_string()))
        .map_err(|e| HubError::Corrupt(format!("{s}: {e}")))
}

/// The statement that appends an outbox row (event id, kind, payload, time), a macro so that
/// the visit statements can run it in the same round trip as their own (`concat!`).
macro_rules! insert_outbox_sql {
    () => {
        "INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, ?, ?, ?)"
    };
}

/// The statement that inserts a visit event; it comes last in [`store_event`]'s SQL so
/// that the last inserted row id is the event's.
macro_rules! insert_event_sql {
    () => {
        "INSERT INTO visit_events (visit_id, kind, at, counter_id, actor, service_seconds, data) \
         VALUES (?, ?, ?, ?, ?, ?, ?)"
    };
}

/// A query of the hub's database with its arguments bound so far.
pub(crate) type SqliteQuery =
    sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

/// A value bound to a statement, by sqlx ([`bind_params`]) or by the writer directly
/// ([`crate::db::DirectConn`]): the statements both run take one list of these.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// An integer (booleans are 0 and 1), or NULL.
    Int(Option<i64>),
    /// Text, or NULL.
    Text(Option<String>),
    /// Bytes (sealed personal data).
    Blob(Vec<u8>),
}

impl From<Vec<u8>> for Param {
    fn from(v: Vec<u8>) -> Param {
        Param::Blob(v)
    }
}

impl From<i64> for Param {
    fn from(v: i64) -> Param {
        Param::Int(Some(v))
    }
}

impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Param {
        Param::Int(v)
    }
}

impl From<bool> for Param {
    fn from(v: bool) -> Param {
        Param::Int(Some(i64::from(v)))
    }
}

impl From<String> for Param {
    fn from(v: String) -> Param {
        Param::Text(Some(v))
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Param {
        Param::Text(Some(v.to_string()))
    }
}

impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Param {
        Param::Text(v)
    }
}

impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Param {
        Param::Text(v.map(str::to_string))
    }
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Param::Int(v) => v.to_sql(),
            Param::Text(v) => v.to_sql(),
            Param::Blob(v) => v.to_sql(),
        }
    }
}

/// Binds `params` to `query`, in order.
pub(crate) fn bind_params(query: SqliteQuery, params: Vec<Param>) -> SqliteQuery {
    params.into_iter().fold(query, |query, param| match param {
        Param::Int(v) => query.bind(v),
        Param::Text(v) => query.bind(v),
        Param::Blob(v) => query.bind(v),
    })
}

/// Appends one outbox row (the sync engine uploads them in `seq` order).
pub async fn outbox(
    conn: &mut impl Exec,
    kind: &str,
    payload: Value,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        &[insert_outbox_sql!()],
        Params::InOrder(&[
            uuid::Uuid::now_v7().to_string().into(),
            kind.into(),
            payload.to_string().into(),
            ts(at).into(),
        ]),
    )
    .await?;
    Ok(())
}

/// Appends one audit row, chained to the one before it (see [`crate::audit_chain`]).
pub async fn audit(
    conn: &mut SqliteConnection,
    who: &Principal,
    action: &str,
    target: Option<&str>,
    detail: Value,
    at: DateTime<Utc>,
) -> Result<()> {
    crate::audit_chain::append(conn, who, action, target, &detail, at).await
}

/// Parses a stored visit.
pub fn visit_from_json(data: &str) -> Result<Visit> {
    Ok(serde_json::from_str(data)?)
}

/// Loads one visit.
pub async fn load_visit(conn: &mut SqliteConnection, id: i64) -> Result<Visit> {
    let row: Option<(String,)> = sqlx::query_as("SELECT data FROM visits WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    match row {
        Some((data,)) => visit_from_json(&data),
        None => Err(loket_domain::DomainError::VisitNotFound.into()),
    }
}

/// A visit row's new revision at each write: random (see [`VisitCache`]).
macro_rules! new_revision_sql {
    () => {
        "random()"
    };
}

/// The statement that inserts a visit row (parameters: [`visit_row_params`]).
macro_rules! insert_visit_row_sql {
    () => {
        concat!(
            "INSERT INTO visits (id, office_date, service, lane, number, ticket, state, counter_id, booking_code, \
             applicant_index, payment_not_verified, outcome, issued_at, updated_at, data, revision) \
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ",
            new_revision_sql!(),
            ")"
        )
    };
}

/// The parameters of [`insert_visit_row_sql`] for a newly issued `visit`.
fn visit_row_params(
    visit: &Visit,
    event: &VisitEvent,
    payment_not_verified: bool,
) -> Result<Vec<Param>> {
    Ok(vec![
        visit.id.0.into(),
        visit.office_date.to_string().into(),
        visit.service.as_str().into(),
        visit.lane.as_str().into(),
        i64::from(visit.ticket.number()).into(),
        visit.ticket.to_string().into(),
        visit.state.as_str().into(),
        visit.booking_code.clone().into(),
        visit.applicant_index.map(i64::from).into(),
        payment_not_verified.into(),
        ts(visit.issued_at).into(),
        ts(event.at).into(),
        serde_json::to_string(visit)?.into(),
    ])
}

/// The statements that store the audit row `audit` seals, if any, and their parameters:
/// the first of a visit's write, as the event's statement must come last (see
/// [`store_event`]).
fn audit_statements(audit: Option<crate::audit_chain::Sealed>) -> (Vec<&'static str>, Vec<Param>) {
    audit
        .map(crate::audit_chain::Sealed::statements)
        .unwrap_or_default()
}

/// Inserts a newly issued visit with its `Issued` event and outbox row, and the audit row
/// `audit` if given, in one round trip.
#[allow(clippy::too_many_arguments)]
pub async fn insert_visit(
    conn: &mut impl Exec,
    office_code: &str,
    visit: &Visit,
    event: &VisitEvent,
    payment_not_verified: bool,
    who: &Principal,
    audit: Option<crate::audit_chain::Sealed>,
) -> Result<()> {
    let (mut statements, mut params) = audit_statements(audit);
    statements.push(insert_visit_row_sql!());
    params.extend(visit_row_params(visit, event, payment_not_verified)?);
    store_event(
        conn,
        statements,
        params,
        office_code,
        visit,
        event,
        who,
        None,
    )
    .await
    .map(|_| ())
}

/// Stores an event of `visit` in one round trip to the database: `statements` are the
/// visit's own (after the audit row's, if any) with their parameters `params`, followed by
/// the outbox row's and the event row's statements, whose parameters this adds. Returns
/// the event's id. On sqlx's connection each round trip is a hand-off to SQLite's worker
/// thread, and the writer runs every change in turn, so fewer of them is more changes per
/// second.
#[allow(clippy::too_many_arguments)]
async fn store_event(
    conn: &mut impl Exec,
    mut statements: Vec<&'static str>,
    mut params: Vec<Param>,
    office_code: &str,
    visit: &Visit,
    event: &VisitEvent,
    who: &Principal,
    counter: Option<CounterId>,
) -> Result<i64> {
    let service_seconds: Option<i64> = match event.kind {
        EventKind::Finished { .. } => {
            let started = conn
                .rows(
                    &["SELECT at FROM visit_events WHERE visit_id = ? AND kind = 'started' ORDER BY id DESC LIMIT 1"],
                    Params::InOrder(&[visit.id.0.into()]),
                )
                .await?;
            match started.first() {
                Some(row) => Some(
                    (event.at - parse_ts(&row.at::<String>(0)?)?)
                        .num_seconds()
                        .max(0),
                ),
                None => None,
            }
        }
        _ => None,
    };
    statements.extend([insert_outbox_sql!(), insert_event_sql!()]);
    params.extend(event_params(
        office_code,
        visit,
        event,
        who,
        counter,
        service_seconds,
    )?);
    conn.execute(&statements, Params::InOrder(&params)).await
}

/// The parameters of [`insert_outbox_sql`] and then [`insert_event_sql`] for an event of
/// `visit` (the visit after it).
fn event_params(
    office_code: &str,
    visit: &Visit,
    event: &VisitEvent,
    who: &Principal,
    counter: Option<CounterId>,
    service_seconds: Option<i64>,
) -> Result<Vec<Param>> {
    let counter = counter.map(|c| c.0);
    let payload = json!({
        "office_code": office_code,
        "visit_id": visit.id.0,
        "office_date": visit.office_date,
        "ticket": visit.ticket,
        "service": visit.service,
        "lane": visit.lane,
        "booking_code": visit.booking_code,
        "applicant_index": visit.applicant_index,
        "event": event,
        "counter_id": counter,
        "state": visit.state,
        "actor": {"kind": who.kind_str(), "name": who.name},
        "service_seconds": service_seconds,
    });
    let kind = if matches!(event.kind, EventKind::Issued) {
        "ticket_issued"
    } else {
        "visit_event"
    };
    Ok(vec![
        uuid::Uuid::now_v7().to_string().into(),
        kind.into(),
        payload.to_string().into(),
        ts(event.at).into(),
        visit.id.0.into(),
        event.kind.as_str().into(),
        ts(event.at).into(),
        counter.into(),
        who.name.clone().into(),
        service_seconds.into(),
        serde_json::to_string(event)?.into(),
    ])
}

/// Applies an event through the domain's state machine and stores the result: the visit
/// row, the event row, the outbox row. Returns the visit after the event and the event id.
pub async fn apply_event(
    conn: &mut impl Exec,
    office_code: &str,
    rules: &VisitRules,
    visit: &Visit,
    kind: EventKind,
    at: DateTime<Utc>,
    who: &Principal,
) -> Result<(Visit, i64)> {
    apply_event_audited(conn, office_code, rules, visit, kind, at, who, None).await
}

/// [`apply_event`], with the audit row `audit` seals written in the same round trip.
#[allow(clippy::too_many_arguments)]
pub async fn apply_event_audited(
    conn: &mut impl Exec,
    office_code: &str,
    rules: &VisitRules,
    visit: &Visit,
    kind: EventKind,
    at: DateTime<Utc>,
    who: &Principal,
    audit: Option<crate::audit_chain::Sealed>,
) -> Result<(Visit, i64)> {
    let event = VisitEvent::new(at, kind);
    let next = visit.apply(&event, rules)?;
    let counter = next.counter().or(visit.counter());
    let (mut statements, mut params) = audit_statements(audit);
    statements.push(concat!(
        "UPDATE visits SET state = ?, counter_id = ?, outcome = ?, updated_at = ?, data = ?, revision = ",
        new_revision_sql!(),
        " WHERE id = ?"
    ));
    params.extend([
        next.state.as_str().into(),
        next.counter().map(|c| c.0).into(),
        next.outcome().map(|o| o.as_str()).into(),
        ts(at).into(),
        serde_json::to_string(&next)?.into(),
        next.id.0.into(),
    ]);
    let id = store_event(
        conn,
        statements,
        params,
        office_code,
        &next,
        &event,
        who,
        counter,
    )
    .await?;
    Ok((next, id))
}

/// Visits already parsed from their stored JSON, by id and revision. Every call and queue
/// view reads all waiting visits of the day: parsing them (timestamps above all) was most of
/// a call's time on a long queue, and then reading their JSON only to compare it was most
/// of the rest. So a visit's row carries a `revision`, a random number drawn again at every
/// write of the row (migration 0008), and the JSON is read only for visits whose revision
/// is not the one kept here. Random, not counted: a change rolled back (a refused change
/// in a batch) must not leave a revision that a later write could take again.
///
/// Visits are kept and handed out shared (`Arc`): a call lists every waiting visit of its
/// counter's services, thousands on a busy day, and copying each one was a fifth of the
/// call's cost.
#[derive(Debug, Default)]
pub struct VisitCache {
    visits: std::sync::Mutex<std::collections::HashMap<i64, (i64, Arc<Visit>)>>,
}

impl VisitCache {
    /// Most visits kept; past it, visits of earlier days are dropped (all, if that is not
    /// enough), so the cache stays around one busy day.
    const LIMIT: usize = 10_000;

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, (i64, Arc<Visit>)>> {
        // A panic elsewhere while holding the lock leaves a usable map (entries are only
        // ever whole), so a poisoned lock is taken over.
        self.visits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The visits kept of `stored` (id, revision), in its order; `None` for each one not
    /// kept at that revision.
    fn known(&self, stored: &[(i64, i64)]) -> Vec<Option<Arc<Visit>>> {
        let visits = self.lock();
        stored
            .iter()
            .map(|(id, revision)| match visits.get(id) {
                Some((kept, visit)) if kept == revision => Some(Arc::clone(visit)),
                _ => None,
            })
            .collect()
    }

    /// Parses the visit stored as `data` at `revision` under `id`, and keeps it.
    fn parse(&self, id: i64, revision: i64, data: &str, today: NaiveDate) -> Result<Arc<Visit>> {
        let visit = Arc::new(visit_from_json(data)?);
        let mut visits = self.lock();
        if visits.len() >= Self::LIMIT {
            visits.retain(|_, (_, v)| v.office_date >= today);
            if visits.len() >= Self::LIMIT {
                visits.clear();
            }
        }
        visits.insert(id, (revision, Arc::clone(&visit)));
        Ok(visit)
    }
}

/// A list of a day's visits in some states (and of some services), by id and revision in
/// id order: what [`load_visits_in`] reads before it takes the visits from the cache. The
/// writer keeps the lists its calls read up to date instead of reading them again
/// ([`crate::db::DirectConn`]), so a list knows which visit rows belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueList {
    date: String,
    states: Vec<String>,
    services: Option<Vec<String>>,
}

impl QueueList {
    /// The visits of `date` in `states`, of `services` only if given.
    pub fn new(date: NaiveDate, states: &[&str], services: Option<&[ServiceCode]>) -> QueueList {
        QueueList {
            date: date.to_string(),
            states: states.iter().map(|s| (*s).to_string()).collect(),
            services: services.map(|s| s.iter().map(|s| s.as_str().to_string()).collect()),
        }
    }

    /// The statement that reads the list, and its parameters: the date, the states, the
    /// services. The queue's indexes hold all three columns in that order (migration
    /// 0009), so it reads an index alone.
    pub fn statement(&self) -> (String, Vec<Param>) {
        let list = |n: usize| vec!["?"; n].join(", ");
        let mut sql = format!(
            "SELECT id, revision FROM visits WHERE office_date = ? AND state IN ({})",
            list(self.states.len())
        );
        let mut params: Vec<Param> = vec![self.date.as_str().into()];
        params.extend(self.states.iter().map(|s| Param::from(s.as_str())));
        if let Some(services) = &self.services {
            sql.push_str(&format!(" AND service IN ({})", list(services.len())));
            params.extend(services.iter().map(|s| Param::from(s.as_str())));
        }
        sql.push_str(" ORDER BY id");
        (sql, params)
    }

    /// Whether a visit row of `date`, `service` and `state` belongs to the list.
    pub fn holds(&self, date: &str, service: &str, state: &str) -> bool {
        self.date == date
            && self.states.iter().any(|s| s == state)
            && self
                .services
                .as_ref()
                .is_none_or(|services| services.iter().any(|s| s == service))
    }
}

/// Loads the visits of an office date in given states, oldest first; with `services`, only
/// visits of those services (a counter's call needs only the services it serves, and the
/// `visits_waiting` index then reads only those). Reads the ids and revisions (from the
/// index alone, or from the writer's kept lists), then the JSON of the visits `cache` does
/// not hold at their revision: two reads, so outside the writer run it in a read
/// transaction (one snapshot for both).
pub async fn load_visits_in(
    conn: &mut impl Exec,
    cache: &VisitCache,
    date: NaiveDate,
    states: &[&str],
    services: Option<&[ServiceCode]>,
) -> Result<Vec<Arc<Visit>>> {
    let stored = conn
        .queue_pairs(&QueueList::new(date, states, services))
        .await?;
    let mut visits = cache.known(&stored);
    let missing: Vec<i64> = stored
        .iter()
        .zip(&visits)
        .filter(|(_, kept)| kept.is_none())
        .map(|((id, _), _)| *id)
        .collect();
    if missing.is_empty() {
        return Ok(visits.into_iter().flatten().collect());
    }
    let rows = conn
        .rows(
            &["SELECT id, revision, data FROM visits WHERE id IN (SELECT value FROM json_each(?1))"],
            Params::Shared(&[serde_json::to_string(&missing)?.into()]),
        )
        .await?;
    let mut parsed = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        let (id, revision, data): (i64, i64, String) = (row.at(0)?, row.at(1)?, row.at(2)?);
        parsed.insert(id, cache.parse(id, revision, &data, date)?);
    }
    for ((id, _), slot) in stored.iter().zip(visits.iter_mut()) {
        if slot.is_none() {
            *slot = Some(parsed.remove(id).ok_or_else(|| {
                HubError::Corrupt(format!("visit {id} was listed and then not found"))
            })?);
        }
    }
    Ok(visits.into_iter().flatten().collect())
}

/// The stored JSON of the visit the counter `$counter` (an SQL expression) has called or is
/// serving: for [`held_visit`], and as a subquery of [`counter_held_and_tail`].
macro_rules! held_visit_sql {
    ($counter:literal) => {
        concat!(
            "SELECT data FROM visits WHERE counter_id = ",
            $counter,
            " AND state IN ('called', 'in_service') ORDER BY id LIMIT 1"
        )
    };
}

/// The visit a counter has called or is serving.
pub async fn held_visit(conn: &mut impl Exec, counter: CounterId) -> Result<Option<Visit>> {
    let rows = conn
        .rows(
            &[held_visit_sql!("?")],
            Params::InOrder(&[counter.0.into()]),
        )
        .await?;
    rows.first()
        .map(|row| visit_from_json(&row.at::<String>(0)?))
        .transpose()
}

/// One stored counter.
#[derive(Debug, Clone)]
pub struct CounterRow {
    /// The domain counter.
    pub counter: Counter,
    /// Officer who opened it.
    pub officer: Option<String>,
}

type CounterTuple = (i64, String, String, String, bool, Option<String>);

fn counter_from(t: CounterTuple) -> Result<CounterRow> {
    let (id, name, services, stages, open, officer) = t;
    let services: Vec<ServiceCode> = serde_json::from_str(&services)?;
    let stages: Vec<Stage> = serde_json::from_str(&stages)?;
    Ok(CounterRow {
        counter: Counter {
            id: CounterId(id),
            name,
            services,
            stages,
            open,
        },
        officer,
    })
}

/// Loads one counter.
pub async fn load_counter(conn: &mut impl Exec, id: i64) -> Result<CounterRow> {
    let rows = conn
        .rows(
            &["SELECT id, name, services, stages, is_open, officer FROM counters WHERE id = ?"],
            Params::InOrder(&[id.into()]),
        )
        .await?;
    let row = rows.first().ok_or(HubError::CounterNotFound)?;
    counter_from((
        row.at(0)?,
        row.at(1)?,
        row.at(2)?,
        row.at(3)?,
        row.at(4)?,
        row.at(5)?,
    ))
}

/// A counter, the visit it has called or is serving, and the audit chain's tail, read in
/// one round trip: what every counter action needs first (its audit row is then written
/// with the visit's event, [`apply_event_audited`]).
pub async fn counter_held_and_tail(
    conn: &mut impl Exec,
    id: i64,
) -> Result<(CounterRow, Option<Visit>, crate::audit_chain::Tail)> {
    const COUNTER: &str = concat!(
        "SELECT c.id, c.name, c.services, c.stages, c.is_open, c.officer, (",
        held_visit_sql!("c.id"),
        ") FROM (SELECT 1) LEFT JOIN counters c ON c.id = ?"
    );
    let rows = conn
        .rows(
            &[COUNTER, crate::audit_chain::audit_tail_sql!()],
            Params::InOrder(&[id.into()]),
        )
        .await?;
    let [counter, tail] = rows.as_slice() else {
        return Err(HubError::Corrupt(format!(
            "reading a counter gave {} rows, not 2",
            rows.len()
        )));
    };
    let Some(id) = counter.at::<Option<i64>>(0)? else {
        return Err(HubError::CounterNotFound);
    };
    let row = counter_from((
        id,
        counter.at(1)?,
        counter.at(2)?,
        counter.at(3)?,
        counter.at(4)?,
        counter.at(5)?,
    ))?;
    let held: Option<String> = counter.at(6)?;
    let held = held.as_deref().map(visit_from_json).transpose()?;
    Ok((row, held, crate::audit_chain::Tail::from_row(tail)?))
}

/// Loads every counter.
pub async fn load_counters(conn: &mut SqliteConnection) -> Result<Vec<CounterRow>> {
    let rows: Vec<CounterTuple> = sqlx::query_as(
        "SELECT id, name, services, stages, is_open, officer FROM counters ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(counter_from).collect()
}

/// What a ticket's wait estimate needs, read in one statement (one round trip to SQLite's
/// worker thread instead of three): tickets of the service still waiting before it, every
/// counter, and the service's most recent service times.
#[derive(Debug)]
pub struct TicketOutlook {
    /// Waiting visits of the same service and day before this one (all of them for a
    /// ticket not yet issued).
    pub ahead: u32,
    /// Every counter.
    pub counters: Vec<CounterRow>,
    /// Up to `sample` most recent service times of the service, oldest first.
    pub recent: Vec<u32>,
}

/// The visits of a date (?1) and service (?2) waiting now (`waiting`), or those of them in
/// the priority lane (`waiting_priority`): the tallies the `visits` triggers keep
/// (migration 0008), not a count over the day's visits.
macro_rules! waiting_tally_sql {
    (waiting) => {
        "COALESCE((SELECT waiting FROM ticket_counters WHERE office_date = ?1 AND service = ?2), 0)"
    };
    (waiting_priority) => {
        "COALESCE((SELECT waiting_priority FROM ticket_counters WHERE office_date = ?1 AND service = ?2), 0)"
    };
}

/// The statement that reads a [`TicketOutlook`]: numbered parameters ?1 the date, ?2 the
/// service; `$ahead` is the expression of the tickets ahead, `$sample` the parameter that
/// holds the sample size. Numbered only, so it runs after [`quota_state_sql`] in one round
/// trip ([`take_number_for_ticket`]).
///
/// `LIMIT ?N + 0`, here and in every SQLite query of the project: SQLite (3.51, as bundled)
/// plans a statement whose LIMIT is a bare bound parameter for the value bound, and so
/// prepares it again every time that parameter is bound, even to the same value (a quarter
/// of the writer's SQLite thread in a profile of the ticket issue); an expression is
/// evaluated at run time instead. `core/hub/tests/sql_limits.rs` keeps it so. (The bundled
/// SQLite has STAT4: after an `ANALYZE`, `column = ?` on an indexed column would do the
/// same, so the hub never runs `ANALYZE`.)
macro_rules! ticket_outlook_sql {
    ($ahead:expr, $sample:literal) => {
        concat!(
            "SELECT ",
            $ahead,
            ", \
               (SELECT json_group_array(json_array(id, name, services, stages, \
                    CASE WHEN is_open THEN json('true') ELSE json('false') END, officer)) \
                  FROM (SELECT * FROM counters ORDER BY id)), \
               (SELECT json_group_array(seconds) FROM ( \
                  SELECT seconds FROM ( \
                    SELECT event_id, seconds FROM service_times WHERE service = ?2 \
                    ORDER BY event_id DESC LIMIT ",
            $sample,
            " + 0) ORDER BY event_id))"
        )
    };
}

fn ticket_outlook_from_row(row: &OwnedRow) -> Result<TicketOutlook> {
    let ahead: i64 = row.at(0)?;
    let counters: String = row.at(1)?;
    let recent: String = row.at(2)?;
    let counters: Vec<CounterTuple> = serde_json::from_str(&counters)?;
    let recent: Vec<i64> = serde_json::from_str(&recent)?;
    Ok(TicketOutlook {
        ahead: u32::try_from(ahead).unwrap_or(u32::MAX),
        counters: counters
            .into_iter()
            .map(counter_from)
            .collect::<Result<_>>()?,
        recent: recent
            .into_iter()
            .map(|s| u32::try_from(s).unwrap_or(u32::MAX))
            .collect(),
    })
}

/// Reads a [`TicketOutlook`] of `service` on `date`: for the stored visit `before` (the
/// waiting visits with a lower id are ahead of it), or for the next ticket (`None`: every
/// waiting visit is ahead).
pub async fn ticket_outlook(
    conn: &mut impl Exec,
    date: NaiveDate,
    service: ServiceCode,
    before: Option<i64>,
    sample: i64,
) -> Result<TicketOutlook> {
    let mut params = vec![
        Param::from(date.to_string()),
        Param::from(service.as_str()),
        Param::from(sample),
    ];
    let statement = match before {
        Some(before) => {
            params.push(before.into());
            ticket_outlook_sql!(
                "(SELECT COUNT(*) FROM visits WHERE office_date = ?1 AND service = ?2 \
                  AND state = 'waiting' AND id < ?4)",
                "?3"
            )
        }
        None => ticket_outlook_sql!(waiting_tally_sql!(waiting), "?3"),
    };
    let rows = conn.rows(&[statement], Params::Shared(&params)).await?;
    let row = rows
        .first()
        .ok_or_else(|| HubError::Corrupt("a ticket's outlook gave no row".into()))?;
    ticket_outlook_from_row(row)
}

/// One call or recall of a day: (event id, visit id, ticket, service, counter id, counter
/// name, at, kind).
pub type CallRow = (i64, i64, String, String, i64, String, String, String);

/// The calls and recalls of `date` with their visit and counter; numbered parameter ?1 the
/// date. The statements that use it add the event id's bound and their own parameter ?2.
macro_rules! calls_of_day_sql {
    ($events:literal) => {
        concat!(
            "SELECT e.id, v.id, v.ticket, v.service, e.counter_id, c.name, e.at, e.kind \
             FROM visit_events e JOIN visits v ON v.id = e.visit_id JOIN counters c ON c.id = e.counter_id \
             WHERE e.kind IN ('called', 'recalled') AND v.office_date = ?1 AND ",
            $events
        )
    };
}

/// The newest `limit` calls of a day: only the events since the day's first visit was
/// issued are read (events are numbered in time), not every call the office ever made.
const CALLS_OF_DAY_SQL: &str = calls_of_day_sql!(
    "e.id >= COALESCE((SELECT MIN(f.id) FROM visit_events f \
       WHERE f.visit_id = (SELECT MIN(id) FROM visits WHERE office_date = ?1)), 9223372036854775807) \
     ORDER BY e.id DESC LIMIT ?2 + 0"
);

/// One call of a day by its event id.
const CALL_OF_DAY_SQL: &str = calls_of_day_sql!("e.id = ?2");

/// The calls and recalls of `date`, newest first: the newest `limit`, or only the call
/// `call_id` (if it is a call of that date).
pub async fn calls_of_day(
    conn: &mut SqliteConnection,
    date: NaiveDate,
    call_id: Option<i64>,
    limit: u32,
) -> Result<Vec<CallRow>> {
    let query = match call_id {
        Some(id) => sqlx::query_as(CALL_OF_DAY_SQL)
            .bind(date.to_string())
            .bind(id),
        None => sqlx::query_as(CALLS_OF_DAY_SQL)
            .bind(date.to_string())
            .bind(i64::from(limit)),
    };
    Ok(query.fetch_all(conn).await?)
}

/// The kind of an office date (regular when not set).
pub async fn day_kind(conn: &mut SqliteConnection, date: NaiveDate) -> Result<DayKind> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT day_kind FROM office_days WHERE office_date = ?")
            .bind(date.to_string())
            .fetch_optional(conn)
            .await?;
    match row {
        Some((k,)) => parse_enum(&k),
        None => Ok(DayKind::Regular),
    }
}

/// A service's quota on a date and what was issued against it.
#[derive(Debug, Clone, Copy)]
pub struct QuotaState {
    /// The kind of day (regular, weekend simpatik...).
    pub kind: DayKind,
    /// The quota in force: the date's override, else the standing table for the kind of day.
    pub quota: DailyQuota,
    /// Whether the date has an override for the service.
    pub overridden: bool,
    /// Visits issued on the date for the service, per lane.
    pub used: DailyQuota,
}

/// The statement that reads a [`QuotaState`]: the kind of day, the date's override and the
/// visits issued per lane (the tallies the `visits` triggers keep beside the ticket
/// counter; migration 0008). Numbered parameters: ?1 the date, ?2 the service
/// ([`bind_quota_state`]).
macro_rules! quota_state_sql {
    () => {
        "SELECT (SELECT day_kind FROM office_days WHERE office_date = ?1), \
         q.walk_in, q.appointment, q.priority, \
         COALESCE(t.walk_in_issued, 0), COALESCE(t.appointment_issued, 0), COALESCE(t.priority_issued, 0) \
         FROM (SELECT 1) LEFT JOIN quota_overrides q ON q.office_date = ?1 AND q.service = ?2 \
         LEFT JOIN ticket_counters t ON t.office_date = ?1 AND t.service = ?2"
    };
}

/// The statement that moves the day's ticket counter of a service on by one and returns the
/// new number and the next visit id. Numbered parameters ?1 the date, ?2 the service, as
/// [`quota_state_sql`], so both run in one round trip.
macro_rules! take_number_sql {
    () => {
        "INSERT INTO ticket_counters (office_date, service, last_number) VALUES (?1, ?2, 1) \
         ON CONFLICT(office_date, service) DO UPDATE SET last_number = last_number + 1 \
         RETURNING last_number, (SELECT COALESCE(MAX(id), 0) + 1 FROM visits)"
    };
}

/// The parameters of [`quota_state_sql`] and [`take_number_sql`].
fn quota_state_params(date: NaiveDate, service: ServiceCode) -> [Param; 2] {
    [date.to_string().into(), service.as_str().into()]
}

fn quota_state_from_row(
    row: &OwnedRow,
    table: &QuotaTable,
    service: ServiceCode,
) -> Result<QuotaState> {
    let kind: Option<String> = row.at(0)?;
    let (walk_in, appointment, priority): (Option<i64>, Option<i64>, Option<i64>) =
        (row.at(1)?, row.at(2)?, row.at(3)?);
    let (used_walk_in, used_appointment, used_priority): (i64, i64, i64) =
        (row.at(4)?, row.at(5)?, row.at(6)?);
    let kind = match kind {
        Some(k) => parse_enum(&k)?,
        None => DayKind::Regular,
    };
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let (quota, overridden) = match (walk_in, appointment, priority) {
        (Some(w), Some(a), Some(p)) => (
            DailyQuota {
                walk_in: u32::try_from(w).unwrap_or(0),
                appointment: u32::try_from(a).unwrap_or(0),
                priority: u32::try_from(p).unwrap_or(0),
            },
            true,
        ),
        _ => (table.quota(kind, service), false),
    };
    Ok(QuotaState {
        kind,
        quota,
        overridden,
        used: DailyQuota {
            walk_in: count(used_walk_in),
            appointment: count(used_appointment),
            priority: count(used_priority),
        },
    })
}

/// The quota in force for a service on a date and its use, in one statement.
pub async fn quota_state(
    conn: &mut impl Exec,
    table: &QuotaTable,
    date: NaiveDate,
    service: ServiceCode,
) -> Result<QuotaState> {
    let rows = conn
        .rows(
            &[quota_state_sql!()],
            Params::Shared(&quota_state_params(date, service)),
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| HubError::Corrupt("the quota state gave no row".into()))?;
    quota_state_from_row(row, table, service)
}

/// A ticket number taken from the day's counter of a service, with the id its visit gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TakenNumber {
    /// The number (1 for the day's first ticket of the service).
    pub number: i64,
    /// The next visit id.
    pub visit_id: i64,
}

impl TakenNumber {
    /// The number and id from the row of [`take_number_sql`].
    fn from_row(row: &OwnedRow) -> Result<TakenNumber> {
        Ok(TakenNumber {
            number: row.at(0)?,
            visit_id: row.at(1)?,
        })
    }
}

/// What a new ticket needs from the database before its visit is built, read and taken in
/// one round trip (every check-in runs it in the writer, once per applicant): the quota
/// state as it was before this ticket and the number taken. The number is taken before the
/// quota is checked: a change that then refuses the ticket is undone with its number (the
/// writer rolls a refused change back).
pub async fn take_number(
    conn: &mut impl Exec,
    table: &QuotaTable,
    date: NaiveDate,
    service: ServiceCode,
) -> Result<(QuotaState, TakenNumber)> {
    let rows = conn
        .rows(
            &[quota_state_sql!(), take_number_sql!()],
            Params::Shared(&quota_state_params(date, service)),
        )
        .await?;
    match rows.as_slice() {
        [quota, taken] => Ok((
            quota_state_from_row(quota, table, service)?,
            TakenNumber::from_row(taken)?,
        )),
        _ => Err(HubError::Corrupt(format!(
            "taking a ticket number gave {} rows, not 2",
            rows.len()
        ))),
    }
}

/// What [`take_number_for_ticket`] reads and takes.
#[derive(Debug)]
pub struct TicketIssue {
    /// The quota state as it was before this ticket.
    pub quota: QuotaState,
    /// The number taken.
    pub taken: TakenNumber,
    /// The audit chain's tail, for the ticket's audit row written with its visit.
    pub tail: crate::audit_chain::Tail,
    /// The new ticket's outlook: every visit of the service waiting now is ahead of it, or
    /// (`priority_ahead_only`) those of the priority lane.
    pub outlook: TicketOutlook,
}

/// [`take_number`] and, in the same round trip, the audit chain's tail and the new ticket's
/// [`TicketOutlook`] (up to `sample` recent service times), for the ticket issue: its audit
/// row is written with its visit and its answer needs no read after the commit. With
/// `priority_ahead_only` (a priority-lane ticket where that lane is called first) only the
/// service's waiting priority-lane visits are ahead of it.
pub async fn take_number_for_ticket(
    conn: &mut impl Exec,
    table: &QuotaTable,
    date: NaiveDate,
    service: ServiceCode,
    sample: i64,
    priority_ahead_only: bool,
) -> Result<TicketIssue> {
    let outlook = if priority_ahead_only {
        ticket_outlook_sql!(waiting_tally_sql!(waiting_priority), "?3")
    } else {
        ticket_outlook_sql!(waiting_tally_sql!(waiting), "?3")
    };
    let statements = [
        quota_state_sql!(),
        take_number_sql!(),
        crate::audit_chain::audit_tail_sql!(),
        outlook,
    ];
    let [date, service_param] = quota_state_params(date, service);
    let rows = conn
        .rows(
            &statements,
            Params::Shared(&[date, service_param, sample.into()]),
        )
        .await?;
    match rows.as_slice() {
        [quota, taken, tail, outlook] => Ok(TicketIssue {
            quota: quota_state_from_row(quota, table, service)?,
            taken: TakenNumber::from_row(taken)?,
            tail: crate::audit_chain::Tail::from_row(tail)?,
            outlook: ticket_outlook_from_row(outlook)?,
        }),
        _ => Err(HubError::Corrupt(format!(
            "taking a ticket number gave {} rows, not 4",
            rows.len()
        ))),
    }
}

/// The statement that writes an office setting (key, value), for [`set_setting`] and for
/// callers that write it in the same round trip as another statement (`concat!`).
macro_rules! set_setting_sql {
    () => {
        "INSERT INTO office_settings (key, value) VALUES (?, ?) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    };
}
pub(crate) use set_setting_sql;

/// Reads an office setting.
pub async fn setting(conn: &mut impl Exec, key: &str) -> Result<Option<String>> {
    let rows = conn
        .rows(
            &["SELECT value FROM office_settings WHERE key = ?"],
            Params::InOrder(&[key.into()]),
        )
        .await?;
    rows.first().map(|row| row.at(0)).transpose()
}

/// Writes an office setting.
pub async fn set_setting(conn: &mut impl Exec, key: &str, value: &str) -> Result<()> {
    conn.execute(
        &[set_setting_sql!()],
        Params::InOrder(&[key.into(), value.into()]),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_domain::{NewVisit, TicketNumber, VisitId};
    use sqlx::Connection as _;

    /// A fresh database in memory with the hub's schema.
    async fn memory_db() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("memory db");
        crate::db::MIGRATOR
            .run(&mut conn)
            .await
            .expect("migrations");
        conn
    }

    /// How SQLite runs `sql` on a fresh database: the details of its query plan.
    async fn plan(sql: &str) -> Vec<String> {
        let mut conn = memory_db().await;
        sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {sql}"
        )))
        .bind("2026-12-02")
        .bind(1_i64)
        .fetch_all(&mut conn)
        .await
        .expect("plan")
        .into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect()
    }

    #[tokio::test]
    async fn the_boards_read_the_days_calls_without_reading_the_offices_history() {
        let list = plan(CALLS_OF_DAY_SQL).await;
        assert!(
            list.iter()
                .any(|d| d.contains("visit_events_kind (kind=? AND id>?)")),
            "the day's calls are a range of the kind index: {list:?}"
        );
        let one = plan(CALL_OF_DAY_SQL).await;
        assert!(
            one.iter()
                .any(|d| d.starts_with("SEARCH e USING INTEGER PRIMARY KEY")),
            "one call is found by its id: {one:?}"
        );
        for detail in list.iter().chain(&one) {
            assert!(!detail.starts_with("SCAN e"), "{detail}");
        }
    }

    #[tokio::test]
    async fn the_queue_lists_read_an_index_alone_already_in_visit_order() {
        // One state, or one state of one service: each an index range already in id order.
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        for list in [
            QueueList::new(date, &["waiting"], None),
            QueueList::new(date, &["waiting"], Some(&[ServiceCode::NewPassport])),
        ] {
            let (sql, _) = list.statement();
            let details = plan(&sql).await;
            assert!(
                details.iter().any(|d| d.contains("USING COVERING INDEX")),
                "{sql}: {details:?}"
            );
            assert!(
                !details.iter().any(|d| d.contains("TEMP B-TREE")),
                "in id order without a sort: {sql}: {details:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_tickets_outlook_reads_the_services_recent_times_by_their_key() {
        let details = plan(ticket_outlook_sql!(waiting_tally_sql!(waiting), "?3")).await;
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("SEARCH service_times USING PRIMARY KEY (service=?)")),
            "{details:?}"
        );
        assert!(
            !details.iter().any(|d| d.contains("visit_events")),
            "the office's events are not walked: {details:?}"
        );
    }

    fn stored(id: i64, number: u16) -> (Visit, String) {
        let new = NewVisit {
            id: VisitId(id),
            office_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
            service: ServiceCode::NewPassport,
            lane: loket_domain::Lane::WalkIn,
            ticket: TicketNumber::new('A', number).unwrap_or_else(|_| unreachable!()),
            stages: vec![Stage::Information],
            priority_group: None,
            booking_code: None,
            applicant_index: None,
        };
        let (visit, _) = Visit::issue(new, Utc::now()).unwrap_or_else(|_| unreachable!());
        let json = serde_json::to_string(&visit).unwrap_or_default();
        (visit, json)
    }

    /// A write rolled back (a refused change in a batch) must not leave the cache holding
    /// a revision that a later write takes again: a counted revision would fail here.
    #[tokio::test]
    async fn a_rolled_back_write_leaves_no_revision_for_a_later_one() {
        let mut conn = memory_db().await;
        let cache = VisitCache::default();
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let write = |json: String| {
            sqlx::query(concat!(
                "UPDATE visits SET data = ?, revision = ",
                new_revision_sql!(),
                " WHERE id = 7"
            ))
            .bind(json)
        };
        sqlx::query(concat!(
            "INSERT INTO visits (id, office_date, service, lane, number, ticket, state, issued_at, updated_at, data, revision) \
             VALUES (7, '2026-12-01', 'new_passport', 'walk_in', 1, 'A001', 'waiting', '', '', ?, ",
            new_revision_sql!(),
            ")"
        ))
        .bind(stored(7, 1).1)
        .execute(&mut conn)
        .await
        .expect("insert");
        let ticket = async |conn: &mut SqliteConnection| {
            let visits = load_visits_in(conn, &cache, date, &["waiting"], None)
                .await
                .expect("load");
            visits
                .iter()
                .map(|v| v.ticket.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ticket(&mut conn).await, ["A001"]);
        let mut tx = conn.begin().await.expect("begin");
        write(stored(7, 2).1)
            .execute(&mut *tx)
            .await
            .expect("update");
        assert_eq!(ticket(&mut tx).await, ["A002"]);
        tx.rollback().await.expect("rollback");
        // Written again before anyone read it back.
        write(stored(7, 3).1)
            .execute(&mut conn)
            .await
            .expect("update");
        assert_eq!(ticket(&mut conn).await, ["A003"]);
    }

    #[test]
    fn visit_cache_parses_again_when_the_revision_changed() {
        let cache = VisitCache::default();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let (first, first_json) = stored(7, 1);
        let (second, second_json) = stored(7, 2);
        let ticket = |stored: &[(i64, i64)]| {
            cache
                .known(stored)
                .into_iter()
                .map(|v| v.map(|v| v.ticket))
                .collect::<Vec<_>>()
        };
        assert_eq!(ticket(&[(7, 11)]), [None]);
        assert_eq!(
            cache
                .parse(7, 11, &first_json, today)
                .ok()
                .map(|v| v.ticket),
            Some(first.ticket)
        );
        assert_eq!(ticket(&[(7, 11), (8, 11)]), [Some(first.ticket), None]);
        assert_eq!(ticket(&[(7, -3)]), [None]);
        assert_eq!(
            cache
                .parse(7, -3, &second_json, today)
                .ok()
                .map(|v| v.ticket),
            Some(second.ticket)
        );
        assert_eq!(ticket(&[(7, -3)]), [Some(second.ticket)]);
        assert_eq!(ticket(&[(7, 11)]), [None]);
        // Bad JSON is an error and leaves what was kept.
        assert!(cache.parse(7, 5, "not json", today).is_err());
        assert_eq!(ticket(&[(7, -3)]), [Some(second.ticket)]);
    }
}
