//! An advisory lock on an output folder, so that two allocsim processes never write the same
//! folder: the second is told at once who holds it. The lock is a file beside the folder, held
//! with the operating system's file lock (flock on Unix), so a killed holder releases it.
//! Off Unix there is no lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Held for as long as the value lives; dropping it removes the lock file and releases the lock.
#[derive(Debug)]
pub(super) struct Lock {
    path: PathBuf,
    /// Kept open: the lock lasts as long as this file is open.
    _file: File,
}

/// Why a lock was not taken.
#[derive(Debug)]
pub(super) enum LockError {
    /// Another process holds it; its process id, when it wrote one.
    Held(Option<u32>),
    Io(io::Error),
}

impl Lock {
    /// Takes the lock at `path`, creating the file, or says who holds it.
    pub(super) fn take(path: &Path) -> Result<Lock, LockError> {
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(LockError::Io)?;
            match try_lock(&file) {
                Ok(true) => {}
                Ok(false) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(LockError::Held(text.trim().parse().ok()));
                }
                Err(e) => return Err(LockError::Io(e)),
            }
            // A holder that was releasing may have removed the file after we opened it: then our
            // lock is on a file nobody else will see, so open the path again.
            if !same_file(&file, path) {
                continue;
            }
            file.set_len(0)
                .and_then(|_| file.rewind())
                .and_then(|_| writeln!(file, "{}", std::process::id()))
                .map_err(LockError::Io)?;
            return Ok(Lock {
                path: path.to_path_buf(),
                _file: file,
            });
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a process that opens the path afterwards gets a new file
        // (and the check in `take` sends one that opened the old file round again).
        let _ = fs::remove_file(&self.path);
        // Closing the file (dropping it next) releases the lock.
    }
}

/// Takes an exclusive lock on `file` without waiting: `Ok(false)` when another open file holds
/// it. (std's `File::try_lock` needs Rust 1.89; this crate supports 1.85.)
#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock takes a file descriptor that `file` keeps open for the call's duration,
    // and touches no memory.
    let status = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if status == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// No advisory locks off Unix: every taker gets the lock.
#[cfg(not(unix))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_told_the_holders_pid_and_a_released_lock_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".out.allocsim-lock");
        let held = Lock::take(&path).unwrap();
        // flock locks belong to the open file, so a second open in this process conflicts.
        match Lock::take(&path) {
            Err(LockError::Held(pid)) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(held);
        assert!(!path.exists(), "the lock file is removed on release");
        let again = Lock::take(&path).unwrap();
        drop(again);
    }
}
