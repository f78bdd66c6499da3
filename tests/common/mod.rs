//! Shared fixtures: a copy of the sample site in a temp dir, the real binary, and HTML queries.

#![allow(dead_code)] // each test file uses its own subset of these helpers

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use assert_cmd::Command;
use scraper::{Html, Selector};

/// The repository root (the sample site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp copy of the sample site: nashra.toml, content/, themes/, seeds/.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn sample() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::copy(repo().join("nashra.toml"), dir.path().join("nashra.toml")).unwrap();
        for sub in ["content", "themes", "seeds"] {
            copy_dir(&repo().join(sub), &dir.path().join(sub));
        }
        Self { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root().join(rel)).unwrap()
    }

    /// `nashra build --root <site> ARGS…`
    pub fn build(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.run("build", args)
    }

    /// `nashra COMMAND ARGS… --root <site>`
    pub fn run(&self, command: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        nashra()
            .arg(command)
            .args(args)
            .arg("--root")
            .arg(self.root())
            .assert()
    }

    /// What a clean `nashra build ARGS…` of the site's sources as they are now writes, built
    /// into a folder of its own: what a watch over them must end up equal to.
    pub fn clean_build(&self, args: &[&str]) -> BTreeMap<PathBuf, Vec<u8>> {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("public");
        self.build(&[args, &["--output", dir.to_str().unwrap()]].concat())
            .success();
        snapshot(&dir)
    }

    /// A page of public/ parsed as HTML.
    pub fn page(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(&format!("public/{rel}")))
    }
}

