//! Outputs → the output folder: minify HTML, write everything into a staging folder beside
//! the output, then swap it in, so a failed build never leaves a half-written site behind and
//! the last good output stays byte for byte as it was. One writer at a time ([`lock`]); a
//! folder that cannot be swapped is updated in place ([`target`], [`place`]).

mod lock;
mod place;
mod target;

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

pub use lock::{lock, Lock, Wait};
use place::{Stale, Swapped};
pub(crate) use target::follow as real_path;
use target::{How, Target};

use crate::error::{collect_all, Diagnostic, Error, Result};

/// A file every build writes at the top of its output, so a later build knows the folder is
/// its own to replace. A folder without it is never replaced: it may be someone's sources.
pub const MARKER: &str = ".nashra-output";

const MARKER_TEXT: &str =
    "This folder is written by `nashra build` and replaced whole on every build: edit the sources instead.\n";

/// What goes into one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file copied as it is (static files), read only when written.
    Copy(PathBuf),
    /// A static image copied without its metadata ([`crate::media::strip`]), read and
    /// cleaned only when written.
    Stripped(PathBuf),
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// `/`-separated path under the output folder.
    pub path: String,
    /// Its bytes.
    pub content: Content,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files in the new site.
    pub files: usize,
    /// Bytes in them.
    pub bytes: u64,
    /// What could not be cleaned up once the new site was in place.
    pub warnings: Vec<Diagnostic>,
}

/// Minifies an HTML document: whitespace collapsed, comments dropped, empty attribute values
/// shortened, as html-minifier does it in one streaming pass (no tree, so no depth a hostile
/// article could overflow). minify-html's tree minifier also dropped quotes and optional end
/// tags, 4% of a page gzipped instead of 2%, but at a sixth of the speed: a fifth of a
/// 10,000-story build's CPU. Inline scripts, styles and code are kept as written: a minifier
/// without a parser can change what scripts and styles mean, and a theme may set code in
/// preformatted white space. A document the minifier cannot finish (a tag or comment left
/// open at the end) is written as it is.
pub fn minify(html: &[u8]) -> Vec<u8> {
    let mut minifier = html_minifier::HTMLMinifier::new();
    minifier.set_minify_js(false);
    minifier.set_minify_css(false);
    minifier.set_minify_code(false);
    minifier
        .digest(html)
        .and_then(|()| minifier.into_html())
        .unwrap_or_else(|_| html.to_vec())
}

/// Where a writer's messages go while it works (waiting for another writer, an update that
/// is not atomic): the user must see them before the build ends, and only `main.rs` prints.
#[derive(Clone, Default)]
pub struct Notices(Option<Arc<Listener>>);

/// What hears [`Notices`].
type Listener = dyn Fn(&str) + Send + Sync;

impl Notices {
    /// Notices passed to `f` as they come.
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(f)))
    }

    /// Tells the user `message` (dropped when nobody listens).
    pub fn send(&self, message: String) {
        if let Some(f) = &self.0 {
            f(&message);
        }
    }
}

impl std::fmt::Debug for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Notices(..)"
        } else {
            "Notices(none)"
        })
    }
}

/// How a whole write replaces the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Whole {
    /// Written beside it and exchanged in one step, where the folder allows (else in place).
    #[default]
    Swap,
    /// Compared file by file, and only what differs written: needs room for the changes
    /// alone, which is how watch mode recovers when the disk has no room for a copy.
    InPlace,
}

/// Writes `outputs` as the new content of `out_dir`, replacing what was there only once every
/// file is written.
pub fn write(
    outputs: &[Output],
    out_dir: &Path,
    minify_html: bool,
    whole: Whole,
    notices: &Notices,
) -> Result<Written> {
    write_with(out_dir, minify_html, whole, notices, |stage| {
        collect_all(outputs.par_iter().map(|o| stage.put(o)).collect::<Vec<_>>()).map(drop)
    })
}

