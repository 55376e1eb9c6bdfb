//! The BAP (Berita Acara Pemeriksaan) at the counter: start for a visit, save the answers,
//! decide, complete, print, sign, amend. The rules are `loket_domain::Bap`'s; the hub keeps
//! every version in `baps` (the whole version as JSON in `content`), checks who approves a
//! suspension and who signs as supervisor (their own log-in in the request, or the session
//! of the supervisor asking), and writes an outbox and an audit row with every change.
//!
//! A draft is saved with optimistic concurrency: a request may carry the `revision` it read;
//! if someone saved in between, it is refused (`bap_stale`) instead of overwriting.

use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::hub::Hub;
use crate::personal;
use crate::printouts::{self, PreparedSignature, SignatureInput, prepare_signature};
use crate::seal::Sealer;
use crate::store::{self, parse_ts, ts};
use crate::views::WarningView;
use chrono::{DateTime, NaiveDate, Utc};
use loket_documents::{
    Applicant, BapCase, BapForm, BapOutcome as FormOutcome, DocumentCheck, Official,
    OldPassport as FormPassport, QuestionAnswer, format_rupiah, render_bap,
};
use loket_domain::bap::required_documents;
use loket_domain::{
    Action, Bap, BapDocument, BapId, BapInterview, BapOutcome, BapReason, BapSignatures, BapStatus,
    BapStep, BookFee, DomainError, FeeQuote, OfficerRef, Role, Sex, Stage, SupervisorApproval,
    VisitId, check_nik,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::SqliteConnection;

/// A supervisor (or the head) proving who they are for an approval or a signature: their
/// user name and password typed at the counter, or a session token of theirs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approver {
    /// User name.
    #[serde(default)]
    pub username: Option<String>,
    /// Password.
    #[serde(default)]
    pub password: Option<String>,
    /// Or a session token (`lks_...`).
    #[serde(default)]
    pub token: Option<String>,
}

/// `POST /baps`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBap {
    /// The visit (a service that needs a BAP).
    #[serde(default)]
    pub visit_id: Option<i64>,
}

/// `PUT /baps/{bap}`: the answers (without the outcome: that is `decide`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBap {
    /// The interview's answers.
    pub answers: BapInterview,
    /// The revision the client read (optional).
    #[serde(default)]
    pub revision: Option<i64>,
}

/// The outcome asked for; a suspension's approval comes from the authenticated approver.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OutcomeChoice {
    /// Approve with the lost or damaged charge and the book fee.
    ApproveWithCharge {
        /// The new passport.
        book: BookFee,
    },
    /// Approve without the charge (force majeure).
    WaiveForceMajeure {
        /// The new passport.
        book: BookFee,
    },
    /// Suspend issue for 6 to 24 months (supervisor's approval).
    Suspend {
        /// Months.
        months: u8,
    },
}

/// `POST /baps/{bap}/decide`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideBap {
    /// The outcome.
    pub outcome: OutcomeChoice,
    /// Who approves a suspension (absent: the asking officer, if a supervisor or head).
    #[serde(default)]
    pub approver: Option<Approver>,
    /// The revision the client read (optional).
    #[serde(default)]
    pub revision: Option<i64>,
}

/// `POST /baps/{bap}/complete` (body optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteBap {
    /// The revision the client read (optional).
    #[serde(default)]
    pub revision: Option<i64>,
}

fn paper() -> SignatureInput {
    SignatureInput::Paper
}

/// `POST /baps/{bap}/sign`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignBap {
    /// The applicant's signature (default: on the printed page).
    #[serde(default = "paper")]
    pub applicant_signature: SignatureInput,
    /// The examining officer's signature (default: on the printed page).
    #[serde(default = "paper")]
    pub officer_signature: SignatureInput,
    /// The supervisor who signs (absent: the asking officer, if a supervisor or head).
    #[serde(default)]
    pub supervisor: Option<Approver>,
    /// The supervisor's signature (default: on the printed page).
    #[serde(default = "paper")]
    pub supervisor_signature: SignatureInput,
    /// The revision the client read (optional).
    #[serde(default)]
    pub revision: Option<i64>,
}