/// The real binary.
pub fn nashra() -> Command {
    Command::cargo_bin("nashra").unwrap()
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir`: relative path → bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The paths whose bytes differ between two snapshots, each saying which side has it, for a
/// readable failure.
pub fn differences(got: &BTreeMap<PathBuf, Vec<u8>>, want: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    let paths: std::collections::BTreeSet<&PathBuf> = got.keys().chain(want.keys()).collect();
    paths
        .into_iter()
        .filter(|p| got.get(*p) != want.get(*p))
        .map(|p| match (got.get(p), want.get(p)) {
            (Some(_), None) => format!("{}: only in the output", p.display()),
            (None, Some(_)) => format!("{}: only in the clean build", p.display()),
            _ => format!("{}: bytes differ", p.display()),
        })
        .collect()
}

/// Polls `done` every 10 ms until it holds or `timeout` has passed; whether it held.
pub fn eventually(timeout: Duration, done: impl Fn() -> bool) -> bool {
    let until = std::time::Instant::now() + timeout;
    while !done() {
        if std::time::Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Values of `attr` on every element matching `css`.
pub fn attrs(doc: &Html, css: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// The text of every element matching `css`.
pub fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>()).collect()
}

/// A running `nashra watch` or `nashra serve`, its stdout and stderr merged into one stream
/// of lines; stopped when dropped.
pub struct Running {
    pub child: Child,
    pub lines: Receiver<String>,
    /// What it printed up to its first "Watching for changes".
    pub startup: Vec<String>,
}
impl Running {
    /// Starts `nashra COMMAND --root <site> ARGS…` and waits for its first build.
    pub fn start(site: &Site, command: &str, args: &[&str]) -> Self {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("nashra"))
            .args([command, "--root"])
            .arg(site.root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut w = Self {
            child,
            lines,
            startup: Vec::new(),
        };
        w.startup = w.wait_for("Watching for changes");
        w
    }

    /// Starts `nashra serve` on a free port; returns it with its address (`127.0.0.1:PORT`).
    pub fn serve(site: &Site) -> (Self, String) {
        let running = Self::start(site, "serve", &["--port", "0"]);
        let addr = running
            .startup
            .iter()
            .find_map(|l| l.split(" at http://").nth(1))
            .and_then(|rest| rest.split('/').next())
            .expect("the server says where it listens")
            .to_string();
        (running, addr)
    }

    /// Lines up to and including the first that contains `text`; fails after 20 s.
    pub fn wait_for(&mut self, text: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    let done = line.contains(text);
                    seen.push(line);
                    if done {
                        return seen;
                    }
                }
                Err(_) => panic!("no line with {text:?}; saw {seen:?}"),
            }
        }
    }

    /// Waits for rebuilds until `done` holds after one. One change to the files can come as
    /// more than one burst of events (a new folder, then the files found in it), so the
    /// rebuild a test waits for may not be the next one. Returns the lines seen meanwhile.
    pub fn rebuilt_until(&mut self, done: impl Fn() -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        while {
            seen.extend(self.wait_for("Rebuilt"));
            !done()
        } {}
        seen
    }

    /// Lines that arrive within `quiet` of each other (none once the watcher is idle).
    pub fn drain(&self, quiet: Duration) -> Vec<String> {
        std::iter::from_fn(|| self.lines.recv_timeout(quiet).ok()).collect()
    }
}

impl Running {
    /// Once a `watch` has settled, how its `public/` differs from a clean `nashra build ARGS…`
    /// of the same sources (empty when it is equal). Settled: no line for a second, and the
    /// same differences after another quiet second, so a rebuild still running on a slow
    /// machine is waited out, while output that stays wrong is reported.
    pub fn differences_once_settled(&self, site: &Site, args: &[&str]) -> Vec<String> {
        let mut last = None;
        loop {
            self.drain(Duration::from_secs(1));
            let now = differences(&snapshot(&site.public()), &site.clean_build(args));
            if now.is_empty() || last.as_ref() == Some(&now) {
                return now;
            }
            last = Some(now);
        }
    }

    /// Asks it to stop as a terminal or a service manager does (SIGTERM) and waits up to
    /// 10 s for it to exit; returns its exit status, if it exited.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Running {
    /// Stopped politely, so it cleans up (a preview server removes its folder), then killed
    /// if it will not.
    fn drop(&mut self) {
        if self.terminate().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Saves like an editor: write a temp file beside the target, then rename it over.
pub fn atomic_save(site: &Site, rel: &str, text: &str) {
    let path = site.root().join(rel);
    let tmp = path.with_file_name(".nashra-test-save.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

/// What a test that misses a tool says, in one line: the one command that installs them all.
pub const INSTALL: &str = "run `tests/run`, which installs everything the tests need";

/// Runs a script of `tests/browser/` (Node driving headless Chromium) and parses what it
/// prints as JSON. `tests/run` installs Chromium and the scripts' npm packages.
pub fn browser(script: &str, args: &[&str]) -> serde_json::Value {
    let dir = repo().join("tests/browser");
    assert!(
        dir.join("node_modules").is_dir(),
        "the browser tests' npm packages are not installed: {INSTALL}"
    );
    let out = std::process::Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("Node.js is not installed ({e}): {INSTALL}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// One query for the search harness (tests/search/query.mjs).
#[derive(serde::Serialize, Clone, Copy, Debug)]
pub struct Query<'a> {
    pub lang: &'a str,
    pub query: &'a str,
    /// Straight to Pagefind's `search`, not through the search page's script (which also
    /// searches the query with its Arabic prefixes peeled).
    pub raw: bool,
    /// Every result, not the first ten.
    pub all: bool,
}

/// What one query found: result URLs, titles and excerpts.
#[derive(serde::Deserialize, Debug)]
pub struct Found {
    pub urls: Vec<String>,
    pub titles: Vec<String>,
    pub excerpts: Vec<String>,
    /// The indexed text of each result's page, which its excerpt is cut from.
    pub contents: Vec<String>,
}

/// Runs `queries` in Node with Pagefind's search script and WASM from the bundle a build
/// wrote into `public`, against the index in `bundle` (`public/pagefind` when `None`).
pub fn search(public: &Path, bundle: Option<&Path>, queries: &[Query]) -> Vec<Found> {
    use std::io::Write;
    let harness = repo().join("tests/search/query.mjs");
    let mut node = std::process::Command::new("node")
        .arg(harness)
        .arg(public)
        .args(bundle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the search tests need Node.js (`node` on the PATH) to run Pagefind's search script");
    let mut stdin = node.stdin.take().unwrap();
    stdin.write_all(&serde_json::to_vec(queries).unwrap()).unwrap();
    drop(stdin);
    let out = node.wait_with_output().unwrap();
    assert!(out.status.success(), "the search harness failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A photo-like JPEG (`w`×`h`, smooth gradients and some texture, as a camera's would be).
pub fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let noise = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 23) as u8;
        image::Rgb([
            (x * 255 / w) as u8 / 2 + noise,
            (y * 255 / h) as u8 / 2 + noise,
            ((x + y) * 127 / (w + h)) as u8 + noise,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A PNG chart, `w`×`h`: flat colours, as graphics are.
pub fn chart(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| match (x / 50 + y / 50) % 3 {
        0 => image::Rgb([200, 40, 40]),
        1 => image::Rgb([240, 240, 240]),
        _ => image::Rgb([30, 60, 120]),
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The sample site's article in both languages with a lead photo (captioned and credited)
/// and a photo in its text, both a JPEG beside the article: what validators and readers
/// must also see pass.
pub fn with_photos(site: &Site) {
    site.write("content/briefings/convoy.jpg", photo(1800, 1200));
    let lead = [
        (
            "ar",
            r#"{ src = "convoy.jpg", alt = "قافلة مدرعات في باماكو", caption = "القافلة لدى وصولها إلى باماكو", credit = "تصوير: مراسل ميداني" }"#,
            "![قافلة مدرعات](convoy.jpg \"القافلة في شوارع باماكو\")",
        ),
        (
            "en",
            r#"{ src = "convoy.jpg", alt = "A convoy of armoured vehicles in Bamako", caption = "The convoy on arrival in Bamako", credit = "Photo: field reporter" }"#,
            "![A convoy of armoured vehicles](convoy.jpg \"The convoy in the streets of Bamako\")",
        ),
    ];
    for (lang, image, inline) in lead {
        let rel = format!("content/briefings/mali-russia-equipment.{lang}.md");
        let text = site
            .read(&rel)
            .replacen("+++\ntitle", &format!("+++\nimage = {image}\ntitle"), 1);
        site.write(&rel, format!("{text}\n{inline}\n"));
    }
}
