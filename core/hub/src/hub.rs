//! The hub's operations: each checks who asks, asks the domain what the rules say, and
//! stores the outcome with its outbox and audit rows in one `BEGIN IMMEDIATE` transaction.
//! Callers (the API, the CLI) get an answer only after the commit.

use crate::auth::{self, Principal, PrincipalKind};
use crate::clock::Clock;
use crate::config::HubConfig;
use crate::db::{Db, Exec, OwnedRow, Params};
use crate::error::{HubError, Result};
use crate::live::LiveEvent;
use crate::speech::Speaker;
use crate::store::{self, enum_str, parse_enum, parse_ts, ts};
use crate::views::*;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use loket_domain::{
    Action, Actor, Applicant, BillingCode, Booking, CheckInError, DailyQuota, DayKind, DeviceKind,
    DomainError, EventKind, Lane, LaneCursor, NewVisit, OfficeIdentity, PaymentKnowledge,
    PaymentStatus, PriorityGroup, Role, ServiceCode, Stage, TransferTarget, Visit, VisitId,
    check_in, check_nik, check_quota, end_of_day, estimate_wait, next_ticket_number, policy,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqliteConnection;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::broadcast;

const CURSOR_KEY: &str = "lane_cursor";

/// The office hub: database, configuration, clock and live channel. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    pub(crate) inner: Arc<Inner>,
}

/// What a [`Hub`] shares between its clones. Crate-visible so that each area of the hub
/// (BAP, pickup, reports, ...) can keep its operations in a module of its own.
pub(crate) struct Inner {
    pub(crate) db: Db,
    pub(crate) config: HubConfig,
    pub(crate) clock: Clock,
    pub(crate) live: broadcast::Sender<std::sync::Arc<crate::live::LiveMessage>>,
    pub(crate) speaker: Speaker,
    pub(crate) sync: std::sync::RwLock<crate::sync::SyncState>,
    /// Seals personal data at rest (BAP contents, biometrics): see [`crate::seal`].
    pub(crate) sealer: crate::seal::Sealer,
    /// Passport photos: files, processor, permits (see [`crate::photo`]).
    pub(crate) photos: crate::photo::PhotoState,
    /// Visits parsed from the database, reused while unchanged (see [`store::VisitCache`]).
    pub(crate) visits: store::VisitCache,
}

/// A request to issue a walk-in or priority ticket.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Service.
    pub service: ServiceCode,
    /// `walk_in` (default) or `priority`.
    #[serde(default = "default_lane")]
    pub lane: Lane,
    /// Required for the priority lane.
    #[serde(default)]
    pub priority_group: Option<PriorityGroup>,
}

fn default_lane() -> Lane {
    Lane::WalkIn
}

/// What a counter does to the visit it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterAction {
    /// Call it again.
    Recall,
    /// Start serving (the applicant arrived).
    Start,
    /// Mark absent after N calls.
    NoShow,
    /// Set aside.
    Park,
    /// Finish the current stage.
    Finish,
    /// Send to another stage and/or counter.
    Transfer(TransferTarget),
}

/// The bookings file `loket import-bookings` and `POST /bookings/import` read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingsFile {
    /// The bookings (the `loket-domain` booking shape).
    pub bookings: Vec<Booking>,
}

/// One quota line to set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaSetting {
    /// Service.
    pub service: ServiceCode,
    /// Walk-in quota.
    pub walk_in: u32,
    /// Appointment quota.
    pub appointment: u32,
    /// Priority quota.
    pub priority: u32,
}

/// Quotas (and optionally the kind of day) of one date.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotasRequest {
    /// Kind of day to set for the date (e.g. `weekend_simpatik`); absent: unchanged.
    #[serde(default)]
    pub day_kind: Option<DayKind>,
    /// Quota lines.
    #[serde(default)]
    pub quotas: Vec<QuotaSetting>,
}

/// Seals personal data written in clear before migration 0006 (once; see
/// [`crate::personal`]), then checkpoints the WAL so the clear text leaves it too.
async fn seal_old_rows(db: &Db, sealer: &crate::seal::Sealer, clock: &Clock) -> Result<()> {
    let (sealer, now) = (sealer.clone(), clock.now());
    let done = db
        .write(move |tx| {
            Box::pin(async move {
                let done = crate::personal::seal_plaintext_rows(tx, &sealer).await?;
                if done.total() > 0 {
                    store::audit(
                        tx,
                        &Principal::local("hub start"),
                        "seal_personal_data",
                        None,
                        json!({"baps": done.baps, "pickups": done.pickups,
                               "signatures": done.signatures, "outbox": done.outbox}),
                        now,
                    )
                    .await?;
                }
                Ok(done)
            })
        })
        .await?;
    if done.total() > 0 {
        db.checkpoint_truncate().await?;
        tracing::info!(
            baps = done.baps,
            pickups = done.pickups,
            signatures = done.signatures,
            outbox = done.outbox,
            "personal data written before sealing is now sealed"
        );
    }
    Ok(())
}

impl Hub {
    /// Opens the hub's database in `data_dir` (running migrations) with the system clock.
    pub async fn open(data_dir: &Path, config: HubConfig) -> Result<Hub> {
        Hub::open_with_clock(data_dir, config, Clock::default()).await
    }

