//! Ctrl-C (SIGINT, and SIGTERM from a scheduler or `kill`): the first one asks the running
//! simulation to stop between chunks of trials, so the command unwinds, its uncommitted staging
//! folder is removed and the previous results stay as they were; a second one exits at once.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit status of an interrupted command: 128 + SIGINT, as shells report it.
pub const EXIT_STATUS: u8 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler. Without it (it can fail only if another handler is installed) Ctrl-C
/// keeps its default: the process ends at once, still without touching the previous results.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            // The second Ctrl-C: the user does not want to wait for the cleanup.
            std::process::exit(i32::from(EXIT_STATUS));
        }
    });
}

/// The flag the engine polls as its `cancel`.
pub fn flag() -> &'static AtomicBool {
    &INTERRUPTED
}

/// A command stopped by Ctrl-C before it put its results in place.
#[derive(Debug, thiserror::Error)]
pub struct Interrupted {
    destination: PathBuf,
    /// Whether the destination held earlier results (which are untouched).
    previous: bool,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.previous {
            write!(
                f,
                "interrupted; previous results in {} are untouched",
                self.destination.display()
            )
        } else {
            write!(
                f,
                "interrupted; nothing was written to {}",
                self.destination.display()
            )
        }
    }
}

impl Interrupted {
    /// The error for a run into `destination` that was stopped before committing.
    pub fn at(destination: &Path) -> Interrupted {
        Interrupted {
            destination: destination.to_path_buf(),
            // An empty folder held no results to keep.
            previous: std::fs::read_dir(destination).is_ok_and(|mut d| d.next().is_some()),
        }
    }
}

/// Err(Interrupted) when Ctrl-C was pressed: checked before results replace `destination`.
pub fn check(destination: &Path) -> Result<(), Interrupted> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        Err(Interrupted::at(destination))
    } else {
        Ok(())
    }
}

/// Whether `e` reports an interruption.
pub fn is_interrupted(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<Interrupted>())
}