/// `POST /baps/{bap}/amend`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendBap {
    /// Why the signed BAP is amended.
    pub reason: String,
}

/// Something still missing, for the guided interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingView {
    /// Stable code (`police_report_number`...).
    pub code: String,
    /// The step where it is fixed.
    pub step: BapStep,
    /// What to do, in Indonesian.
    pub message_id: String,
    /// What to do, in English.
    pub message_en: String,
}

/// One stored version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BapVersionView {
    /// Version.
    pub version: u32,
    /// Status.
    pub status: BapStatus,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A BAP version as the counter sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BapView {
    /// Id shared by all versions.
    pub id: String,
    /// This version.
    pub version: u32,
    /// The BAP's number (printed).
    pub number: String,
    /// Saves of this version so far (send it back to detect concurrent edits).
    pub revision: i64,
    /// The visit.
    pub visit_id: Option<i64>,
    /// Examination day.
    pub office_date: NaiveDate,
    /// Draft, completed or signed.
    pub status: BapStatus,
    /// Signed: no change accepted (amend instead).
    pub locked: bool,
    /// Whether this is the newest version.
    pub latest: bool,
    /// The version itself (answers, outcome, signatures, amendment).
    pub bap: Bap,
    /// What is still missing, in interview order.
    pub missing: Vec<MissingView>,
    /// Where the guided interview continues.
    pub next_step: Option<BapStep>,
    /// Identity warnings (do not block).
    pub warnings: Vec<WarningView>,
    /// The fees the outcome makes due (`null` for a suspension or no outcome).
    pub fees: Option<FeeQuote>,
    /// Every version of this BAP.
    pub versions: Vec<BapVersionView>,
}

/// A stored row.
struct Row {
    version: u32,
    number: String,
    visit_id: Option<i64>,
    office_date: NaiveDate,
    revision: i64,
    bap: Bap,
}

type RowTuple = (i64, String, Option<i64>, String, i64, Vec<u8>);

/// Seals a version's content for its row (`baps.content`).
fn seal_content(sealer: &Sealer, bap: &Bap) -> Result<Vec<u8>> {
    personal::seal_json(
        sealer,
        &personal::bap_context(&bap.id.0, i64::from(bap.version)),
        bap,
    )
}

/// Opens a stored `baps.content`.
fn open_content(sealer: &Sealer, id: &str, version: i64, content: &[u8]) -> Result<Bap> {
    personal::open_json(sealer, &personal::bap_context(id, version), content)
}

fn row_from(sealer: &Sealer, id: &str, t: RowTuple) -> Result<Row> {
    let (version, number, visit_id, office_date, revision, content) = t;
    Ok(Row {
        version: u32::try_from(version).map_err(|_| HubError::Corrupt("bap version".into()))?,
        number,
        visit_id,
        office_date: office_date
            .parse()
            .map_err(|_| HubError::Corrupt("bap office date".into()))?,
        revision,
        bap: open_content(sealer, id, version, &content)?,
    })
}

async fn load_row(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
    id: &str,
    version: Option<u32>,
) -> Result<Row> {
    let row: Option<RowTuple> = sqlx::query_as(
        "SELECT version, number, visit_id, office_date, revision, content FROM baps \
         WHERE id = ? AND (? IS NULL OR version = ?) ORDER BY version DESC LIMIT 1",
    )
    .bind(id)
    .bind(version.map(i64::from))
    .bind(version.map(i64::from))
    .fetch_optional(conn)
    .await?;
    row_from(sealer, id, row.ok_or(HubError::BapNotFound)?)
}

/// The latest version of every BAP examined in a range of office days (for the report).
pub(crate) async fn latest_in_range(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Bap>> {
    let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT b.id, b.version, b.content FROM baps b WHERE b.office_date BETWEEN ? AND ? \
         AND b.version = (SELECT MAX(l.version) FROM baps l WHERE l.id = b.id) ORDER BY b.id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|(id, version, c)| open_content(sealer, id, *version, c))
        .collect()
}