/// The folder a build writes into before the site is put in place. Files are put into it
/// from any thread as soon as they are rendered, so a build need not hold its whole output.
#[derive(Debug)]
pub struct Stage {
    dir: PathBuf,
    /// The output folder as the user named it, for messages.
    shown: PathBuf,
    minify_html: bool,
    /// The folder the new site replaces, whose files [`Self::keep`] can carry over.
    previous: PathBuf,
    /// Updating in place: the live folder, whose files that come out the same are not staged.
    live: Option<PathBuf>,
    files: AtomicUsize,
    bytes: AtomicU64,
    /// Every path put: what an update in place keeps.
    paths: Mutex<Vec<String>>,
    /// Updating in place: each file staged, by its name in the stage, with its path in the
    /// site ([`Self::staged_at`]).
    staged: Mutex<Vec<(PathBuf, String)>>,
    /// Set by the first write that found the disk (or the quota) full: the rest are not tried,
    /// and the build fails with one message instead of one per file.
    full: AtomicBool,
}

impl Stage {
    fn new(dir: PathBuf, shown: &Path, minify_html: bool, previous: &Path, in_place: bool) -> Self {
        Self {
            dir,
            shown: shown.to_path_buf(),
            minify_html,
            previous: previous.to_path_buf(),
            live: in_place.then(|| previous.to_path_buf()),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            paths: Mutex::new(Vec::new()),
            staged: Mutex::new(Vec::new()),
            full: AtomicBool::new(false),
        }
    }

    /// Writes one file (minified, if it is HTML and the site asks for it). Returns the
    /// xxh3-128 of the bytes written, for a file whose bytes were in hand (not a copy).
    pub fn put(&self, o: &Output) -> Result<Option<u128>> {
        let rel = self.add(&o.path)?;
        if let (None, Content::Copy(src)) = (&self.live, &o.content) {
            let dest = self.dir.join(&rel);
            self.make_parent(&dest)?;
            let bytes = fs::copy(src, &dest).map_err(|e| self.io_error(&dest, &e))?;
            self.count(bytes);
            return Ok(None);
        }
        let b = final_bytes(o, self.minify_html)?;
        self.write(&rel, &b).map(Some)
    }

    /// Writes the final bytes `b` of the file at `rel` (added already), unless an update in
    /// place finds them in the live folder; their xxh3-128.
    fn write(&self, rel: &Path, b: &[u8]) -> Result<u128> {
        let same = self
            .live
            .as_ref()
            .is_some_and(|live| fs::read(live.join(rel)).is_ok_and(|old| old == b));
        if !same {
            let dest = self.staged_at(rel)?;
            fs::write(&dest, b).map_err(|e| self.io_error(&dest, &e))?;
        }
        self.count(b.len() as u64);
        Ok(xxh3_128(b))
    }

    /// Carries the file at `path` over from the folder this site replaces, if its bytes
    /// still hash to `digest` (what an earlier build wrote there, per the build cache):
    /// linked into the new site where the filesystem allows, else copied. Whether it did;
    /// when not, the caller makes the file anew.
    pub fn keep(&self, path: &str, digest: u128) -> Result<bool> {
        let Some((rel, len)) = self.unchanged(path, digest)? else {
            return Ok(false);
        };
        self.carry(path, &rel, len)?;
        Ok(true)
    }

    /// Puts the file at `from`, outside the output (in the build cache), into the new site as
    /// `path`, if its bytes hash to `digest`: linked where the filesystem allows, else copied.
    /// Whether it did.
    pub fn link(&self, path: &str, from: &Path, digest: u128) -> Result<bool> {
        let Some(len) = hashes_to(from, digest) else {
            return Ok(false);
        };
        let rel = self.add(path)?;
        self.place(from, &rel, len)?;
        Ok(true)
    }

    /// [`Self::put`], but a file that the folder this site replaces has byte for byte is
    /// carried over instead of written: for the few files every build makes again alike
    /// (static files, the search bundle's scripts), so a rebuild needs room for what changed.
    pub fn put_unless_same(&self, o: &Output) -> Result<()> {
        let b = final_bytes(o, self.minify_html)?;
        if !self.keep(&o.path, xxh3_128(&b))? {
            let rel = self.add(&o.path)?;
            self.write(&rel, &b)?;
        }
        Ok(())
    }

