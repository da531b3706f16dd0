//! Putting an output folder in place whole, and never touching a folder allocsim did not write.
//!
//! Files are written into a staging folder beside the destination; the commit then exchanges
//! the two folders in one atomic step (Linux's `renameat2(RENAME_EXCHANGE)`), so at every
//! instant a reader finds the whole old or the whole new folder at the path, and the old one is
//! deleted afterwards. Where the system cannot exchange, two renames are used, and a run that
//! finds the old folder moved aside but not deleted puts it back first. Leftovers of any
//! interrupted commit are cleaned up by the next run into the same place.
//!
//! Every output folder carries a marker (`.allocsim`, see [`marker`]) listing the files it
//! holds: a folder that holds anything else is refused unless forced, and a forced replace still
//! never deletes a file the command reads. A lock beside the folder keeps two allocsim
//! processes from writing one folder. A symbolic link as the destination is followed: its
//! target is written and the link stays. A mount point, which cannot be renamed, has its files
//! replaced one by one inside it (each file atomically, the folder as a whole not).

mod fsops;
mod lock;
mod marker;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub use marker::{Kind, MARKER, Marker};

use lock::{Lock, LockError};

/// The lock's name inside a mount point (elsewhere it lives beside the folder).
const LOCK_INSIDE: &str = ".allocsim-lock";
/// The prefix of a staging folder's name inside a mount point.
const STAGING_INSIDE: &str = ".allocsim-staging-";
/// An interrupted run's resume state inside a mount point (elsewhere it lives beside the
/// folder, as `.NAME.allocsim-resume.json`; see [`OutputDir::resume_path`]).
const RESUME_INSIDE: &str = ".allocsim-resume.json";

/// How an output folder may be prepared.
#[derive(Debug, Clone, Copy)]
pub struct OutputOptions<'a> {
    /// What the folder will hold (written into its marker).
    pub kind: Kind,
    /// Replace a folder even if it holds files allocsim did not write (never one that holds
    /// `inputs` or the current folder).
    pub force: bool,
    /// The files the command reads: a destination that holds one of them is refused.
    pub inputs: &'a [PathBuf],
    /// Set from another thread (Ctrl-C) to stop a write between buffers.
    pub cancel: Option<&'static AtomicBool>,
}

impl OutputOptions<'_> {
    /// Options for a folder of `kind`, unforced, with no inputs to protect and no cancel flag.
    pub fn new(kind: Kind) -> OutputOptions<'static> {
        OutputOptions {
            kind,
            force: false,
            inputs: &[],
            cancel: None,
        }
    }
}

/// An output folder could not be prepared or written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The system refused an operation.
    #[error("cannot write '{}': {reason}", path.display())]
    Io {
        /// The file or folder the operation was on.
        path: PathBuf,
        /// Why (shown in the message itself, so it is not also a chained cause).
        reason: io::Error,
    },
    /// allocsim refuses to write there; the message says why and what to do.
    #[error("{message}")]
    Refused {
        /// The folder (or the path in the way of one) that was refused.
        path: PathBuf,
        /// The whole message: what is wrong and what to do about it.
        message: String,
    },
    /// Another allocsim process is writing the same folder.
    #[error(
        "'{}' is in use by another allocsim{}: wait for it to finish, or choose another --out",
        path.display(),
        pid.map_or(String::new(), |p| format!(" (pid {p})"))
    )]
    InUse {
        /// The output folder (a symbolic link's target, if `--out` was one).
        path: PathBuf,
        /// The other process, as its lock file records it; `None` if that could not be read.
        pid: Option<u32>,
    },
    /// The cancel flag was set while writing.
    #[error(
        "interrupted; {}",
        if *previous { format!("previous results in {} are untouched", path.display()) }
        else { format!("nothing was written to {}", path.display()) }
    )]
    Interrupted {
        /// The output folder.
        path: PathBuf,
        /// Whether it held earlier results, which are left untouched; if not, nothing was
        /// written there.
        previous: bool,
    },
}