/// The latest version of the BAP of a visit, if any (pickup registration looks at it).
pub(crate) async fn latest_of_visit(
    conn: &mut impl crate::db::Exec,
    sealer: &Sealer,
    visit_id: i64,
) -> Result<Option<Bap>> {
    let rows = conn
        .rows(
            &["SELECT id, version, content FROM baps WHERE visit_id = ? ORDER BY created_at DESC, version DESC LIMIT 1"],
            crate::db::Params::InOrder(&[visit_id.into()]),
        )
        .await?;
    rows.first()
        .map(|row| {
            let (id, version, content): (String, i64, Vec<u8>) =
                (row.at(0)?, row.at(1)?, row.at(2)?);
            open_content(sealer, &id, version, &content)
        })
        .transpose()
}

enum Stored {
    /// The same version, changed (draft saves, decide, complete, sign).
    Replace(Bap),
    /// A new version (amendment).
    Append(Bap),
}

fn outcome_str(bap: &Bap) -> Option<&'static str> {
    bap.interview.outcome.as_ref().map(|o| o.kind().as_str())
}

fn officer_ref(who: &Principal) -> Result<OfficerRef> {
    match who.role() {
        Some(role) => Ok(OfficerRef::new(&who.name, role)),
        // The command line has no role: it acts as a supervisor would.
        None => Ok(OfficerRef::new(&who.name, Role::Supervisor)),
    }
}

fn missing_views(bap: &Bap) -> Vec<MissingView> {
    bap.missing()
        .iter()
        .map(|m| MissingView {
            code: m.code().to_string(),
            step: m.step(),
            message_id: m.message_id(),
            message_en: m.message_en(),
        })
        .collect()
}

impl Hub {
    /// Who approves or signs as supervisor: the approver's own credentials or token, or the
    /// asking officer when a supervisor or the head. `None` when nobody qualifies.
    pub(crate) async fn approver(
        &self,
        who: &Principal,
        given: Option<&Approver>,
    ) -> Result<Option<OfficerRef>> {
        let Some(given) = given else {
            return Ok(who
                .role()
                .filter(|r| matches!(r, Role::Supervisor | Role::Head))
                .map(|r| OfficerRef::new(&who.name, r)));
        };
        if let Some(token) = given.token.as_deref().filter(|t| !t.trim().is_empty()) {
            let p = self
                .authenticate(token.trim(), who.device.clone())
                .await
                .map_err(|_| HubError::ApproverBadCredentials)?;
            return match p.role() {
                Some(role) => Ok(Some(OfficerRef::new(&p.name, role))),
                None => Err(HubError::ApproverRequired),
            };
        }
        match (given.username.as_deref(), given.password.as_deref()) {
            (Some(user), Some(password)) if !user.trim().is_empty() => {
                // The approver logs in (lockout and audit as any log-in) and the session is
                // ended at once: the approval is what remains.
                let session = match self.login(user.trim(), password, who.device.clone()).await {
                    Ok(s) => s,
                    Err(HubError::BadCredentials) => {
                        return Err(HubError::ApproverBadCredentials);
                    }
                    Err(e) => return Err(e),
                };
                let role = session.user.role;
                let approver = Principal::officer(&session.user.username, role, who.device.clone());
                self.logout(&approver, &session.token).await?;
                Ok(Some(OfficerRef::new(&session.user.username, role)))
            }
            _ => Err(HubError::ApproverRequired),
        }
    }