    /// Opens the hub with a given clock (tests move it).
    pub async fn open_with_clock(data_dir: &Path, config: HubConfig, clock: Clock) -> Result<Hub> {
        config.validate()?;
        let db = Db::open(data_dir).await?;
        let sealer = crate::seal::Sealer::open_or_create(data_dir)?;
        seal_old_rows(&db, &sealer, &clock).await?;
        let (live, _) = broadcast::channel(1024);
        Ok(Hub {
            inner: Arc::new(Inner {
                db,
                config,
                clock,
                live,
                speaker: Speaker::default(),
                sync: std::sync::RwLock::default(),
                sealer,
                photos: crate::photo::PhotoState::new(data_dir),
                visits: store::VisitCache::default(),
            }),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// The sealer of personal data at rest (the data folder's `seal.key`).
    pub fn sealer(&self) -> &crate::seal::Sealer {
        &self.inner.sealer
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Subscribes to live events.
    pub fn subscribe(&self) -> broadcast::Receiver<std::sync::Arc<crate::live::LiveMessage>> {
        self.inner.live.subscribe()
    }

    /// Today's office date.
    pub fn today(&self) -> NaiveDate {
        self.inner
            .config
            .rules
            .time_zone
            .office_date(self.inner.clock.now())
    }

    pub(crate) fn publish(&self, event: LiveEvent) {
        // No subscriber is fine.
        let _ = self.inner.live.send(crate::live::LiveMessage::new(event));
    }

    pub(crate) fn office_code(&self) -> &str {
        &self.inner.config.office_code
    }

    pub(crate) async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        Ok(self.inner.db.reader.acquire().await?)
    }

    /// A reader in a read transaction: its reads see one snapshot of the database (for
    /// [`store::load_visits_in`], which reads twice). Dropped, it ends.
    pub(crate) async fn read_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.inner.db.reader.begin().await?)
    }

    // ---- who asks ----------------------------------------------------------------------

    /// Finds who a bearer token belongs to. `device` is the officer's workstation name.
    pub async fn authenticate(&self, token: &str, device: Option<String>) -> Result<Principal> {
        let now = self.inner.clock.now();
        if token.starts_with(auth::SESSION_PREFIX) {
            let row = self
                .token_row(
                    "SELECT s.username, s.expires_at, s.revoked_at, o.role, o.active FROM sessions s \
                     JOIN officers o ON o.username = s.username WHERE s.token_hash = ?",
                    token,
                )
                .await?
                .ok_or(HubError::Unauthenticated)?;
            let (username, expires_at, revoked_at, role, active): (
                String,
                String,
                Option<String>,
                String,
                bool,
            ) = (row.at(0)?, row.at(1)?, row.at(2)?, row.at(3)?, row.at(4)?);
            if revoked_at.is_some() || !active || parse_ts(&expires_at)? <= now {
                return Err(HubError::SessionExpired);
            }
            let role: Role = parse_enum(&role)?;
            return Ok(Principal::officer(&username, role, device));
        }
        if token.starts_with(auth::DEVICE_PREFIX) {
            let row = self
                .token_row(
                    "SELECT name, kind FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                    token,
                )
                .await?
                .ok_or(HubError::Unauthenticated)?;
            let (name, kind): (String, String) = (row.at(0)?, row.at(1)?);
            return Ok(Principal::device(&name, parse_enum(&kind)?));
        }
        Err(HubError::Unauthenticated)
    }

    /// The row `sql` finds by the hash of `token` (its one parameter), if any: a lookup by
    /// key on every request, so on the calling thread ([`Db::read_inline`]).
    async fn token_row(&self, sql: &'static str, token: &str) -> Result<Option<OwnedRow>> {
        let hash = store::Param::from(auth::token_hash(token));
        let rows = self
            .inner
            .db
            .read_inline(move |conn| {
                Box::pin(async move { conn.rows(&[sql], Params::InOrder(&[hash])).await })
            })
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Logs an officer in: argon2id check, lockout after repeated failures, a new session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        device: Option<String>,
    ) -> Result<SessionView> {
        let cfg = &self.inner.config;
        let row: Option<(String, String, String, i64, Option<String>, bool)> = {
            let mut conn = self.read().await?;
            sqlx::query_as(
                "SELECT display_name, role, password_hash, failed_logins, locked_until, active FROM officers WHERE username = ?",
            )
            .bind(username)
            .fetch_optional(&mut *conn)
            .await?
        };
        let Some((display_name, role, stored, _, locked_until, active)) = row else {
            return Err(HubError::BadCredentials);
        };
        let now = self.inner.clock.now();
        if let Some(until) = locked_until.as_deref().map(parse_ts).transpose()?
            && until > now
        {
            let minutes = (until - now).num_seconds().div_euclid(60) + 1;
            return Err(HubError::AccountLocked { minutes });
        }
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || auth::verify_password(&pw, &stored))
            .await
            .unwrap_or(false);
        let cfg = cfg.clone();
        let username = username.to_string();
        let user = username.clone();
        let hub = self.clone();
        let outcome = self
            .inner
            .db
            .write(move |conn| {
                Box::pin(async move {
                    let tx = conn;
                    let now = hub.inner.clock.now();
                    if !ok || !active {
                        let failed: (i64,) = sqlx::query_as(
                            "UPDATE officers SET failed_logins = failed_logins + 1 WHERE username = ? RETURNING failed_logins",
                        )
                        .bind(&user)
                        .fetch_one(&mut *tx)
                        .await?;
                        let lock = failed.0 >= i64::from(cfg.max_failed_logins);
                        if lock {
                            let until = now + Duration::minutes(i64::from(cfg.lockout_minutes));
                            sqlx::query("UPDATE officers SET failed_logins = 0, locked_until = ? WHERE username = ?")
                                .bind(ts(until))
                                .bind(&user)
                                .execute(&mut *tx)
                                .await?;
                        }
                        let action = if lock { "account_locked" } else { "login_failed" };
                        let who = Principal { device: device.clone(), ..Principal::local(&user) };
                        store::audit(tx, &who, action, Some(&user), json!({}), now).await?;
                        // The failure is stored: answer with the refusal after the commit.
                        return Ok(Err(if lock {
                            HubError::AccountLocked { minutes: i64::from(cfg.lockout_minutes) }
                        } else {
                            HubError::BadCredentials
                        }));
                    }
                    let role: Role = parse_enum(&role)?;
                    let token = auth::new_token(auth::SESSION_PREFIX);
                    let expires_at = now + Duration::hours(i64::from(cfg.session_hours));
                    sqlx::query("UPDATE officers SET failed_logins = 0, locked_until = NULL WHERE username = ?")
                        .bind(&user)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)")
                        .bind(auth::token_hash(&token))
                        .bind(&user)
                        .bind(ts(now))
                        .bind(ts(expires_at))
                        .execute(&mut *tx)
                        .await?;
                    let officer = Principal::officer(&user, role, device);
                    store::audit(tx, &officer, "login", Some(&user), json!({}), now).await?;
                    Ok(Ok(SessionView { token, expires_at, user: UserView { username: user.clone(), display_name, role } }))
                })
            })
            .await?;
        if outcome.is_err() {
            tracing::warn!("log-in refused");
        }
        let _ = username;
        outcome
    }

    /// Ends an officer session.
    pub async fn logout(&self, who: &Principal, token: &str) -> Result<()> {
        let now = self.inner.clock.now();
        let who = who.clone();
        let token_hash = auth::token_hash(token);
        self.inner
            .db
            .write(move |tx| {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL")
                        .bind(ts(now))
                        .bind(token_hash)
                        .execute(&mut *tx)
                        .await?;
                    store::audit(tx, &who, "logout", Some(&who.name), json!({}), now).await
                })
            })
            .await
    }

    /// Who a principal is, for `GET /auth/me`.
    pub async fn me(&self, who: &Principal) -> Result<MeView> {
        Ok(match who.kind {
            PrincipalKind::Actor(Actor::Officer(role)) => MeView {
                kind: "officer".into(),
                name: who.name.clone(),
                role: Some(role),
                device_kind: None,
            },
            PrincipalKind::Actor(Actor::Device(kind)) => MeView {
                kind: "device".into(),
                name: who.name.clone(),
                role: None,
                device_kind: Some(enum_str(&kind)),
            },
            PrincipalKind::Local => MeView {
                kind: "local".into(),
                name: who.name.clone(),
                role: None,
                device_kind: None,
            },
        })
    }

    /// Creates an officer account.
    pub async fn add_user(
        &self,
        who: &Principal,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<UserView> {
        who.authorize(Action::ManageUsers)?;
        let username = username.trim();
        if username.is_empty() || username.len() > 64 || password.len() < 8 {
            return Err(HubError::BadRequest(
                "user name 1-64 characters, password at least 8 characters".to_string(),
            ));
        }
        let pw = password.to_string();
        let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
            .await
            .map_err(|e| HubError::Corrupt(e.to_string()))??;
        let now = self.inner.clock.now();
        let (who, username, display_name) =
            (who.clone(), username.to_string(), display_name.to_string());
        let office = self.office_code().to_string();
        self.inner
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let exists: Option<(String,)> = sqlx::query_as("SELECT username FROM officers WHERE username = ?")
                        .bind(&username)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if exists.is_some() {
                        return Err(HubError::AlreadyExists(format!("user {username}")));
                    }
                    sqlx::query(
                        "INSERT INTO officers (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(&username)
                    .bind(&display_name)
                    .bind(role.as_str())
                    .bind(hash)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await?;
                    store::audit(tx, &who, "user_add", Some(&username), json!({"role": role}), now).await?;
                    store::outbox(tx, "user_added", json!({"office_code": office, "username": username, "role": role}), now)
                        .await?;
                    Ok(UserView { username, display_name, role })
                })
            })
            .await
    }

    /// Lists officer accounts.
    pub async fn users(&self, who: &Principal) -> Result<Vec<UserView>> {
        who.authorize(Action::ManageUsers)?;
        let mut conn = self.read().await?;
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT username, display_name, role FROM officers ORDER BY username")
                .fetch_all(&mut *conn)
                .await?;
        rows.into_iter()
            .map(|(username, display_name, role)| {
                Ok(UserView {
                    username,
                    display_name,
                    role: parse_enum(&role)?,
                })
            })
            .collect()
    }

    /// Registers a kiosk or display device; returns its token (shown once).
    pub async fn add_device(
        &self,
        who: &Principal,
        kind: DeviceKind,
        name: &str,
    ) -> Result<String> {
        let token = auth::new_token(auth::DEVICE_PREFIX);
        self.add_device_with_token(who, kind, name, &token).await?;
        Ok(token)
    }

    /// Registers a device with a given token (demo mode's fixed tokens).
    pub async fn add_device_with_token(
        &self,
        who: &Principal,
        kind: DeviceKind,
        name: &str,
        token: &str,
    ) -> Result<()> {
        who.authorize(Action::ManageDevices)?;
        let name = name.trim();
        if name.is_empty() || name.len() > 64 || !token.starts_with(auth::DEVICE_PREFIX) {
            return Err(HubError::BadRequest(
                "device name 1-64 characters".to_string(),
            ));
        }
        let now = self.inner.clock.now();
        let (who, name, hash) = (who.clone(), name.to_string(), auth::token_hash(token));
        self.inner
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let exists: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM devices WHERE name = ?").bind(&name).fetch_optional(&mut *tx).await?;
                    if exists.is_some() {
                        return Err(HubError::AlreadyExists(format!("device {name}")));
                    }
                    sqlx::query("INSERT INTO devices (kind, name, token_hash, created_at) VALUES (?, ?, ?, ?)")
                        .bind(enum_str(&kind))
                        .bind(&name)
                        .bind(hash)
                        .bind(ts(now))
                        .execute(&mut *tx)
                        .await?;
                    store::audit(tx, &who, "device_add", Some(&name), json!({"kind": kind}), now).await
                })
            })
            .await
    }

    // ---- services, office ----------------------------------------------------------------

    /// The office and today.
    pub async fn office(&self) -> Result<OfficeView> {
        let now = self.inner.clock.now();
        let tz = self.inner.config.rules.time_zone;
        let date = tz.office_date(now);
        let mut conn = self.read().await?;
        let day_kind = store::day_kind(&mut conn, date).await?;
        Ok(OfficeView {
            code: self.inner.config.office_code.clone(),
            name: self.inner.config.office_name.clone(),
            time_zone: tz.abbreviation().to_string(),
            office_date: date,
            day_kind,
            now,
        })
    }

    /// The services with today's quotas, use and estimated wait. Any principal may read.
    pub async fn services(&self) -> Result<Vec<ServiceView>> {
        let rules = &self.inner.config.rules;
        let date = self.today();
        let mut conn = self.read().await?;
        let mut out = Vec::new();
        for def in &rules.services.services {
            let store::QuotaState {
                kind, quota, used, ..
            } = store::quota_state(&mut *conn, &rules.quotas, date, def.code).await?;
            let outlook =
                store::ticket_outlook(&mut *conn, date, def.code, None, self.wait_sample()).await?;
            let waiting = outlook.ahead;
            let first = def.first_stage().unwrap_or(Stage::Information);
            let estimated =
                self.estimate_from(&outlook.counters, def.code, first, waiting, &outlook.recent);
            out.push(ServiceView {
                code: def.code,
                letter: def.letter,
                name_id: def.name_id.clone(),
                name_en: def.name_en.clone(),
                stages: def.stages.iter().copied().map(StageView::new).collect(),
                needs_bap: def.needs_bap,
                offered_today: def.offered_on(kind),
                quota,
                used,
                left: DailyQuota {
                    walk_in: quota.walk_in.saturating_sub(used.walk_in),
                    appointment: quota.appointment.saturating_sub(used.appointment),
                    priority: quota.priority.saturating_sub(used.priority),
                },
                waiting,
                estimated_wait_minutes: estimated,
            });
        }
        Ok(out)
    }

    /// The estimated wait from the counters open for `service` at `stage` and the recent
    /// service times (oldest first).
    fn estimate_from(
        &self,
        counters: &[store::CounterRow],
        service: ServiceCode,
        stage: Stage,
        ahead: u32,
        recent: &[u32],
    ) -> Option<u64> {
        let open = counters
            .iter()
            .filter(|c| c.counter.open && c.counter.serves(service, stage))
            .count();
        let open = u32::try_from(open).unwrap_or(u32::MAX);
        estimate_wait(ahead, recent, open, &self.inner.config.rules.wait).minutes()
    }

    // ---- tickets and check-in ------------------------------------------------------------

    /// Issues a walk-in or priority ticket.
    pub async fn issue_ticket(&self, who: &Principal, req: IssueRequest) -> Result<TicketView> {
        who.authorize(Action::IssueTicket)?;
        let priority_group = match (req.lane, req.priority_group) {
            (Lane::Appointment, _) => {
                return Err(HubError::BadRequest(
                    "appointments get their tickets by check-in; use lane walk_in or priority"
                        .into(),
                ));
            }
            (Lane::Priority, None) => {
                return Err(HubError::BadRequest(
                    "the priority lane needs a priority_group".into(),
                ));
            }
            (Lane::Priority, Some(g)) => Some(g),
            (Lane::WalkIn, _) => None,
        };
        let (visit, outlook) = {
            let (hub, who) = (self.clone(), who.clone());
            // The busiest change: its statements run on the writer's thread (db.rs).
            self.inner.db.write_direct(move |conn| Box::pin(async move {
            let rules = &hub.inner.config.rules;
            let now = hub.inner.clock.now();
            let date = rules.time_zone.office_date(now);
            let store::TicketIssue { quota: store::QuotaState { kind, quota, used, .. }, taken, tail, outlook } =
                store::take_number_for_ticket(
                    conn, &rules.quotas, date, req.service, hub.wait_sample(),
                    req.lane == Lane::Priority && rules.calls.priority_first,
                ).await?;
            check_quota(&rules.services, &quota, kind, req.service, req.lane, used.for_lane(req.lane))?;
            let (visit, event) =
                hub.issued_visit(date, req.service, req.lane, priority_group, None, now, taken)?;
            let audit = tail.seal(
                &who,
                "issue_ticket",
                Some(&visit.ticket.to_string()),
                &json!({"service": req.service, "lane": req.lane, "priority_group": priority_group, "visit_id": visit.id.0}),
                now,
            );
            store::insert_visit(conn, hub.office_code(), &visit, &event, false, &who, Some(audit)).await?;
            Ok((visit, outlook))
            })).await?
        };
        self.publish(LiveEvent::QueueChanged {
            office_date: visit.office_date,
            service: visit.service,
        });
        self.ticket_view_from(&visit, false, &outlook)
    }

    /// The visit with the number and id `taken`, issued through the domain, with its
    /// `Issued` event: not stored yet.
    #[allow(clippy::too_many_arguments)]
    fn issued_visit(
        &self,
        date: NaiveDate,
        service: ServiceCode,
        lane: Lane,
        priority_group: Option<PriorityGroup>,
        booking: Option<(&str, u8)>,
        now: DateTime<Utc>,
        taken: store::TakenNumber,
    ) -> Result<(Visit, loket_domain::VisitEvent)> {
        let def = self.inner.config.rules.services.require(service)?;
        // The number comes from the domain, which refuses one past 999 (the change then
        // rolls back with the counter).
        let store::TakenNumber {
            number,
            visit_id: id,
        } = taken;
        let last = u16::try_from(number - 1).unwrap_or(u16::MAX);
        let ticket = next_ticket_number(def.letter, Some(last))?;
        if i64::from(ticket.number()) != number {
            return Err(HubError::Corrupt(format!(
                "ticket counter of {service} on {date} is at {number}"
            )));
        }
        let new = NewVisit {
            id: VisitId(id),
            office_date: date,
            service,
            lane,
            ticket,
            stages: def.stages.clone(),
            priority_group,
            booking_code: booking.map(|(c, _)| c.to_string()),
            applicant_index: booking.map(|(_, i)| i),
        };
        Ok(Visit::issue(new, now)?)
    }

    /// Issues the checked-in visit of applicant `index` of booking `code` with the number
    /// and id `taken`, and stores it with its `Issued` and `CheckedIn` events.
    #[allow(clippy::too_many_arguments)]
    async fn new_appointment_visit(
        &self,
        conn: &mut SqliteConnection,
        who: &Principal,
        date: NaiveDate,
        service: ServiceCode,
        (code, index): (&str, u8),
        now: DateTime<Utc>,
        payment_not_verified: bool,
        taken: store::TakenNumber,
    ) -> Result<Visit> {
        let (visit, event) = self.issued_visit(
            date,
            service,
            Lane::Appointment,
            None,
            Some((code, index)),
            now,
            taken,
        )?;
        store::insert_visit(
            conn,
            self.office_code(),
            &visit,
            &event,
            payment_not_verified,
            who,
            None,
        )
        .await?;
        let (visit, _) = store::apply_event(
            conn,
            self.office_code(),
            &self.inner.config.rules.visits,
            &visit,
            EventKind::CheckedIn,
            now,
            who,
        )
        .await?;
        Ok(visit)
    }

    /// How many recent service times the wait estimate looks at.
    fn wait_sample(&self) -> i64 {
        i64::try_from(self.inner.config.rules.wait.sample_size).unwrap_or(i64::MAX)
    }

    /// The view of a stored visit's ticket, its outlook read now.
    async fn ticket_view(&self, visit: &Visit, payment_not_verified: bool) -> Result<TicketView> {
        let outlook = {
            let mut conn = self.read().await?;
            store::ticket_outlook(
                &mut *conn,
                visit.office_date,
                visit.service,
                Some(visit.id.0),
                self.wait_sample(),
            )
            .await?
        };
        self.ticket_view_from(visit, payment_not_verified, &outlook)
    }

    /// The view of a visit's ticket from its `outlook`.
    fn ticket_view_from(
        &self,
        visit: &Visit,
        payment_not_verified: bool,
        outlook: &store::TicketOutlook,
    ) -> Result<TicketView> {
        let def = self.inner.config.rules.services.require(visit.service)?;
        let ahead = outlook.ahead;
        let estimated = self.estimate_from(
            &outlook.counters,
            visit.service,
            visit.current_stage(),
            ahead,
            &outlook.recent,
        );
        Ok(TicketView {
            id: visit.id.0,
            ticket: visit.ticket.to_string(),
            service: visit.service,
            service_name_id: def.name_id.clone(),
            service_name_en: def.name_en.clone(),
            lane: visit.lane,
            priority_group: visit.priority_group,
            office_date: visit.office_date,
            issued_at: visit.issued_at,
            booking_code: visit.booking_code.clone(),
            applicant_index: visit.applicant_index,
            payment_not_verified,
            ahead,
            estimated_wait_minutes: estimated,
        })
    }

    /// Checks in an M-Paspor booking: one visit per applicant. Idempotent: a booking
    /// checked in before returns its tickets again.
    pub async fn check_in(&self, who: &Principal, booking_code: &str) -> Result<CheckInView> {
        who.authorize(Action::CheckIn)?;
        let code = normalize_code(booking_code);
        let (visits, flags, already) = {
            let (hub, who, code) = (self.clone(), who.clone(), code.clone());
            self.inner.db.write(move |tx| Box::pin(async move {
            let rules = &hub.inner.config.rules;
            let now = hub.inner.clock.now();
            let (booking, stale) = load_booking(tx, &code).await?.ok_or(CheckInError::BookingNotFound)?;
            let done: Option<(String,)> = sqlx::query_as("SELECT flags FROM check_ins WHERE booking_code = ?")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((flags,)) = done {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT data FROM visits WHERE booking_code = ? ORDER BY applicant_index",
                )
                .bind(&code)
                .fetch_all(&mut *tx)
                .await?;
                let visits = rows.iter().map(|(d,)| store::visit_from_json(d)).collect::<Result<Vec<_>>>()?;
                Ok((visits, serde_json::from_str(&flags)?, true))
            } else {
                let fresh = Duration::hours(i64::from(hub.inner.config.payment_fresh_hours));
                // Confirmed when last downloaded, or when a later sync round drained the
                // feed (central had nothing newer then).
                let confirmed = hub.payments_confirmed_at();
                let stale = stale.map(|at| confirmed.map_or(at, |c| at.max(c)));
                let knowledge = if stale.is_none_or(|at| now - at > fresh) {
                    PaymentKnowledge::Stale
                } else {
                    PaymentKnowledge::Current
                };
                let office = OfficeIdentity { code: hub.inner.config.office_code.clone(), time_zone: rules.time_zone };
                let decision = check_in(&booking, &office, now, &rules.check_in, knowledge)?;
                let date = decision.office_date;
                let mut visits = Vec::new();
                for (index, service) in decision.services.iter().copied().enumerate() {
                    let (store::QuotaState { kind, quota, used, .. }, taken) =
                        store::take_number(tx, &rules.quotas, date, service).await?;
                    check_quota(&rules.services, &quota, kind, service, Lane::Appointment, used.appointment)?;
                    let index = u8::try_from(index).unwrap_or(u8::MAX);
                    let visit = hub
                        .new_appointment_visit(
                            tx,
                            &who,
                            date,
                            service,
                            (&code, index),
                            now,
                            !decision.payment_verified(),
                            taken,
                        )
                        .await?;
                    visits.push(visit);
                }
                let flags_json = serde_json::to_string(&decision.flags)?;
                sqlx::query("INSERT INTO check_ins (booking_code, office_date, at, flags, actor) VALUES (?, ?, ?, ?, ?)")
                    .bind(&code)
                    .bind(date.to_string())
                    .bind(ts(now))
                    .bind(&flags_json)
                    .bind(&who.name)
                    .execute(&mut *tx)
                    .await?;
                let tickets: Vec<String> = visits.iter().map(|v| v.ticket.to_string()).collect();
                store::outbox(
                    tx,
                    "booking_checked_in",
                    json!({"office_code": hub.office_code(), "booking_code": code, "office_date": date,
                           "at": now, "flags": decision.flags, "tickets": tickets,
                           "visit_ids": visits.iter().map(|v| v.id.0).collect::<Vec<_>>()}),
                    now,
                )
                .await?;
                store::audit(tx, &who, "check_in", Some(&code), json!({"tickets": tickets, "flags": decision.flags}), now)
                    .await?;
                Ok((visits, decision.flags, false))
            }
            })).await?
        };
        let not_verified = flags.contains(&loket_domain::CheckInFlag::PaymentNotVerified);
        let mut tickets = Vec::new();
        for v in &visits {
            if !already {
                self.publish(LiveEvent::QueueChanged {
                    office_date: v.office_date,
                    service: v.service,
                });
            }
            tickets.push(self.ticket_view(v, not_verified).await?);
        }
        Ok(CheckInView {
            booking_code: code,
            already_checked_in: already,
            flags,
            tickets,
        })
    }

    /// Imports (inserts or replaces) bookings. Every applicant's NIK is checked first; one
    /// bad booking refuses the whole file.
    pub async fn import_bookings(&self, who: &Principal, file: BookingsFile) -> Result<usize> {
        who.authorize(Action::ImportBookings)?;
        for b in &file.bookings {
            if b.applicants.is_empty() || b.applicants.len() > loket_domain::MAX_APPLICANTS {
                return Err(CheckInError::BookingInvalid {
                    applicants: b.applicants.len(),
                }
                .into());
            }
            for a in &b.applicants {
                check_nik(&a.nik, b.date, None)?;
            }
            if normalize_code(&b.code).is_empty() {
                return Err(HubError::BadRequest(
                    "booking code must not be empty".into(),
                ));
            }
        }
        let now = self.inner.clock.now();
        let who = who.clone();
        self.inner.db.write(move |tx| Box::pin(async move {
        for b in &file.bookings {
            let code = normalize_code(&b.code);
            sqlx::query(
                "INSERT INTO bookings (code, office_code, booking_date, slot_start, payment, billing_code, cancelled, \
                 rescheduled, payment_stale, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) \
                 ON CONFLICT(code) DO UPDATE SET office_code = excluded.office_code, booking_date = excluded.booking_date, \
                 slot_start = excluded.slot_start, payment = excluded.payment, billing_code = excluded.billing_code, \
                 cancelled = excluded.cancelled, rescheduled = excluded.rescheduled, payment_stale = 0, \
                 updated_at = excluded.updated_at",
            )
            .bind(&code)
            .bind(b.office_code.trim())
            .bind(b.date.to_string())
            .bind(b.slot_start.format("%H:%M").to_string())
            .bind(enum_str(&b.payment))
            .bind(b.billing_code.as_ref().map(|c| c.as_str().to_string()))
            .bind(b.cancelled)
            .bind(b.rescheduled)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM applicants WHERE booking_code = ?").bind(&code).execute(&mut *tx).await?;
            for (i, a) in b.applicants.iter().enumerate() {
                sqlx::query("INSERT INTO applicants (booking_code, idx, name, nik, service) VALUES (?, ?, ?, ?, ?)")
                    .bind(&code)
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .bind(a.name.trim())
                    .bind(a.nik.trim())
                    .bind(a.service.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        store::audit(tx, &who, "import_bookings", None, json!({"bookings": file.bookings.len()}), now).await?;
        Ok(file.bookings.len())
        })).await
    }

    /// Checks a NIK (and, given, against a declared birth date).
    pub fn check_nik(
        &self,
        who: &Principal,
        nik: &str,
        birth_date: Option<NaiveDate>,
    ) -> Result<NikView> {
        who.authorize(Action::ReadQueue)?;
        let checked = check_nik(nik, self.today(), birth_date)?;
        Ok(NikView {
            valid: true,
            province: checked.info.province,
            regency: checked.info.regency,
            district: checked.info.district,
            birth_date: checked.info.birth_date,
            sex: checked.info.sex,
            warnings: checked
                .warnings
                .iter()
                .map(|w| WarningView {
                    code: w.code().to_string(),
                    message_id: w.message_id(),
                    message_en: w.message_en(),
                })
                .collect(),
        })
    }

    // ---- queue and counters --------------------------------------------------------------

    async fn visit_views<V: std::borrow::Borrow<Visit>>(
        &self,
        conn: &mut impl Exec,
        visits: &[V],
    ) -> Result<Vec<VisitView>> {
        let now = self.inner.clock.now();
        // One statement for all of them (a queue view lists hundreds).
        let ids: Vec<i64> = visits.iter().map(|v| v.borrow().id.0).collect();
        let rows = conn
            .rows(
                &["SELECT v.id, v.payment_not_verified, a.name FROM visits v LEFT JOIN applicants a \
                   ON a.booking_code = v.booking_code AND a.idx = v.applicant_index \
                   WHERE v.id IN (SELECT value FROM json_each(?))"],
                Params::InOrder(&[serde_json::to_string(&ids)?.into()]),
            )
            .await?;
        let mut extra = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let (id, pnv, name): (i64, bool, Option<String>) = (row.at(0)?, row.at(1)?, row.at(2)?);
            extra.insert(id, (pnv, name));
        }
        Ok(visits
            .iter()
            .map(|v| {
                let v = v.borrow();
                let (pnv, name) = extra.remove(&v.id.0).unwrap_or((false, None));
                VisitView::new(v, name, pnv, now)
            })
            .collect())
    }

    /// The view of a visit a call or counter action has just changed, read by key on the
    /// calling thread ([`Db::read_inline`]).
    async fn visit_view_after_change(&self, visit: Visit) -> Result<VisitView> {
        let hub = self.clone();
        let views = self
            .inner
            .db
            .read_inline(move |conn| Box::pin(async move { hub.visit_views(conn, &[visit]).await }))
            .await?;
        views
            .into_iter()
            .next()
            .ok_or_else(|| HubError::Corrupt("a visit's view was not made".into()))
    }

    /// Today's open visits in queue order, optionally of one service.
    pub async fn queue(
        &self,
        who: &Principal,
        service: Option<ServiceCode>,
    ) -> Result<Vec<VisitView>> {
        who.authorize(Action::ReadQueue)?;
        let mut conn = self.read_snapshot().await?;
        let mut visits = store::load_visits_in(
            &mut *conn,
            &self.inner.visits,
            self.today(),
            &[
                "awaiting_check_in",
                "waiting",
                "called",
                "in_service",
                "parked",
            ],
            None,
        )
        .await?;
        visits.retain(|v| service.is_none_or(|s| v.service == s));
        visits.sort_by_key(|v| v.queue_key());
        self.visit_views(&mut *conn, &visits).await
    }

    /// One visit.
    pub async fn visit(&self, who: &Principal, id: i64) -> Result<VisitView> {
        who.authorize(Action::ReadQueue)?;
        let mut conn = self.read().await?;
        let v = store::load_visit(&mut conn, id).await?;
        Ok(self.visit_views(&mut *conn, &[v]).await?.remove(0))
    }

    /// Every counter.
    pub async fn counters(&self, who: &Principal) -> Result<Vec<CounterView>> {
        who.authorize(Action::ReadQueue)?;
        let mut conn = self.read().await?;
        self.counter_views(&mut conn).await
    }

    async fn counter_views(&self, conn: &mut SqliteConnection) -> Result<Vec<CounterView>> {
        let rows = store::load_counters(conn).await?;
        let mut out = Vec::new();
        for r in rows {
            let held = store::held_visit(conn, r.counter.id).await?;
            out.push(counter_view(&r, held.as_ref()));
        }
        Ok(out)
    }

    /// Creates a counter.
    pub async fn create_counter(
        &self,
        who: &Principal,
        name: &str,
        services: Vec<ServiceCode>,
        stages: Vec<Stage>,
    ) -> Result<CounterView> {
        who.authorize(Action::ManageCounters)?;
        let name = name.trim();
        if name.is_empty() || name.len() > 40 {
            return Err(HubError::BadRequest("counter name 1-40 characters".into()));
        }
        for s in &services {
            self.inner.config.rules.services.require(*s)?;
        }
        let now = self.inner.clock.now();
        let (who, name) = (who.clone(), name.to_string());
        self.inner.db.write(move |tx| Box::pin(async move {
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM counters WHERE name = ?").bind(&name).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(HubError::AlreadyExists(format!("counter {name}")));
        }
        let done = sqlx::query("INSERT INTO counters (name, services, stages, created_at) VALUES (?, ?, ?, ?)")
            .bind(&name)
            .bind(serde_json::to_string(&services)?)
            .bind(serde_json::to_string(&stages)?)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        let id = done.last_insert_rowid();
        store::audit(tx, &who, "counter_create", Some(&id.to_string()), json!({"name": name}), now).await?;
        let row = store::load_counter(tx, id).await?;
        Ok(counter_view(&row, None))
        })).await
    }

    /// Opens a counter (optionally changing what it serves).
    pub async fn open_counter(
        &self,
        who: &Principal,
        id: i64,
        services: Option<Vec<ServiceCode>>,
        stages: Option<Vec<Stage>>,
    ) -> Result<CounterView> {
        who.authorize(Action::OpenCounter)?;
        for s in services.iter().flatten() {
            self.inner.config.rules.services.require(*s)?;
        }
        let now = self.inner.clock.now();
        let view = {
            let (hub, who) = (self.clone(), who.clone());
            self.inner.db.write(move |tx| Box::pin(async move {
            let mut row = store::load_counter(tx, id).await?;
            ensure_counter_holder(&who, &row)?;
            if let Some(s) = services {
                row.counter.services = s;
            }
            if let Some(s) = stages {
                row.counter.stages = s;
            }
            crate::report::session_opened(tx, id, &who.name, now).await?;
            sqlx::query("UPDATE counters SET services = ?, stages = ?, is_open = 1, officer = ?, opened_at = ? WHERE id = ?")
                .bind(serde_json::to_string(&row.counter.services)?)
                .bind(serde_json::to_string(&row.counter.stages)?)
                .bind(&who.name)
                .bind(ts(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let detail = json!({"services": row.counter.services, "stages": row.counter.stages});
            store::audit(tx, &who, "counter_open", Some(&id.to_string()), detail.clone(), now).await?;
            store::outbox(
                tx,
                "counter_opened",
                json!({"office_code": hub.office_code(), "counter_id": id, "name": row.counter.name,
                       "officer": who.name, "services": row.counter.services, "stages": row.counter.stages}),
                now,
            )
            .await?;
            let row = store::load_counter(tx, id).await?;
            let held = store::held_visit(tx, row.counter.id).await?;
                        Ok(counter_view(&row, held.as_ref()))
            })).await?
        };
        self.publish(LiveEvent::CounterChanged { counter_id: id });
        Ok(view)
    }

    /// Closes a counter (a visit it holds stays where it is).
    pub async fn close_counter(&self, who: &Principal, id: i64) -> Result<CounterView> {
        who.authorize(Action::CloseCounter)?;
        let now = self.inner.clock.now();
        let view = {
            let (hub, who) = (self.clone(), who.clone());
            self.inner
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let row = store::load_counter(tx, id).await?;
                        ensure_counter_holder(&who, &row)?;
                        crate::report::session_closed(tx, Some(id), now).await?;
                        sqlx::query("UPDATE counters SET is_open = 0, officer = NULL WHERE id = ?")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        store::audit(
                            tx,
                            &who,
                            "counter_close",
                            Some(&id.to_string()),
                            json!({}),
                            now,
                        )
                        .await?;
                        store::outbox(
                            tx,
                            "counter_closed",
                            json!({"office_code": hub.office_code(), "counter_id": id}),
                            now,
                        )
                        .await?;
                        let row = store::load_counter(tx, id).await?;
                        let held = store::held_visit(tx, row.counter.id).await?;
                        Ok(counter_view(&row, held.as_ref()))
                    })
                })
                .await?
        };
        self.publish(LiveEvent::CounterChanged { counter_id: id });
        Ok(view)
    }

    /// What a counter may call now (waiting visits it serves, in queue order) and the
    /// visits it has parked.
    pub async fn counter_queue(&self, who: &Principal, id: i64) -> Result<Vec<VisitView>> {
        who.authorize(Action::ReadQueue)?;
        let mut conn = self.read_snapshot().await?;
        let row = store::load_counter(&mut *conn, id).await?;
        let mut visits = store::load_visits_in(
            &mut *conn,
            &self.inner.visits,
            self.today(),
            &["waiting", "parked"],
            None,
        )
        .await?;
        visits.retain(|v| {
            policy::is_candidate(v, &row.counter)
                || matches!(v.state, loket_domain::VisitState::Parked { counter } if counter == row.counter.id)
        });
        visits.sort_by_key(|v| v.queue_key());
        self.visit_views(&mut *conn, &visits).await
    }

    /// The visit a counter has called or is serving.
    pub async fn counter_current(&self, who: &Principal, id: i64) -> Result<Option<VisitView>> {
        who.authorize(Action::ReadQueue)?;
        let mut conn = self.read().await?;
        let row = store::load_counter(&mut *conn, id).await?;
        match store::held_visit(&mut *conn, row.counter.id).await? {
            Some(v) => Ok(self.visit_views(&mut *conn, &[v]).await?.pop()),
            None => Ok(None),
        }
    }

    /// Calls the next visit by the domain's policy.
    pub async fn call_next(&self, who: &Principal, counter: i64) -> Result<VisitView> {
        who.authorize(Action::CallNext)?;
        self.call(who, counter, None, false).await
    }

    /// Calls a given ticket (`A001`) or visit id; `force` passes the starvation bound
    /// (supervisors).
    pub async fn call_given(
        &self,
        who: &Principal,
        counter: i64,
        target: CallTarget,
        force: bool,
    ) -> Result<VisitView> {
        who.authorize(Action::CallGivenTicket)?;
        if force {
            who.authorize(Action::ForceCall)?;
        }
        self.call(who, counter, Some(target), force).await
    }

    async fn call(
        &self,
        who: &Principal,
        counter_id: i64,
        target: Option<CallTarget>,
        force: bool,
    ) -> Result<VisitView> {
        let (visit, call) = {
            let (hub, who) = (self.clone(), who.clone());
            // Its statements run on the writer's thread (db.rs): a call lists the waiting
            // visits of every service its counter serves.
            self.inner.db.write_direct(move |tx| Box::pin(async move {
            let rules = &hub.inner.config.rules;
            let now = hub.inner.clock.now();
            let date = rules.time_zone.office_date(now);
            let (row, held, tail) = store::counter_held_and_tail(tx, counter_id).await?;
            row.counter.ensure_open()?;
            ensure_counter_holder(&who, &row)?;
            if let Some(busy) = held {
                return Err(DomainError::CounterBusy { counter: row.counter.id, ticket: busy.ticket }.into());
            }
            // Only the services this counter serves can be called next or passed by its call (a
            // given ticket is looked up among all, so one of another service is refused as such).
            let services = (target.is_none() && !row.counter.services.is_empty())
                .then_some(row.counter.services.as_slice());
            let visits = store::load_visits_in(tx, &hub.inner.visits, date, &["waiting", "parked"], services).await?;
            let cursor = LaneCursor(
                store::setting(tx, CURSOR_KEY).await?.and_then(|c| c.parse().ok()).unwrap_or_default(),
            );
            let decision = match &target {
                None => policy::call_next(&visits, &row.counter, &rules.calls, cursor)?,
                Some(t) => {
                    let id = match t {
                        CallTarget::Visit(id) => VisitId(*id),
                        CallTarget::Ticket(ticket) => {
                            let parsed: loket_domain::TicketNumber = ticket.parse()?;
                            visits
                                .iter()
                                .find(|v| v.ticket == parsed)
                                .map(|v| v.id)
                                .ok_or(DomainError::VisitNotFound)?
                        }
                    };
                    policy::call_given(&visits, &row.counter, id, &rules.calls, cursor, force)?
                }
            };
            let chosen = visits.iter().find(|v| v.id == decision.visit).ok_or(DomainError::VisitNotFound)?;
            let manual = target.is_some();
            // Check that the call applies before passing anyone, so a refused call changes nothing.
            chosen.apply(
                &loket_domain::VisitEvent::new(now, EventKind::Called { counter: row.counter.id, manual }),
                &rules.visits,
            )?;
            for passed in &decision.passed {
                if let Some(v) = visits.iter().find(|v| v.id == *passed) {
                    store::apply_event(
                        tx,
                        hub.office_code(),
                        &rules.visits,
                        v,
                        EventKind::Passed { by: decision.visit },
                        now,
                        &who,
                    )
                    .await?;
                }
            }
            // Nothing between the tail's read and this row appends to the audit log.
            let action = if manual { "call_given" } else { "call_next" };
            let audit = tail.seal(
                &who,
                action,
                Some(&chosen.ticket.to_string()),
                &json!({"counter_id": counter_id, "visit_id": chosen.id.0, "reason": decision.reason, "forced": force,
                        "passed": decision.passed.len()}),
                now,
            );
            let (visit, event_id) = store::apply_event_audited(
                tx,
                hub.office_code(),
                &rules.visits,
                chosen,
                EventKind::Called { counter: row.counter.id, manual },
                now,
                &who,
                Some(audit),
            )
            .await?;
            store::set_setting(tx, CURSOR_KEY, &decision.cursor.0.to_string()).await?;
                        Ok({
            let call = CallView {
                id: event_id,
                visit_id: visit.id.0,
                ticket: visit.ticket.to_string(),
                service: visit.service,
                counter_id,
                counter: row.counter.name.clone(),
                at: now,
                recall: false,
            };
            (visit, call)
            })
            })).await?
        };
        self.publish(LiveEvent::Call { call });
        self.publish(LiveEvent::QueueChanged {
            office_date: visit.office_date,
            service: visit.service,
        });
        self.visit_view_after_change(visit).await
    }

    /// Recall, start, no-show, park, finish or transfer the visit a counter holds.
    pub async fn counter_action(
        &self,
        who: &Principal,
        counter_id: i64,
        action: CounterAction,
    ) -> Result<VisitView> {
        let (needed, name) = match action {
            CounterAction::Recall => (Action::Recall, "recall"),
            CounterAction::Start => (Action::Serve, "start"),
            CounterAction::NoShow => (Action::NoShow, "no_show"),
            CounterAction::Park => (Action::Park, "park"),
            CounterAction::Finish => (Action::Serve, "finish"),
            CounterAction::Transfer(_) => (Action::Transfer, "transfer"),
        };
        who.authorize(needed)?;
        let (visit, call) = {
            let (hub, who) = (self.clone(), who.clone());
            self.inner
                .db
                .write_direct(move |tx| {
                    Box::pin(async move {
                        let rules = &hub.inner.config.rules;
                        let now = hub.inner.clock.now();
                        let (row, held, tail) = store::counter_held_and_tail(tx, counter_id).await?;
                        ensure_counter_holder(&who, &row)?;
                        let held = held.ok_or(HubError::NoCurrentVisit)?;
                        let kind = match action {
                            CounterAction::Recall => EventKind::Recalled,
                            CounterAction::Start => EventKind::Started {
                                stage: held.current_stage(),
                            },
                            CounterAction::NoShow => EventKind::NoShow,
                            CounterAction::Park => EventKind::Parked,
                            CounterAction::Finish => EventKind::Finished {
                                stage: held.current_stage(),
                            },
                            CounterAction::Transfer(to) => {
                                if let Some(target) = to.counter {
                                    store::load_counter(tx, target.0).await?;
                                }
                                EventKind::Transferred { to }
                            }
                        };
                        // Nothing between the tail's read and this row appends to the audit log.
                        let audit = tail.seal(
                            &who,
                            name,
                            Some(&held.ticket.to_string()),
                            &json!({"counter_id": counter_id, "visit_id": held.id.0, "event": kind}),
                            now,
                        );
                        let (visit, event_id) = store::apply_event_audited(
                            tx,
                            hub.office_code(),
                            &rules.visits,
                            &held,
                            kind,
                            now,
                            &who,
                            Some(audit),
                        )
                        .await?;
                        if matches!(action, CounterAction::Finish) {
                            crate::pickup::register_on_completion(&hub, tx, &visit, now).await?;
                        }
                        Ok({
                            let call = matches!(action, CounterAction::Recall).then(|| CallView {
                                id: event_id,
                                visit_id: visit.id.0,
                                ticket: visit.ticket.to_string(),
                                service: visit.service,
                                counter_id,
                                counter: row.counter.name.clone(),
                                at: now,
                                recall: true,
                            });
                            (visit, call)
                        })
                    })
                })
                .await?
        };
        if let Some(call) = call {
            self.publish(LiveEvent::Call { call });
        }
        self.publish(LiveEvent::QueueChanged {
            office_date: visit.office_date,
            service: visit.service,
        });
        self.visit_view_after_change(visit).await
    }

    /// The most recent calls (newest first) for the display boards.
    pub async fn recent_calls(&self, who: &Principal, limit: Option<u32>) -> Result<Vec<CallView>> {
        who.authorize(Action::ReadCalls)?;
        let limit = limit
            .unwrap_or(self.inner.config.recent_calls)
            .clamp(1, 100);
        self.calls_of_today(None, limit).await
    }

    /// The spoken call (a WAV from espeak-ng) of one of today's calls.
    pub async fn call_speech(&self, who: &Principal, call_id: i64) -> Result<axum::body::Bytes> {
        let call = self.call_of_today(who, call_id).await?;
        let text = loket_domain::announce::call_announcement(&call.ticket, &call.counter);
        self.inner.speaker.wav(&text).await
    }

    /// One call of today by its event id (what the display board speaks).
    pub async fn call_of_today(&self, who: &Principal, call_id: i64) -> Result<CallView> {
        who.authorize(Action::ReadCalls)?;
        self.calls_of_today(Some(call_id), 1)
            .await?
            .pop()
            .ok_or(HubError::CallNotFound)
    }

    /// Today's calls and recalls, newest first; only `call_id` when given.
    async fn calls_of_today(&self, call_id: Option<i64>, limit: u32) -> Result<Vec<CallView>> {
        let rows = {
            let mut conn = self.read().await?;
            store::calls_of_day(&mut conn, self.today(), call_id, limit).await?
        };
        rows.into_iter()
            .map(
                |(id, visit_id, ticket, service, counter_id, counter, at, kind)| {
                    Ok(CallView {
                        id,
                        visit_id,
                        ticket,
                        service: parse_enum(&service)?,
                        counter_id,
                        counter,
                        at: parse_ts(&at)?,
                        recall: kind == "recalled",
                    })
                },
            )
            .collect()
    }

    // ---- day, quotas, dashboard, audit ---------------------------------------------------

    /// The end-of-day reset: every open visit (of any date) is closed with its outcome and
    /// every counter closed.
    pub async fn close_day(&self, who: &Principal) -> Result<DayCloseView> {
        who.authorize(Action::CloseDay)?;
        let view = {
            let (hub, who) = (self.clone(), who.clone());
            self.inner.db.write(move |tx| Box::pin(async move {
            let rules = &hub.inner.config.rules;
            let now = hub.inner.clock.now();
            let date = rules.time_zone.office_date(now);
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT data FROM visits WHERE state <> 'closed' ORDER BY id").fetch_all(&mut *tx).await?;
            let visits = rows.iter().map(|(d,)| store::visit_from_json(d)).collect::<Result<Vec<_>>>()?;
            let items = end_of_day(&visits, now);
            for item in &items {
                if let Some(v) = visits.iter().find(|v| v.id == item.visit) {
                    store::apply_event(tx, hub.office_code(), &rules.visits, v, item.event.kind, item.event.at, &who)
                        .await?;
                }
            }
            crate::report::session_closed(tx, None, now).await?;
            let closed = sqlx::query("UPDATE counters SET is_open = 0, officer = NULL WHERE is_open = 1")
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "INSERT INTO office_days (office_date, day_kind, closed_at, updated_at, updated_by) VALUES (?, 'regular', ?, ?, ?) \
                 ON CONFLICT(office_date) DO UPDATE SET closed_at = excluded.closed_at",
            )
            .bind(date.to_string())
            .bind(ts(now))
            .bind(ts(now))
            .bind(&who.name)
            .execute(&mut *tx)
            .await?;
            let view = DayCloseView {
                office_date: date,
                closed_visits: u32::try_from(items.len()).unwrap_or(u32::MAX),
                closed_counters: u32::try_from(closed).unwrap_or(u32::MAX),
            };
            store::set_setting(tx, CURSOR_KEY, "0").await?;
            crate::report::outbox_day_summary(&hub, tx, date, now).await?;
            store::outbox(tx, "day_closed", json!({"office_code": hub.office_code(), "report": view}), now).await?;
            store::audit(tx, &who, "close_day", Some(&date.to_string()), json!(view), now).await?;
                        Ok(view)
            })).await?
        };
        self.publish(LiveEvent::DayClosed {
            office_date: view.office_date,
        });
        Ok(view)
    }

    /// The quotas in force on a date, with what was issued.
    pub async fn quotas(&self, who: &Principal, date: NaiveDate) -> Result<QuotasView> {
        who.authorize(Action::ReadQueue)?;
        let rules = &self.inner.config.rules;
        let mut conn = self.read().await?;
        let day_kind = store::day_kind(&mut conn, date).await?;
        let mut services = Vec::new();
        for def in &rules.services.services {
            let store::QuotaState {
                quota,
                overridden,
                used,
                ..
            } = store::quota_state(&mut *conn, &rules.quotas, date, def.code).await?;
            services.push(QuotaLine {
                service: def.code,
                quota,
                overridden,
                used,
            });
        }
        Ok(QuotasView {
            date,
            day_kind,
            services,
        })
    }

    /// Sets the kind of day and quotas of a date (supervisor, head). Audited with the old
    /// values.
    pub async fn set_quotas(
        &self,
        who: &Principal,
        date: NaiveDate,
        req: QuotasRequest,
    ) -> Result<QuotasView> {
        who.authorize(Action::SetQuotas)?;
        let rules = &self.inner.config.rules;
        for q in &req.quotas {
            rules.services.require(q.service)?;
        }
        {
            let (hub, who) = (self.clone(), who.clone());
            self.inner.db.write(move |tx| Box::pin(async move {
            let rules = &hub.inner.config.rules;
            let now = hub.inner.clock.now();
            // What was in force before, for the audit row.
            let old_kind = store::day_kind(tx, date).await?;
            let mut old = Vec::new();
            for q in &req.quotas {
                let before = store::quota_state(tx, &rules.quotas, date, q.service).await?.quota;
                old.push(json!({"service": q.service, "quota": before}));
            }
            if let Some(kind) = req.day_kind {
                sqlx::query(
                    "INSERT INTO office_days (office_date, day_kind, updated_at, updated_by) VALUES (?, ?, ?, ?) \
                     ON CONFLICT(office_date) DO UPDATE SET day_kind = excluded.day_kind, \
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(date.to_string())
                .bind(kind.as_str())
                .bind(ts(now))
                .bind(&who.name)
                .execute(&mut *tx)
                .await?;
            }
            for q in &req.quotas {
                sqlx::query(
                    "INSERT INTO quota_overrides (office_date, service, walk_in, appointment, priority, updated_at, updated_by) \
                     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(office_date, service) DO UPDATE SET \
                     walk_in = excluded.walk_in, appointment = excluded.appointment, priority = excluded.priority, \
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(date.to_string())
                .bind(q.service.as_str())
                .bind(i64::from(q.walk_in))
                .bind(i64::from(q.appointment))
                .bind(i64::from(q.priority))
                .bind(ts(now))
                .bind(&who.name)
                .execute(&mut *tx)
                .await?;
            }
            let detail = json!({"date": date, "day_kind": {"old": old_kind, "new": req.day_kind},
                                "old": old, "new": req.quotas});
            store::audit(tx, &who, "set_quotas", Some(&date.to_string()), detail.clone(), now).await?;
            store::outbox(tx, "quotas_set", json!({"office_code": hub.office_code(), "change": detail}), now).await?;
                        Ok(())
            })).await?
        }
        self.quotas(who, date).await
    }

    /// The supervisors' and head's summary of today.
    pub async fn dashboard(&self, who: &Principal) -> Result<DashboardView> {
        who.authorize(Action::ViewReports)?;
        let rules = &self.inner.config.rules;
        let now = self.inner.clock.now();
        let date = rules.time_zone.office_date(now);
        let mut conn = self.read().await?;
        let day_kind = store::day_kind(&mut conn, date).await?;
        let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT service, state, outcome, data FROM visits WHERE office_date = ?",
        )
        .bind(date.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut services: Vec<ServiceStats> = rules
            .services
            .services
            .iter()
            .map(|d| ServiceStats {
                service: d.code,
                waiting: 0,
                longest_wait_minutes: None,
                in_service: 0,
                served: 0,
                no_show: 0,
                issued: 0,
            })
            .collect();
        for (service, state, outcome, data) in rows {
            let service: ServiceCode = parse_enum(&service)?;
            let Some(line) = services.iter_mut().find(|s| s.service == service) else {
                continue;
            };
            line.issued += 1;
            match state.as_str() {
                "waiting" => {
                    line.waiting += 1;
                    let v = store::visit_from_json(&data)?;
                    let minutes = (now - v.waiting_since).num_minutes().max(0);
                    line.longest_wait_minutes = Some(
                        line.longest_wait_minutes
                            .map_or(minutes, |m| m.max(minutes)),
                    );
                }
                "called" | "in_service" => line.in_service += 1,
                _ => {}
            }
            match outcome.as_deref() {
                Some("completed") => line.served += 1,
                Some("no_show") => line.no_show += 1,
                _ => {}
            }
        }
        let counters = self.counter_views(&mut conn).await?;
        Ok(DashboardView {
            office_date: date,
            day_kind,
            waiting: services.iter().map(|s| s.waiting).sum(),
            longest_wait_minutes: services.iter().filter_map(|s| s.longest_wait_minutes).max(),
            counters_open: u32::try_from(counters.iter().filter(|c| c.open).count())
                .unwrap_or(u32::MAX),
            served_today: services.iter().map(|s| s.served).sum(),
            no_show_today: services.iter().map(|s| s.no_show).sum(),
            services,
            counters,
        })
    }

    /// The newest audit rows.
    pub async fn audit_log(&self, who: &Principal, limit: Option<u32>) -> Result<Vec<AuditView>> {
        who.authorize(Action::ViewAudit)?;
        let limit = i64::from(limit.unwrap_or(100).clamp(1, 1000));
        let mut conn = self.read().await?;
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, at, actor_kind, actor, device, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ? + 0",
        )
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, at, actor_kind, actor, device, action, target, detail)| AuditView {
                    id,
                    at,
                    actor_kind,
                    actor,
                    device,
                    action,
                    target,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                },
            )
            .collect())
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn healthy(&self) -> bool {
        let Ok(mut conn) = self.read().await else {
            return false;
        };
        sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok()
    }

    /// Whether any officer account exists (set-up creates the first admin).
    pub async fn has_users(&self) -> Result<bool> {
        let mut conn = self.read().await?;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM officers")
            .fetch_one(&mut *conn)
            .await?;
        Ok(n > 0)
    }

    /// Finds a counter by name.
    pub async fn counter_by_name(&self, name: &str) -> Result<Option<i64>> {
        let mut conn = self.read().await?;
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM counters WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Whether a device of that name exists.
    pub async fn has_device(&self, name: &str) -> Result<bool> {
        let mut conn = self.read().await?;
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM devices WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.is_some())
    }
}

