//! Putting a written site in place: exchanged whole with the old folder where the filesystem
//! can, else moved in file by file. No path here ever deletes the output folder or leaves a
//! moment without one, and once the new site is in place, what is left to clean up is a
//! warning, never a failure.

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::target::Target;
use super::MARKER;
use crate::error::{Diagnostic, Error, Result};

/// What moving staged files into a live folder did.
#[derive(Debug, Default)]
pub(crate) struct Committed {
    /// Paths written, sorted.
    pub written: Vec<String>,
    /// Paths removed, sorted.
    pub removed: Vec<String>,
    /// What could not be cleaned up; the new files are in place all the same.
    pub warnings: Vec<Diagnostic>,
}

/// Which files of the live folder go once the new ones are in.
pub(crate) enum Stale<'a> {
    /// These (watch mode knows what it wrote).
    Listed(&'a [String]),
    /// Every file but these, and the folders left empty.
    AllBut(&'a HashSet<String>),
}

/// The name of a staging folder inside a folder updated in place.
pub(crate) const INNER_STAGING: &str = ".nashra-staging";

/// A new, empty staging folder beside the output. What earlier builds left there (killed, or
/// unable to remove an old tree) is removed first; what cannot be is warned of and left,
/// and this build takes a name of its own, so a leftover never blocks a build.
pub(crate) fn staging_beside(target: &Target, warnings: &mut Vec<Diagnostic>) -> Result<PathBuf> {
    let prefix = format!(".{}.nashra-staging", target.name());
    let parent = target.parent();
    // Only this process writes here while it holds the lock: no leftover is in use.
    for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            if let Err(e) = remove_tree(&entry.path()) {
                warnings.push(leftover(&entry.path(), &e));
            }
        }
    }
    let staging = parent.join(format!("{prefix}-{}", std::process::id()));
    fs::create_dir(&staging).map_err(|e| Error::io(&staging, "create the staging folder", &e))?;
    Ok(staging)
}

fn leftover(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        path,
        format!("cannot remove what an earlier build left here: {e}"),
    )
    .warning()
    .help("remove it by hand (it is not part of the site); builds go on without it")
}

/// What [`swap`] did.
pub(crate) enum Swapped {
    /// The new site is in place, exchanged whole.
    Whole,
    /// The filesystem cannot exchange two folders (NFS, some FUSE and network filesystems):
    /// the staged files are to be moved in one by one.
    Unsupported,
}

/// Puts `staging` in the place of the output folder in one step and removes the old site.
/// Where the filesystem cannot exchange two folders, nothing is done (see [`Swapped`]):
/// the two-rename alternative leaves a moment with no output that a crash can freeze.
pub(crate) fn swap(staging: &Path, target: &Target, warnings: &mut Vec<Diagnostic>) -> Result<Swapped> {
    let out = &target.real;
    if !out.exists() {
        fs::rename(staging, out).map_err(|e| Error::io(out, "move the new output into place", &e))?;
        return Ok(Swapped::Whole);
    }
    if let Err(e) = exchange(staging, out) {
        return match e.kind() {
            ErrorKind::InvalidInput | ErrorKind::Unsupported | ErrorKind::ResourceBusy => {
                Ok(Swapped::Unsupported)
            }
            _ => Err(Error::io(out, "exchange the new output with the old", &e)),
        };
    }
    // `staging` now holds the previous site.
    if let Err(e) = remove_tree(staging) {
        warnings.push(
            Diagnostic::new(
                staging,
                format!("the new site is in place, but the previous one could not be removed: {e}"),
            )
            .warning()
            .help("remove this folder by hand; the next build tries again"),
        );
    }
    Ok(Swapped::Whole)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(Into::into)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(ErrorKind::Unsupported.into())
}

/// Every file of a stage laid out as the site: where it is, and its path in the site.
pub(crate) fn staged_tree(staging: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(staging)
        .min_depth(1)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(staging)
                .ok()?
                .to_string_lossy()
                .into_owned();
            Some((e.into_path(), rel))
        })
        .collect()
}

/// Moves the `staged` files (where each is, its path in the site) into `out`, each one
/// rename, so a reader sees a file old or new, never half; then removes the `stale` files
/// and `staging`. A path staged twice takes its last file. If a move fails, the error says
/// how far it got: the folder then holds part of each site.
pub(crate) fn commit(
    staging: &Path,
    mut staged: Vec<(PathBuf, String)>,
    out: &Path,
    stale: Stale,
) -> Result<Committed> {
    // A stable sort: of a path staged twice, the file staged last comes last, and is kept.
    staged.sort_by(|a, b| a.1.cmp(&b.1));
    let mut last: Vec<(PathBuf, String)> = Vec::with_capacity(staged.len());
    for file in staged {
        if last.last().is_some_and(|(_, rel)| *rel == file.1) {
            last.pop();
        }
        last.push(file);
    }
    let staged = last;
    let files: Vec<String> = staged.iter().map(|(_, rel)| rel.clone()).collect();
    for (done, (from, rel)) in staged.iter().enumerate() {
        if let Err(e) = move_into(from, out, rel) {
            let mut err = Error::io(&out.join(rel), "move the new file into place", &e);
            if done > 0 {
                err.output_changed = true;
                if let Some(d) = err.diagnostics.first_mut() {
                    d.message.push_str(&format!(
                        "; {} of the {} new files are in place, the rest of the folder is the previous build's",
                        done,
                        files.len()
                    ));
                }
            }
            let _ = remove_tree(staging);
            return Err(err);
        }
    }
    let mut committed = Committed {
        written: files,
        ..Committed::default()
    };
    match stale {
        Stale::Listed(paths) => {
            for rel in paths {
                remove_stale(out, rel, &mut committed);
            }
        }
        Stale::AllBut(keep) => {
            let unwanted: Vec<String> = walkdir::WalkDir::new(out)
                .min_depth(1)
                .into_iter()
                .filter_entry(|e| e.depth() != 1 || e.file_name() != INNER_STAGING)
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_type().is_dir())
                .filter_map(|e| Some(e.path().strip_prefix(out).ok()?.to_string_lossy().into_owned()))
                .filter(|rel| rel != MARKER && !keep.contains(rel))
                .collect();
            for rel in &unwanted {
                remove_stale(out, rel, &mut committed);
            }
        }
    }
    committed.removed.sort();
    if let Err(e) = remove_tree(staging) {
        if e.kind() != ErrorKind::NotFound {
            committed.warnings.push(leftover(staging, &e));
        }
    }
    Ok(committed)
}