impl OutputError {
    /// Whether the machine failed (a full disk, an I/O error: exit status 1) rather than the
    /// user asking for something that cannot be done (exit status 2).
    pub fn is_machine_failure(&self) -> bool {
        use io::ErrorKind as K;
        match self {
            OutputError::Io { reason, .. } => !matches!(
                reason.kind(),
                K::PermissionDenied
                    | K::ReadOnlyFilesystem
                    | K::NotADirectory
                    | K::IsADirectory
                    | K::AlreadyExists
                    | K::NotFound
                    | K::InvalidInput
                    | K::InvalidFilename
                    | K::DirectoryNotEmpty
                    | K::ResourceBusy
                    | K::CrossesDevices
            ),
            _ => false,
        }
    }

    fn io(path: &Path, reason: io::Error) -> OutputError {
        OutputError::Io {
            path: path.to_path_buf(),
            reason,
        }
    }

    fn refused(path: &Path, message: String) -> OutputError {
        OutputError::Refused {
            path: path.to_path_buf(),
            message,
        }
    }
}

/// How the commit puts the staging folder in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Commit {
    /// Exchange the staging folder with the destination (or rename it there).
    Swap,
    /// The destination is a mount point: move the files into it one by one.
    InPlace,
}

/// A staging folder that becomes `destination` on [`OutputDir::commit`], or disappears if
/// dropped uncommitted.
#[derive(Debug)]
pub struct OutputDir {
    destination: PathBuf,
    staging: PathBuf,
    resume: PathBuf,
    kind: Kind,
    commit: Commit,
    /// What the destination held when prepared (all allocsim's, or forced), marker aside.
    previous: Vec<String>,
    written: Mutex<Vec<String>>,
    cancel: Option<&'static AtomicBool>,
    committed: bool,
    /// Whether the commit may use the atomic exchange (tests turn it off to test the fallback).
    exchange: bool,
    /// Dropped after the staging folder is removed.
    _lock: Lock,
}

impl OutputDir {
    /// Checks and locks the destination and creates the staging folder (and any missing
    /// parents), so that a folder that cannot or must not be written is reported before any
    /// simulation starts.
    pub fn prepare(destination: &Path, options: &OutputOptions) -> Result<OutputDir, OutputError> {
        OutputDir::prepare_as(destination, options, None)
    }

