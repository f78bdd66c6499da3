//! File events → rebuilds, for writers previewing as they type. Editors save in bursts
//! (write a temp file, rename it over the old one, touch a backup), so events are gathered
//! until they go quiet and one burst gives one rebuild. A failed rebuild leaves the last good
//! output in place and the watch goes on.
//!
//! Events come from `notify` itself and are gathered here, every path any of them names passed
//! on, both ends of every rename included. notify-debouncer-full, used before, lost files: it merges `tmp → a` then `a → b` into one event for `b`, and drops
//! every event of a file saved by rename and then deleted, so after a script, a sync tool or
//! `git` did that within its debounce time the page of `a` stayed until a restart. The
//! [`Session`] also reads the folders it is told of, so a file that goes unnamed is still
//! noticed.
//!
//! A [`Session`] keeps every parse and what each output file was made from, so a burst
//! reloads the files it names and re-renders only the pages that depend on them.

mod session;

pub use session::{Indexed, Rebuilt, Report, Session};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{self, Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::build::{is_hidden, BuildOptions, SOURCE_DIRS};
use crate::config::CONFIG_FILE;
use crate::error::{Diagnostic, Result};

/// How long events must go quiet before a burst counts as one change. An editor's save (a
/// temp file written, renamed over the old one) comes as events well within a millisecond;
/// bursts that pause longer (a checkout) give a rebuild more, each only of what changed, and
/// every millisecond here is one more before a save shows.
const DEBOUNCE: Duration = Duration::from_millis(5);
/// The longest a burst is gathered, so changes that never pause (a long checkout, a sync
/// tool catching up) still show as they come.
const LONGEST_BURST: Duration = Duration::from_secs(1);

enum Message {
    Event(notify::Result<Event>),
    /// A search index made in the background is ready to be written.
    Indexed,
    Stop,
}

/// Builds, then rebuilds on every change under the site folder until Ctrl-C. `report` sees
/// each build's outcome, the first one included.
pub fn watch(opts: &BuildOptions, mut report: impl FnMut(Result<Report>)) -> Result<()> {
    let mut session = Session::new(opts);
    let root = session.root().to_path_buf();

    let (tx, rx) = mpsc::channel();
    let events = tx.clone();
    let indexed = tx.clone();
    // Search indexes are made on threads of their own and written here, between rebuilds.
    session.wake_on_index(move || {
        let _ = indexed.send(Message::Indexed);
    });
    let mut watcher = notify::recommended_watcher(move |e| {
        let _ = events.send(Message::Event(e));
    })
    .map_err(|e| Diagnostic::new(&root, format!("cannot watch for changes: {e}")))?;
    // The root itself only for nashra.toml and for source folders appearing; each source
    // folder recursively. Nothing else (the output, a `target/`, `.git`) is watched at all.
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Diagnostic::new(&root, format!("cannot watch for changes: {e}")))?;
    let mut watched = Vec::new();
    watch_new_source_dirs(&mut watcher, &root, &mut watched)?;
    // Ctrl-C ends the loop between rebuilds, never in the middle of writing the output.
    ctrlc::set_handler(move || {
        let _ = tx.send(Message::Stop);
    })
    .map_err(|e| Diagnostic::new(&root, format!("cannot handle Ctrl-C: {e}")))?;

    // Built only once watching, so no edit made during the first build is missed.
    report(session.rebuild(&[]));

    while let Some(burst) = next_burst(&rx, &root) {
        if burst.stop {
            break;
        }
        for e in &burst.errors {
            eprintln!("{}: warning: file watching: {e}", root.display());
        }
        watch_new_source_dirs(&mut watcher, &root, &mut watched)?;
        let changed: Vec<PathBuf> = match burst.rescan {
            // Events were lost: read everything again, as after a change to the config.
            true => vec![root.join(CONFIG_FILE)],
            false => burst.changed.into_iter().collect(),
        };
        // inotify names both ends of every rename and says when it lost events (a rescan):
        // its paths are all that changed. Other watchers' events, or a burst with a watching
        // error, have their folders read for what came or went unnamed.
        let named = cfg!(target_os = "linux") && burst.errors.is_empty();
        match changed.is_empty() {
            true => {}
            false if named => report(session.rebuild_named(&changed)),
            false => report(session.rebuild(&changed)),
        }
        // After the rebuild, so an index it superseded is not written first.
        if let Some(indexed) = burst.indexed.then(|| session.index_ready()).flatten() {
            report(indexed);
        }
    }
    Ok(())
}