/// Removes one file the new site no longer has, and the folders it leaves empty (a clean
/// build has none). A file that cannot be removed is warned of: the new site is in place.
fn remove_stale(out: &Path, rel: &str, committed: &mut Committed) {
    let path = out.join(rel);
    match fs::remove_file(&path) {
        Ok(()) => committed.removed.push(rel.to_string()),
        Err(e) if e.kind() == ErrorKind::NotFound => committed.removed.push(rel.to_string()),
        Err(e) => {
            committed.warnings.push(
                Diagnostic::new(
                    &path,
                    format!("cannot remove this file of the previous build: {e}"),
                )
                .warning()
                .help("the new site is in place; remove the file by hand"),
            );
            return;
        }
    }
    for dir in path.ancestors().skip(1).take_while(|d| *d != out) {
        if fs::remove_dir(dir).is_err() {
            break;
        }
    }
}

/// Renames `from` to `out/rel`, making its folders; a file of the old site standing where
/// the new one has a folder, or a folder where it has a file, is removed first.
fn move_into(from: &Path, out: &Path, rel: &str) -> std::io::Result<()> {
    let dest = out.join(rel);
    if let Some(parent) = dest.parent() {
        if fs::create_dir_all(parent).is_err() {
            for dir in parent.ancestors().take_while(|d| *d != out) {
                if fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
                    fs::remove_file(dir)?;
                }
            }
            fs::create_dir_all(parent)?;
        }
    }
    if fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
        remove_tree(&dest)?;
    }
    fs::rename(from, &dest)
}

/// Removes a folder and everything in it, on every core: removing a previous output of 20,000
/// pages on one took a quarter of a second at the end of every build. Symbolic links are
/// removed, never followed.
pub(crate) fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let entries = fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries
        .into_par_iter()
        .try_for_each(|e| match e.file_type()?.is_dir() {
            true => remove_tree(&e.path()),
            false => fs::remove_file(e.path()),
        })?;
    fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                (rel, fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// An update in place stages its files side by side under numbers: each goes to its
    /// path, made with its folders, and of a path staged twice the file staged last is kept.
    #[test]
    fn commit_moves_numbered_files_to_their_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, staging) = (tmp.path().join("out"), tmp.path().join("out/.stage"));
        fs::create_dir_all(&staging).unwrap();
        fs::write(out.join("old.html"), "old").unwrap();
        let mut staged = Vec::new();
        for (n, (rel, text)) in [
            ("a/b/index.html", "first"),
            ("x.html", "x"),
            ("a/b/index.html", "second"),
        ]
        .into_iter()
        .enumerate()
        {
            let at = staging.join(n.to_string());
            fs::write(&at, text).unwrap();
            staged.push((at, rel.to_string()));
        }
        let stale = ["old.html".to_string()];
        let done = commit(&staging, staged, &out, Stale::Listed(&stale)).unwrap();
        assert_eq!(done.written, ["a/b/index.html", "x.html"]);
        assert_eq!(done.removed, ["old.html"]);
        assert_eq!(
            tree(&out),
            [
                ("a/b/index.html".to_string(), "second".to_string()),
                ("x.html".to_string(), "x".to_string())
            ]
        );
    }

    /// What a filesystem without RENAME_EXCHANGE falls back to, and every in-place update:
    /// the live folder ends as the new site, whatever stood in the way.
    #[test]
    fn commit_moves_the_new_site_in_and_the_old_one_out() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, staging) = (tmp.path().join("out"), tmp.path().join("staging"));
        for (rel, text) in [
            ("same.html", "old"),
            ("a", "a file where a folder comes"),
            ("b/index.html", "a folder where a file comes"),
            ("gone/deep/x.html", "stale"),
            (MARKER, "marker"),
        ] {
            fs::create_dir_all(out.join(rel).parent().unwrap()).unwrap();
            fs::write(out.join(rel), text).unwrap();
        }
        for (rel, text) in [("same.html", "new"), ("a/index.html", "new a"), ("b", "new b")] {
            fs::create_dir_all(staging.join(rel).parent().unwrap()).unwrap();
            fs::write(staging.join(rel), text).unwrap();
        }
        let keep: HashSet<String> = ["same.html", "a/index.html", "b", MARKER]
            .map(String::from)
            .into();
        let done = commit(&staging, staged_tree(&staging), &out, Stale::AllBut(&keep)).unwrap();
        assert_eq!(done.written, ["a/index.html", "b", "same.html"]);
        assert_eq!(done.removed, ["gone/deep/x.html"]);
        assert!(done.warnings.is_empty());
        assert_eq!(
            tree(&out),
            [
                (MARKER.to_string(), "marker".to_string()),
                ("a/index.html".into(), "new a".into()),
                ("b".into(), "new b".into()),
                ("same.html".into(), "new".into()),
            ]
        );
        assert!(!out.join("gone").exists(), "folders left empty go too");
        assert!(!staging.exists());
    }
}
