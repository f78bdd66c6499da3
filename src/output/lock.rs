//! One writer at a time per output folder. Two builds into one staging folder (a CI double
//! trigger, `build` while `watch` runs) used to interleave and leave a wrong or missing site,
//! so every writer takes an exclusive `flock` on a file beside the output first. The kernel
//! drops the lock with the process, so a killed build never leaves one behind.
//!
//! The file also says who holds it (for the "waiting for" message) and a token naming the
//! last write, so a watch that finds another writer's token knows its idea of the folder is
//! out of date.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::target::Target;
use super::Notices;
use crate::error::{Diagnostic, Error, Result};

/// An exclusive hold on an output folder; released when dropped (or the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
    /// The token the previous writer left (`None` for a lock file never written).
    pub previous: Option<String>,
    /// This writer's token, which the next writer will find.
    pub token: String,
}

/// Whether a writer that finds the output locked waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wait {
    /// Wait, saying who is being waited for.
    #[default]
    Yes,
    /// Fail at once (`--no-wait`).
    No,
}

/// Takes the lock of the output folder `out_dir` (as the user named it: a symbolic link is
/// locked as the folder it leads to, so two names for one folder share one lock).
pub fn lock(out_dir: &Path, wait: Wait, notices: &Notices) -> Result<Lock> {
    let target = Target::resolve(out_dir)?;
    let path = target.lock_path();
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, "open the lock file", &e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let pid = read(&mut file).pid;
            let who = match pid {
                Some(pid) => format!("another nashra (pid {pid})"),
                None => "another nashra".to_string(),
            };
            if wait == Wait::No {
                return Err(
                    Diagnostic::new(out_dir, format!("{who} is writing this output folder"))
                        .help("wait for it to finish, or leave out --no-wait to wait for it")
                        .into(),
                );
            }
            notices.send(format!(
                "Waiting for {who} writing {} to finish…",
                out_dir.display()
            ));
            file.lock()
                .map_err(|e| Error::io(&path, "lock the output folder", &e))?;
        }
        Err(TryLockError::Error(e)) => return Err(Error::io(&path, "lock the output folder", &e)),
    }
    let previous = read(&mut file).token;
    let token = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let text = format!(
        "nashra pid {}: holds this file locked while it writes {}\ntoken {token}\n",
        std::process::id(),
        target.real.display()
    );
    // What the file says is for messages and for watch mode, not for the lock, which the
    // kernel holds whatever it says: a full disk that cannot take it fails no build (and
    // a watch that does not find its own token again only writes the folder whole).
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()));
    Ok(Lock {
        _file: file,
        previous,
        token,
    })
}

/// What a lock file says.
struct Holder {
    pid: Option<u32>,
    token: Option<String>,
}

fn read(file: &mut File) -> Holder {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|rest| rest.split(':').next().unwrap_or(rest).trim().to_string())
    };
    Holder {
        pid: field("nashra pid ").and_then(|p| p.parse().ok()),
        token: field("token "),
    }
}

impl Target {
    /// The lock file: beside the folder, where staging goes too; in the temp folder when the
    /// folder's parent may not be written (then the folder is updated in place).
    pub(super) fn lock_path(&self) -> PathBuf {
        let name = format!(".{}.nashra-lock", self.name());
        if super::target::writable(self.parent()) {
            return self.parent().join(name);
        }
        use std::hash::BuildHasher;
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one(&self.real);
        std::env::temp_dir().join(format!("nashra-{hash:016x}{name}"))
    }
}
