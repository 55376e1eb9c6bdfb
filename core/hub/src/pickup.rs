//! Passport pickup at the hub: passports registered as ready (or expected), looked up by
//! receipt, visit, NIK or booking code, handed over after the domain's document checks with
//! the collector's signature, the day's register and the handover receipt as PDFs, the
//! supervisor's list of passports past the 30 days, cancellation, and the kiosk's "is my
//! passport ready?" answer (status and dates only, never a name or NIK).
//!
//! A visit of a service that issues a passport (new passport, replacement, lost/damaged with
//! an approved BAP) registers its passport by itself when its last stage is finished and the
//! applicant's NIK is known (from the booking or the BAP); the receipt number is then
//! `<office>-<yymmdd>-<ticket>`.

use crate::auth::Principal;
use crate::bap;
use crate::db::{Exec, Params};
use crate::error::{HubError, Result};
use crate::hub::Hub;
use crate::personal::{self, PickupApplicant};
use crate::printouts::{self, SignatureInput, prepare_signature};
use crate::seal::Sealer;
use crate::store::{self, parse_ts, ts};
use chrono::{DateTime, NaiveDate, Utc};
use loket_documents::{
    Collector as FormCollector, Handover as FormHandover, PickupReceipt, PickupRegister,
    render_pickup_receipt, render_pickup_register,
};
use loket_domain::pickup::overdue_for_cancellation;
use loket_domain::{
    Action, BapOutcome, BapStatus, Collector, CollectorKind, Handover, KioskPickupAnswer, Outcome,
    PassportForPickup, PickupError, PickupKey, PickupStatus, PresentedDocuments, ReceiptNumber,
    ServiceCode, Visit, VisitId, check_handover, check_passport_number, kiosk_answer, kiosk_query,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqliteConnection;

/// `POST /pickups`: register a passport for pickup (or update one not yet collected).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterPickup {
    /// The application receipt number.
    pub receipt: String,
    /// The application visit (fills the date, booking, and NIK and name when known).
    #[serde(default)]
    pub visit_id: Option<i64>,
    /// The applicant's NIK (required unless the visit gives it).
    #[serde(default)]
    pub nik: Option<String>,
    /// The applicant's name (required unless the visit gives it).
    #[serde(default)]
    pub applicant_name: Option<String>,
    /// M-Paspor booking code (the kiosk finds the passport by it).
    #[serde(default)]
    pub booking_code: Option<String>,
    /// The new passport's number, once printed.
    #[serde(default)]
    pub passport_number: Option<String>,
    /// Day of the application (default: the visit's day, else today).
    #[serde(default)]
    pub visit_date: Option<NaiveDate>,
    /// The day it was (or will be) ready; absent: expected from the visit day.
    #[serde(default)]
    pub ready_on: Option<NaiveDate>,
}

/// `GET /pickups?...`: exactly one key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupLookup {
    /// Receipt number.
    #[serde(default)]
    pub receipt: Option<String>,
    /// Visit id.
    #[serde(default)]
    pub visit_id: Option<i64>,
    /// Applicant's NIK.
    #[serde(default)]
    pub nik: Option<String>,
}

/// `POST /pickups/handover`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// Which passport (its receipt number).
    pub receipt: String,
    /// Who collects.
    pub collector: Collector,
    /// What they show.
    #[serde(default)]
    pub presented: PresentedDocuments,
    /// The collector's signature: drawn, or on the printed register page.
    pub signature: SignatureInput,
    /// The passport's number, when not registered yet.
    #[serde(default)]
    pub passport_number: Option<String>,
}

/// `POST /pickups/cancel`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelPickup {
    /// Receipt number.
    pub receipt: String,
    /// Why (e.g. not collected within 30 days).
    pub reason: String,
}

