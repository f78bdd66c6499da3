//! Outputs → the output folder: minify HTML, write everything into a staging folder beside
//! the output, then swap it in, so a failed build never leaves a half-written site behind and
//! the last good output stays byte for byte as it was.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Elements nested deeper than this are written as rendered, not minified: minify-html
/// recurses once per element and would overflow a thread's stack on the raw HTML of a hostile
/// article (a few thousand nested `<div>`s). Browsers flatten the tree at this depth anyway
/// (Chromium's parser stops nesting at 512).
const MINIFY_DEPTH: usize = 512;

/// How deep `html`'s elements nest at most, as a stack of open tags: an upper bound, as an end
/// tag closes only the element on top (a stray one closes nothing) and one left out leaves its
/// element open. Comments and the text of `script`, `style`, `textarea` and `title` are
/// skipped, so no end tag hidden in them can lower the count.
fn nesting(html: &[u8]) -> usize {
    const VOID: [&[u8]; 14] = [
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param",
        b"source", b"track", b"wbr",
    ];
    const RAW_TEXT: [&[u8]; 4] = [b"script", b"style", b"textarea", b"title"];
    let find = |from: usize, what: &[u8]| memchr::memmem::find(&html[from..], what).map(|i| from + i);
    let mut open: Vec<&[u8]> = Vec::new();
    let mut deepest = 0;
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &html[at..]).map(|i| at + i) {
        at = lt + 1;
        let rest = &html[at..];
        if rest.starts_with(b"!--") {
            at = find(at, b"-->").map_or(html.len(), |end| end + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let start = usize::from(closing);
        let len = rest[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = &rest[start..start + len];
        if name.first().is_none_or(|b| !b.is_ascii_alphabetic()) {
            continue;
        }
        if closing {
            if open.last().is_some_and(|top| top.eq_ignore_ascii_case(name)) {
                open.pop();
            }
        } else if !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            open.push(name);
            deepest = deepest.max(open.len());
            if let Some(raw) = RAW_TEXT.iter().find(|r| r.eq_ignore_ascii_case(name)) {
                // Its text runs to its end tag, which closes it.
                let mut end = find(at, b"</");
                while let Some(e) = end {
                    let tag = html.get(e + 2..e + 2 + raw.len());
                    if tag.is_some_and(|t| t.eq_ignore_ascii_case(raw)) {
                        break;
                    }
                    end = find(e + 2, b"</");
                }
                at = end.map_or(html.len(), |e| e + 2 + raw.len());
                open.pop();
            }
        }
    }
    deepest
}

/// Minifies an HTML document; spec-compliant settings only, so every browser reads it alike.
/// A document nested deeper than [`MINIFY_DEPTH`] is returned as it is.
pub fn minify(html: &[u8]) -> Vec<u8> {
    if nesting(html) > MINIFY_DEPTH {
        return html.to_vec();
    }
    let cfg = minify_html::Cfg {
        keep_html_and_head_opening_tags: true,
        minify_css: true,
        minify_js: true,
        ..minify_html::Cfg::new()
    };
    minify_html::minify(html, &cfg)
}

/// Writes `outputs` as the new content of `out_dir`, replacing what was there only once every
/// file is written.
pub fn write(outputs: &[Output], out_dir: &Path, minify_html: bool) -> Result<Written> {
    write_with(out_dir, minify_html, |stage| {
        collect_all(outputs.par_iter().map(|o| stage.put(o)).collect::<Vec<_>>()).map(drop)
    })
}

/// The folder a build writes into before it replaces the output folder. Files are put into it
/// from any thread as soon as they are rendered, so a build need not hold its whole output.
#[derive(Debug)]
pub struct Stage {
    dir: PathBuf,
    minify_html: bool,
    files: AtomicUsize,
    bytes: AtomicU64,
}

impl Stage {
    /// Writes one file (minified, if it is HTML and the site asks for it).
    pub fn put(&self, o: &Output) -> Result<()> {
        let dest = self.dir.join(safe_relative(&o.path)?);
        if let Some(p) = dest.parent() {
            fs::create_dir_all(p).map_err(|e| Error::io(p, "create the folder", &e))?;
        }
        let written = match &o.content {
            Content::Copy(src) => fs::copy(src, &dest),
            Content::Bytes(_) => {
                let b = final_bytes(o, self.minify_html)?;
                fs::write(&dest, &b).map(|()| b.len() as u64)
            }
        };
        let bytes = written.map_err(|e| Error::io(&dest, "write the file", &e))?;
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(())
    }
}

/// Makes `out_dir` what `fill` puts into a [`Stage`], replacing what was there only once
/// `fill` has put every file; if it fails, the output folder is left as it was.
pub fn write_with(
    out_dir: &Path,
    minify_html: bool,
    fill: impl FnOnce(&Stage) -> Result<()>,
) -> Result<Written> {
    let name = out_dir
        .file_name()
        .ok_or_else(|| {
            Diagnostic::new(out_dir, "the output folder has no name").help("choose a folder like public/")
        })?
        .to_string_lossy()
        .into_owned();
    let parent = out_dir.parent().unwrap_or(Path::new("."));
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(
            Diagnostic::new(out_dir, "the output path exists and is not a folder")
                .help("remove the file or choose another --output")
                .into(),
        );
    }
    if out_dir.is_dir() && !out_dir.join(MARKER).is_file() {
        let empty = fs::read_dir(out_dir)
            .map_err(|e| Error::io(out_dir, "read the folder", &e))?
            .next()
            .is_none();
        if !empty {
            return Err(Diagnostic::new(
                out_dir,
                "the output folder exists and was not written by nashra; a build replaces the whole folder",
            )
            .help("move the folder away or empty it, or choose another --output")
            .into());
        }
    }
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", &e))?;
    let staging = parent.join(format!(".{name}.nashra-staging"));
    remove_if_present(&staging)?;
    fs::create_dir(&staging).map_err(|e| Error::io(&staging, "create the staging folder", &e))?;

    let stage = Stage {
        dir: staging.clone(),
        minify_html,
        files: AtomicUsize::new(0),
        bytes: AtomicU64::new(0),
    };
    let result = fill(&stage).and_then(|()| {
        let marker = staging.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, "write the file", &e))?;
        swap_in(&staging, out_dir, &parent.join(format!(".{name}.nashra-old")))?;
        Ok(Written {
            files: stage.files.into_inner(),
            bytes: stage.bytes.into_inner(),
        })
    });
    if result.is_err() {
        // The failed build's files are of no use; the previous output was never touched.
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// What an in-place update did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Updated {
    /// Paths whose bytes changed and were written, sorted.
    pub written: Vec<String>,
    /// Paths removed, sorted.
    pub removed: Vec<String>,
}

