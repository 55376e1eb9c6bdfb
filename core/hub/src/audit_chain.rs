//! The audit log as a hash chain.
//!
//! Every `audit_log` row stores `prev_hash`, the hash of the row before it (64 zeros for the
//! first row), and `hash` = SHA-256 over a canonical encoding of its columns and
//! `prev_hash` ([`row_hash`]). The chain head, `<id>:<hash>` of the last row, is kept in
//! `office_settings` under [`HEAD_KEY`], written in the same transaction as the row. So:
//!
//! * an edited row no longer matches its hash;
//! * a row deleted or inserted in the middle breaks the `prev_hash` link of the row after it;
//! * a row deleted at the end leaves the head pointing at a row that is gone;
//! * a row appended without the hub leaves a row after the head.
//!
//! [`verify`] walks the chain and names the first bad row; `loket audit verify` prints it.
//! The chain carries no secret: whoever can rewrite the whole database file can also
//! recompute every hash. Compare the head [`verify`] prints with one noted earlier (for
//! example in the daily report) to catch that.

use crate::auth::Principal;
use crate::db::{Exec, Params};
use crate::error::{HubError, Result};
use crate::store::{self, ts};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::fmt;
use std::path::Path;

/// The `office_settings` key of the chain head.
pub const HEAD_KEY: &str = "audit_chain_head";

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Separates this encoding from any other use of SHA-256 (and versions it).
const DOMAIN: &str = "loket-audit-v1";

/// The columns of one audit row that its hash covers, as stored (text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    /// Row id.
    pub id: i64,
    /// When (RFC 3339 UTC, as stored).
    pub at: &'a str,
    /// `officer`, `device` or `local`.
    pub actor_kind: &'a str,
    /// User or device name.
    pub actor: &'a str,
    /// Workstation, if any.
    pub device: Option<&'a str>,
    /// What was done.
    pub action: &'a str,
    /// On what, if anything.
    pub target: Option<&'a str>,
    /// Details (JSON text as stored).
    pub detail: &'a str,
}

/// SHA-256 (lowercase hex) of a row chained to `prev_hash`. Canonical encoding: the domain
/// tag, then each field as `0x00` (NULL) or `0x01`, its byte length as u64 big-endian and
/// its UTF-8 bytes, in the order id (decimal), at, actor_kind, actor, device, action,
/// target, detail, prev_hash. No field can run into the next.
pub fn row_hash(row: &AuditFields<'_>, prev_hash: &str) -> String {
    fn field(h: &mut Sha256, value: Option<&str>) {
        match value {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    field(&mut h, Some(DOMAIN));
    field(&mut h, Some(&row.id.to_string()));
    field(&mut h, Some(row.at));
    field(&mut h, Some(row.actor_kind));
    field(&mut h, Some(row.actor));
    field(&mut h, row.device);
    field(&mut h, Some(row.action));
    field(&mut h, row.target);
    field(&mut h, Some(row.detail));
    field(&mut h, Some(prev_hash));
    hex::encode(h.finalize())
}

/// The end of the chain: the last row's id and hash (id 0 and [`GENESIS`] when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Id of the last row (0: no row yet).
    pub id: i64,
    /// Its hash.
    pub hash: String,
}

impl Head {
    fn parse(text: &str) -> Option<Head> {
        let (id, hash) = text.split_once(':')?;
        let id = id.parse().ok()?;
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Head {
            id,
            hash: hash.to_string(),
        })
    }

    fn text(&self) -> String {
        format!("{}:{}", self.id, self.hash)
    }
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {}", self.id, self.hash)
    }
}

async fn read_head(conn: &mut SqliteConnection) -> Result<Option<Head>> {
    Ok(store::setting(conn, HEAD_KEY)
        .await?
        .as_deref()
        .and_then(Head::parse))
}

/// The statement that reads what the next audit row chains to ([`Tail`]): the head, the
/// last row's hash and the id AUTOINCREMENT would give the row. No parameters, so callers
/// can run it in the same round trip as their own statements (`concat!`).
macro_rules! audit_tail_sql {
    () => {
        "SELECT (SELECT value FROM office_settings WHERE key = 'audit_chain_head'), \
         (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), \
         MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0), \
             COALESCE((SELECT MAX(id) FROM audit_log), 0)) + 1"
    };
}
pub(crate) use audit_tail_sql;

/// The statements that store a [`Sealed`] row and move the head to it (anonymous
/// parameters, given by [`Sealed::statements`]).
const INSERT: [&str; 2] = [
    "INSERT INTO audit_log (id, at, actor_kind, actor, device, action, target, detail, prev_hash, hash) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    crate::store::set_setting_sql!(),
];

