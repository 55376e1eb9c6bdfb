//! The hub's error type: every error has a stable code, an HTTP status and messages in
//! Bahasa Indonesia and English. Rule errors come from `loket-domain` unchanged.

use loket_domain::{BapError, CheckInError, DomainError, IdentityError, PickupError, UserFacing};
use thiserror::Error;

/// Errors of the hub. `Display` is for logs and carries no personal data.
#[derive(Debug, Error)]
pub enum HubError {
    /// A rule of the office refused the request.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// No bearer token (or an unknown one).
    #[error("not authenticated")]
    Unauthenticated,
    /// The session has expired or was logged out.
    #[error("session expired")]
    SessionExpired,
    /// Wrong user name or password.
    #[error("bad credentials")]
    BadCredentials,
    /// Too many failed log-ins.
    #[error("account locked")]
    AccountLocked {
        /// Minutes until the lock ends (rounded up).
        minutes: i64,
    },
    /// The request could not be read (malformed JSON, wrong types, bad path).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A counter id that does not exist.
    #[error("counter not found")]
    CounterNotFound,
    /// The route does not exist.
    #[error("route not found")]
    RouteNotFound,
    /// Something exists already (user, device, counter name).
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// The counter holds no called or in-service visit.
    #[error("counter has no current visit")]
    NoCurrentVisit,
    /// Another officer has this counter open; only a supervisor or the head may take it over.
    #[error("counter is open under officer {officer}")]
    CounterHeldByOther {
        /// The officer who opened it.
        officer: String,
    },
    /// The database failed.
    #[error("storage: {0}")]
    Storage(String),
    /// The disk under the data folder is full: the change was not saved (what was saved
    /// before stays); it works again once space is freed.
    #[error("disk full: {0}")]
    DiskFull(String),
    /// The office printer (CUPS) refused or could not be reached; the message is CUPS's
    /// answer, Indonesian then English.
    #[error("office printer: {0}")]
    OfficePrint(String),
    /// A migration failed.
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Stored data could not be read back (a bug or a hand-edited database).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The write transaction could not commit.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    /// Configuration that cannot work.
    #[error("configuration: {0}")]
    Config(String),
    /// File or network I/O.
    #[error("i/o: {0}")]
    Io(std::io::Error),
    /// A call (event id) that is not a call of today.
    #[error("call not found")]
    CallNotFound,
    /// The voice could not be made (espeak-ng missing or failing).
    #[error("speech unavailable: {0}")]
    SpeechUnavailable(String),
    /// The data folder is locked by `loket restore`.
    #[error("data folder busy: {0}")]
    DataDirBusy(String),
    /// A hub (or another `loket` command) has the data folder open.
    #[error("data folder in use: {0}")]
    DataDirInUse(String),
    /// A backup file that must not be restored (or a backup that could not be made).
    #[error("backup unusable: {0}")]
    BackupUnusable(String),
    /// A browser request from a page of another origin.
    #[error("origin refused")]
    OriginRefused,
    /// Sealing or opening personal data failed (key file, or a changed blob).
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    /// Passport photos: no processor, not this officer's visit, no photo, refused frame.
    #[error(transparent)]
    Photo(crate::photo::PhotoFailure),
    /// No BAP with that id (or version).
    #[error("BAP not found")]
    BapNotFound,
    /// The BAP was saved by someone else since it was read (optimistic concurrency).
    #[error("BAP changed since revision {expected}")]
    BapStale {
        /// The revision the caller had.
        expected: i64,
    },
    /// An approval or signature that needs a supervisor's (or the head's) own log-in.
    #[error("supervisor authentication required")]
    ApproverRequired,
    /// The approving supervisor's user name or password is wrong.
    #[error("approver credentials wrong")]
    ApproverBadCredentials,
    /// A handover without the new passport's number.
    #[error("passport number missing")]
    PassportNumberMissing,
    /// A drawn signature that is not a PNG data URL within the size limit.
    #[error("signature invalid: {0}")]
    SignatureInvalid(String),
    /// A report range that is empty, reversed or too long.
    #[error("report range invalid: {0}")]
    ReportRange(String),
    /// A PDF could not be made (fonts missing, a required field empty).
    #[error("document: {0}")]
    Document(String),
    /// A fingerprint session or capture refused (see [`crate::fingerprints`]).
    #[error("fingerprints: {}", .0.code())]
    Fingerprint(crate::fingerprints::FingerprintProblem),
}