/// Updates the live output folder in place, for watch mode: writes each of `outputs` whose
/// bytes differ from the file there (through a temp file renamed over it, so a server never
/// sends half a file) and removes the `stale` paths. Files that did not change are not
/// touched, so their modification times stay and browsers keep their caches.
pub fn update(outputs: &[Output], stale: &[String], out_dir: &Path, minify_html: bool) -> Result<Updated> {
    let written = outputs.par_iter().map(|o| -> Result<Option<String>> {
        let dest = out_dir.join(safe_relative(&o.path)?);
        let bytes = final_bytes(o, minify_html)?;
        if fs::read(&dest).is_ok_and(|old| old == *bytes) {
            return Ok(None);
        }
        let parent = dest.parent().unwrap_or(out_dir);
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", &e))?;
        let name = dest.file_name().unwrap_or_default().to_string_lossy();
        let temp = parent.join(format!(".{name}.nashra-tmp"));
        fs::write(&temp, &*bytes)
            .and_then(|()| fs::rename(&temp, &dest))
            .map_err(|e| {
                let _ = fs::remove_file(&temp);
                Error::io(&dest, "write the file", &e)
            })?;
        Ok(Some(o.path.clone()))
    });
    let mut written: Vec<String> = collect_all(written.collect::<Vec<_>>())?
        .into_iter()
        .flatten()
        .collect();
    written.sort();
    let mut removed = Vec::new();
    for path in stale {
        let dest = out_dir.join(safe_relative(path)?);
        match fs::remove_file(&dest) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&dest, "remove the old file", &e))
            }
            _ => removed.push(path.clone()),
        }
        // Folders the file leaves empty go too, as a clean build would not have them.
        for dir in dest.ancestors().skip(1).take_while(|d| *d != out_dir) {
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
    removed.sort();
    Ok(Updated { written, removed })
}