    /// [`Self::put_unless_same`] for each of `outputs`, in parallel; their paths.
    pub fn put_all_unless_same(&self, outputs: Vec<Output>) -> Result<Vec<String>> {
        collect_all(
            outputs
                .par_iter()
                .map(|o| self.put_unless_same(o))
                .collect::<Vec<_>>(),
        )?;
        Ok(outputs.into_iter().map(|o| o.path).collect())
    }

    /// [`Self::keep`] for files that belong together: all of them, or (when any one is not
    /// as `digest` says) none.
    pub fn keep_all(&self, files: &[(String, u128)]) -> Result<bool> {
        let checked: Vec<_> = files.par_iter().map(|(p, d)| self.unchanged(p, *d)).collect();
        let Some(checked) = collect_all(checked)?.into_iter().collect::<Option<Vec<_>>>() else {
            return Ok(false);
        };
        let carried = files
            .par_iter()
            .zip(checked)
            .map(|((path, _), (rel, len))| self.carry(path, &rel, len));
        collect_all(carried.collect::<Vec<_>>())?;
        Ok(true)
    }

    /// The previous output's file at `path` if its bytes hash to `digest`: its relative path,
    /// and its length.
    fn unchanged(&self, path: &str, digest: u128) -> Result<Option<(PathBuf, u64)>> {
        let rel = safe_relative(path)?;
        Ok(hashes_to(&self.previous.join(&rel), digest).map(|len| (rel, len)))
    }

    /// Puts the previous output's file at `rel`, checked [`Self::unchanged`], into the new site.
    fn carry(&self, path: &str, rel: &Path, len: u64) -> Result<()> {
        self.add(path)?;
        match self.live {
            // Updating in place: it is there already.
            Some(_) => self.count(len),
            None => self.place(&self.previous.join(rel), rel, len)?,
        }
        Ok(())
    }

    /// Links (else copies) the file at `from`, of `len` bytes, into the stage at `rel`.
    fn place(&self, from: &Path, rel: &Path, len: u64) -> Result<()> {
        let dest = self.staged_at(rel)?;
        if fs::hard_link(from, &dest).is_err() {
            fs::copy(from, &dest).map_err(|e| self.io_error(&dest, &e))?;
        }
        self.count(len);
        Ok(())
    }

    /// Where the file at `rel` goes in the stage. A stage that is the new site holds it at
    /// `rel`. One that updates a folder in place holds its files side by side, numbered, as
    /// each is renamed into place on its own: making and then removing every file's folders
    /// in the stage was most of the time a watch rebuild took to write its dozen files.
    fn staged_at(&self, rel: &Path) -> Result<PathBuf> {
        if self.live.is_none() {
            let dest = self.dir.join(rel);
            self.make_parent(&dest)?;
            return Ok(dest);
        }
        let mut staged = self.staged.lock().unwrap_or_else(PoisonError::into_inner);
        let dest = self.dir.join(staged.len().to_string());
        staged.push((dest.clone(), rel.to_string_lossy().into_owned()));
        Ok(dest)
    }

    /// The files staged, by their name in the stage, with their path in the site.
    fn staged(&self) -> Vec<(PathBuf, String)> {
        match self.live {
            Some(_) => std::mem::take(&mut *self.staged.lock().unwrap_or_else(PoisonError::into_inner)),
            None => place::staged_tree(&self.dir),
        }
    }

    /// Adds `path` to the new site, before its file is written; its path in the stage.
    fn add(&self, path: &str) -> Result<PathBuf> {
        if self.full.load(Ordering::Relaxed) {
            return Err(self.full_error());
        }
        let rel = safe_relative(path)?;
        // Never skipped, even after a panic elsewhere: a path missing here would be removed.
        let mut paths = self.paths.lock().unwrap_or_else(PoisonError::into_inner);
        paths.push(path.to_string());
        Ok(rel)
    }