/// A passport for pickup as officers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickupView {
    /// Receipt number.
    pub receipt: String,
    /// Application visit.
    pub visit_id: Option<i64>,
    /// Booking code.
    pub booking_code: Option<String>,
    /// Applicant's NIK.
    pub applicant_nik: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// New passport's number.
    pub passport_number: Option<String>,
    /// Day of the application.
    pub visit_date: NaiveDate,
    /// Actual ready day, if recorded.
    pub ready_on: Option<NaiveDate>,
    /// Ready day (actual or expected).
    pub ready_date: NaiveDate,
    /// `not_ready_yet`, `ready`, `overdue_for_cancellation`, `collected` or `cancelled`.
    pub state: String,
    /// For uncollected passports: where they stand today (with its dates).
    pub status: Option<PickupStatus>,
    /// Handed over at.
    pub collected_at: Option<DateTime<Utc>>,
    /// The register entry.
    pub handover: Option<Handover>,
    /// Cancelled at.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why cancelled.
    pub cancel_reason: Option<String>,
}

/// One answer of the kiosk: a status with its dates and sentences; nothing personal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskAnswerView {
    /// Status and dates.
    #[serde(flatten)]
    pub answer: KioskPickupAnswer,
    /// The sentence in Indonesian.
    pub message_id: String,
    /// The sentence in English.
    pub message_en: String,
}

/// The kiosk's answer: one per passport found under what was typed (a booking may hold
/// several applicants); a single `not_found` when nothing matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskPickupView {
    /// Passports found.
    pub found: u32,
    /// Answers, in receipt order.
    pub answers: Vec<KioskAnswerView>,
}

/// `SELECT <every column> FROM pickups <rest>` as one literal (sqlx wants literal SQL).
macro_rules! select_pickups {
    ($rest:literal) => {
        concat!(
            "SELECT receipt, visit_id, booking_code, applicant, passport_number, ",
            "visit_date, ready_on, collected_at, cancelled_at, cancel_reason, handover FROM pickups ",
            $rest
        )
    };
}

type PickupTuple = (
    String,
    Option<i64>,
    Option<String>,
    Option<Vec<u8>>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
);

/// A stored pickup row.
struct PickupRow {
    passport: PassportForPickup,
    applicant_name: String,
    cancelled_at: Option<DateTime<Utc>>,
    cancel_reason: Option<String>,
    handover: Option<Handover>,
}

fn date(s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|_| HubError::Corrupt(format!("date {s}")))
}

fn applicant_context(receipt: &str) -> String {
    personal::column_context("pickups", "applicant", receipt)
}

fn handover_context(receipt: &str) -> String {
    personal::column_context("pickups", "handover", receipt)
}

fn row_from(sealer: &Sealer, t: PickupTuple) -> Result<PickupRow> {
    let (
        receipt,
        visit_id,
        booking_code,
        applicant,
        passport_number,
        visit_date,
        ready_on,
        collected_at,
        cancelled_at,
        cancel_reason,
        handover,
    ) = t;
    let cancelled_at = cancelled_at.as_deref().map(parse_ts).transpose()?;
    let applicant: PickupApplicant = personal::open_json(
        sealer,
        &applicant_context(&receipt),
        &applicant.ok_or_else(|| HubError::Corrupt("pickup without its applicant".into()))?,
    )?;
    let handover: Option<Handover> = handover
        .map(|h| personal::open_json(sealer, &handover_context(&receipt), &h))
        .transpose()?;
    Ok(PickupRow {
        passport: PassportForPickup {
            receipt: ReceiptNumber::parse(&receipt)
                .map_err(|_| HubError::Corrupt("receipt number".into()))?,
            visit: visit_id.map(VisitId),
            booking_code,
            applicant_nik: applicant.nik,
            passport_number,
            visit_date: date(&visit_date)?,
            ready_on: ready_on.as_deref().map(date).transpose()?,
            collected_at: collected_at.as_deref().map(parse_ts).transpose()?,
            cancelled: cancelled_at.is_some(),
        },
        applicant_name: applicant.name,
        cancelled_at,
        cancel_reason,
        handover,
    })
}