/// The bytes an output puts on disk.
fn final_bytes(o: &Output, minify_html: bool) -> Result<std::borrow::Cow<'_, [u8]>> {
    Ok(match &o.content {
        Content::Bytes(b) if minify_html && o.path.ends_with(".html") => minify(b).into(),
        Content::Bytes(b) => b.as_slice().into(),
        Content::Copy(src) => fs::read(src)
            .map_err(|e| Error::io(src, "read the file", &e))?
            .into(),
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

fn remove_if_present(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(dir, "remove the old staging folder", &e))
        }
        _ => Ok(()),
    }
}

/// Puts `staging` in the place of `out_dir`. On Linux the two folders are exchanged in one
/// atomic rename, so a server never sees the output folder missing.
fn swap_in(staging: &Path, out_dir: &Path, old: &Path) -> Result<()> {
    if !out_dir.exists() {
        return fs::rename(staging, out_dir)
            .map_err(|e| Error::io(out_dir, "move the new output into place", &e));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        if renameat_with(CWD, staging, CWD, out_dir, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the previous output.
            return remove_tree(staging).map_err(|e| Error::io(staging, "remove the previous output", &e));
        }
    }
    remove_if_present(old)?;
    fs::rename(out_dir, old).map_err(|e| Error::io(out_dir, "move the previous output aside", &e))?;
    fs::rename(staging, out_dir).map_err(|e| Error::io(out_dir, "move the new output into place", &e))?;
    remove_tree(old).map_err(|e| Error::io(old, "remove the previous output", &e))
}

/// Removes a folder and everything in it, on every core: removing a previous output of 20,000
/// pages on one took a quarter of a second at the end of every build. Symbolic links are
/// removed, never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
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

    #[test]
    fn nesting_cannot_be_hidden_from_the_depth_bound() {
        assert_eq!(
            nesting(b"<!doctype html><html><body><p>a<br>b</p><img src=x></body></html>"),
            3
        );
        let deep = |unit: &str| nesting(unit.repeat(1000).as_bytes());
        // End tags in comments, raw text or out of place close nothing.
        assert_eq!(deep("<div><!--</div>-->"), 1000);
        assert_eq!(deep("<div><script>x = '</div>'</script>"), 1001);
        assert_eq!(deep("<div><TITLE></div></Title>"), 1001);
        assert_eq!(deep("<div></span>"), 1000);
        assert_eq!(deep("<div></div>"), 1);
        assert_eq!(nesting(b"<script>never closed <div><div>"), 1);
        // Hostile pages are written as they are rather than overflow minify-html's stack.
        let page = format!("{}x", "<div><!--</div>-->".repeat(50_000));
        assert_eq!(minify(page.as_bytes()), page.as_bytes());
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
        write(&[one("a.txt", "1"), one("d/b.txt", "2")], &out, true).unwrap();
        write(&[one("c.txt", "3")], &out, true).unwrap();
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
        write(&[one("a/b/c.html"), one("a/d.html"), one("e.html")], &out, false).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("a/b/link")).unwrap();
        write(&[one("f.html")], &out, false).unwrap();
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
        let err = write(&[out], tmp.path(), true).unwrap_err();
        assert!(err.to_string().contains("was not written by nashra"));
        assert_eq!(fs::read_to_string(tmp.path().join("notes.md")).unwrap(), "mine");
    }
}
