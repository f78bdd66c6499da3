//! File events → rebuilds, for writers previewing as they type. Editors save in bursts
//! (write a temp file, rename it over the old one, touch a backup), so events are debounced
//! and one burst gives one rebuild. A failed rebuild leaves the last good output in place
//! and the watch goes on.
//!
//! A [`Session`] keeps every parse and what each output file was made from, so a burst
//! reloads the files it names and re-renders only the pages that depend on them.

mod session;

pub use session::{Rebuilt, Report, Session};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::build::{is_hidden, BuildOptions, SOURCE_DIRS};
use crate::config::CONFIG_FILE;
use crate::error::{Diagnostic, Result};

/// How long a burst of events may go quiet before it counts as one change.
const DEBOUNCE: Duration = Duration::from_millis(20);

enum Message {
    Files(DebounceEventResult),
    Stop,
}

/// Builds, then rebuilds on every change under the site folder until Ctrl-C. `report` sees
/// each build's outcome, the first one included.
pub fn watch(opts: &BuildOptions, mut report: impl FnMut(Result<Report>)) -> Result<()> {
    let mut session = Session::new(opts);
    let root = session.root().to_path_buf();

    let (tx, rx) = mpsc::channel();
    let files = tx.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |r| {
        let _ = files.send(Message::Files(r));
    })
    .map_err(|e| Diagnostic::new(&root, format!("cannot watch for changes: {e}")))?;
    // The root itself only for nashra.toml and for source folders appearing; each source
    // folder recursively. Nothing else (the output, a `target/`, `.git`) is watched at all.
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Diagnostic::new(&root, format!("cannot watch for changes: {e}")))?;
    let mut watched = Vec::new();
    watch_new_source_dirs(&mut debouncer, &root, &mut watched)?;
    // Ctrl-C ends the loop between rebuilds, never in the middle of writing the output.
    ctrlc::set_handler(move || {
        let _ = tx.send(Message::Stop);
    })
    .map_err(|e| Diagnostic::new(&root, format!("cannot handle Ctrl-C: {e}")))?;

    // Built only once watching, so no edit made during the first build is missed.
    report(session.rebuild(&[]));

    for message in rx {
        match message {
            Message::Stop => break,
            Message::Files(Err(errors)) => {
                for e in errors {
                    eprintln!("{}: warning: file watching: {e}", root.display());
                }
            }
            Message::Files(Ok(events)) => {
                watch_new_source_dirs(&mut debouncer, &root, &mut watched)?;
                let changed: BTreeSet<PathBuf> = events
                    .iter()
                    .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                    .flat_map(|e| &e.paths)
                    .filter(|p| is_source(&root, p))
                    .cloned()
                    .collect();
                if !changed.is_empty() {
                    report(session.rebuild(&changed.into_iter().collect::<Vec<_>>()));
                }
            }
        }
    }
    Ok(())
}

/// Starts watching the source folders that exist and are not watched yet.
fn watch_new_source_dirs(
    debouncer: &mut Debouncer<RecommendedWatcher, RecommendedCache>,
    root: &Path,
    watched: &mut Vec<&'static str>,
) -> Result<()> {
    // A folder deleted and made again needs a new watch.
    watched.retain(|dir| root.join(dir).is_dir());
    for dir in SOURCE_DIRS {
        let path = root.join(dir);
        if !watched.contains(&dir) && path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| Diagnostic::new(&path, format!("cannot watch for changes: {e}")))?;
            watched.push(dir);
        }
    }
    Ok(())
}

/// Whether a changed path is one the site is built from: `nashra.toml` or a file in a source
/// folder, not a hidden file or an editor's backup.
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components().map(|c| c.as_os_str());
    let top = parts
        .next()
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default();
    (top == CONFIG_FILE || SOURCE_DIRS.contains(&top.as_str()))
        && !rel.components().any(|c| is_hidden(c.as_os_str()))
}