    /// Counts a file written, of `bytes` bytes.
    fn count(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    fn make_parent(&self, dest: &Path) -> Result<()> {
        match dest.parent() {
            Some(p) => fs::create_dir_all(p).map_err(|e| self.io_error(p, &e)),
            None => Ok(()),
        }
    }

    /// A failed write of `path`; the first that finds the disk full stops the others.
    fn io_error(&self, path: &Path, e: &std::io::Error) -> Error {
        use std::io::ErrorKind;
        if matches!(e.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded) {
            self.full.store(true, Ordering::Relaxed);
            return self.full_error();
        }
        Error::io(path, "write the file", e)
    }

    /// What every write reports once the disk is full: one and the same diagnostic, which
    /// [`Self::explain`] turns into the message.
    fn full_error(&self) -> Error {
        Diagnostic::new(&self.shown, "the disk is full").into()
    }

    /// A failed fill's error as the user sees it: when the disk filled up, that alone, with the
    /// room the build needs, instead of every write it made fail.
    fn explain(&self, err: Error, target: &Target) -> Error {
        if !self.full.load(Ordering::Relaxed) {
            return err;
        }
        let written = self.bytes.load(Ordering::Relaxed);
        let need = match &self.live {
            Some(_) => "an update in place needs room for the files that changed".to_string(),
            None => match tree_size(&target.real) {
                0 => format!(
                    "the new site needs more room than the {} written so far",
                    megabytes(written)
                ),
                old => format!(
                    "a build writes the new site beside the old one and swaps them, so it needs room for a second copy: about {} (the size of the previous site)",
                    megabytes(old)
                ),
            },
        };
        Diagnostic::new(
            &self.shown,
            format!(
                "the disk is full (no space left, or the quota used up) after {} of the new site",
                megabytes(written)
            ),
        )
        .help(format!(
            "{need}: free room on the disk that holds {} (`df -h` shows it), or build to another --output",
            target.parent().display()
        ))
        .into()
    }
}

/// The length of the file at `path`, if its bytes hash to `digest`.
fn hashes_to(path: &Path, digest: u128) -> Option<u64> {
    let bytes = fs::read(path).ok()?;
    (xxh3_128(&bytes) == digest).then_some(bytes.len() as u64)
}

/// Bytes in the files under `dir` (0 when there is none).
fn tree_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Makes `out_dir` what `fill` puts into a [`Stage`], replacing what was there only once
/// `fill` has put every file; if it fails, the output folder is left as it was. A folder that
/// cannot be swapped (a mount point, a parent that may not be written, a filesystem that
/// cannot exchange folders) is updated in place, and `notices` is told so first.
pub fn write_with(
    out_dir: &Path,
    minify_html: bool,
    whole: Whole,
    notices: &Notices,
    fill: impl FnOnce(&Stage) -> Result<()>,
) -> Result<Written> {
    let target = Target::resolve(out_dir)?;
    target.check_replaceable(out_dir)?;
    let mut warnings = Vec::new();
    let in_place = match (&target.how, whole) {
        (How::InPlace(why), _) => {
            notices.send(not_atomic(out_dir, why));
            true
        }
        (How::Swap, Whole::InPlace) => true,
        (How::Swap, Whole::Swap) => false,
    };
    let staging = match in_place {
        true => inner_staging(&target.real)?,
        false => place::staging_beside(&target, &mut warnings)?,
    };
    let stage = Stage::new(staging.clone(), out_dir, minify_html, &target.real, in_place);
    let marker = Output {
        path: MARKER.into(),
        content: Content::Bytes(MARKER_TEXT.as_bytes().to_vec()),
    };
    if let Err(e) = fill(&stage).and_then(|()| stage.put(&marker)) {
        // The failed build's files are of no use; the output folder was never touched.
        let _ = place::remove_tree(&staging);
        return Err(stage.explain(e, &target));
    }
    flush(&staging)?;
    // What the new site has, which an update in place keeps; gathered only for one.
    let commit = |staging: &Path| {
        let paths = stage
            .paths
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let keep: HashSet<String> = paths.iter().cloned().collect();
        place::commit(staging, stage.staged(), &target.real, Stale::AllBut(&keep))
    };
    let committed = match in_place {
        true => Some(commit(&staging)?),
        false => match place::swap(&staging, &target, &mut warnings) {
            Ok(Swapped::Whole) => None,
            Ok(Swapped::Unsupported) => {
                notices.send(not_atomic(
                    out_dir,
                    "is on a filesystem that cannot exchange two folders",
                ));
                Some(commit(&staging)?)
            }
            Err(e) => {
                let _ = place::remove_tree(&staging);
                return Err(e);
            }
        },
    };
    warnings.extend(committed.into_iter().flat_map(|c| c.warnings));
    Ok(Written {
        files: stage.files.into_inner(),
        bytes: stage.bytes.into_inner(),
        warnings,
    })
}

/// Makes the staged files durable before they replace the old ones: without it, a power
/// loss soon after the swap can leave the new folder in place with files still empty, as the
/// rename reaches the disk before their data. One `syncfs` of the filesystem, not one
/// `fsync` per file.
#[cfg(target_os = "linux")]
fn flush(staging: &Path) -> Result<()> {
    let err = |e: std::io::Error| Error::io(staging, "flush the new site to the disk", &e);
    let dir = fs::File::open(staging).map_err(err)?;
    rustix::fs::syncfs(&dir).map_err(|e| err(e.into()))
}

#[cfg(not(target_os = "linux"))]
fn flush(_staging: &Path) -> Result<()> {
    Ok(())
}

/// The notice that comes before an update that is not atomic.
fn not_atomic(out_dir: &Path, why: &str) -> String {
    format!(
        "{} {why}: updating it in place, file by file. This update is not atomic: while it runs, a reader may see old and new pages mixed",
        out_dir.display()
    )
}

/// A new, empty staging folder inside a folder updated in place: on its filesystem, so each
/// file moves in with one rename.
fn inner_staging(out: &Path) -> Result<PathBuf> {
    let staging = out.join(place::INNER_STAGING);
    fs::create_dir_all(out).map_err(|e| Error::io(out, "create the folder", &e))?;
    if staging.exists() {
        place::remove_tree(&staging)
            .map_err(|e| Error::io(&staging, "remove what an earlier build left", &e))?;
    }
    fs::create_dir(&staging).map_err(|e| Error::io(&staging, "create the staging folder", &e))?;
    Ok(staging)
}

/// What an in-place update did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Updated {
    /// Paths whose bytes changed and were written, sorted.
    pub written: Vec<String>,
    /// Paths removed, sorted.
    pub removed: Vec<String>,
    /// What could not be cleaned up (the new files are in place).
    pub warnings: Vec<Diagnostic>,
}

