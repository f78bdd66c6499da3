//! What the output folder really is, found before anything is written: a symbolic link is
//! followed (so the site goes behind it and the link stays a link), and a folder that
//! cannot be swapped whole (a mount point, or one whose parent may not be written) is
//! updated in place.

use std::fs;
use std::path::{Path, PathBuf};

use super::place::INNER_STAGING;
use super::MARKER;
use crate::error::{Diagnostic, Error, Result};

/// The output folder and how a build replaces it.
#[derive(Debug)]
pub(crate) struct Target {
    /// The real folder: absolute, every symbolic link on the way resolved.
    pub real: PathBuf,
    /// How it is replaced.
    pub how: How,
}

/// How a build puts a new site in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum How {
    /// Written beside the folder, then exchanged with it in one rename.
    Swap,
    /// File by file inside the folder; the reason it cannot be swapped.
    InPlace(String),
}

/// How many links are followed before giving up, as the kernel does (`ELOOP`).
const MAX_LINKS: usize = 40;

impl Target {
    /// Finds the folder `out_dir` names, and how it can be replaced.
    pub fn resolve(out_dir: &Path) -> Result<Self> {
        let real = follow(out_dir)?;
        if real.file_name().is_none() {
            return Err(Diagnostic::new(out_dir, "the output folder has no name")
                .help("choose a folder like public/")
                .into());
        }
        let parent = real.parent().unwrap_or(Path::new("/")).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, "create the folder", &e))?;
        let how = if real.is_dir() && is_mount_point(&real) {
            How::InPlace("is a mount point".into())
        } else if !writable(&parent) {
            How::InPlace(format!("is in {}, which may not be written", parent.display()))
        } else {
            How::Swap
        };
        Ok(Self { real, how })
    }

    /// Refuses a folder a build must not replace: a file, or a folder with content that
    /// nashra did not write. `out_dir` is how the user named it.
    pub fn check_replaceable(&self, out_dir: &Path) -> Result<()> {
        let real = &self.real;
        let shown_real = || match real.as_path() == out_dir {
            true => String::new(),
            false => format!(" (a link to {})", real.display()),
        };
        let Ok(meta) = fs::metadata(real) else {
            return Ok(());
        };
        if !meta.is_dir() {
            return Err(Diagnostic::new(
                out_dir,
                format!("the output path exists and is not a folder{}", shown_real()),
            )
            .help("remove the file or choose another --output")
            .into());
        }
        if real.join(MARKER).is_file() {
            return Ok(());
        }
        // A first update in place that was killed leaves its staging folder alone there.
        let empty = fs::read_dir(real)
            .map_err(|e| Error::io(out_dir, "read the folder", &e))?
            .flatten()
            .all(|e| e.file_name() == INNER_STAGING);
        if empty {
            return Ok(());
        }
        Err(Diagnostic::new(
            out_dir,
            format!(
                "the output folder{} exists and was not written by nashra; a build replaces the whole folder",
                shown_real()
            ),
        )
        .help("move the folder away or empty it, or choose another --output")
        .into())
    }

    /// The folder the output folder is in.
    pub fn parent(&self) -> &Path {
        self.real.parent().unwrap_or(Path::new("/"))
    }

    /// The output folder's own name.
    pub fn name(&self) -> String {
        self.real
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// `path` made absolute with every symbolic link resolved, in it and on the way to it; a
/// link to a folder not made yet leads to where that folder will be.
pub(crate) fn follow(path: &Path) -> Result<PathBuf> {
    let mut at = std::path::absolute(path).map_err(|e| Error::io(path, "resolve the path", &e))?;
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&at).map_err(|e| Error::io(&at, "read the link", &e))?;
                // A relative target is read from the link's own folder; an absolute one replaces it.
                at = at.parent().unwrap_or(Path::new("/")).join(to);
            }
            _ => {
                // The folders on the way may be links too (or hold `..`): the parent is resolved
                // as the kernel resolves it, where it exists.
                let (Some(parent), Some(name)) = (at.parent(), at.file_name()) else {
                    return Ok(at);
                };
                return Ok(match parent.canonicalize() {
                    Ok(parent) => parent.join(name),
                    Err(_) => at.clone(),
                });
            }
        }
    }
    Err(
        Diagnostic::new(path, "the output path is a chain of too many symbolic links")
            .help("point --output at the folder itself")
            .into(),
    )
}

/// Whether this user may create and remove entries in `dir` (not on a read-only filesystem,
/// not an immutable folder, which root may not change either).
#[cfg(target_os = "linux")]
pub(crate) fn writable(dir: &Path) -> bool {
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn writable(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// Whether a filesystem is mounted at `dir`: it cannot be renamed (`EBUSY`). The kernel says
/// so where it can (`STATX_ATTR_MOUNT_ROOT`, which sees bind mounts too); else a device that
/// differs from the parent's tells.
#[cfg(target_os = "linux")]
fn is_mount_point(dir: &Path) -> bool {
    use rustix::fs::{statx, AtFlags, StatxAttributes, StatxFlags, CWD};
    if let Ok(s) = statx(CWD, dir, AtFlags::NO_AUTOMOUNT, StatxFlags::empty()) {
        if s.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT) {
            return s.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
        }
    }
    use std::os::unix::fs::MetadataExt;
    let dev = |p: &Path| fs::metadata(p).map(|m| m.dev()).ok();
    dev(dir) != dev(dir.parent().unwrap_or(Path::new("/")))
}

#[cfg(not(target_os = "linux"))]
fn is_mount_point(_dir: &Path) -> bool {
    false
}
