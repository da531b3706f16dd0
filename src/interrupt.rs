//! Ctrl-C (SIGINT, and SIGTERM from a scheduler or `kill`): the first one asks the running
//! simulation to stop between chunks of trials, so the command unwinds, its uncommitted staging
//! folder is removed and the previous results stay as they were; a second one exits at once.

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