    /// [`OutputDir::prepare`], with the commit's way chosen by the caller (tests) rather than
    /// by whether the destination is a mount point.
    fn prepare_as(
        destination: &Path,
        options: &OutputOptions,
        commit: Option<Commit>,
    ) -> Result<OutputDir, OutputError> {
        let destination = follow_link(destination)?;
        let name = match destination.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => {
                return Err(OutputError::refused(
                    &destination,
                    format!(
                        "'{}' does not name an output folder: give a folder's name, \
                         e.g. --out results",
                        destination.display()
                    ),
                ));
            }
        };
        let parent = match destination.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A file where a folder must be would make create_dir_all say only "File exists".
        if let Some(file) = parent.ancestors().find(|a| a.is_file()) {
            return Err(OutputError::io(
                file,
                io::Error::new(io::ErrorKind::NotADirectory, "it is a file, not a folder"),
            ));
        }
        fs::create_dir_all(&parent).map_err(|e| OutputError::io(&parent, e))?;
        if destination.exists() && !destination.is_dir() {
            return Err(OutputError::io(
                &destination,
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a file is in the way of the output folder",
                ),
            ));
        }
        let commit = commit.unwrap_or(
            if destination.is_dir() && fsops::is_mount_point(&destination) {
                Commit::InPlace
            } else {
                Commit::Swap
            },
        );
        let (lock_path, lock_dir) = match commit {
            Commit::InPlace => (destination.join(LOCK_INSIDE), &destination),
            Commit::Swap => (parent.join(format!(".{name}.allocsim-lock")), &parent),
        };
        let resume = match commit {
            Commit::InPlace => destination.join(RESUME_INSIDE),
            Commit::Swap => parent.join(format!(".{name}.allocsim-resume.json")),
        };
        let lock = Lock::take(&lock_path).map_err(|e| match e {
            LockError::Held(pid) => OutputError::InUse {
                path: destination.clone(),
                pid,
            },
            LockError::Io(e) => OutputError::io(lock_dir, e),
        })?;
        match commit {
            Commit::Swap => clean_leftovers_beside(&parent, &name, &destination),
            Commit::InPlace => clean_leftovers_inside(&destination),
        }

        let previous = entries(&destination, commit)?;
        protect(&destination, options.inputs)?;
        if !previous.is_empty() {
            check_ours(&destination, &previous, options.force)?;
        }
        if destination.is_dir() {
            // Removing the old results needs write permission on the folder: refuse a
            // write-protected one now rather than leave it half replaced after the run.
            probe(&destination).map_err(|e| {
                OutputError::refused(
                    &destination,
                    format!(
                        "cannot replace '{}': {e}; it may be write-protected (make it writable, \
                         or choose another --out)",
                        destination.display()
                    ),
                )
            })?;
        }

        let staging = match commit {
            Commit::InPlace => destination.join(format!("{STAGING_INSIDE}{}", std::process::id())),
            Commit::Swap => parent.join(format!(".{name}.allocsim-staging-{}", std::process::id())),
        };
        fs::create_dir(&staging).map_err(|e| OutputError::io(&staging, e))?;
        let out = OutputDir {
            destination,
            staging,
            resume,
            kind: options.kind,
            commit,
            previous,
            written: Mutex::new(Vec::new()),
            cancel: options.cancel,
            committed: false,
            exchange: true,
            _lock: lock,
        };
        probe(&out.staging).map_err(|e| OutputError::io(&out.staging, e))?;
        Ok(out)
    }

    /// Prepares to rewrite some files of the finished output folder `dir` (its kind kept),
    /// carrying every other file over unchanged: `allocsim report` redraws charts this way, and
    /// the folder is replaced whole as by a run.
    pub fn reopen(
        dir: &Path,
        cancel: Option<&'static AtomicBool>,
    ) -> Result<OutputDir, OutputError> {
        let resolved = follow_link(dir)?;
        let kind = Marker::read(&resolved)
            .or_else(|| {
                let names = entries(&resolved, Commit::Swap).ok()?;
                marker::legacy(&resolved, &names)
            })
            .map(|m| m.kind)
            .ok_or_else(|| {
                OutputError::refused(
                    dir,
                    format!(
                        "'{}' is not an allocsim output folder (it has no {MARKER} marker \
                         listing its files)",
                        dir.display()
                    ),
                )
            })?;
        let out = OutputDir::prepare(
            dir,
            &OutputOptions {
                cancel,
                ..OutputOptions::new(kind)
            },
        )?;
        for name in &out.previous {
            let (from, to) = (out.destination.join(name), out.staging.join(name));
            // The old file is never changed in place, so the new folder may share it.
            fs::hard_link(&from, &to)
                .or_else(|_| fs::copy(&from, &to).map(|_| ()))
                .map_err(|e| OutputError::io(&from, e))?;
            out.record(name);
        }
        Ok(out)
    }

    /// The folder the outputs will end up in (a symbolic link's target, if `--out` was one).
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// Where an interrupted run into this folder keeps its finished trials
    /// ([`crate::report::resume`]): `.NAME.allocsim-resume.json` beside the folder, in
    /// allocsim's own area with its lock and staging folder, never among the results (inside a
    /// mount point, whose lock and staging are inside it too, `.allocsim-resume.json`, which
    /// is then not counted as one of the folder's files).
    pub fn resume_path(&self) -> &Path {
        &self.resume
    }

    /// The kind of output the folder holds.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the destination held earlier results when it was prepared.
    pub fn replaces_earlier_results(&self) -> bool {
        !self.previous.is_empty()
    }

    /// Writes one file into the staging folder: to a temporary name, synced, then renamed.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.write_with(name, |w| w.write_all(bytes))
    }

    /// Writes one file as [`OutputDir::write`] does, its contents streamed by `fill` through a
    /// buffer rather than held in memory whole (results.json grows with the trial count). The
    /// cancel flag is checked at every buffer's write.
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return Err(OutputError::io(
                &self.destination.join(name),
                io::Error::new(io::ErrorKind::InvalidInput, "not a plain file name"),
            ));
        }
        self.check_cancel()?;
        let path = self.staging.join(name);
        let temporary = self.staging.join(format!(".{name}.tmp"));
        let fail = |reason: io::Error| {
            if reason.get_ref().is_some_and(|e| e.is::<Cancelled>()) {
                self.interrupted()
            } else {
                OutputError::io(&self.destination.join(name), reason)
            }
        };
        let file = fs::File::create(&temporary).map_err(fail)?;
        let mut buffered = io::BufWriter::with_capacity(
            64 * 1024,
            Cancellable {
                inner: file,
                cancel: self.cancel,
            },
        );
        fill(&mut buffered)
            .and_then(|_| buffered.into_inner().map_err(|e| e.into_error()))
            .and_then(|file| file.inner.sync_all())
            .map_err(fail)?;
        fs::rename(&temporary, &path).map_err(fail)?;
        self.record(name);
        Ok(())
    }

    /// Puts the staging folder in place as the destination and returns the destination.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        self.commit_then(|_| ())
            .map(|(destination, ())| destination)
    }

    /// [`OutputDir::commit`], then `after` on the destination while the folder's lock is still
    /// held, so no other allocsim can come in between (a run removes its resume state there).
    pub fn commit_then<T>(
        mut self,
        after: impl FnOnce(&Path) -> T,
    ) -> Result<(PathBuf, T), OutputError> {
        self.check_cancel()?;
        let files = self
            .written
            .lock()
            .map(|w| w.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        let marker = Marker::new(self.kind, files);
        write_atomically(&self.staging.join(MARKER), &marker.to_json())
            .map_err(|e| OutputError::io(&self.destination.join(MARKER), e))?;
        fsops::sync_dir(&self.staging);
        match self.commit {
            Commit::Swap => self.swap()?,
            Commit::InPlace => self.move_in(&marker)?,
        }
        self.committed = true;
        let after = after(&self.destination);
        Ok((self.destination.clone(), after))
    }

    fn swap(&self) -> Result<(), OutputError> {
        let dest = &self.destination;
        let fail = |e| OutputError::io(dest, e);
        let parent = dest.parent().unwrap_or(Path::new("."));
        if !dest.exists() {
            fs::rename(&self.staging, dest).map_err(fail)?;
        } else if self.exchange && fsops::exchange(&self.staging, dest).map_err(fail)? {
            // The staging path now names the old folder.
            let _ = fs::remove_dir_all(&self.staging);
        } else {
            // No atomic exchange here: move the old folder aside, then the new one in. A run
            // killed in between leaves no folder at the path; the next run into it puts the
            // old one back before anything else (`clean_leftovers_beside`).
            let aside = self.staging.with_file_name(
                self.staging
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .replace(".allocsim-staging-", ".allocsim-old-"),
            );
            fs::rename(dest, &aside).map_err(fail)?;
            if let Err(e) = fs::rename(&self.staging, dest) {
                let _ = fs::rename(&aside, dest);
                return Err(fail(e));
            }
            let _ = fs::remove_dir_all(&aside);
        }
        fsops::sync_dir(parent);
        Ok(())
    }

    /// The commit into a mount point. Its marker first lists the old and the new files
    /// together, so that a run killed midway leaves every file accounted for and the next run
    /// can replace them.
    fn move_in(&self, marker: &Marker) -> Result<(), OutputError> {
        let dest = &self.destination;
        let fail = |name: &str, e| OutputError::io(&dest.join(name), e);
        let mut both = marker.files.clone();
        both.extend(self.previous.iter().cloned());
        let both = Marker::new(self.kind, both);
        write_atomically(&dest.join(MARKER), &both.to_json()).map_err(|e| fail(MARKER, e))?;
        for name in &marker.files {
            fs::rename(self.staging.join(name), dest.join(name)).map_err(|e| fail(name, e))?;
        }
        for name in self.previous.iter().filter(|p| !marker.files.contains(p)) {
            let path = dest.join(name);
            let removed = if path.is_dir() && !path.is_symlink() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(fail(name, e)),
                _ => {}
            }
        }
        fs::rename(self.staging.join(MARKER), dest.join(MARKER)).map_err(|e| fail(MARKER, e))?;
        let _ = fs::remove_dir(&self.staging);
        fsops::sync_dir(dest);
        Ok(())
    }

    fn record(&self, name: &str) {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if !written.iter().any(|w| w == name) {
            written.push(name.to_string());
        }
    }

    fn check_cancel(&self) -> Result<(), OutputError> {
        match self.cancel {
            Some(flag) if flag.load(Ordering::SeqCst) => Err(self.interrupted()),
            _ => Ok(()),
        }
    }

    /// The error for a command stopped (by the cancel flag) before it committed: it says
    /// whether earlier results at the destination are untouched or nothing was written.
    pub fn interrupted(&self) -> OutputError {
        OutputError::Interrupted {
            path: self.destination.clone(),
            previous: self.replaces_earlier_results(),
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// The error a [`Cancellable`] writer gives once its flag is set.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
struct Cancelled;

/// A writer that fails with [`Cancelled`] once its flag is set.
struct Cancellable<W> {
    inner: W,
    cancel: Option<&'static AtomicBool>,
}

impl<W: Write> Write for Cancellable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(io::Error::other(Cancelled));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `path` itself if it is not a symbolic link, else the folder it points to.
fn follow_link(path: &Path) -> Result<PathBuf, OutputError> {
    if !path.is_symlink() {
        return Ok(path.to_path_buf());
    }
    match fs::canonicalize(path) {
        Ok(target) if target.is_dir() => Ok(target),
        Ok(target) => Err(OutputError::io(
            path,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "it is a symbolic link to '{}', which is not a folder",
                    target.display()
                ),
            ),
        )),
        Err(e) => Err(OutputError::refused(
            path,
            format!(
                "'{}' is a symbolic link whose target cannot be found ({e}): create the folder \
                 it points to, or choose another --out",
                path.display()
            ),
        )),
    }
}

