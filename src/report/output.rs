//! Putting an output folder in place whole: files are written into a staging folder beside the
//! destination, which then replaces the destination in one rename. An interrupted or failed run
//! leaves the previous results untouched and no half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An output folder could not be prepared or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write '{}': {reason}", path.display())]
pub struct OutputError {
    pub path: PathBuf,
    /// Why (shown in the message itself, so it is not also a chained cause).
    pub reason: std::io::Error,
}

/// A staging folder that becomes `destination` on [`OutputDir::commit`], or disappears if
/// dropped uncommitted.
#[derive(Debug)]
pub struct OutputDir {
    destination: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Creates the staging folder beside `destination` (and any missing parents), so a folder
    /// that cannot be written is reported before any simulation starts.
    pub fn prepare(destination: &Path) -> Result<OutputDir, OutputError> {
        let fail = |path: &Path, reason| OutputError {
            path: path.to_path_buf(),
            reason,
        };
        let name = destination.file_name().ok_or_else(|| {
            fail(
                destination,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a folder name"),
            )
        })?;
        let parent = match destination.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A file where a folder must be would make create_dir_all say only "File exists".
        if let Some(file) = parent.ancestors().find(|a| a.is_file()) {
            return Err(fail(
                file,
                std::io::Error::other("it is a file, not a folder"),
            ));
        }
        fs::create_dir_all(&parent).map_err(|e| fail(&parent, e))?;
        if destination.exists() && !destination.is_dir() {
            return Err(fail(
                destination,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file is in the way of the output folder",
                ),
            ));
        }
        let staging = parent.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| fail(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| fail(&staging, e))?;
        let probe = staging.join(".probe");
        fs::write(&probe, b"")
            .and_then(|_| fs::remove_file(&probe))
            .map_err(|e| fail(&staging, e))?;
        Ok(OutputDir {
            destination: destination.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// The folder the outputs will end up in.
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// Writes one file into the staging folder: to a temporary name, synced, then renamed.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.write_with(name, |w| w.write_all(bytes))
    }

    /// Writes one file as [`OutputDir::write`] does, its contents streamed by `fill` through a
    /// buffer rather than held in memory whole (results.json grows with the trial count).
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.staging.join(name);
        let temporary = self.staging.join(format!(".{name}.tmp"));
        let fail = |reason| OutputError {
            path: self.destination.join(name),
            reason,
        };
        let file = fs::File::create(&temporary).map_err(fail)?;
        let mut buffered = std::io::BufWriter::new(file);
        fill(&mut buffered)
            .and_then(|_| buffered.into_inner().map_err(|e| e.into_error()))
            .and_then(|file| file.sync_all())
            .map_err(fail)?;
        fs::rename(&temporary, &path).map_err(fail)
    }

    /// Replaces the destination with the staging folder.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let fail = |path: &Path, reason| OutputError {
            path: path.to_path_buf(),
            reason,
        };
        if self.destination.exists() {
            // Move the old results aside first: a rename cannot replace a non-empty folder.
            let old = self.staging.with_extension("old");
            fs::rename(&self.destination, &old).map_err(|e| fail(&self.destination, e))?;
            if let Err(e) = fs::rename(&self.staging, &self.destination) {
                let _ = fs::rename(&old, &self.destination);
                return Err(fail(&self.destination, e));
            }
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&self.staging, &self.destination).map_err(|e| fail(&self.destination, e))?;
        }
        self.committed = true;
        Ok(self.destination.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_whole_folder_and_drop_leaves_it() {
        let root =
            std::env::temp_dir().join(format!("allocsim-output-test-{}", std::process::id()));
        let dest = root.join("nested").join("run");
        let out = OutputDir::prepare(&dest).unwrap();
        out.write("a.csv", b"1\n").unwrap();
        out.write("b.csv", b"2\n").unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"1\n");

        // A second run that fails before committing leaves the first untouched.
        let failed = OutputDir::prepare(&dest).unwrap();
        failed.write("a.csv", b"changed\n").unwrap();
        drop(failed);
        assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"1\n");

        // A committed second run replaces the folder as a whole: b.csv is gone.
        let second = OutputDir::prepare(&dest).unwrap();
        second.write("a.csv", b"3\n").unwrap();
        second.commit().unwrap();
        assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"3\n");
        assert!(!dest.join("b.csv").exists());
        let leftovers: Vec<_> = fs::read_dir(dest.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging folders left behind");
        fs::remove_dir_all(&root).unwrap();
    }
}