/// Updates the live output folder in place, for watch mode: writes each of `outputs` whose
/// bytes differ from the file there (staged first, then each renamed over the old, so a
/// server never sends half a file) and removes the `stale` paths. Files that did not change
/// are not touched, so their modification times stay and browsers keep their caches.
pub fn update(outputs: &[Output], stale: &[String], out_dir: &Path, minify_html: bool) -> Result<Updated> {
    let target = Target::resolve(out_dir)?;
    target.check_replaceable(out_dir)?;
    let staging = inner_staging(&target.real)?;
    let stage = Stage::new(staging.clone(), out_dir, minify_html, &target.real, true);
    if let Err(e) = collect_all(outputs.par_iter().map(|o| stage.put(o)).collect::<Vec<_>>()) {
        let _ = place::remove_tree(&staging);
        return Err(stage.explain(e, &target));
    }
    let c = place::commit(&staging, stage.staged(), &target.real, Stale::Listed(stale))?;
    Ok(Updated {
        written: c.written,
        removed: c.removed,
        warnings: c.warnings,
    })
}

/// The bytes an output puts on disk.
pub(crate) fn final_bytes(o: &Output, minify_html: bool) -> Result<std::borrow::Cow<'_, [u8]>> {
    Ok(match &o.content {
        Content::Bytes(b) if minify_html && crate::render::email::is_web_page(&o.path) => minify(b).into(),
        Content::Bytes(b) => b.as_slice().into(),
        Content::Copy(src) => fs::read(src)
            .map_err(|e| Error::io(src, "read the file", &e))?
            .into(),
        Content::Stripped(src) => {
            let bytes = fs::read(src).map_err(|e| Error::io(src, "read the file", &e))?;
            let clean = crate::media::strip::strip(&bytes).map_err(|e| e.at(src, "static image"))?;
            clean.into()
        }
    })
}