async fn load(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
    receipt: &ReceiptNumber,
) -> Result<PickupRow> {
    let row: Option<PickupTuple> = sqlx::query_as(select_pickups!("WHERE receipt = ?"))
        .bind(receipt.as_str())
        .fetch_optional(conn)
        .await?;
    row_from(sealer, row.ok_or(PickupError::NotFound)?)
}

fn collector_kind_str(kind: CollectorKind) -> String {
    store::enum_str(&kind)
}

/// The applicant's NIK and name for a visit: from its booking, else from its signed BAP when
/// the outcome issues a passport.
async fn applicant_of(
    conn: &mut impl Exec,
    sealer: &Sealer,
    visit: &Visit,
) -> Result<Option<(String, String)>> {
    let booked = conn
        .rows(
            &["SELECT nik, name FROM applicants WHERE booking_code = ? AND idx = ?"],
            Params::InOrder(&[
                visit.booking_code.clone().into(),
                visit.applicant_index.map(i64::from).into(),
            ]),
        )
        .await?;
    if let Some(row) = booked.first() {
        return Ok(Some((row.at(0)?, row.at(1)?)));
    }
    let Some(bap) = bap::latest_of_visit(conn, sealer, visit.id.0).await? else {
        return Ok(None);
    };
    let issues = bap.status == BapStatus::Signed
        && matches!(
            bap.interview.outcome,
            Some(BapOutcome::ApproveWithCharge { .. } | BapOutcome::WaiveForceMajeure { .. })
        );
    let id = &bap.interview.identity;
    Ok((issues && !id.nik.trim().is_empty())
        .then(|| (id.nik.trim().to_string(), id.full_name.trim().to_string())))
}