/// What the next audit row chains to, as read by [`audit_tail_sql`].
#[derive(Debug, Clone)]
pub struct Tail {
    head: Option<String>,
    last_hash: Option<String>,
    next_id: i64,
}

impl Tail {
    /// The tail from the row of [`audit_tail_sql`].
    pub fn from_row(row: &crate::db::OwnedRow) -> Result<Tail> {
        Ok(Tail {
            head: row.at(0)?,
            last_hash: row.at(1)?,
            next_id: row.at(2)?,
        })
    }

    /// Seals the next row: its id and its hash chained to the head.
    pub fn seal(
        self,
        who: &Principal,
        action: &str,
        target: Option<&str>,
        detail: &Value,
        at: DateTime<Utc>,
    ) -> Sealed {
        let prev = match self.head.as_deref().and_then(Head::parse) {
            Some(head) => head.hash,
            // No head: only a database whose head was removed by hand. Chain on to the last
            // row; `verify` reports the missing head.
            None => self.last_hash.unwrap_or_else(|| GENESIS.to_string()),
        };
        let at = ts(at);
        let detail = detail.to_string();
        let fields = AuditFields {
            id: self.next_id,
            at: &at,
            actor_kind: who.kind_str(),
            actor: &who.name,
            device: who.device.as_deref(),
            action,
            target,
            detail: &detail,
        };
        let hash = row_hash(&fields, &prev);
        Sealed {
            id: self.next_id,
            at,
            actor_kind: who.kind_str(),
            actor: who.name.clone(),
            device: who.device.clone(),
            action: action.to_string(),
            target: target.map(str::to_string),
            detail,
            prev_hash: prev,
            hash,
        }
    }
}

/// An audit row with its hash, ready to store ([`Sealed::statements`]).
#[derive(Debug, Clone)]
pub struct Sealed {
    id: i64,
    at: String,
    actor_kind: &'static str,
    actor: String,
    device: Option<String>,
    action: String,
    target: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl Sealed {
    /// The statements that store the row and move the head to it, with their parameters
    /// in order: a caller may run more statements after them in the same round trip.
    pub fn statements(self) -> (Vec<&'static str>, Vec<store::Param>) {
        let head = Head {
            id: self.id,
            hash: self.hash.clone(),
        }
        .text();
        let params = vec![
            self.id.into(),
            self.at.into(),
            self.actor_kind.into(),
            self.actor.into(),
            self.device.into(),
            self.action.into(),
            self.target.into(),
            self.detail.into(),
            self.prev_hash.into(),
            self.hash.into(),
            HEAD_KEY.into(),
            head.into(),
        ];
        (INSERT.to_vec(), params)
    }
}

/// Appends one audit row inside the caller's transaction: links it to the head, stores its
/// hash and moves the head. Every row of `audit_log` is written through [`Tail::seal`]
/// (this function, or a caller that runs [`audit_tail_sql`] and [`Sealed::statements`]
/// with its own statements, as the ticket issue does).
pub async fn append(
    conn: &mut impl Exec,
    who: &Principal,
    action: &str,
    target: Option<&str>,
    detail: &Value,
    at: DateTime<Utc>,
) -> Result<()> {
    // Two round trips on sqlx's connection (every change is audited): one read of the
    // tail, one write of the row and of the new head.
    let rows = conn
        .rows(&[audit_tail_sql!()], Params::InOrder(&[]))
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| HubError::Corrupt("the audit chain's tail gave no row".into()))?;
    let (statements, params) = Tail::from_row(row)?
        .seal(who, action, target, detail, at)
        .statements();
    conn.execute(&statements, Params::InOrder(&params)).await?;
    Ok(())
}

type RowTuple = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

const SELECT_ROWS: &str = "SELECT id, at, actor_kind, actor, device, action, target, detail, prev_hash, hash \
     FROM audit_log ORDER BY id";

fn fields(row: &RowTuple) -> AuditFields<'_> {
    AuditFields {
        id: row.0,
        at: &row.1,
        actor_kind: &row.2,
        actor: &row.3,
        device: row.4.as_deref(),
        action: &row.5,
        target: row.6.as_deref(),
        detail: &row.7,
    }
}