    /// Starts a BAP for a visit (or without one); a visit that has a BAP already gets it
    /// back. The applicant's name and NIK are filled from the booking when there is one.
    pub async fn start_bap(&self, who: &Principal, req: StartBap) -> Result<BapView> {
        who.authorize(Action::ExamineBap)?;
        let examiner = officer_ref(who)?;
        let id = {
            let (hub, who) = (self.clone(), who.clone());
            self.inner
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let rules = &hub.inner.config.rules;
                        let now = hub.inner.clock.now();
                        let mut interview = BapInterview::default();
                        if let Some(visit_id) = req.visit_id {
                            let visit = store::load_visit(tx, visit_id).await?;
                            let def = rules.services.require(visit.service)?;
                            if !def.needs_bap {
                                return Err(DomainError::StageNotInService {
                                    stage: Stage::Bap,
                                    service: visit.service,
                                }
                                .into());
                            }
                            let existing: Option<(String,)> = sqlx::query_as(
                                "SELECT id FROM baps WHERE visit_id = ? ORDER BY created_at LIMIT 1",
                            )
                            .bind(visit_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if let Some((id,)) = existing {
                                return Ok(id);
                            }
                            let applicant: Option<(String, String)> = sqlx::query_as(
                                "SELECT a.name, a.nik FROM visits v JOIN applicants a \
                                 ON a.booking_code = v.booking_code AND a.idx = v.applicant_index WHERE v.id = ?",
                            )
                            .bind(visit_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if let Some((name, nik)) = applicant {
                                interview.identity.full_name = name;
                                interview.identity.nik = nik;
                            }
                        }
                        let date = rules.time_zone.office_date(now);
                        let (n,): (i64,) = sqlx::query_as(
                            "SELECT COUNT(DISTINCT id) FROM baps WHERE office_date = ?",
                        )
                        .bind(date.to_string())
                        .fetch_one(&mut *tx)
                        .await?;
                        let number = format!(
                            "BAP-{}-{}-{:03}",
                            hub.office_code(),
                            date.format("%Y%m%d"),
                            n + 1
                        );
                        let id = uuid::Uuid::now_v7().to_string();
                        let bap = Bap::new(
                            BapId(id.clone()),
                            req.visit_id.map(VisitId),
                            examiner,
                            now,
                        )
                        .update(interview, &officer_ref(&who)?, now)?;
                        sqlx::query(
                            "INSERT INTO baps (id, version, number, visit_id, office_date, status, outcome, examiner, \
                             revision, created_at, updated_at, content) VALUES (?, 1, ?, ?, ?, ?, NULL, ?, 1, ?, ?, ?)",
                        )
                        .bind(&id)
                        .bind(&number)
                        .bind(req.visit_id)
                        .bind(date.to_string())
                        .bind(bap.status.as_str())
                        .bind(&bap.examiner.username)
                        .bind(ts(now))
                        .bind(ts(now))
                        .bind(seal_content(hub.sealer(), &bap)?)
                        .execute(&mut *tx)
                        .await?;
                        store::outbox(
                            tx,
                            "bap_started",
                            json!({"office_code": hub.office_code(), "bap_id": id, "version": 1, "number": number,
                                   "visit_id": req.visit_id, "office_date": date, "examiner": bap.examiner}),
                            now,
                        )
                        .await?;
                        store::audit(
                            tx,
                            &who,
                            "bap_start",
                            Some(&number),
                            json!({"bap_id": id, "visit_id": req.visit_id}),
                            now,
                        )
                        .await?;
                        Ok(id)
                    })
                })
                .await?
        };
        self.bap(who, &id, None).await
    }

    /// One version of a BAP (the newest when `version` is `None`).
    pub async fn bap(&self, who: &Principal, id: &str, version: Option<u32>) -> Result<BapView> {
        who.authorize(Action::ExamineBap)?;
        let mut conn = self.read().await?;
        let row = load_row(&mut conn, self.sealer(), id, version).await?;
        let versions: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT version, status, updated_at FROM baps WHERE id = ? ORDER BY version",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let versions = versions
            .into_iter()
            .map(|(v, status, at)| {
                Ok(BapVersionView {
                    version: u32::try_from(v).unwrap_or(0),
                    status: store::parse_enum(&status)?,
                    updated_at: parse_ts(&at)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let bap = row.bap;
        Ok(BapView {
            id: bap.id.0.clone(),
            version: row.version,
            number: row.number,
            revision: row.revision,
            visit_id: row.visit_id,
            office_date: row.office_date,
            status: bap.status,
            locked: bap.is_locked(),
            latest: versions.last().is_none_or(|v| v.version == row.version),
            missing: missing_views(&bap),
            next_step: bap.next_step(),
            warnings: bap
                .warnings()
                .iter()
                .map(|w| WarningView {
                    code: w.code().to_string(),
                    message_id: w.message_id(),
                    message_en: w.message_en(),
                })
                .collect(),
            fees: bap.fees(&self.inner.config.rules.fees).ok().flatten(),
            versions,
            bap,
        })
    }

    /// Applies a change to the newest version of a BAP in one transaction: the version row,
    /// drawn signatures, the outbox row and the audit row.
    async fn change_bap<F>(
        &self,
        who: &Principal,
        id: &str,
        expected: Option<i64>,
        action: &'static str,
        signatures: Vec<PreparedSignature>,
        change: F,
    ) -> Result<BapView>
    where
        F: FnOnce(&Bap, DateTime<Utc>) -> Result<Stored> + Send + 'static,
    {
        who.authorize(Action::ExamineBap)?;
        {
            let (hub, who, id) = (self.clone(), who.clone(), id.to_string());
            self.inner
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let now = hub.inner.clock.now();
                        let row = load_row(tx, hub.sealer(), &id, None).await?;
                        if let Some(expected) = expected
                            && expected != row.revision
                        {
                            return Err(HubError::BapStale { expected });
                        }
                        let stored = change(&row.bap, now)?;
                        for s in &signatures {
                            printouts::store_signature(tx, hub.sealer(), s, now).await?;
                        }
                        let (bap, version, revision) = match &stored {
                            Stored::Replace(bap) => {
                                sqlx::query(
                                    "UPDATE baps SET status = ?, outcome = ?, revision = revision + 1, updated_at = ?, \
                                     content = ? WHERE id = ? AND version = ?",
                                )
                                .bind(bap.status.as_str())
                                .bind(outcome_str(bap))
                                .bind(ts(now))
                                .bind(seal_content(hub.sealer(), bap)?)
                                .bind(&id)
                                .bind(i64::from(row.version))
                                .execute(&mut *tx)
                                .await?;
                                (bap, row.version, row.revision + 1)
                            }
                            Stored::Append(bap) => {
                                sqlx::query(
                                    "INSERT INTO baps (id, version, number, visit_id, office_date, status, outcome, examiner, \
                                     revision, created_at, updated_at, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
                                )
                                .bind(&id)
                                .bind(i64::from(bap.version))
                                .bind(&row.number)
                                .bind(row.visit_id)
                                .bind(row.office_date.to_string())
                                .bind(bap.status.as_str())
                                .bind(outcome_str(bap))
                                .bind(&bap.examiner.username)
                                .bind(ts(now))
                                .bind(ts(now))
                                .bind(seal_content(hub.sealer(), bap)?)
                                .execute(&mut *tx)
                                .await?;
                                (bap, bap.version, 1)
                            }
                        };
                        let mut payload = json!({
                            "office_code": hub.office_code(), "bap_id": id, "version": version,
                            "number": row.number, "visit_id": row.visit_id, "office_date": row.office_date,
                            "status": bap.status, "outcome": outcome_str(bap), "revision": revision,
                        });
                        if let Some(a) = &bap.amendment
                            && matches!(stored, Stored::Append(_))
                        {
                            payload["amends_version"] = json!(a.amends_version);
                        }
                        if bap.status == BapStatus::Signed {
                            // The signed version is the record central keeps: sealed in the
                            // outbox, opened by the sync upload (see `personal`).
                            personal::outbox_sealed(
                                tx,
                                hub.sealer(),
                                &format!("bap_{action}"),
                                payload,
                                json!({"bap": bap}),
                                now,
                            )
                            .await?;
                        } else {
                            store::outbox(tx, &format!("bap_{action}"), payload, now).await?;
                        }
                        let approval = match &bap.interview.outcome {
                            Some(BapOutcome::Suspend { approval: Some(a), .. }) => {
                                Some(a.by.username.clone())
                            }
                            _ => None,
                        };
                        store::audit(
                            tx,
                            &who,
                            &format!("bap_{action}"),
                            Some(&row.number),
                            json!({"bap_id": id, "version": version, "revision": revision,
                                   "status": bap.status, "outcome": outcome_str(bap), "approved_by": approval,
                                   "supervisor": bap.signatures.as_ref().map(|s| &s.supervisor.username)}),
                            now,
                        )
                        .await
                    })
                })
                .await?;
        }
        self.bap(who, id, None).await
    }

    /// Saves the interview's answers (the outcome stays as decided). Refused on a signed
    /// BAP (`bap_locked`, 409): amend it instead.
    pub async fn save_bap(&self, who: &Principal, id: &str, req: SaveBap) -> Result<BapView> {
        if req.answers.outcome.is_some() {
            return Err(HubError::BadRequest(
                "the outcome is set with POST /baps/{bap}/decide".into(),
            ));
        }
        let by = officer_ref(who)?;
        self.change_bap(who, id, req.revision, "saved", vec![], move |bap, now| {
            let mut answers = req.answers;
            answers.outcome = bap.interview.outcome.clone();
            Ok(Stored::Replace(bap.update(answers, &by, now)?))
        })
        .await
    }

    /// Records the outcome. A suspension needs a supervisor's (or the head's) approval: the
    /// approver's credentials or token in the request, or a supervisor asking.
    pub async fn decide_bap(&self, who: &Principal, id: &str, req: DecideBap) -> Result<BapView> {
        who.authorize(Action::ExamineBap)?;
        let by = officer_ref(who)?;
        let approver = match req.outcome {
            OutcomeChoice::Suspend { .. } => self.approver(who, req.approver.as_ref()).await?,
            _ => None,
        };
        self.change_bap(who, id, req.revision, "decided", vec![], move |bap, now| {
            let outcome = match req.outcome {
                OutcomeChoice::ApproveWithCharge { book } => BapOutcome::ApproveWithCharge { book },
                OutcomeChoice::WaiveForceMajeure { book } => BapOutcome::WaiveForceMajeure { book },
                OutcomeChoice::Suspend { months } => BapOutcome::Suspend {
                    months,
                    approval: approver.map(|by| SupervisorApproval { by, at: now }),
                },
            };
            Ok(Stored::Replace(bap.decide(outcome, &by, now)?))
        })
        .await
    }

    /// Marks the BAP complete (nothing missing): ready to print and sign.
    pub async fn complete_bap(
        &self,
        who: &Principal,
        id: &str,
        req: CompleteBap,
    ) -> Result<BapView> {
        let by = officer_ref(who)?;
        self.change_bap(
            who,
            id,
            req.revision,
            "completed",
            vec![],
            move |bap, now| Ok(Stored::Replace(bap.complete(&by, now)?)),
        )
        .await
    }

    /// Records the three signatures and locks the version. The supervisor signs with their
    /// own log-in (or is the one asking) and is not the examining officer.
    pub async fn sign_bap(&self, who: &Principal, id: &str, req: SignBap) -> Result<BapView> {
        who.authorize(Action::ExamineBap)?;
        let applicant = prepare_signature(&req.applicant_signature)?;
        let officer = prepare_signature(&req.officer_signature)?;
        let supervisor_sig = prepare_signature(&req.supervisor_signature)?;
        let supervisor = self
            .approver(who, req.supervisor.as_ref())
            .await?
            .ok_or(HubError::ApproverRequired)?;
        let refs = (
            applicant.reference.clone(),
            officer.reference.clone(),
            supervisor_sig.reference.clone(),
        );
        self.change_bap(
            who,
            id,
            req.revision,
            "signed",
            vec![applicant, officer, supervisor_sig],
            move |bap, now| {
                let signatures = BapSignatures {
                    applicant: refs.0,
                    officer: bap.examiner.clone(),
                    officer_signature: refs.1,
                    supervisor,
                    supervisor_signature: refs.2,
                    at: now,
                };
                Ok(Stored::Replace(bap.sign(signatures)?))
            },
        )
        .await
    }

    /// Amends a signed BAP: a new version (unsigned) with the reason, audited; the signed
    /// version stays as it was.
    pub async fn amend_bap(&self, who: &Principal, id: &str, req: AmendBap) -> Result<BapView> {
        let by = officer_ref(who)?;
        self.change_bap(who, id, None, "amended", vec![], move |bap, now| {
            Ok(Stored::Append(bap.amend(&req.reason, &by, now)?))
        })
        .await
    }

    /// The BAP as a PDF for the three signatures (completed or signed versions only).
    pub async fn bap_pdf(
        &self,
        who: &Principal,
        id: &str,
        version: Option<u32>,
    ) -> Result<Vec<u8>> {
        who.authorize(Action::ExamineBap)?;
        let config = &self.inner.config;
        let mut conn = self.read().await?;
        let row = load_row(&mut conn, self.sealer(), id, version).await?;
        let bap = &row.bap;
        if bap.status == BapStatus::Draft {
            return Err(loket_domain::BapError::NotCompleted {
                status: bap.status.as_str().to_string(),
            }
            .into());
        }
        let officer_name = printouts::display_name(&mut conn, &bap.examiner.username).await?;
        let supervisor = match (&bap.signatures, &bap.interview.outcome) {
            (Some(s), _) => Some(s.supervisor.username.clone()),
            (
                None,
                Some(BapOutcome::Suspend {
                    approval: Some(a), ..
                }),
            ) => Some(a.by.username.clone()),
            _ => None,
        };
        let supervisor_name = match supervisor {
            Some(u) => printouts::display_name(&mut conn, &u).await?,
            None => String::new(),
        };
        drop(conn);
        let fees = bap.fees(&config.rules.fees).ok().flatten();
        let form = bap_form(config, &row, fees.as_ref(), officer_name, supervisor_name);
        printouts::render(form, render_bap).await
    }
}