/// An output path as a relative path that cannot leave the output folder.
fn safe_relative(path: &str) -> Result<PathBuf> {
    let p = PathBuf::from(path);
    if path.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(
            Diagnostic::new(path, "this output path would leave the output folder")
                .help("report this: slugs and paths are checked before rendering")
                .into(),
        );
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minifies_without_changing_what_is_read() {
        let page = "<!doctype html>\n<html lang=\"ar\">\n  <head>\n    <title>t</title>\n  </head>\n  <body>\n    <!-- a note -->\n    <p>a   <bdi>b</bdi> <bdi>c</bdi></p>\n    <pre>  x\n    y</pre>\n    <script>if (a)\n  b()</script>\n  </body>\n</html>\n";
        let out = String::from_utf8(minify(page.as_bytes())).unwrap();
        let (before, _) = out.split_once("<pre>").unwrap();
        assert!(
            !before.contains("  ") && !before.contains("\n ") && !out.contains("note"),
            "{out}"
        );
        // Spaces between inline elements are words apart; preformatted text and scripts stay.
        assert!(out.contains("<p>a <bdi>b</bdi> <bdi>c</bdi></p>"), "{out}");
        assert!(out.contains("<pre>  x\n    y</pre>") && out.contains("<script>if (a)\n  b()</script>"));
        // A document left open at the end is written as it is, and so is one nested deeper
        // than a recursive minifier's stack allowed.
        assert_eq!(minify(b"<p>a   <!-- open"), b"<p>a   <!-- open");
        let deep = format!("{}x", "<div>".repeat(100_000));
        assert_eq!(minify(deep.as_bytes()), deep.as_bytes());
    }

    #[test]
    fn rejects_paths_that_leave_the_folder() {
        assert!(safe_relative("../x").is_err());
        assert!(safe_relative("/etc/x").is_err());
        assert!(safe_relative("a/../../x").is_err());
        assert!(safe_relative("en/briefings/x/index.html").is_ok());
    }

    #[test]
    fn replaces_the_previous_output_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let one = |p: &str, b: &str| Output {
            path: p.into(),
            content: Content::Bytes(b.as_bytes().to_vec()),
        };
        write(
            &[one("a.txt", "1"), one("d/b.txt", "2")],
            &out,
            true,
            Whole::Swap,
            &Notices::default(),
        )
        .unwrap();
        write(&[one("c.txt", "3")], &out, true, Whole::Swap, &Notices::default()).unwrap();
        assert!(!out.join("a.txt").exists());
        assert!(out.join(MARKER).is_file());
        assert_eq!(fs::read_to_string(out.join("c.txt")).unwrap(), "3");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }

    #[test]
    #[cfg(unix)]
    fn removing_the_previous_output_never_follows_a_link_out_of_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("keep.txt"), "mine").unwrap();
        let one = |p: &str| Output {
            path: p.into(),
            content: Content::Bytes(b"x".to_vec()),
        };
        write(
            &[one("a/b/c.html"), one("a/d.html"), one("e.html")],
            &out,
            false,
            Whole::Swap,
            &Notices::default(),
        )
        .unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("a/b/link")).unwrap();
        write(&[one("f.html")], &out, false, Whole::Swap, &Notices::default()).unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(fs::read_to_string(elsewhere.join("keep.txt")).unwrap(), "mine");
    }

    #[test]
    fn never_replaces_a_folder_it_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("notes.md"), "mine").unwrap();
        let out = Output {
            path: "index.html".into(),
            content: Content::Bytes(b"x".to_vec()),
        };
        let err = write(&[out], tmp.path(), true, Whole::Swap, &Notices::default()).unwrap_err();
        assert!(err.to_string().contains("was not written by nashra"));
        assert_eq!(fs::read_to_string(tmp.path().join("notes.md")).unwrap(), "mine");
    }
}