/// The names in `dir` (none if it does not exist), leaving out a mount point's lock and staging.
fn entries(dir: &Path, commit: Commit) -> Result<Vec<String>, OutputError> {
    let listing = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(OutputError::io(dir, e)),
    };
    let mut names = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| OutputError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // The marker is a file; anything else by its name is the user's.
        let marker = name == MARKER && entry.file_type().is_ok_and(|t| t.is_file());
        let ours_in_mount = commit == Commit::InPlace
            && (name == LOCK_INSIDE
                || name.starts_with(RESUME_INSIDE)
                || name.starts_with(STAGING_INSIDE));
        if !(marker || ours_in_mount) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Refuses a folder holding files its marker does not list, unless `force`.
fn check_ours(dir: &Path, names: &[String], force: bool) -> Result<(), OutputError> {
    let listed = Marker::read(dir)
        .or_else(|| marker::legacy(dir, names))
        .map(|m| m.files)
        .unwrap_or_default();
    let foreign: Vec<&String> = names.iter().filter(|n| !listed.contains(n)).collect();
    if foreign.is_empty() || force {
        return Ok(());
    }
    const SHOWN: usize = 5;
    let mut list = foreign
        .iter()
        .take(SHOWN)
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if foreign.len() > SHOWN {
        list.push_str(&format!(" and {} more", foreign.len() - SHOWN));
    }
    Err(OutputError::refused(
        dir,
        format!(
            "'{}' holds files that allocsim did not write ({list}), so it is not replaced: \
             choose a new or empty folder for --out, or add --force to replace it, deleting \
             those files",
            dir.display()
        ),
    ))
}

