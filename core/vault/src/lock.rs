//! The data folder's lock, `<data>/loket.lock` (an advisory `flock`; the kernel drops it
//! when the process ends, even by kill -9, so it never goes stale).
//!
//! Every process that opens the hub's database (`loket_hub::db::Db::open`: `loket hub` and
//! the `loket` commands that change data) holds it *shared* while the database is open, so
//! several may work at once as before. `loket restore` takes it *exclusive*: it is refused
//! while anything has the database open, and nothing can open the database while a restore
//! swaps the file.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use thiserror::Error;

/// Why the data folder's lock was not taken.
#[derive(Debug, Error)]
pub enum LockError {
    /// A restore holds the folder (shared lock refused).
    #[error(
        "Folder data {0} sedang dipulihkan (loket restore). Tunggu sampai selesai lalu jalankan lagi. / The data folder {0} is being restored (loket restore). Wait until it finishes, then start again."
    )]
    Busy(String),
    /// A hub or command has the database open (exclusive lock refused).
    #[error(
        "Folder data {0} sedang dipakai hub atau perintah loket lain. Hentikan hub dulu (systemctl stop loket-hub) lalu coba lagi. / The data folder {0} is in use by the hub or another loket command. Stop the hub first (systemctl stop loket-hub) and try again."
    )]
    InUse(String),
    /// The lock file could not be opened or locked.
    #[error(
        "Berkas kunci folder data tidak dapat dibuka: {0}. Periksa izin folder data. / The data folder's lock file cannot be opened: {0}. Check the data folder's permissions."
    )]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, LockError>;

/// File name of the lock in the data folder.
pub const LOCK_FILE_NAME: &str = "loket.lock";

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

fn open(data_dir: &Path) -> Result<File> {
    std::fs::create_dir_all(data_dir)?;
    Ok(OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(data_dir.join(LOCK_FILE_NAME))?)
}

impl DataLock {
    /// The lock of a process using the database. Refused while a restore runs.
    pub fn shared(data_dir: &Path) -> Result<DataLock> {
        let file = open(data_dir)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy(data_dir.display().to_string())),
            Err(TryLockError::Error(e)) => Err(e.into()),
        }
    }

    /// The lock of `loket restore`. Refused while a hub or command has the database open.
    pub fn exclusive(data_dir: &Path) -> Result<DataLock> {
        let file = open(data_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::InUse(data_dir.display().to_string())),
            Err(TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_locks_coexist_and_exclude_the_exclusive_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let a = DataLock::shared(dir.path());
        let b = DataLock::shared(dir.path());
        assert!(a.is_ok() && b.is_ok());
        assert!(matches!(
            DataLock::exclusive(dir.path()),
            Err(LockError::InUse(_))
        ));
        drop((a, b));
        let x = DataLock::exclusive(dir.path());
        assert!(x.is_ok());
        assert!(matches!(
            DataLock::shared(dir.path()),
            Err(LockError::Busy(_))
        ));
        drop(x);
        assert!(DataLock::shared(dir.path()).is_ok());
    }
}
