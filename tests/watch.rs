//! End-to-end: `nashra watch` on a temp site, driven by real file events.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use common::{texts, Site};

const EN: &str = "content/briefings/mali-russia-equipment.en.md";
const PAGE: &str = "en/briefings/mali-russia-equipment/index.html";

/// A running `nashra watch`, its stdout and stderr merged into one stream of lines.
struct Watch {
    child: Child,
    lines: Receiver<String>,
}

impl Watch {
    fn start(site: &Site) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("nashra"))
            .args(["watch", "--root"])
            .arg(site.root())
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
        let mut w = Self { child, lines };
        w.wait_for("Watching for changes");
        w
    }

    /// Lines up to and including the first that contains `text`; fails after 20 s.
    fn wait_for(&mut self, text: &str) -> Vec<String> {
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

    /// Lines that arrive within `quiet` of each other (none once the watcher is idle).
    fn drain(&self, quiet: Duration) -> Vec<String> {
        std::iter::from_fn(|| self.lines.recv_timeout(quiet).ok()).collect()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Saves like an editor: write a temp file beside the target, then rename it over.
fn atomic_save(site: &Site, rel: &str, text: &str) {
    let path = site.root().join(rel);
    let tmp = path.with_file_name(".nashra-test-save.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

#[test]
fn an_editor_save_is_picked_up_once() {
    let site = Site::sample();
    let mut watch = Watch::start(&site);
    let text = site.read(EN).replace(
        "title = \"Mali receives new shipment of Russian military equipment\"",
        "title = \"Edited while watching\"",
    );
    atomic_save(&site, EN, &text);
    watch.wait_for("Rebuilt");
    assert_eq!(texts(&site.page(PAGE), "h1"), ["Edited while watching"]);
    let more = watch.drain(Duration::from_millis(800));
    assert!(
        !more.iter().any(|l| l.contains("Rebuilt")),
        "one save, one rebuild: {more:?}"
    );
}

#[test]
fn broken_front_matter_keeps_the_old_page_and_recovers() {
    let site = Site::sample();
    let mut watch = Watch::start(&site);
    let good = site.read(EN);
    atomic_save(&site, EN, &good.replacen("title = ", "title = = ", 1));
    let lines = watch.wait_for("Build failed");
    assert!(lines.iter().any(|l| l.contains(&format!("{EN}:2:"))), "{lines:?}");
    assert_eq!(
        texts(&site.page(PAGE), "h1"),
        ["Mali receives new shipment of Russian military equipment"],
        "the last good page stays"
    );
    atomic_save(
        &site,
        EN,
        &good.replace("Mali receives new", "Mali receives a new"),
    );
    watch.wait_for("Rebuilt");
    assert_eq!(
        texts(&site.page(PAGE), "h1"),
        ["Mali receives a new shipment of Russian military equipment"]
    );
}

#[test]
fn new_folders_deletes_and_seeds_are_followed() {
    let site = Site::sample();
    let mut watch = Watch::start(&site);
    site.write(
        "content/analysis/first.en.md",
        "+++\ntitle = \"First analysis\"\ndate = 2024-11-24\n+++\nText.\n",
    );
    watch.wait_for("Rebuilt");
    assert!(site.public().join("en/analysis/first/index.html").is_file());
    std::fs::remove_file(site.root().join("content/analysis/first.en.md")).unwrap();
    watch.wait_for("Rebuilt");
    assert!(!site.public().join("en/analysis/first/index.html").exists());
    site.write("seeds/2024-11-24-wire.en.txt", "Wire story\n\nFrom the wire.\n");
    watch.wait_for("Rebuilt");
    assert_eq!(
        texts(&site.page("en/briefings/2024-11-24-wire/index.html"), "h1"),
        ["Wire story"]
    );
}