/// Refuses a destination that holds a file the command reads, the current folder or the home
/// folder, forced or not.
fn protect(dest: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    let Ok(dest_real) = fs::canonicalize(dest) else {
        return Ok(());
    };
    for input in inputs {
        if fs::canonicalize(input).is_ok_and(|i| i.starts_with(&dest_real)) {
            return Err(OutputError::refused(
                dest,
                format!(
                    "'{}' holds '{}', which this command reads, so it is never replaced: \
                     choose another --out",
                    dest.display(),
                    input.display()
                ),
            ));
        }
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for (what, folder) in [
        ("the current folder", std::env::current_dir().ok()),
        ("your home folder", home),
    ] {
        if folder
            .and_then(|f| fs::canonicalize(f).ok())
            .is_some_and(|f| f.starts_with(&dest_real))
        {
            return Err(OutputError::refused(
                dest,
                format!(
                    "'{}' is or holds {what}, so it is never replaced: choose another --out",
                    dest.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Creates and removes a file in `dir`, to learn whether it can be written.
fn probe(dir: &Path) -> io::Result<()> {
    let probe = dir.join(format!(".allocsim-probe-{}", std::process::id()));
    fs::write(&probe, b"")?;
    fs::remove_file(&probe)
}

/// Writes `path` through a temporary file beside it, synced, then renamed into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!("{name}.tmp"));
    let mut file = fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&temporary, path)
}

/// Removes what interrupted commits into `parent/name` left beside it (this process holds the
/// lock, so no other is using them); an old folder moved aside by a commit that was killed
/// before the new one took its place is put back first.
fn clean_leftovers_beside(parent: &Path, name: &str, dest: &Path) {
    let Ok(listing) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.allocsim-");
    let legacy_staging = format!(".{name}.partial-");
    let legacy_old = format!(".{name}.old");
    let mut leftovers: Vec<(String, PathBuf)> = listing
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    // Old folders first, so one can be put back before staging folders go.
    leftovers.sort_by_key(|(n, _)| !(n.starts_with(&format!("{prefix}old-")) || *n == legacy_old));
    for (entry, path) in leftovers {
        let ours = match entry.strip_prefix(&prefix) {
            Some(rest) => rest.starts_with("staging-") || rest.starts_with("old-"),
            // allocsim 0.2 staged into .NAME.partial-PID and moved the old folder to .NAME.old.
            None if entry == legacy_old => {
                let names = entries(&path, Commit::Swap).unwrap_or_default();
                marker::legacy(&path, &names).is_some()
            }
            None => {
                entry
                    .strip_prefix(&legacy_staging)
                    .is_some_and(|pid| !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()))
                    && entries(&path, Commit::Swap).is_ok_and(|names| {
                        names.iter().all(|n| {
                            marker::is_legacy_output_name(n)
                                || (n.starts_with('.') && n.ends_with(".tmp"))
                        })
                    })
            }
        };
        if !ours || !path.is_dir() {
            continue;
        }
        let moved_aside = entry.starts_with(&format!("{prefix}old-")) || entry == legacy_old;
        if moved_aside && !dest.exists() && fs::rename(&path, dest).is_ok() {
            continue;
        }
        let _ = fs::remove_dir_all(&path);
    }
}

/// Removes staging folders that interrupted commits left inside a mount point.
fn clean_leftovers_inside(dest: &Path) {
    let Ok(listing) = fs::read_dir(dest) else {
        return;
    };
    for entry in listing.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_INSIDE)
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests;
