//! The office head's report over any range of office days: the hub reads the range's visits
//! with their events, the counter sessions, the quotas of each day and the BAPs, streams
//! them into `loket_domain::ReportBuilder`, and answers with the JSON figures, or the same
//! figures as CSV or PDF. When the day is closed, that day's report goes to the outbox
//! (`daily_report`) so central gets it.
//!
//! Counter sessions (`counter_sessions`) are recorded here: opening a counter starts one
//! (ending any left open on that counter), closing it or closing the day ends it.

use crate::auth::Principal;
use crate::bap;
use crate::config::HubConfig;
use crate::error::{HubError, Result};
use crate::hub::Hub;
use crate::printouts;
use crate::store::{self, parse_enum, parse_ts, ts};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use futures_util::TryStreamExt;
use loket_documents::{
    CounterFigures as FormCounter, DailyReport, Durations, FeeFigures, QuotaFigures,
    ServiceLaneFigures as FormServiceLane, StageFigures as FormStage, WaitingFigures,
    render_daily_report,
};
use loket_domain::{
    Action, CounterId, CounterSession, DailyQuota, DayKind, DurationStats, Lane, NewVisit,
    OfficeReport, QuotaDay, ReportBuilder, ReportParams, ServiceCode, VisitEvent, VisitRecord,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Longest range a report may cover, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// A named span around a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// The date.
    Day,
    /// Monday to Sunday around the date.
    Week,
    /// The date's calendar month.
    Month,
}

/// `GET /reports?...`: `from` (and `to`), or `date` (default today) with `period`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First day.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive; default `from`).
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// A day inside the period.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Day (default), week or month.
    #[serde(default)]
    pub period: Option<Period>,
}

impl ReportQuery {
    /// The range asked for (`today` when no date is given).
    pub fn range(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
        let (from, to) = match (self.from, self.to) {
            (Some(from), to) => (from, to.unwrap_or(from)),
            (None, Some(_)) => return Err(HubError::ReportRange("to without from".into())),
            (None, None) => {
                let date = self.date.unwrap_or(today);
                match self.period.unwrap_or(Period::Day) {
                    Period::Day => (date, date),
                    Period::Week => {
                        // Checked: a date at the edge of the calendar has no whole week.
                        let out_of_range = || HubError::ReportRange("date out of range".into());
                        let monday = date
                            .checked_sub_signed(Duration::days(i64::from(
                                date.weekday().num_days_from_monday(),
                            )))
                            .ok_or_else(out_of_range)?;
                        let sunday = monday
                            .checked_add_signed(Duration::days(6))
                            .ok_or_else(out_of_range)?;
                        (monday, sunday)
                    }
                    Period::Month => {
                        let first = date.with_day(1).unwrap_or(date);
                        let next = if first.month() == 12 {
                            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                        } else {
                            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                        };
                        (first, next.and_then(|n| n.pred_opt()).unwrap_or(first))
                    }
                }
            }
        };
        if from > to {
            return Err(HubError::ReportRange("from after to".into()));
        }
        if (to - from).num_days() >= MAX_REPORT_DAYS {
            return Err(HubError::ReportRange("longer than 366 days".into()));
        }
        Ok((from, to))
    }
}

/// A counter's name (the report's rows carry ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterName {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// The report as the head's screen gets it: the office, when it was made, and the domain's
/// figures (`loket_domain::OfficeReport`, flattened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    /// Office code.
    pub office_code: String,
    /// Office name.
    pub office_name: String,
    /// WIB, WITA or WIT.
    pub time_zone: String,
    /// When it was computed.
    pub generated_at: DateTime<Utc>,
    /// Days of the range that have been closed.
    pub closed_days: Vec<NaiveDate>,
    /// Names of the counters in `counters`.
    pub counter_names: Vec<CounterName>,
    /// The figures.
    #[serde(flatten)]
    pub report: OfficeReport,
}