impl From<CheckInError> for HubError {
    fn from(e: CheckInError) -> Self {
        HubError::Domain(DomainError::CheckIn(e))
    }
}

impl From<IdentityError> for HubError {
    fn from(e: IdentityError) -> Self {
        HubError::Domain(DomainError::Identity(e))
    }
}

impl From<BapError> for HubError {
    fn from(e: BapError) -> Self {
        HubError::Domain(DomainError::Bap(e))
    }
}

impl From<PickupError> for HubError {
    fn from(e: PickupError) -> Self {
        HubError::Domain(DomainError::Pickup(e))
    }
}

impl From<loket_documents::DocumentError> for HubError {
    fn from(e: loket_documents::DocumentError) -> Self {
        HubError::Document(e.to_string())
    }
}

impl From<crate::lock::LockError> for HubError {
    fn from(e: crate::lock::LockError) -> Self {
        use crate::lock::LockError;
        match e {
            LockError::Busy(dir) => HubError::DataDirBusy(dir),
            LockError::InUse(dir) => HubError::DataDirInUse(dir),
            LockError::Io(e) => e.into(),
        }
    }
}

impl From<serde_json::Error> for HubError {
    fn from(e: serde_json::Error) -> Self {
        HubError::Corrupt(e.to_string())
    }
}

/// SQLite's "database or disk is full" (`SQLITE_FULL`), or a write the OS refused for lack
/// of space.
fn is_disk_full(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("database or disk is full") || text.contains("no space left on device")
}

impl From<std::io::Error> for HubError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::StorageFull {
            HubError::DiskFull(e.to_string())
        } else {
            HubError::Io(e)
        }
    }
}

impl From<sqlx::Error> for HubError {
    fn from(e: sqlx::Error) -> Self {
        let full_code = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "13");
        if full_code || is_disk_full(&e.to_string()) {
            HubError::DiskFull(e.to_string())
        } else {
            HubError::Storage(e.to_string())
        }
    }
}

/// The writer's direct statements ([`crate::db::DirectConn`]) fail as sqlx's do.
impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        let full_code = e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull);
        if full_code || is_disk_full(&e.to_string()) {
            HubError::DiskFull(e.to_string())
        } else {
            HubError::Storage(e.to_string())
        }
    }
}