/// Fills the printed form from a stored version.
fn bap_form(
    config: &crate::config::HubConfig,
    row: &Row,
    fees: Option<&FeeQuote>,
    officer_name: String,
    supervisor_name: String,
) -> BapForm {
    let bap = &row.bap;
    let i = &bap.interview;
    let examined = printouts::local(config, bap.examined_at);
    let sex = check_nik(&i.identity.nik, examined.date(), i.identity.birth_date)
        .map(|c| match c.info.sex {
            Sex::Male => "Laki-laki".to_string(),
            Sex::Female => "Perempuan".to_string(),
        })
        .unwrap_or_default();
    let case = match (&i.reason, i.force_majeure_claimed) {
        (_, true) => BapCase::Disaster,
        (Some(BapReason::Damaged { .. }), false) => BapCase::Damaged,
        _ => BapCase::Lost,
    };
    let (police_report, damage) = match &i.reason {
        Some(BapReason::Lost {
            police_report_number,
            police_report_date,
            police_station,
        }) => (
            format!(
                "{police_report_number}, {}, {police_station}",
                police_report_date
                    .map(|d| d.format("%d-%m-%Y").to_string())
                    .unwrap_or_default()
            ),
            String::new(),
        ),
        Some(BapReason::Damaged { state, description }) => (
            String::new(),
            format!(
                "{}{}{description}",
                state.map(|s| s.name_id()).unwrap_or_default(),
                if description.trim().is_empty() {
                    ""
                } else {
                    ": "
                }
            ),
        ),
        None => (String::new(), String::new()),
    };
    let mut questions: Vec<QuestionAnswer> = i
        .answers()
        .into_iter()
        .map(|a| QuestionAnswer {
            question: a.question.to_string(),
            answer: a.answer,
        })
        .collect();
    if !damage.is_empty() {
        questions.push(QuestionAnswer {
            question: "Bagaimana keadaan paspor yang rusak?".into(),
            answer: damage,
        });
    }
    questions.push(QuestionAnswer {
        question: "Penilaian petugas pemeriksa".into(),
        answer: i.assessment.clone(),
    });
    let mut wanted = required_documents(i);
    for d in BapDocument::ALL {
        if (d.is_civil_record() || i.has(d)) && !wanted.contains(&d) {
            wanted.push(d);
        }
    }
    wanted.sort();
    let documents = wanted
        .into_iter()
        .map(|d| DocumentCheck {
            name: d.name_id().to_string(),
            present: i.has(d),
            remark: String::new(),
        })
        .collect();
    let charge = |item| {
        fees.and_then(|q| q.lines.iter().find(|l| l.item == item))
            .map(|l| l.amount)
            .unwrap_or(0)
    };
    let outcome = i.outcome.as_ref().map(|o| match (o, &i.reason) {
        (BapOutcome::ApproveWithCharge { .. }, Some(r)) => FormOutcome::ApproveWithCharge {
            charge_rupiah: charge(r.charge_item()),
        },
        (BapOutcome::ApproveWithCharge { .. }, None) => {
            FormOutcome::ApproveWithCharge { charge_rupiah: 0 }
        }
        (BapOutcome::WaiveForceMajeure { .. }, _) => FormOutcome::WaiveForceMajeure,
        (BapOutcome::Suspend { months, .. }, _) => FormOutcome::Suspend { months: *months },
    });
    let mut note = Vec::new();
    if let Some(o) = &i.outcome {
        note.push(format!("Keputusan: {}.", o.kind().name_id()));
        match o {
            BapOutcome::Suspend { months, approval } => {
                note.push(format!("Penangguhan {months} bulan."));
                if let Some(a) = approval {
                    note.push(format!("Disetujui oleh {}.", a.by.username));
                }
                note.push("Tidak ada biaya.".into());
            }
            _ => {
                if let Some(q) = fees {
                    let lines: Vec<String> = q
                        .lines
                        .iter()
                        .map(|l| format!("{} {}", fee_name(l.item), format_rupiah(l.amount)))
                        .collect();
                    note.push(format!(
                        "Biaya: {}. Jumlah {} ({}).",
                        lines.join(" + "),
                        format_rupiah(q.total),
                        q.basis
                    ));
                }
            }
        }
    }
    if let Some(a) = &bap.amendment {
        note.push(format!(
            "Amandemen versi {} atas versi {}: {}",
            bap.version, a.amends_version, a.reason
        ));
    }
    if let Some(s) = &bap.signatures {
        let at = printouts::local(config, s.at);
        note.push(format!(
            "Ditandatangani {} {}.",
            at.format("%d-%m-%Y %H:%M"),
            config.rules.time_zone.abbreviation()
        ));
    }
    let number = if row.version > 1 {
        format!("{} (versi {})", row.number, row.version)
    } else {
        row.number.clone()
    };
    let old = &i.old_passport;
    BapForm {
        office: printouts::office(config),
        number,
        examined_at: examined,
        time_zone: config.rules.time_zone.abbreviation().to_string(),
        place: config.office_name.clone(),
        case,
        applicant: Applicant {
            full_name: i.identity.full_name.clone(),
            nik: i.identity.nik.clone(),
            birth_place: i.identity.birth_place.clone(),
            birth_date: i.identity.birth_date,
            sex,
            occupation: i.identity.occupation.clone(),
            address: i.identity.address.clone(),
            phone: i.identity.phone.clone(),
        },
        old_passport: FormPassport {
            number: old.number.clone().unwrap_or_default(),
            issued_on: old.issued_on,
            expires_on: old.expires_on,
            issuing_office: old.issuing_office.clone(),
        },
        incident_place: i.incident_place.clone(),
        incident_date: i.incident_date,
        chronology: i.chronology.clone(),
        police_report,
        travel_purpose: i.travel_purpose.clone(),
        past_use: i.past_use.clone(),
        past_applications: i.past_applications.clone(),
        questions,
        documents,
        outcome,
        outcome_note: note.join(" "),
        officer: Official {
            name: officer_name,
            ..Official::default()
        },
        supervisor: Official {
            name: supervisor_name,
            ..Official::default()
        },
    }
}

/// Indonesian name of a fee item (printouts, CSV).
pub(crate) fn fee_name(item: loket_domain::FeeItem) -> &'static str {
    use loket_domain::FeeItem::*;
    match item {
        NonElectronic5y => "Paspor biasa 5 tahun",
        NonElectronic10y => "Paspor biasa 10 tahun",
        Electronic5y => "Paspor elektronik 5 tahun",
        Electronic10y => "Paspor elektronik 10 tahun",
        FastTrack => "Layanan percepatan",
        LostCharge => "Beban paspor hilang",
        DamagedCharge => "Beban paspor rusak",
        ForceMajeure => "Keadaan kahar (tanpa beban)",
    }
}