/// Which visit a "call this ticket" means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallTarget {
    /// By visit id.
    Visit(i64),
    /// By ticket number of today (`A001`).
    Ticket(String),
}

fn counter_view(row: &store::CounterRow, held: Option<&Visit>) -> CounterView {
    CounterView {
        id: row.counter.id.0,
        name: row.counter.name.clone(),
        open: row.counter.open,
        services: row.counter.services.clone(),
        stages: row.counter.stages.clone(),
        officer: row.officer.clone(),
        serving: held.map(|v| v.ticket.to_string()),
    }
}

/// Booking codes are compared upper case without spaces.
pub fn normalize_code(code: &str) -> String {
    loket_domain::normalize_booking_code(code)
}

type BookingTuple = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    bool,
    bool,
    bool,
    String,
);

/// Loads a booking with the time its payment status was last downloaded (`None` when
/// marked stale).
async fn load_booking(
    conn: &mut SqliteConnection,
    code: &str,
) -> Result<Option<(Booking, Option<DateTime<Utc>>)>> {
    let row: Option<BookingTuple> = sqlx::query_as(
        "SELECT code, office_code, booking_date, slot_start, payment, billing_code, cancelled, rescheduled, \
         payment_stale, updated_at FROM bookings WHERE code = ?",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        code,
        office_code,
        date,
        slot,
        payment,
        billing,
        cancelled,
        rescheduled,
        stale,
        updated_at,
    )) = row
    else {
        return Ok(None);
    };
    let applicants: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT name, nik, service FROM applicants WHERE booking_code = ? ORDER BY idx",
    )
    .bind(&code)
    .fetch_all(&mut *conn)
    .await?;
    let applicants = applicants
        .into_iter()
        .map(|(name, nik, service)| {
            Ok(Applicant {
                name,
                nik,
                service: parse_enum(&service)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let booking = Booking {
        code,
        office_code,
        date: date
            .parse()
            .map_err(|_| HubError::Corrupt("booking date".into()))?,
        slot_start: NaiveTime::parse_from_str(&slot, "%H:%M")
            .map_err(|_| HubError::Corrupt("booking slot".into()))?,
        applicants,
        payment: parse_enum::<PaymentStatus>(&payment)?,
        billing_code: billing.as_deref().and_then(|b| BillingCode::parse(b).ok()),
        cancelled,
        rescheduled,
    };
    let fetched = if stale {
        None
    } else {
        Some(parse_ts(&updated_at)?)
    };
    Ok(Some((booking, fetched)))
}

/// An officer works only a counter they opened (or a closed one); a supervisor or the head
/// may take over another officer's counter.
fn ensure_counter_holder(who: &Principal, row: &store::CounterRow) -> Result<()> {
    match &row.officer {
        Some(holder) if row.counter.open && *holder != who.name => who
            .authorize(Action::TakeOverCounter)
            .map_err(|_| HubError::CounterHeldByOther {
                officer: holder.clone(),
            }),
        _ => Ok(()),
    }
}