impl HubError {
    /// A commit that failed: disk full gets its own error, anything else is `CommitFailed`.
    pub fn commit_failed(text: String) -> Self {
        if is_disk_full(&text) {
            HubError::DiskFull(text)
        } else {
            HubError::CommitFailed(text)
        }
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            HubError::Domain(e) => e.code(),
            HubError::Unauthenticated => "unauthenticated",
            HubError::SessionExpired => "session_expired",
            HubError::BadCredentials => "bad_credentials",
            HubError::AccountLocked { .. } => "account_locked",
            HubError::BadRequest(_) => "bad_request",
            HubError::CounterNotFound => "counter_not_found",
            HubError::RouteNotFound => "route_not_found",
            HubError::AlreadyExists(_) => "already_exists",
            HubError::NoCurrentVisit => "no_current_visit",
            HubError::CounterHeldByOther { .. } => "counter_held_by_other",
            HubError::CallNotFound => "call_not_found",
            HubError::SpeechUnavailable(_) => "speech_unavailable",
            HubError::DataDirBusy(_) => "data_dir_busy",
            HubError::DataDirInUse(_) => "data_dir_in_use",
            HubError::BackupUnusable(_) => "backup_unusable",
            HubError::OriginRefused => "origin_refused",
            HubError::Seal(_) => "sealed_data",
            HubError::Photo(e) => e.code(),
            HubError::BapNotFound => "bap_not_found",
            HubError::BapStale { .. } => "bap_stale",
            HubError::ApproverRequired => "approver_required",
            HubError::ApproverBadCredentials => "approver_bad_credentials",
            HubError::PassportNumberMissing => "passport_number_missing",
            HubError::SignatureInvalid(_) => "signature_invalid",
            HubError::ReportRange(_) => "report_range_invalid",
            HubError::Document(_) => "document_failed",
            HubError::DiskFull(_) => "disk_full",
            HubError::OfficePrint(_) => "office_print_failed",
            HubError::Fingerprint(p) => p.code(),
            HubError::Storage(_)
            | HubError::Migration(_)
            | HubError::Corrupt(_)
            | HubError::Io(_)
            | HubError::CommitFailed(_) => "internal",
            HubError::Config(_) => "invalid_config",
        }
    }

    /// The HTTP status the API answers with.
    pub fn status(&self) -> u16 {
        match self {
            HubError::Domain(e) => domain_status(e),
            HubError::Unauthenticated | HubError::SessionExpired | HubError::BadCredentials => 401,
            HubError::AccountLocked { .. } => 423,
            HubError::BadRequest(_) => 400,
            HubError::CounterNotFound | HubError::RouteNotFound | HubError::CallNotFound => 404,
            HubError::SpeechUnavailable(_) | HubError::DataDirBusy(_) => 503,
            HubError::DataDirInUse(_) => 409,
            HubError::BackupUnusable(_) => 422,
            HubError::OriginRefused | HubError::CounterHeldByOther { .. } => 403,
            HubError::Seal(_) => 500,
            HubError::Photo(e) => e.status(),
            HubError::AlreadyExists(_) | HubError::NoCurrentVisit | HubError::BapStale { .. } => {
                409
            }
            HubError::BapNotFound => 404,
            HubError::ApproverRequired
            | HubError::ApproverBadCredentials
            | HubError::PassportNumberMissing
            | HubError::SignatureInvalid(_) => 422,
            HubError::ReportRange(_) => 400,
            HubError::Document(_) => 500,
            HubError::DiskFull(_) => 507,
            HubError::OfficePrint(_) => 502,
            HubError::Fingerprint(p) => p.status(),
            HubError::Storage(_)
            | HubError::Migration(_)
            | HubError::Corrupt(_)
            | HubError::Io(_)
            | HubError::CommitFailed(_)
            | HubError::Config(_) => 500,
        }
    }

    /// Message in Bahasa Indonesia, saying what to do next.
    pub fn message_id(&self) -> String {
        match self {
            HubError::Domain(e) => e.message_id(),
            HubError::Unauthenticated => {
                "Belum masuk. Masuk dengan akun petugas atau token perangkat lalu coba lagi.".into()
            }
            HubError::SessionExpired => "Sesi sudah berakhir. Silakan masuk kembali.".into(),
            HubError::BadCredentials => {
                "Nama pengguna atau kata sandi salah. Periksa lalu coba lagi.".into()
            }
            HubError::AccountLocked { minutes } => format!(
                "Akun dikunci karena terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit atau hubungi admin."
            ),
            HubError::BadRequest(_) => {
                "Permintaan tidak dapat dibaca. Periksa data yang dikirim lalu coba lagi.".into()
            }
            HubError::CounterNotFound => "Loket tidak ditemukan. Pilih loket yang ada.".into(),
            HubError::RouteNotFound => "Alamat tidak dikenal. Periksa versi aplikasi.".into(),
            HubError::AlreadyExists(_) => "Data sudah ada. Gunakan nama lain.".into(),
            HubError::NoCurrentVisit => {
                "Loket ini belum memanggil antrean. Panggil antrean berikutnya dulu.".into()
            }
            HubError::CounterHeldByOther { officer } => format!(
                "Loket ini sedang dibuka oleh petugas {officer}. Pilih loket lain, atau minta \
                 supervisor menutup atau mengambil alih loket ini."
            ),
            HubError::CallNotFound => {
                "Panggilan tidak ditemukan (bukan panggilan hari ini). Muat ulang layar.".into()
            }
            HubError::SpeechUnavailable(_) => {
                "Suara panggilan tidak dapat dibuat: pasang espeak-ng di server kantor (apt install espeak-ng). Nomor tetap tampil di layar."
                    .into()
            }
            HubError::DataDirBusy(_) => {
                "Folder data sedang dipulihkan (loket restore). Tunggu sampai selesai lalu jalankan lagi."
                    .into()
            }
            HubError::DataDirInUse(_) => {
                "Folder data sedang dipakai hub atau perintah loket lain. Hentikan hub dulu (systemctl stop loket-hub) lalu coba lagi."
                    .into()
            }
            HubError::BackupUnusable(why) => format!(
                "Berkas cadangan tidak dapat dipakai ({why}). Pilih berkas cadangan lain; data yang ada tidak diubah."
            ),
            HubError::Seal(e) => e.message_id(),
            HubError::Photo(e) => e.message_id(),
            HubError::OriginRefused => {
                "Permintaan dari halaman situs lain ditolak. Buka aplikasi Loket dari alamat hub kantor."
                    .into()
            }
            HubError::BapNotFound => {
                "BAP tidak ditemukan. Muat ulang layar atau mulai BAP untuk kunjungan ini.".into()
            }
            HubError::BapStale { .. } => {
                "BAP sudah diubah di layar lain. Muat ulang BAP, periksa isinya, lalu simpan lagi."
                    .into()
            }
            HubError::ApproverRequired => {
                "Langkah ini memerlukan supervisor atau kepala kantor: minta beliau memasukkan nama pengguna dan kata sandinya."
                    .into()
            }
            HubError::ApproverBadCredentials => {
                "Nama pengguna atau kata sandi supervisor salah. Minta supervisor mengetik ulang."
                    .into()
            }
            HubError::PassportNumberMissing => {
                "Nomor paspor baru belum tercatat. Ketik nomor paspor yang diserahkan.".into()
            }
            HubError::SignatureInvalid(_) => {
                "Tanda tangan tidak terbaca. Minta pengambil menandatangani ulang, atau pilih tanda tangan pada register cetak."
                    .into()
            }
            HubError::ReportRange(_) => {
                "Rentang tanggal laporan tidak valid. Pilih tanggal awal sebelum tanggal akhir, paling lama 366 hari."
                    .into()
            }
            HubError::Fingerprint(p) => p.message_id(),
            HubError::Document(m) => format!(
                "PDF tidak dapat dibuat: {}",
                m.split(" / ").next().unwrap_or(m)
            ),
            HubError::OfficePrint(m) => format!(
                "Tidak tercetak di printer kantor: {}",
                m.split(" / ").next().unwrap_or(m)
            ),
            HubError::DiskFull(_) => {
                "Penyimpanan server kantor penuh; perubahan ini belum tersimpan, data yang sudah tersimpan aman. Minta teknisi mengosongkan ruang disk server hub, lalu coba lagi."
                    .into()
            }
            HubError::Storage(_)
            | HubError::Migration(_)
            | HubError::Corrupt(_)
            | HubError::Io(_)
            | HubError::CommitFailed(_) => {
                "Terjadi kesalahan pada server kantor. Coba lagi; bila berulang, hubungi teknisi."
                    .into()
            }
            HubError::Config(_) => "Konfigurasi server kantor tidak valid. Hubungi teknisi.".into(),
        }
    }

    /// Message in English, saying what to do next.
    pub fn message_en(&self) -> String {
        match self {
            HubError::Domain(e) => e.message_en(),
            HubError::Unauthenticated => {
                "Not signed in. Sign in with an officer account or a device token and try again."
                    .into()
            }
            HubError::SessionExpired => "Your session has ended. Please sign in again.".into(),
            HubError::BadCredentials => {
                "Wrong user name or password. Check them and try again.".into()
            }
            HubError::AccountLocked { minutes } => format!(
                "The account is locked after too many failed attempts. Try again in {minutes} minutes or ask an admin."
            ),
            HubError::BadRequest(_) => {
                "The request could not be read. Check the data sent and try again.".into()
            }
            HubError::CounterNotFound => "Counter not found. Choose an existing counter.".into(),
            HubError::RouteNotFound => "Unknown address. Check the application version.".into(),
            HubError::AlreadyExists(_) => "It exists already. Use another name.".into(),
            HubError::NoCurrentVisit => {
                "This counter has not called anyone. Call the next ticket first.".into()
            }
            HubError::CounterHeldByOther { officer } => format!(
                "This counter is open under officer {officer}. Choose another counter, or ask a \
                 supervisor to close or take over this counter."
            ),
            HubError::CallNotFound => {
                "Call not found (not a call of today). Reload the screen.".into()
            }
            HubError::SpeechUnavailable(_) => {
                "The spoken call could not be made: install espeak-ng on the office server (apt install espeak-ng). The number still shows on screen."
                    .into()
            }
            HubError::DataDirBusy(_) => {
                "The data folder is being restored (loket restore). Wait until it finishes, then start again."
                    .into()
            }
            HubError::DataDirInUse(_) => {
                "The data folder is in use by the hub or another loket command. Stop the hub first (systemctl stop loket-hub) and try again."
                    .into()
            }
            HubError::BackupUnusable(why) => format!(
                "The backup file cannot be used ({why}). Choose another backup file; the current data was not changed."
            ),
            HubError::Seal(e) => e.message_en(),
            HubError::Photo(e) => e.message_en(),
            HubError::OriginRefused => {
                "A request from another site's page was refused. Open the Loket app from the office hub's address."
                    .into()
            }
            HubError::BapNotFound => {
                "BAP not found. Reload the screen or start the BAP for this visit.".into()
            }
            HubError::BapStale { .. } => {
                "The BAP was changed on another screen. Reload it, check it, then save again."
                    .into()
            }
            HubError::ApproverRequired => {
                "This step needs a supervisor or the office head: ask them to enter their user name and password."
                    .into()
            }
            HubError::ApproverBadCredentials => {
                "The supervisor's user name or password is wrong. Ask them to type it again."
                    .into()
            }
            HubError::PassportNumberMissing => {
                "The new passport's number is not recorded. Type the number of the passport handed over."
                    .into()
            }
            HubError::SignatureInvalid(_) => {
                "The signature could not be read. Ask the collector to sign again, or choose signing on the printed register."
                    .into()
            }
            HubError::ReportRange(_) => {
                "The report's date range is not valid. Choose a start before the end, at most 366 days."
                    .into()
            }
            HubError::Fingerprint(p) => p.message_en(),
            HubError::Document(m) => format!(
                "The PDF could not be made: {}",
                m.split(" / ").nth(1).unwrap_or(m)
            ),
            HubError::OfficePrint(m) => format!(
                "Not printed on the office printer: {}",
                m.split(" / ").nth(1).unwrap_or(m)
            ),
            HubError::DiskFull(_) => {
                "The office server's storage is full; this change was not saved, what was saved before is safe. Ask the technician to free disk space on the hub machine, then try again."
                    .into()
            }
            HubError::Storage(_)
            | HubError::Migration(_)
            | HubError::Corrupt(_)
            | HubError::Io(_)
            | HubError::CommitFailed(_) => {
                "The office server hit an error. Try again; if it repeats, call a technician."
                    .into()
            }
            HubError::Config(_) => {
                "The office server's configuration is not valid. Call a technician.".into()
            }
        }
    }
}