/// Starts a counter session (ending one left open on that counter).
pub(crate) async fn session_opened(
    conn: &mut SqliteConnection,
    counter: i64,
    officer: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    session_closed(conn, Some(counter), at).await?;
    sqlx::query("INSERT INTO counter_sessions (counter_id, officer, opened_at) VALUES (?, ?, ?)")
        .bind(counter)
        .bind(officer)
        .bind(ts(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the open session of a counter (every counter's when `None`).
pub(crate) async fn session_closed(
    conn: &mut SqliteConnection,
    counter: Option<i64>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE counter_sessions SET closed_at = ? WHERE closed_at IS NULL AND (? IS NULL OR counter_id = ?)",
    )
    .bind(ts(at))
    .bind(counter)
    .bind(counter)
    .execute(conn)
    .await?;
    Ok(())
}

/// The visits of a range of office days (`?1`..=`?2`), each with its events as one JSON
/// array in event order: `(visit JSON, events JSON array)`, in visit id order.
pub const VISITS_WITH_EVENTS: &str = "SELECT v.data, '[' || COALESCE((SELECT group_concat(e.data, ',' ORDER BY e.id) \
     FROM visit_events e WHERE e.visit_id = v.id), '') || ']' \
     FROM visits v WHERE v.office_date BETWEEN ? AND ? ORDER BY v.id";

/// Computes the report of a range from the database (inside a transaction or on a reader).
pub async fn compute(
    conn: &mut SqliteConnection,
    config: &HubConfig,
    sealer: &crate::seal::Sealer,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<OfficeReport> {
    let rules = &config.rules;
    let tz = rules.time_zone;
    let range_start = tz.instant(from, NaiveTime::MIN);
    let range_end = tz.instant(to, NaiveTime::MIN) + Duration::days(1);

    // Counter sessions overlapping the range (open ones end now).
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT counter_id, officer, opened_at, closed_at FROM counter_sessions \
         WHERE opened_at < ? AND (closed_at IS NULL OR closed_at > ?) ORDER BY id",
    )
    .bind(ts(range_end))
    .bind(ts(range_start))
    .fetch_all(&mut *conn)
    .await?;
    let mut sessions = Vec::with_capacity(rows.len());
    for (counter, officer, opened, closed) in rows {
        sessions.push(CounterSession {
            counter: CounterId(counter),
            officer,
            opened_at: parse_ts(&opened)?,
            closed_at: match closed {
                Some(c) => parse_ts(&c)?,
                None => now,
            },
        });
    }

    // Quotas of each day: the day's override, else the standing table for its kind of day.
    let kinds: Vec<(String, String)> = sqlx::query_as(
        "SELECT office_date, day_kind FROM office_days WHERE office_date BETWEEN ? AND ?",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let kinds: HashMap<String, DayKind> = kinds
        .into_iter()
        .map(|(d, k)| Ok((d, parse_enum(&k)?)))
        .collect::<Result<_>>()?;
    let overrides: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT office_date, service, walk_in, appointment, priority FROM quota_overrides \
         WHERE office_date BETWEEN ? AND ?",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let overrides: HashMap<(String, String), DailyQuota> = overrides
        .into_iter()
        .map(|(d, s, w, a, p)| {
            (
                (d, s),
                DailyQuota {
                    walk_in: u32::try_from(w).unwrap_or(0),
                    appointment: u32::try_from(a).unwrap_or(0),
                    priority: u32::try_from(p).unwrap_or(0),
                },
            )
        })
        .collect();
    let mut quotas = Vec::new();
    let mut day = from;
    while day <= to {
        let key = day.to_string();
        let kind = kinds.get(&key).copied().unwrap_or(DayKind::Regular);
        for def in &rules.services.services {
            let quota = overrides
                .get(&(key.clone(), def.code.as_str().to_string()))
                .copied()
                .unwrap_or_else(|| rules.quotas.quota(kind, def.code));
            quotas.push(QuotaDay {
                date: day,
                service: def.code,
                quota,
            });
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }

    let mut builder = ReportBuilder::new(ReportParams {
        from,
        to,
        time_zone: tz,
        visit_rules: rules.visits,
        fees: rules.fees.clone(),
        quotas,
        sessions,
    });

    // Each visit of the range with its events as one JSON array (in event order), so that
    // SQLite hands over one row per visit rather than one per event.
    {
        let mut rows = sqlx::query_as::<_, (String, String)>(VISITS_WITH_EVENTS)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch(&mut *conn);
        while let Some((visit, events)) = rows.try_next().await? {
            let mut record = record(&visit)?;
            record.events = serde_json::from_str::<Vec<VisitEvent>>(&events)?;
            builder.add_visit(&record);
        }
    }

    for b in bap::latest_in_range(conn, sealer, from, to).await? {
        builder.add_bap(&b);
    }
    Ok(builder.finish())
}

fn record(data: &str) -> Result<VisitRecord> {
    let v = store::visit_from_json(data)?;
    Ok(VisitRecord {
        visit: NewVisit {
            id: v.id,
            office_date: v.office_date,
            service: v.service,
            lane: v.lane,
            ticket: v.ticket,
            stages: v.stages,
            priority_group: v.priority_group,
            booking_code: v.booking_code,
            applicant_index: v.applicant_index,
        },
        issued_at: v.issued_at,
        events: Vec::new(),
    })
}

/// Writes the day's report to the outbox (`daily_report`); called when the day is closed,
/// inside its transaction.
pub(crate) async fn outbox_day_summary(
    hub: &Hub,
    conn: &mut SqliteConnection,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    let report = compute(conn, &hub.inner.config, hub.sealer(), date, date, now).await?;
    store::outbox(
        conn,
        "daily_report",
        json!({"office_code": hub.office_code(), "office_date": date, "report": report}),
        now,
    )
    .await
}

impl Hub {
    /// The report for a range of office days (supervisors, head).
    pub async fn report(&self, who: &Principal, q: &ReportQuery) -> Result<ReportView> {
        who.authorize(Action::ViewReports)?;
        let (from, to) = q.range(self.today())?;
        let config = &self.inner.config;
        let now = self.inner.clock.now();
        let mut conn = self.read().await?;
        let report = compute(&mut conn, config, self.sealer(), from, to, now).await?;
        let closed: Vec<(String,)> = sqlx::query_as(
            "SELECT office_date FROM office_days WHERE closed_at IS NOT NULL AND office_date BETWEEN ? AND ? ORDER BY office_date",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM counters ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
        Ok(ReportView {
            office_code: config.office_code.clone(),
            office_name: config.office_name.clone(),
            time_zone: config.rules.time_zone.abbreviation().to_string(),
            generated_at: now,
            closed_days: closed
                .into_iter()
                .filter_map(|(d,)| d.parse().ok())
                .collect(),
            counter_names: names
                .into_iter()
                .map(|(id, name)| CounterName { id, name })
                .collect(),
            report,
        })
    }

    /// The report as CSV (one figure per line; durations in seconds).
    pub async fn report_csv(&self, who: &Principal, q: &ReportQuery) -> Result<String> {
        Ok(report_csv(&self.report(who, q).await?))
    }

    /// The report as a PDF.
    pub async fn report_pdf(&self, who: &Principal, q: &ReportQuery) -> Result<Vec<u8>> {
        let view = self.report(who, q).await?;
        let head: Option<(String,)> = {
            let mut conn = self.read().await?;
            sqlx::query_as(
                "SELECT display_name FROM officers WHERE role = 'head' AND active = 1 ORDER BY username LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
        };
        let form = report_form(
            &self.inner.config,
            &view,
            head.map(|(n,)| n).unwrap_or_default(),
        );
        printouts::render(form, render_daily_report).await
    }
}

fn counter_name(view: &ReportView, id: CounterId) -> String {
    view.counter_names
        .iter()
        .find(|c| c.id == id.0)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("#{}", id.0))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV header.
pub const CSV_HEADER: &str = "section,service,lane,counter,officer,key,figure,value";

/// The report as CSV: one figure per line (`section,service,lane,counter,officer,key,figure,
/// value`); durations in seconds, money in rupiah.
pub fn report_csv(view: &ReportView) -> String {
    let r = &view.report;
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(CSV_HEADER);
    out.push('\n');
    let mut line = |section: &str,
                    service: &str,
                    lane: &str,
                    counter: &str,
                    officer: &str,
                    key: &str,
                    figure: &str,
                    value: String| {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            section,
            service,
            lane,
            csv_field(counter),
            csv_field(officer),
            key,
            figure,
            value
        );
    };
    line("range", "", "", "", "", "", "from", r.from.to_string());
    line("range", "", "", "", "", "", "to", r.to.to_string());
    let durations = |stats: &DurationStats| -> [(String, String); 5] {
        [
            ("count".into(), stats.count.to_string()),
            ("mean_seconds".into(), format!("{:.1}", stats.mean_seconds)),
            (
                "median_seconds".into(),
                format!("{:.1}", stats.median_seconds),
            ),
            ("p90_seconds".into(), stats.p90_seconds.to_string()),
            ("max_seconds".into(), stats.max_seconds.to_string()),
        ]
    };
    let mut group = |section: &str, service: &str, lane: &str, g: &loket_domain::GroupFigures| {
        let o = &g.outcomes;
        for (figure, value) in [
            ("issued", g.issued),
            ("walk_in", g.walk_in),
            ("appointment", g.appointment),
            ("priority", g.priority),
            ("served", g.served),
            ("no_shows", g.no_shows),
            ("completed", o.completed),
            ("no_show", o.no_show),
            ("closed_unserved", o.closed_unserved),
            ("closed_no_show", o.closed_no_show),
            ("closed_in_service", o.closed_in_service),
            ("closed_parked", o.closed_parked),
            ("open", o.open),
        ] {
            line(
                section,
                service,
                lane,
                "",
                "",
                "",
                figure,
                value.to_string(),
            );
        }
        for (figure, value) in durations(&g.waiting) {
            line(section, service, lane, "", "", "waiting", &figure, value);
        }
        for (figure, value) in durations(&g.waiting_all_stages) {
            line(
                section,
                service,
                lane,
                "",
                "",
                "waiting_all_stages",
                &figure,
                value,
            );
        }
        for s in &g.stages {
            for (figure, value) in durations(&s.service_time) {
                line(
                    section,
                    service,
                    lane,
                    "",
                    "",
                    s.stage.as_str(),
                    &figure,
                    value,
                );
            }
        }
    };
    group("total", "", "", &r.total);
    for s in &r.services {
        group("service", s.service.as_str(), "", &s.figures);
    }
    for s in &r.service_lanes {
        group(
            "service_lane",
            s.service.as_str(),
            s.lane.as_str(),
            &s.figures,
        );
    }
    for c in &r.counters {
        let name = counter_name(view, c.counter);
        let officer = c.officer.clone().unwrap_or_default();
        for (figure, value) in [
            ("sittings", c.sittings.to_string()),
            ("served", c.served.to_string()),
            ("serving_seconds", c.serving_seconds.to_string()),
            (
                "mean_service_seconds",
                format!("{:.1}", c.mean_service_seconds),
            ),
            ("occupied_seconds", c.occupied_seconds.to_string()),
            ("open_seconds", c.open_seconds.to_string()),
            ("idle_seconds", c.idle_seconds.to_string()),
        ] {
            line("counter", "", "", &name, &officer, "", figure, value);
        }
    }
    for (hour, n) in r.arrivals_per_hour.iter().enumerate() {
        line(
            "arrivals",
            "",
            "",
            "",
            "",
            &format!("{hour:02}"),
            "arrivals",
            n.to_string(),
        );
    }
    for q in &r.quotas {
        line(
            "quota",
            q.service.as_str(),
            q.lane.as_str(),
            "",
            "",
            "",
            "quota",
            q.quota.to_string(),
        );
        line(
            "quota",
            q.service.as_str(),
            q.lane.as_str(),
            "",
            "",
            "",
            "used",
            q.used.to_string(),
        );
    }
    for (kind, n) in &r.baps.signed_by_outcome {
        line(
            "bap",
            "",
            "",
            "",
            "",
            kind.as_str(),
            "signed",
            n.to_string(),
        );
    }
    line(
        "bap",
        "",
        "",
        "",
        "",
        "",
        "unsigned",
        r.baps.unsigned.to_string(),
    );
    line(
        "bap",
        "",
        "",
        "",
        "",
        "",
        "unpriced",
        r.baps.unpriced.to_string(),
    );
    for f in &r.fees {
        line(
            "fee",
            "",
            "",
            "",
            "",
            f.item.as_str(),
            "unit_rupiah",
            f.unit_rupiah.to_string(),
        );
        line(
            "fee",
            "",
            "",
            "",
            "",
            f.item.as_str(),
            "count",
            f.count.to_string(),
        );
        line(
            "fee",
            "",
            "",
            "",
            "",
            f.item.as_str(),
            "total_rupiah",
            f.total_rupiah.to_string(),
        );
    }
    line(
        "fee",
        "",
        "",
        "",
        "",
        "",
        "fees_total_rupiah",
        r.fees_total_rupiah.to_string(),
    );
    for v in &r.skipped_visits {
        line(
            "skipped",
            "",
            "",
            "",
            "",
            &v.0.to_string(),
            "visit",
            "1".into(),
        );
    }
    out
}

fn minutes(stats: &DurationStats) -> Durations {
    Durations {
        count: stats.count,
        mean: stats.mean_seconds / 60.0,
        median: stats.median_seconds / 60.0,
        p90: f64::from(stats.p90_seconds) / 60.0,
        max: f64::from(stats.max_seconds) / 60.0,
    }
}

fn lane_name(lane: Lane) -> &'static str {
    match lane {
        Lane::WalkIn => "Walk-in",
        Lane::Appointment => "Janji temu",
        Lane::Priority => "Prioritas",
    }
}

/// The printable report: the same figures as the JSON (times in minutes).
fn report_form(config: &HubConfig, view: &ReportView, head_name: String) -> DailyReport {
    let r = &view.report;
    let services = &config.rules.services;
    let service_name = |code: ServiceCode| {
        services
            .get(code)
            .map(|d| d.name_id.clone())
            .unwrap_or_else(|| code.as_str().to_string())
    };
    let first = r.arrivals_per_hour.iter().position(|&n| n > 0);
    let last = r.arrivals_per_hour.iter().rposition(|&n| n > 0);
    let arrivals_per_hour = match (first, last) {
        (Some(a), Some(b)) => (a..=b)
            .map(|h| (u8::try_from(h).unwrap_or(0), r.arrivals_per_hour[h]))
            .collect(),
        _ => Vec::new(),
    };
    DailyReport {
        office: printouts::office(config),
        date: r.from,
        to: (r.to != r.from).then_some(r.to),
        generated_at: printouts::local(config, view.generated_at),
        time_zone: view.time_zone.clone(),
        services: r
            .service_lanes
            .iter()
            .map(|s| FormServiceLane {
                service: service_name(s.service),
                lane: lane_name(s.lane).to_string(),
                issued: s.figures.issued,
                served: s.figures.served,
                no_shows: s.figures.no_shows,
                walk_in: s.figures.walk_in,
                appointment: s.figures.appointment,
            })
            .collect(),
        waiting_overall: minutes(&r.total.waiting),
        waiting: r
            .services
            .iter()
            .map(|s| WaitingFigures {
                service: service_name(s.service),
                minutes: minutes(&s.figures.waiting),
            })
            .collect(),
        stages: r
            .total
            .stages
            .iter()
            .map(|s| FormStage {
                stage: s.stage.name_id().to_string(),
                minutes: minutes(&s.service_time),
            })
            .collect(),
        counters: r
            .counters
            .iter()
            .map(|c| FormCounter {
                counter: counter_name(view, c.counter),
                officer: c.officer.clone().unwrap_or_else(|| "-".into()),
                served: c.served,
                mean_service_minutes: c.mean_service_seconds / 60.0,
                idle_minutes: c.idle_seconds as f64 / 60.0,
            })
            .collect(),
        arrivals_per_hour,
        quotas: r
            .quotas
            .iter()
            .map(|q| QuotaFigures {
                service: service_name(q.service),
                kind: lane_name(q.lane).to_string(),
                quota: q.quota,
                used: q.used,
            })
            .collect(),
        baps_by_outcome: r
            .baps
            .signed_by_outcome
            .iter()
            .map(|(k, n)| (k.name_id().to_string(), *n))
            .collect(),
        fees: r
            .fees
            .iter()
            .map(|f| FeeFigures {
                item: bap::fee_name(f.item).to_string(),
                count: f.count,
                unit_rupiah: f.unit_rupiah,
            })
            .collect(),
        head_name,
        head_nip: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_at_the_edge_of_the_calendar_is_a_range_error_not_a_panic() {
        for date in [NaiveDate::MIN, NaiveDate::MAX] {
            let q = ReportQuery {
                date: Some(date),
                period: Some(Period::Week),
                from: None,
                to: None,
            };
            match q.range(date) {
                Err(HubError::ReportRange(_)) => {}
                Ok((from, to)) => assert_eq!((to - from).num_days(), 6),
                Err(other) => panic!("{other}"),
            }
        }
        let q = ReportQuery {
            date: NaiveDate::from_ymd_opt(2026, 12, 2),
            period: Some(Period::Week),
            from: None,
            to: None,
        };
        let (from, to) = q
            .range(NaiveDate::MIN)
            .unwrap_or((NaiveDate::MIN, NaiveDate::MIN));
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-11-30".into(), "2026-12-06".into())
        );
    }
}