/// Starts the chain on a database that has none yet (first open after migration 0003):
/// seals the existing rows in id order and writes the head, in one transaction. Does
/// nothing once a head exists or any row is sealed (a removed head is reported by
/// [`verify`], never papered over).
pub async fn start(conn: &mut SqliteConnection) -> Result<()> {
    if read_head(conn).await?.is_some() {
        return Ok(());
    }
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    if store::setting(&mut *tx, HEAD_KEY).await?.is_some() {
        return Ok(());
    }
    let (sealed,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE hash IS NOT NULL OR prev_hash IS NOT NULL",
    )
    .fetch_one(&mut *tx)
    .await?;
    if sealed > 0 {
        tracing::warn!("audit chain head missing; run `loket audit verify`");
        return Ok(());
    }
    let rows: Vec<RowTuple> = sqlx::query_as(SELECT_ROWS).fetch_all(&mut *tx).await?;
    let mut head = Head {
        id: 0,
        hash: GENESIS.to_string(),
    };
    for row in &rows {
        let hash = row_hash(&fields(row), &head.hash);
        sqlx::query("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?")
            .bind(&head.hash)
            .bind(&hash)
            .bind(row.0)
            .execute(&mut *tx)
            .await?;
        head = Head { id: row.0, hash };
    }
    store::set_setting(&mut *tx, HEAD_KEY, &head.text()).await?;
    tx.commit().await?;
    if !rows.is_empty() {
        tracing::info!(rows = rows.len(), "audit chain started for existing rows");
    }
    Ok(())
}

/// What is wrong at the first bad place of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row has no hash: written around the hub.
    NotSealed,
    /// The row's content no longer matches its hash: it was edited.
    Changed,
    /// The row does not follow the one before it: a row before it was deleted or inserted
    /// (or the rows were renumbered).
    BrokenLink,
    /// The row comes after the chain head: appended around the hub.
    AfterHead,
    /// The last rows up to this id (the head) are gone: deleted at the end.
    Missing,
    /// The head itself is missing or unreadable.
    HeadMissing,
}

/// The first bad row of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The row id named.
    pub row: i64,
    /// What is wrong there.
    pub problem: Problem,
}

impl ChainBreak {
    /// Bahasa Indonesia, then English, saying what to do.
    pub fn message(&self) -> String {
        let row = self.row;
        let (id, en) = match self.problem {
            Problem::NotSealed => (
                format!("baris audit #{row} tidak bersegel (ditulis di luar hub)"),
                format!("audit row #{row} has no hash (written around the hub)"),
            ),
            Problem::Changed => (
                format!("baris audit #{row} telah diubah"),
                format!("audit row #{row} was changed"),
            ),
            Problem::BrokenLink => (
                format!(
                    "baris audit #{row} tidak menyambung ke baris sebelumnya (ada baris yang dihapus atau disisipkan sebelum #{row})"
                ),
                format!(
                    "audit row #{row} does not follow the row before it (a row before #{row} was deleted or inserted)"
                ),
            ),
            Problem::AfterHead => (
                format!("baris audit #{row} ditambahkan di luar hub (sesudah kepala rantai)"),
                format!("audit row #{row} was added around the hub (after the chain head)"),
            ),
            Problem::Missing => (
                format!("baris audit terakhir sampai #{row} telah dihapus"),
                format!("the last audit rows up to #{row} were deleted"),
            ),
            Problem::HeadMissing => (
                format!("kepala rantai audit hilang (baris terakhir #{row})"),
                format!("the audit chain head is missing (last row #{row})"),
            ),
        };
        format!(
            "Rantai audit rusak: {id}. Simpan salinan folder data sebagai bukti dan laporkan ke kepala kantor. / \
             Audit chain broken: {en}. Keep a copy of the data folder as evidence and report it to the office head."
        )
    }
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every row is sealed, linked and unchanged, and the head is the last row.
    Intact {
        /// Rows checked.
        rows: u64,
        /// The head (id 0 when the log is empty).
        head: Head,
    },
    /// The first bad place.
    Broken(ChainBreak),
}