/// HTTP status of a rule error: 403 refused right, 404 unknown thing, 409 conflicts with the
/// current state (quota, queue, visit, counter), 422 input a rule refuses.
fn domain_status(e: &DomainError) -> u16 {
    match e {
        DomainError::Forbidden { .. } => 403,
        DomainError::VisitNotFound => 404,
        DomainError::CheckIn(CheckInError::BookingNotFound) => 404,
        DomainError::QuotaExhausted { .. }
        | DomainError::ServiceNotOfferedToday { .. }
        | DomainError::TicketNumbersExhausted { .. }
        | DomainError::IllegalTransition { .. }
        | DomainError::VisitClosed { .. }
        | DomainError::EventOutOfOrder { .. }
        | DomainError::StageMismatch { .. }
        | DomainError::RecallLimitReached { .. }
        | DomainError::NoShowTooEarly { .. }
        | DomainError::CounterNotOpen { .. }
        | DomainError::CounterCannotServe { .. }
        | DomainError::CounterBusy { .. }
        | DomainError::ReservedForOtherCounter { .. }
        | DomainError::QueueEmpty { .. }
        | DomainError::VisitNotWaiting { .. }
        | DomainError::WouldStarve { .. } => 409,
        DomainError::InvalidConfig { .. } => 500,
        DomainError::Bap(
            BapError::Locked { .. }
            | BapError::NotCompleted { .. }
            | BapError::NotSigned
            | BapError::OutOfOrder,
        ) => 409,
        DomainError::Pickup(PickupError::NotFound) => 404,
        DomainError::Pickup(
            PickupError::NotReady { .. } | PickupError::AlreadyCollected | PickupError::Cancelled,
        ) => 409,
        _ => 422,
    }
}

/// Result with [`HubError`].
pub type Result<T, E = HubError> = std::result::Result<T, E>;
