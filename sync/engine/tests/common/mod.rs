//! Test harness: a central (in process, TLS), an office ledger with a hub-shaped database,
//! the fault proxy, and the check that central's state equals the office's log.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use loket_central::{
    CentralStore, EffectCount, NonceCheck, Nonced, RequestNonce, RunningServer, SqlStore,
    StoreError, TlsPem, WholeBlob,
};
use loket_sync::{CentralClient, ClientOptions, EngineConfig, OfficeLedger, SqliteLedger};
use loket_sync_protocol::{BlobStatus, Change, Event, FeedPage, OfficeAck, UploadEventsResponse};
use serde_json::json;

pub fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// A store wrapper whose writes fail with "disk full" while the switch is on.
pub struct FullSwitch {
    pub inner: SqlStore,
    pub full: AtomicBool,
}

impl FullSwitch {
    fn check(&self) -> Result<(), StoreError> {
        if self.full.load(Ordering::SeqCst) {
            Err(StoreError::Full)
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl CentralStore for FullSwitch {
    async fn add_office(&self, c: &str, t: &str, r: bool) -> Result<(), StoreError> {
        self.inner.add_office(c, t, r).await
    }
    async fn enrol(&self, c: &str, t: &str, k: &str) -> Result<(), StoreError> {
        self.inner.enrol(c, t, k).await
    }
    async fn office_key(&self, c: &str) -> Result<Option<String>, StoreError> {
        self.inner.office_key(c).await
    }
    async fn office_key_uncached(&self, c: &str) -> Result<Option<String>, StoreError> {
        self.inner.office_key_uncached(c).await
    }
    async fn remember_nonce(
        &self,
        c: &str,
        k: &str,
        n: &str,
        u: i64,
    ) -> Result<NonceCheck, StoreError> {
        self.inner.remember_nonce(c, k, n, u).await
    }
    async fn append_events(
        &self,
        c: &str,
        e: &[Event],
    ) -> Result<UploadEventsResponse, StoreError> {
        self.check()?;
        self.inner.append_events(c, e).await
    }
    async fn append_events_signed(
        &self,
        c: &str,
        n: &RequestNonce,
        e: &[Event],
    ) -> Result<Nonced<UploadEventsResponse>, StoreError> {
        self.check()?;
        self.inner.append_events_signed(c, n, e).await
    }
    async fn office_ack(&self, c: &str) -> Result<OfficeAck, StoreError> {
        self.inner.office_ack(c).await
    }
    async fn events(&self, c: &str) -> Result<Vec<Event>, StoreError> {
        self.inner.events(c).await
    }
    async fn effects(&self, c: &str) -> Result<Vec<EffectCount>, StoreError> {
        self.inner.effects(c).await
    }
    async fn blob_status(&self, s: &str) -> Result<BlobStatus, StoreError> {
        self.inner.blob_status(s).await
    }
    async fn blob_write(
        &self,
        c: &str,
        s: &str,
        st: u64,
        b: &[u8],
        t: u64,
    ) -> Result<BlobStatus, StoreError> {
        self.check()?;
        self.inner.blob_write(c, s, st, b, t).await
    }
    async fn blob_batch_write(
        &self,
        c: &str,
        n: &RequestNonce,
        b: &[WholeBlob<'_>],
    ) -> Result<Nonced<Vec<Result<BlobStatus, StoreError>>>, StoreError> {
        self.check()?;
        self.inner.blob_batch_write(c, n, b).await
    }
    async fn blob_read(&self, s: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.blob_read(s).await
    }
    async fn office_blobs(&self, c: &str) -> Result<Vec<String>, StoreError> {
        self.inner.office_blobs(c).await
    }
    async fn publish(&self, c: &str, ch: &Change) -> Result<i64, StoreError> {
        self.inner.publish(c, ch).await
    }
    async fn feed(&self, c: &str, a: i64, l: i64) -> Result<FeedPage, StoreError> {
        self.inner.feed(c, a, l).await
    }
}

/// Central in process: store, TLS server, its CA.
pub struct Central {
    pub dir: tempfile::TempDir,
    pub store: Arc<FullSwitch>,
    pub server: Option<RunningServer>,
    pub tls: TlsPem,
    /// The PostgreSQL database, when central does not use SQLite in `dir`.
    pub database_url: Option<String>,
}

pub fn test_tls() -> TlsPem {
    let ck = ok(rcgen::generate_simple_self_signed(vec![
        "localhost".to_string(),
    ]));
    TlsPem {
        cert: ck.cert.pem().into_bytes(),
        key: ck.signing_key.serialize_pem().into_bytes(),
    }
}

impl Central {
    pub async fn start() -> Central {
        Central::start_with(None).await
    }

    /// Central on SQLite in a temporary folder, or on the PostgreSQL database at `url`.
    pub async fn start_with(database_url: Option<&str>) -> Central {
        let dir = ok(tempfile::tempdir());
        let store = Arc::new(FullSwitch {
            inner: ok(loket_central::open_store(dir.path(), database_url).await),
            full: AtomicBool::new(false),
        });
        let tls = test_tls();
        let mut c = Central {
            dir,
            store,
            server: None,
            tls,
            database_url: database_url.map(str::to_string),
        };
        c.serve().await;
        c
    }

    pub async fn serve(&mut self) {
        let listener = ok(std::net::TcpListener::bind("127.0.0.1:0"));
        let store: Arc<dyn CentralStore> = self.store.clone();
        self.server = Some(ok(loket_central::spawn(
            store,
            listener,
            Some(self.tls.clone()),
        )
        .await));
    }

    /// Kills the server and reopens the database from disk, like a restart.
    pub async fn restart(&mut self) {
        if let Some(s) = self.server.take() {
            s.kill().await;
        }
        self.store.inner.close().await;
        let inner =
            ok(loket_central::open_store(self.dir.path(), self.database_url.as_deref()).await);
        self.store = Arc::new(FullSwitch {
            inner,
            full: AtomicBool::new(false),
        });
        self.serve().await;
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.server
            .as_ref()
            .map(|s| s.addr)
            .unwrap_or_else(|| panic!("not serving"))
    }

    pub fn url_via(&self, addr: std::net::SocketAddr) -> String {
        format!("https://localhost:{}", addr.port())
    }

    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            ca_cert_pem: Some(self.tls.cert.clone()),
            ..ClientOptions::default()
        }
    }

    /// Registers and enrols an office; returns its client going through `addr`.
    pub async fn enrol(&self, office: &str, addr: std::net::SocketAddr) -> CentralClient {
        self.enrol_with(office, addr, self.client_options()).await
    }

    /// Like `enrol`, with one connection per request.
    pub async fn enrol_fresh_connections(
        &self,
        office: &str,
        addr: std::net::SocketAddr,
    ) -> CentralClient {
        let options = ClientOptions {
            reuse_connections: false,
            ..self.client_options()
        };
        self.enrol_with(office, addr, options).await
    }

    async fn enrol_with(
        &self,
        office: &str,
        addr: std::net::SocketAddr,
        options: ClientOptions,
    ) -> CentralClient {
        let token = ok(loket_central::add_office(self.store.as_ref(), office, false).await);
        let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
        ok(loket_sync::enrol(
            &self.url_via(self.addr()),
            office,
            &token,
            &key,
            &self.client_options(),
        )
        .await);
        ok(CentralClient::new(
            &self.url_via(addr),
            office,
            key,
            &options,
        ))
    }
}

/// An office: hub-shaped database plus a blob folder.
pub struct Office {
    pub dir: tempfile::TempDir,
    pub code: String,
    pub ledger: Arc<SqliteLedger>,
}

impl Office {
    pub async fn new(code: &str) -> Office {
        let dir = ok(tempfile::tempdir());
        let ledger = ok(SqliteLedger::open(&dir.path().join("loket.db")).await);
        ok(ledger.create_outbox().await);
        ok(
            sqlx::query("CREATE TABLE IF NOT EXISTS check_ins (booking_code TEXT PRIMARY KEY)")
                .execute(ledger.pool())
                .await,
        );
        Office {
            dir,
            code: code.to_string(),
            ledger: Arc::new(ledger),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("loket.db")
    }

    /// A day's activity: `visits` visits, each with events, a photo and `prints` prints.
    pub async fn busy_day(
        &self,
        visits: usize,
        photo_bytes: usize,
        prints: usize,
        print_bytes: usize,
    ) {
        let blobs = self.dir.path().join("blobs");
        ok(std::fs::create_dir_all(&blobs));
        for v in 0..visits {
            let ticket = format!("A{v:03}");
            ok(self
                .ledger
                .append_event(
                    "ticket_issued",
                    &json!({"office": self.code, "ticket": ticket}),
                )
                .await);
            let photo = write_blob(
                &blobs,
                &format!("{v}-photo"),
                photo_bytes,
                v as u64 * 31 + 1,
            );
            let mut shas = vec![ok(self.ledger.register_blob(&photo).await)];
            for p in 0..prints {
                let f = write_blob(
                    &blobs,
                    &format!("{v}-print{p}"),
                    print_bytes,
                    v as u64 * 1000 + p as u64 + 7,
                );
                shas.push(ok(self.ledger.register_blob(&f).await));
            }
            ok(self
                .ledger
                .append_event(
                    "capture_recorded",
                    &json!({"office": self.code, "ticket": ticket, "blobs": shas}),
                )
                .await);
            ok(self
                .ledger
                .append_event("visit_event", &json!({"ticket": ticket, "kind": "closed"}))
                .await);
        }
    }
}

/// Writes `len` pseudo-random bytes (seeded) to a file.
pub fn write_blob(dir: &Path, name: &str, len: usize, seed: u64) -> PathBuf {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let path = dir.join(name);
    ok(std::fs::write(&path, bytes));
    path
}

pub fn fast_config() -> EngineConfig {
    EngineConfig {
        poll_interval: std::time::Duration::from_millis(100),
        backoff_base: std::time::Duration::from_millis(20),
        backoff_max: std::time::Duration::from_millis(300),
        ..EngineConfig::default()
    }
}

/// Central's state for the office equals the office's log exactly: the same events
/// (nothing lost, nothing doubled), each effect counted once, every blob byte-identical.
pub async fn assert_central_equals_office(store: &dyn CentralStore, office: &Office) {
    let local = ok(office.ledger.all_events().await);
    let remote = ok(store.events(&office.code).await);
    assert_eq!(remote.len(), local.len(), "event count");
    assert_eq!(remote, local, "events differ");
    let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
    for e in &local {
        *by_kind.entry(e.kind.clone()).or_default() += 1;
    }
    let effects: BTreeMap<String, i64> = ok(store.effects(&office.code).await)
        .into_iter()
        .map(|e| (e.kind, e.count))
        .collect();
    assert_eq!(effects, by_kind, "effects applied other than once");
    let rows = ok(sqlx::query_as::<_, (String, String)>(
        "SELECT sha256, path FROM sync_blobs ORDER BY sha256",
    )
    .fetch_all(office.ledger.pool())
    .await);
    let remote_blobs = ok(store.office_blobs(&office.code).await);
    assert_eq!(
        remote_blobs,
        rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "blob sets differ"
    );
    for (sha, path) in rows {
        let local_bytes = ok(std::fs::read(&path));
        let remote_bytes = ok(store.blob_read(&sha).await).unwrap_or_default();
        assert!(local_bytes == remote_bytes, "blob {sha} differs");
    }
    let pending = ok(office.ledger.pending().await);
    assert_eq!((pending.events, pending.blobs), (0, 0), "still pending");
}

/// Runs rounds until one succeeds (faults make the first ones fail); panics after `max`.
pub async fn sync_until_ok<L: OfficeLedger>(
    engine: &loket_sync::SyncEngine<L>,
    max: usize,
) -> usize {
    for attempt in 1..=max {
        if engine.sync_once().await.is_ok() {
            return attempt;
        }
    }
    panic!("no successful round in {max} attempts");
}
