//! The data folder's lock, `<data>/loket.lock` (an advisory `flock`; the kernel drops it
//! when the process ends, even by kill -9, so it never goes stale).
//!
//! Every process that opens the hub's database ([`crate::db::Db::open`]: `loket hub` and
//! the `loket` commands that change data) holds it *shared* while the database is open, so
//! several may work at once as before. `loket restore` takes it *exclusive*: it is refused
//! while anything has the database open, and nothing can open the database while a restore
//! swaps the file.

use crate::error::{HubError, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

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
            Err(TryLockError::WouldBlock) => {
                Err(HubError::DataDirBusy(data_dir.display().to_string()))
            }
            Err(TryLockError::Error(e)) => Err(e.into()),
        }
    }

    /// The lock of `loket restore`. Refused while a hub or command has the database open.
    pub fn exclusive(data_dir: &Path) -> Result<DataLock> {
        let file = open(data_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(TryLockError::WouldBlock) => {
                Err(HubError::DataDirInUse(data_dir.display().to_string()))
            }
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
            Err(HubError::DataDirInUse(_))
        ));
        drop((a, b));
        let x = DataLock::exclusive(dir.path());
        assert!(x.is_ok());
        assert!(matches!(
            DataLock::shared(dir.path()),
            Err(HubError::DataDirBusy(_))
        ));
        drop(x);
        assert!(DataLock::shared(dir.path()).is_ok());
    }
}