/// What one burst of events asks for.
#[derive(Debug, Default)]
struct Burst {
    /// Every source path an event named: created, written, gone, either end of a rename.
    changed: BTreeSet<PathBuf>,
    /// Events were lost (the kernel's queue overflowed), so nothing is known of what changed.
    rescan: bool,
    /// What went wrong watching, to warn about.
    errors: Vec<notify::Error>,
    /// A search index is ready to be written.
    indexed: bool,
    /// Ctrl-C: stop without waiting for the burst to end.
    stop: bool,
}

impl Burst {
    /// Takes `message` in; whether it counts as activity, which a burst waits to go quiet.
    /// Reading a file, changes outside the sources (the output being written) and a search
    /// index ready do not.
    fn add(&mut self, root: &Path, message: Message) -> bool {
        match message {
            Message::Stop => self.stop = true,
            Message::Indexed => {
                self.indexed = true;
                return false;
            }
            Message::Event(Err(e)) => self.errors.push(e),
            Message::Event(Ok(event)) if event.need_rescan() => self.rescan = true,
            Message::Event(Ok(event)) if matches!(event.kind, EventKind::Access(_)) => return false,
            Message::Event(Ok(event)) => {
                let sources: Vec<PathBuf> = event.paths.into_iter().filter(|p| is_source(root, p)).collect();
                let counts = !sources.is_empty();
                self.changed.extend(sources);
                return counts;
            }
        }
        true
    }
}

/// Waits for the next burst: the first message that counts, then every message until none
/// has counted for [`DEBOUNCE`]. Whatever queued up during the last rebuild is taken in at
/// once, so any number of saves made while a slow rebuild ran give one rebuild more, not one
/// each. A search index ready ends the wait for a first message at once, with no change.
/// `None` once no message can come.
fn next_burst(rx: &Receiver<Message>, root: &Path) -> Option<Burst> {
    let mut burst = Burst::default();
    while !burst.add(root, rx.recv().ok()?) {
        if burst.indexed {
            return Some(burst);
        }
    }
    let start = Instant::now();
    let mut quiet_at = start + DEBOUNCE;
    while !burst.stop {
        let wait = quiet_at
            .min(start + LONGEST_BURST)
            .saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(message) => {
                if burst.add(root, message) {
                    quiet_at = Instant::now() + DEBOUNCE;
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(burst)
}

/// Starts watching the source folders that exist and are not watched yet.
fn watch_new_source_dirs(
    watcher: &mut RecommendedWatcher,
    root: &Path,
    watched: &mut Vec<&'static str>,
) -> Result<()> {
    // A folder deleted and made again needs a new watch.
    watched.retain(|dir| root.join(dir).is_dir());
    for dir in SOURCE_DIRS {
        let path = root.join(dir);
        if !watched.contains(&dir) && path.is_dir() {
            watcher
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

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, DataChange, ModifyKind};

    fn event(kind: EventKind, path: PathBuf) -> Message {
        Message::Event(Ok(Event::new(kind).add_path(path)))
    }

    /// Saves that queued up while a rebuild ran come out as one burst, however many there
    /// were; reading a file or writing outside the sources is no change.
    #[test]
    fn what_queued_during_a_rebuild_is_one_burst() {
        let root = PathBuf::from("/site");
        let (tx, rx) = mpsc::channel();
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        for n in 0..100 {
            let path = root.join(format!("content/briefings/a{n}.md"));
            tx.send(event(written, path.clone())).unwrap();
            tx.send(event(EventKind::Access(AccessKind::Any), path)).unwrap();
            tx.send(event(written, root.join("public/index.html"))).unwrap();
        }
        drop(tx);
        let burst = next_burst(&rx, &root).unwrap();
        assert_eq!(burst.changed.len(), 100);
        assert!(burst.changed.iter().all(|p| p.starts_with("/site/content")));
        assert!(next_burst(&rx, &root).is_none());
    }
}