/// Walks the whole chain in id order (streaming) and checks the head.
pub async fn verify(conn: &mut SqliteConnection) -> Result<Verdict> {
    let columns: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info('audit_log')")
        .fetch_all(&mut *conn)
        .await?;
    if !columns.iter().any(|(c,)| c == "hash") {
        return Err(HubError::Corrupt(
            "the audit log has no hash chain yet: start the hub once on this data folder to upgrade it"
                .into(),
        ));
    }
    let head_text = store::setting(conn, HEAD_KEY).await?;
    let mut prev = GENESIS.to_string();
    let mut last = Head {
        id: 0,
        hash: GENESIS.to_string(),
    };
    let mut rows = 0u64;
    let head = head_text.as_deref().and_then(Head::parse);
    {
        let mut stream = sqlx::query_as::<_, RowTuple>(SELECT_ROWS).fetch(&mut *conn);
        while let Some(row) = stream.try_next().await? {
            let id = row.0;
            if let Some(h) = &head
                && id > h.id
                && last.id == h.id
            {
                // Everything up to the head was walked; this row is past it.
                return Ok(Verdict::Broken(if last.hash == h.hash {
                    ChainBreak {
                        row: id,
                        problem: Problem::AfterHead,
                    }
                } else {
                    ChainBreak {
                        row: h.id,
                        problem: Problem::Changed,
                    }
                }));
            }
            let (Some(prev_hash), Some(hash)) = (row.8.as_deref(), row.9.as_deref()) else {
                return Ok(Verdict::Broken(ChainBreak {
                    row: id,
                    problem: Problem::NotSealed,
                }));
            };
            if prev_hash != prev {
                return Ok(Verdict::Broken(ChainBreak {
                    row: id,
                    problem: Problem::BrokenLink,
                }));
            }
            if row_hash(&fields(&row), prev_hash) != hash {
                return Ok(Verdict::Broken(ChainBreak {
                    row: id,
                    problem: Problem::Changed,
                }));
            }
            prev = hash.to_string();
            last = Head {
                id,
                hash: hash.to_string(),
            };
            rows += 1;
        }
    }
    let Some(head) = head else {
        return Ok(Verdict::Broken(ChainBreak {
            row: last.id,
            problem: Problem::HeadMissing,
        }));
    };
    if head == last {
        return Ok(Verdict::Intact { rows, head });
    }
    // The walk ended before the head: the last rows are gone (or the last one was replaced
    // by one with another hash).
    if last.id < head.id {
        return Ok(Verdict::Broken(ChainBreak {
            row: head.id,
            problem: Problem::Missing,
        }));
    }
    Ok(Verdict::Broken(ChainBreak {
        row: last.id,
        problem: if last.id == head.id {
            Problem::Changed
        } else {
            Problem::AfterHead
        },
    }))
}

/// Opens a database file read-only (no migrations, nothing written) for checks.
pub async fn open_read_only(path: &Path) -> Result<SqliteConnection> {
    if !path.is_file() {
        return Err(HubError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} does not exist", path.display()),
        )));
    }
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(std::time::Duration::from_secs(10))
        .connect()
        .await?)
}

/// Verifies the chain of the database file at `path` (read-only; safe while a hub runs).
pub async fn verify_file(path: &Path) -> Result<Verdict> {
    let mut conn = open_read_only(path).await?;
    let verdict = verify(&mut conn).await;
    let _ = conn.close().await;
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(detail: &'a str, target: Option<&'a str>) -> AuditFields<'a> {
        AuditFields {
            id: 7,
            at: "2026-01-02T03:04:05.000Z",
            actor_kind: "officer",
            actor: "budi",
            device: None,
            action: "call_next",
            target,
            detail,
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let base = row("{}", Some("A001"));
        let h = row_hash(&base, GENESIS);
        assert_eq!(h.len(), 64);
        assert_eq!(h, row_hash(&base, GENESIS));
        assert_ne!(h, row_hash(&row("{} ", Some("A001")), GENESIS));
        assert_ne!(h, row_hash(&row("{}", None), GENESIS));
        assert_ne!(h, row_hash(&row("{}", Some("")), GENESIS));
        assert_ne!(
            h,
            row_hash(
                &AuditFields {
                    id: 8,
                    ..base.clone()
                },
                GENESIS
            )
        );
        assert_ne!(
            h,
            row_hash(
                &AuditFields {
                    device: Some("pc-1"),
                    ..base.clone()
                },
                GENESIS
            )
        );
        assert_ne!(h, row_hash(&base, &"1".repeat(64)));
        // Moving text from one field to the next changes the hash (length prefixes).
        let a = AuditFields {
            actor: "bu",
            action: "dicall_next",
            ..base.clone()
        };
        let b = AuditFields {
            actor: "budi",
            action: "call_next",
            ..base
        };
        assert_ne!(row_hash(&a, GENESIS), row_hash(&b, GENESIS));
    }

    #[test]
    fn heads_parse_only_when_well_formed() {
        let h = Head {
            id: 12,
            hash: "ab".repeat(32),
        };
        assert_eq!(Head::parse(&h.text()), Some(h));
        assert_eq!(Head::parse("12"), None);
        assert_eq!(Head::parse("x:ab"), None);
        assert_eq!(Head::parse(&format!("3:{}", "zz".repeat(32))), None);
    }

    /// The tail statement names the head's key as a literal (so that it needs no parameter
    /// in the round trips it joins); it must be [`HEAD_KEY`].
    #[test]
    fn the_tail_statement_reads_the_head_key() {
        assert!(audit_tail_sql!().contains(&format!("key = '{HEAD_KEY}'")));
    }
}
