//! What a process that runs the engine on a hub's data folder holds, the same way `loket
//! hub` does: the folder's lock (`loket.lock`, shared, like every process that opens the
//! hub's database, so `loket restore` is refused while it runs and it is refused while a
//! restore runs) and the hub's seal key (`seal.key`), which opens the personal data the hub
//! seals in some outbox payloads (a signed BAP) just before upload.
//!
//! `loket hub` opens sealed payloads with the same code ([`HubOpener`] calls
//! `loket_vault::outbox::open_outbox_payload`); the stand-alone `loket-sync-agent` and `loket sync run`
//! take their lock and key through [`HubFolder::open`].

use std::path::Path;
use std::sync::Arc;

use loket_vault::lock::DataLock;
use loket_vault::seal::{KEY_FILE_NAME, Sealer};

use crate::config::ConfigError;
use crate::sqlite_ledger::PayloadOpener;

/// Opens the sealed part of outbox payloads with the hub's seal key, as the hub's engine
/// does.
pub struct HubOpener(
    /// The hub's sealer (its `seal.key`).
    pub Sealer,
);

impl PayloadOpener for HubOpener {
    fn open(
        &self,
        event_id: &str,
        payload: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        loket_vault::outbox::open_outbox_payload(&self.0, event_id, payload)
            .map_err(|e| e.to_string())
    }
}

/// A hub data folder held for sync: its shared lock (released on drop) and, when the hub
/// has one, an opener with its seal key.
pub struct HubFolder {
    _lock: DataLock,
    opener: Option<Arc<dyn PayloadOpener>>,
}

impl std::fmt::Debug for HubFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubFolder")
            .field("opener", &self.opener.is_some())
            .finish_non_exhaustive()
    }
}

impl HubFolder {
    /// Takes the folder's lock (shared) and loads `seal.key` if the hub made one. A folder
    /// without `seal.key` has no sealed rows (the hub makes the key before it seals
    /// anything); no key is created here. Refused while `loket restore` holds the folder,
    /// or when the key file is unreadable or readable by others.
    pub fn open(data_dir: &Path) -> Result<HubFolder, ConfigError> {
        let lock = DataLock::shared(data_dir).map_err(|e| ConfigError::HubFolder(e.to_string()))?;
        let opener: Option<Arc<dyn PayloadOpener>> = if data_dir.join(KEY_FILE_NAME).exists() {
            let sealer = Sealer::open_or_create(data_dir).map_err(|e| {
                ConfigError::HubFolder(format!("{} / {}", e.message_id(), e.message_en()))
            })?;
            Some(Arc::new(HubOpener(sealer)))
        } else {
            None
        };
        Ok(HubFolder {
            _lock: lock,
            opener,
        })
    }

    /// The opener for [`crate::SqliteLedger::with_opener`], when the hub has a seal key.
    pub fn opener(&self) -> Option<Arc<dyn PayloadOpener>> {
        self.opener.clone()
    }
}