/// Registers the passport of a visit that has just been completed, when its service issues
/// one and the applicant's NIK is known. Runs inside the finishing change's transaction and
/// adds an outbox row (the finish's audit row covers it).
pub(crate) async fn register_on_completion(
    hub: &Hub,
    conn: &mut impl Exec,
    visit: &Visit,
    now: DateTime<Utc>,
) -> Result<()> {
    if visit.outcome() != Some(Outcome::Completed)
        || !matches!(
            visit.service,
            ServiceCode::NewPassport | ServiceCode::Replacement | ServiceCode::LostDamaged
        )
    {
        return Ok(());
    }
    if visit.service == ServiceCode::LostDamaged || visit.booking_code.is_some() {
        let Some((nik, name)) = applicant_of(conn, hub.sealer(), visit).await? else {
            return Ok(());
        };
        let receipt = format!(
            "{}-{}-{}",
            hub.office_code(),
            visit.office_date.format("%y%m%d"),
            visit.ticket
        );
        let Ok(receipt) = ReceiptNumber::parse(&receipt) else {
            return Ok(());
        };
        let sealer = hub.sealer();
        let index = personal::nik_index(sealer, &nik);
        let applicant = personal::seal_json(
            sealer,
            &applicant_context(receipt.as_str()),
            &PickupApplicant { nik, name },
        )?;
        let registered = conn
            .rows(
                &["INSERT INTO pickups (receipt, visit_id, booking_code, applicant_nik, applicant_name, applicant, \
                   nik_index, visit_date, registered_at, registered_by) VALUES (?, ?, ?, '', '', ?, ?, ?, ?, 'hub') \
                   ON CONFLICT(receipt) DO NOTHING RETURNING receipt"],
                Params::InOrder(&[
                    receipt.as_str().into(),
                    visit.id.0.into(),
                    visit.booking_code.clone().into(),
                    applicant.into(),
                    index.into(),
                    visit.office_date.to_string().into(),
                    ts(now).into(),
                ]),
            )
            .await?;
        if !registered.is_empty() {
            let rules = &hub.inner.config.rules.pickup;
            store::outbox(
                conn,
                "passport_registered",
                json!({"office_code": hub.office_code(), "receipt": receipt, "visit_id": visit.id.0,
                       "visit_date": visit.office_date, "expected_ready": rules.ready_date(visit.office_date),
                       "automatic": true}),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

impl Hub {
    fn pickup_view(&self, row: PickupRow) -> PickupView {
        let rules = &self.inner.config.rules.pickup;
        let p = &row.passport;
        let ready_date = p.ready_date(rules);
        let status = (p.collected_at.is_none() && !p.cancelled)
            .then(|| rules.status(ready_date, self.today()));
        let state = match (&status, p.collected_at, p.cancelled) {
            (_, _, true) => "cancelled".to_string(),
            (_, Some(_), _) => "collected".to_string(),
            (Some(PickupStatus::NotReadyYet { .. }), _, _) => "not_ready_yet".to_string(),
            (Some(PickupStatus::Ready { .. }), _, _) => "ready".to_string(),
            (Some(PickupStatus::OverdueForCancellation { .. }), _, _) => {
                "overdue_for_cancellation".to_string()
            }
            (None, None, false) => "unknown".to_string(),
        };
        PickupView {
            receipt: p.receipt.to_string(),
            visit_id: p.visit.map(|v| v.0),
            booking_code: p.booking_code.clone(),
            applicant_nik: p.applicant_nik.clone(),
            applicant_name: row.applicant_name,
            passport_number: p.passport_number.clone(),
            visit_date: p.visit_date,
            ready_on: p.ready_on,
            ready_date,
            state,
            status,
            collected_at: p.collected_at,
            handover: row.handover,
            cancelled_at: row.cancelled_at,
            cancel_reason: row.cancel_reason,
        }
    }

    /// Registers a passport for pickup, or updates one not collected yet (ready day,
    /// passport number).
    pub async fn register_pickup(
        &self,
        who: &Principal,
        req: RegisterPickup,
    ) -> Result<PickupView> {
        who.authorize(Action::HandOverPassport)?;
        let receipt = ReceiptNumber::parse(&req.receipt)?;
        if let Some(n) = req
            .passport_number
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            check_passport_number(n)?;
        }
        let today = self.today();
        let nik_given = req
            .nik
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .map(|n| match PickupKey::nik(n, today)? {
                PickupKey::Nik(n) => Ok(n),
                _ => Err(HubError::from(PickupError::InvalidNik)),
            })
            .transpose()?;
        {
            let (hub, who, receipt) = (self.clone(), who.clone(), receipt.clone());
            self.inner
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let now = hub.inner.clock.now();
                        let existing = match load(tx, hub.sealer(), &receipt).await {
                            Ok(r) => Some(r),
                            Err(HubError::Domain(loket_domain::DomainError::Pickup(PickupError::NotFound))) => None,
                            Err(e) => return Err(e),
                        };
                        if let Some(r) = &existing {
                            if r.passport.cancelled {
                                return Err(PickupError::Cancelled.into());
                            }
                            if r.passport.collected_at.is_some() {
                                return Err(PickupError::AlreadyCollected.into());
                            }
                        }
                        let visit = match req.visit_id {
                            Some(id) => Some(store::load_visit(tx, id).await?),
                            None => None,
                        };
                        let from_visit = match &visit {
                            Some(v) => applicant_of(tx, hub.sealer(), v).await?,
                            None => None,
                        };
                        let nik = nik_given
                            .or_else(|| from_visit.as_ref().map(|(n, _)| n.clone()))
                            .or_else(|| existing.as_ref().map(|r| r.passport.applicant_nik.clone()))
                            .ok_or(PickupError::InvalidNik)?;
                        let name = req
                            .applicant_name
                            .as_deref()
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .map(str::to_string)
                            .or_else(|| from_visit.map(|(_, n)| n))
                            .or_else(|| existing.as_ref().map(|r| r.applicant_name.clone()))
                            .ok_or_else(|| HubError::BadRequest("applicant_name is required".into()))?;
                        let visit_date = req
                            .visit_date
                            .or(visit.as_ref().map(|v| v.office_date))
                            .or(existing.as_ref().map(|r| r.passport.visit_date))
                            .unwrap_or_else(|| hub.today());
                        let booking = req
                            .booking_code
                            .as_deref()
                            .map(crate::hub::normalize_code)
                            .filter(|c| !c.is_empty())
                            .or(visit.as_ref().and_then(|v| v.booking_code.clone()))
                            .or(existing.as_ref().and_then(|r| r.passport.booking_code.clone()));
                        let passport_number = req
                            .passport_number
                            .as_deref()
                            .map(|n| n.trim().to_ascii_uppercase())
                            .filter(|n| !n.is_empty())
                            .or(existing.as_ref().and_then(|r| r.passport.passport_number.clone()));
                        let ready_on = req.ready_on.or(existing.as_ref().and_then(|r| r.passport.ready_on));
                        let visit_id = req.visit_id.or(existing.as_ref().and_then(|r| r.passport.visit.map(|v| v.0)));
                        let index = personal::nik_index(hub.sealer(), &nik);
                        let applicant = personal::seal_json(
                            hub.sealer(),
                            &applicant_context(receipt.as_str()),
                            &PickupApplicant { nik, name },
                        )?;
                        sqlx::query(
                            "INSERT INTO pickups (receipt, visit_id, booking_code, applicant_nik, applicant_name, applicant, \
                             nik_index, passport_number, visit_date, ready_on, registered_at, registered_by) \
                             VALUES (?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?) \
                             ON CONFLICT(receipt) DO UPDATE SET visit_id = excluded.visit_id, booking_code = excluded.booking_code, \
                             applicant = excluded.applicant, nik_index = excluded.nik_index, \
                             passport_number = excluded.passport_number, visit_date = excluded.visit_date, ready_on = excluded.ready_on",
                        )
                        .bind(receipt.as_str())
                        .bind(visit_id)
                        .bind(&booking)
                        .bind(applicant)
                        .bind(index)
                        .bind(&passport_number)
                        .bind(visit_date.to_string())
                        .bind(ready_on.map(|d| d.to_string()))
                        .bind(ts(now))
                        .bind(&who.name)
                        .execute(&mut *tx)
                        .await?;
                        store::outbox(
                            tx,
                            "passport_registered",
                            json!({"office_code": hub.office_code(), "receipt": receipt, "visit_id": visit_id,
                                   "visit_date": visit_date, "ready_on": ready_on,
                                   "passport_number_known": passport_number.is_some(), "automatic": false}),
                            now,
                        )
                        .await?;
                        store::audit(
                            tx,
                            &who,
                            if existing.is_some() { "pickup_update" } else { "pickup_register" },
                            Some(receipt.as_str()),
                            json!({"visit_id": visit_id, "ready_on": ready_on}),
                            now,
                        )
                        .await
                    })
                })
                .await?;
        }
        let mut conn = self.read().await?;
        Ok(self.pickup_view(load(&mut conn, self.sealer(), &receipt).await?))
    }

    /// Finds passports by receipt, visit or NIK (give exactly one).
    pub async fn find_pickups(&self, who: &Principal, q: PickupLookup) -> Result<Vec<PickupView>> {
        who.authorize(Action::HandOverPassport)?;
        let key = match (q.receipt.as_deref(), q.visit_id, q.nik.as_deref()) {
            (Some(r), None, None) => PickupKey::receipt(r)?,
            (None, Some(v), None) => PickupKey::Visit(VisitId(v)),
            (None, None, Some(n)) => PickupKey::nik(n, self.today())?,
            _ => {
                return Err(HubError::BadRequest(
                    "give exactly one of receipt, visit_id, nik".into(),
                ));
            }
        };
        let mut conn = self.read().await?;
        let query = match &key {
            PickupKey::Receipt(r) => sqlx::query_as::<_, PickupTuple>(select_pickups!(
                "WHERE receipt = ? ORDER BY registered_at, receipt"
            ))
            .bind(r.as_str().to_string()),
            PickupKey::Visit(v) => sqlx::query_as::<_, PickupTuple>(select_pickups!(
                "WHERE visit_id = ? ORDER BY registered_at, receipt"
            ))
            .bind(v.0),
            PickupKey::Nik(n) => sqlx::query_as::<_, PickupTuple>(select_pickups!(
                "WHERE nik_index = ? ORDER BY registered_at, receipt"
            ))
            .bind(personal::nik_index(self.sealer(), n)),
        };
        let rows = query.fetch_all(&mut *conn).await?;
        rows.into_iter()
            .map(|t| Ok(self.pickup_view(row_from(self.sealer(), t)?)))
            .collect()
    }

    /// Hands a passport over: the domain's checks for the collector, then the register
    /// entry with the signature.
    pub async fn hand_over(&self, who: &Principal, req: HandoverRequest) -> Result<PickupView> {
        who.authorize(Action::HandOverPassport)?;
        let receipt = ReceiptNumber::parse(&req.receipt)?;
        let signature = prepare_signature(&req.signature)?;
        let typed_number = match req
            .passport_number
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            Some(n) => Some(check_passport_number(n)?.number),
            None => None,
        };
        let officer = match who.role() {
            Some(role) => loket_domain::OfficerRef::new(&who.name, role),
            None => loket_domain::OfficerRef::new(&who.name, loket_domain::Role::Supervisor),
        };
        {
            let (hub, who, receipt) = (self.clone(), who.clone(), receipt.clone());
            self.inner
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let now = hub.inner.clock.now();
                        let today = hub.inner.config.rules.time_zone.office_date(now);
                        let rules = &hub.inner.config.rules.pickup;
                        let row = load(tx, hub.sealer(), &receipt).await?;
                        let mut approval =
                            check_handover(&row.passport, &req.collector, &req.presented, today, rules)?;
                        let passport_number = typed_number
                            .or(row.passport.passport_number.clone())
                            .ok_or(HubError::PassportNumberMissing)?;
                        if approval.collector_name.is_none() {
                            approval.collector_name = Some(row.applicant_name.clone());
                        }
                        let handover = Handover {
                            approval,
                            officer,
                            at: now,
                            signature: signature.reference.clone(),
                        };
                        printouts::store_signature(tx, hub.sealer(), &signature, now).await?;
                        sqlx::query(
                            "UPDATE pickups SET collected_at = ?, collected_date = ?, passport_number = ?, handover = ? \
                             WHERE receipt = ?",
                        )
                        .bind(ts(now))
                        .bind(today.to_string())
                        .bind(&passport_number)
                        .bind(personal::seal_json(
                            hub.sealer(),
                            &handover_context(receipt.as_str()),
                            &handover,
                        )?)
                        .bind(receipt.as_str())
                        .execute(&mut *tx)
                        .await?;
                        let kind = collector_kind_str(handover.approval.collector);
                        store::outbox(
                            tx,
                            "passport_handed_over",
                            json!({"office_code": hub.office_code(), "receipt": receipt,
                                   "visit_id": row.passport.visit.map(|v| v.0), "collector": kind,
                                   "overdue": handover.approval.overdue, "officer": handover.officer.username,
                                   "signature": handover.signature, "at": now}),
                            now,
                        )
                        .await?;
                        store::audit(
                            tx,
                            &who,
                            "pickup_handover",
                            Some(receipt.as_str()),
                            json!({"collector": kind, "overdue": handover.approval.overdue}),
                            now,
                        )
                        .await
                    })
                })
                .await?;
        }
        let mut conn = self.read().await?;
        Ok(self.pickup_view(load(&mut conn, self.sealer(), &receipt).await?))
    }

    /// Cancels a passport not collected (supervisor, head).
    pub async fn cancel_pickup(&self, who: &Principal, req: CancelPickup) -> Result<PickupView> {
        who.authorize(Action::CancelPassport)?;
        let receipt = ReceiptNumber::parse(&req.receipt)?;
        let reason = req.reason.trim().to_string();
        if reason.is_empty() {
            return Err(HubError::BadRequest("reason is required".into()));
        }
        {
            let (hub, who, receipt) = (self.clone(), who.clone(), receipt.clone());
            self.inner
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let now = hub.inner.clock.now();
                        let row = load(tx, hub.sealer(), &receipt).await?;
                        if row.passport.cancelled {
                            return Err(PickupError::Cancelled.into());
                        }
                        if row.passport.collected_at.is_some() {
                            return Err(PickupError::AlreadyCollected.into());
                        }
                        let rules = &hub.inner.config.rules.pickup;
                        let today = hub.inner.config.rules.time_zone.office_date(now);
                        let status = rules.status(row.passport.ready_date(rules), today);
                        sqlx::query("UPDATE pickups SET cancelled_at = ?, cancel_reason = ? WHERE receipt = ?")
                            .bind(ts(now))
                            .bind(&reason)
                            .bind(receipt.as_str())
                            .execute(&mut *tx)
                            .await?;
                        let overdue = matches!(status, PickupStatus::OverdueForCancellation { .. });
                        store::outbox(
                            tx,
                            "passport_cancelled",
                            json!({"office_code": hub.office_code(), "receipt": receipt, "overdue": overdue, "at": now}),
                            now,
                        )
                        .await?;
                        store::audit(
                            tx,
                            &who,
                            "pickup_cancel",
                            Some(receipt.as_str()),
                            json!({"overdue": overdue, "reason": reason}),
                            now,
                        )
                        .await
                    })
                })
                .await?;
        }
        let mut conn = self.read().await?;
        Ok(self.pickup_view(load(&mut conn, self.sealer(), &receipt).await?))
    }

    /// Passports not collected within the collection period (30 days): the list for
    /// cancellation, read by those who may cancel (supervisors and the head).
    pub async fn overdue_pickups(&self, who: &Principal) -> Result<Vec<PickupView>> {
        who.authorize(Action::CancelPassport)?;
        let mut conn = self.read().await?;
        let rows: Vec<PickupTuple> = sqlx::query_as(select_pickups!(
            "WHERE collected_at IS NULL AND cancelled_at IS NULL ORDER BY visit_date, receipt"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let rows = rows
            .into_iter()
            .map(|t| row_from(self.sealer(), t))
            .collect::<Result<Vec<_>>>()?;
        let rules = &self.inner.config.rules.pickup;
        let today = self.today();
        let passports: Vec<PassportForPickup> = rows.iter().map(|r| r.passport.clone()).collect();
        let overdue: Vec<ReceiptNumber> = overdue_for_cancellation(&passports, today, rules)
            .map(|p| p.receipt.clone())
            .collect();
        Ok(rows
            .into_iter()
            .filter(|r| overdue.contains(&r.passport.receipt))
            .map(|r| self.pickup_view(r))
            .collect())
    }

    /// The kiosk's answer for a booking code or receipt number: statuses and dates only.
    pub async fn kiosk_pickup_status(
        &self,
        who: &Principal,
        code: &str,
    ) -> Result<KioskPickupView> {
        who.authorize(Action::CheckPickup)?;
        let rules = &self.inner.config.rules.pickup;
        let today = self.today();
        let rows = match kiosk_query(code) {
            None => Vec::new(),
            Some(q) => {
                let mut conn = self.read().await?;
                let rows: Vec<PickupTuple> = sqlx::query_as(select_pickups!(
                    "WHERE receipt = ? OR booking_code = ? ORDER BY receipt LIMIT 10"
                ))
                .bind(&q)
                .bind(&q)
                .fetch_all(&mut *conn)
                .await?;
                rows.into_iter()
                    .map(|t| row_from(self.sealer(), t))
                    .collect::<Result<Vec<_>>>()?
            }
        };
        let answers: Vec<KioskPickupAnswer> = if rows.is_empty() {
            vec![kiosk_answer(None, today, rules)]
        } else {
            rows.iter()
                .map(|r| kiosk_answer(Some(&r.passport), today, rules))
                .collect()
        };
        Ok(KioskPickupView {
            found: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            answers: answers
                .into_iter()
                .map(|answer| KioskAnswerView {
                    message_id: answer.message_id(),
                    message_en: answer.message_en(),
                    answer,
                })
                .collect(),
        })
    }

    /// The handover receipt of one passport, as a PDF.
    pub async fn pickup_receipt_pdf(&self, who: &Principal, receipt: &str) -> Result<Vec<u8>> {
        who.authorize(Action::HandOverPassport)?;
        let receipt = ReceiptNumber::parse(receipt)?;
        let config = &self.inner.config;
        let mut conn = self.read().await?;
        let row = load(&mut conn, self.sealer(), &receipt).await?;
        let Some(handover) = row.handover.clone() else {
            return Err(HubError::BadRequest(
                "this passport has not been handed over".into(),
            ));
        };
        let officer_name = printouts::display_name(&mut conn, &handover.officer.username).await?;
        drop(conn);
        let doc = PickupReceipt {
            office: printouts::office(config),
            handover: form_handover(config, &row, &handover),
            time_zone: config.rules.time_zone.abbreviation().to_string(),
            officer_name,
            officer_nip: String::new(),
            place: config.office_name.clone(),
        };
        printouts::render(doc, render_pickup_receipt).await
    }

    /// The handover register of one office day, as a PDF (signature column on every row).
    pub async fn pickup_register_pdf(&self, who: &Principal, day: NaiveDate) -> Result<Vec<u8>> {
        who.authorize(Action::HandOverPassport)?;
        let config = &self.inner.config;
        let mut conn = self.read().await?;
        let rows: Vec<PickupTuple> = sqlx::query_as(select_pickups!(
            "WHERE collected_date = ? ORDER BY collected_at, receipt"
        ))
        .bind(day.to_string())
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        let mut entries = Vec::new();
        for t in rows {
            let row = row_from(self.sealer(), t)?;
            if let Some(h) = row.handover.clone() {
                entries.push(form_handover(config, &row, &h));
            }
        }
        let now = self.inner.clock.now();
        let doc = PickupRegister {
            office: printouts::office(config),
            date: day,
            entries,
            printed_note: format!(
                "Dicetak {} {} oleh {}",
                printouts::local(config, now).format("%d-%m-%Y %H:%M"),
                config.rules.time_zone.abbreviation(),
                who.name
            ),
        };
        printouts::render(doc, render_pickup_register).await
    }
}

fn form_handover(config: &crate::config::HubConfig, row: &PickupRow, h: &Handover) -> FormHandover {
    FormHandover {
        receipt_number: row.passport.receipt.to_string(),
        passport_number: row.passport.passport_number.clone().unwrap_or_default(),
        applicant_name: row.applicant_name.clone(),
        collector_name: h
            .approval
            .collector_name
            .clone()
            .unwrap_or_else(|| row.applicant_name.clone()),
        collector: match h.approval.collector {
            CollectorKind::Applicant => FormCollector::Applicant,
            CollectorKind::Family => FormCollector::Family,
            CollectorKind::Proxy => FormCollector::Proxy,
        },
        collector_id: h.approval.collector_id_number.clone(),
        handed_over_at: printouts::local(config, h.at),
    }
}
