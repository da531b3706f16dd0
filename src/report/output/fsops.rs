//! The file-system operations an output folder's commit rests on: an atomic exchange of two
//! folders, mount-point detection, and syncing a folder's entries to disk.

use std::io;
use std::path::Path;

/// Atomically swaps the folders at `a` and `b` (both must exist, on one file system), so that
/// at every instant each path names one whole folder. `Ok(false)` when this system or file
/// system cannot exchange (the caller falls back to two renames).
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    // linux/fs.h; the libc crate's constant is not on every target it supports.
    const RENAME_EXCHANGE: libc::c_uint = 1 << 1;
    let cstr = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL byte"))
    };
    let (a, b) = (cstr(a)?, cstr(b)?);
    // SAFETY: both pointers are valid NUL-terminated strings that outlive the call, and
    // renameat2 reads nothing else; the raw syscall avoids depending on the C library's wrapper
    // (glibc 2.28+, musl 1.2.2+).
    let status = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        // The kernel (before 3.15) or the file system (some network ones) cannot exchange.
        Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::ENOTSUP) => Ok(false),
        _ => Err(e),
    }
}

/// No atomic exchange off Linux: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Whether `dir` (an existing folder, its path already resolved) is a mount point, which can
/// hold files but cannot be renamed or exchanged ("Device or resource busy"): a Docker bind
/// mount or a Kubernetes volume root. Bind mounts of one file system share its device number,
/// so Linux's mount table is read first; the device number of the parent is the fallback.
pub(super) fn is_mount_point(dir: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let canonical = std::fs::canonicalize(dir).unwrap_or_default();
        if mount_points(&table).any(|m| Path::new(&m) == canonical) {
            return true;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = dir.join("..");
        if let (Ok(d), Ok(p)) = (std::fs::metadata(dir), std::fs::metadata(parent)) {
            return d.dev() != p.dev() || d.ino() == p.ino();
        }
    }
    false
}

/// The mount points listed in a /proc/self/mountinfo table (the fifth field of each line, with
/// the kernel's octal escapes of space, tab, newline and backslash undone).
pub(super) fn mount_points(table: &str) -> impl Iterator<Item = String> + '_ {
    table
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape_octal)
}

fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal {
            Some(d) => {
                let value = d.iter().fold(0u32, |v, c| v * 8 + u32::from(c - b'0'));
                out.push(value as u8);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Makes a folder's entries (created, renamed or removed files) durable, where the system
/// allows it; a failure here loses no data that is not already at risk, so it is ignored.
pub(super) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_are_read_with_their_escapes() {
        let table = "22 1 0:21 / / rw,relatime - ext4 /dev/sda1 rw\n\
                     35 22 0:31 / /mnt/my\\040data rw - tmpfs tmpfs rw\n\
                     36 22 0:32 / /a\\134b\\011c rw - tmpfs tmpfs rw\n";
        let found: Vec<String> = mount_points(table).collect();
        assert_eq!(found, ["/", "/mnt/my data", "/a\\b\tc"]);
    }

    #[test]
    fn the_root_is_a_mount_point_and_a_fresh_folder_is_not() {
        assert!(is_mount_point(Path::new("/")));
        let tmp = tempfile::tempdir().unwrap();
        let inner = tmp.path().join("inner");
        std::fs::create_dir(&inner).unwrap();
        assert!(!is_mount_point(&inner));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), b"from a").unwrap();
        std::fs::write(b.join("y"), b"from b").unwrap();
        if exchange(&a, &b).unwrap() {
            assert_eq!(std::fs::read(b.join("x")).unwrap(), b"from a");
            assert_eq!(std::fs::read(a.join("y")).unwrap(), b"from b");
            assert!(!a.join("x").exists());
        }
        // A missing side is an error, not a silent fallback.
        assert!(exchange(&a, &tmp.path().join("missing")).is_err());
    }
}
