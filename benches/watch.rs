//! Watch mode on a large site: the time from saving one article to the end of its rebuild.
//!
//! `cargo bench --bench watch [-- STORIES [EDITS]]` (default 10,000 stories, 25 edits)
//! generates the benchmark corpus once with `benches/gen_corpus.py` (each story an Arabic
//! and an English article, default theme) under `target/bench-watch-STORIES/`, starts the
//! real `nashra watch` on it, and saves one article at a time the way editors do (a temp
//! file renamed over it). Each edit is timed from the rename to the rebuild's summary line,
//! which is printed after the last changed file is written: file-event latency, debounce,
//! reload, render and write, all included. It prints the median and the spread of those
//! wall times and of the rebuild times nashra reports itself.
//!
//! Search is on, as `nashra init` sets it (`SEARCH=0` turns it off): each edit then also
//! waits for the "Search index updated" line, and the time from the save to that line (the
//! index is fresh) is printed beside the rest.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const CONFIG: &str = r#"base_url = "https://example.org/"
default_language = "ar"
theme = "default"
taxonomies = ["tags", "categories"]
search = SEARCH

[languages.ar]
name = "العربية"
title = "نشرة الساحل"

[languages.en]
name = "English"
title = "Sahel Briefing"
"#;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let stories = args.first().copied().unwrap_or(10_000);
    let edits = args.get(1).copied().unwrap_or(25);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site = repo.join("target").join(format!("bench-watch-{stories}"));
    if !site.join("content").is_dir() {
        let _ = std::fs::remove_dir_all(&site);
        let status = Command::new("python3")
            .arg(repo.join("benches/gen_corpus.py"))
            .arg(stories.to_string())
            .arg(&site)
            .arg("nashra")
            .status()
            .expect("python3 runs the corpus generator");
        assert!(status.success(), "the corpus generator failed");
    }
    let search = std::env::var("SEARCH").map_or(true, |v| v != "0");
    let config = CONFIG.replace("SEARCH", if search { "true" } else { "false" });
    std::fs::write(site.join("nashra.toml"), config).expect("write nashra.toml");
    let _ = std::fs::remove_dir_all(site.join("themes"));
    copy_dir(&repo.join("themes/default"), &site.join("themes/default"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_nashra"))
        .args(["watch", "--root"])
        .arg(&site)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start nashra watch");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok);
    let first = lines
        .by_ref()
        .find(|l| l.starts_with("Built"))
        .expect("the first build");
    println!("{first}");
    lines
        .by_ref()
        .find(|l| l.starts_with("Watching"))
        .expect("watching");

    // Three kinds of edit: the body (a heading: only the article's page changes), the summary
    // (the article and every list it is on change), and the title (its translation's page too).
    let kinds: [(&str, Edit); 3] = [
        ("a heading in the body", |text, i| {
            text.replacen("\n## ", &format!("\n## ({i}) "), 1)
        }),
        ("the summary", |text, i| {
            text.replacen("summary = \"", &format!("summary = \"({i}) "), 1)
        }),
        ("the title", |text, i| {
            text.replacen("title = \"", &format!("title = \"({i}) "), 1)
        }),
    ];
    for (kind, edit) in kinds {
        let (wall, reported, fresh) = time_edits(&site, (stories, edits, search), edit, &mut lines);
        println!(
            "{stories} stories ({} articles), search {}, {edits} edits of {kind}, one article saved each time:",
            stories * 2,
            if search { "on" } else { "off" }
        );
        println!("  save → last file written: {}", spread(wall));
        println!("  rebuild as nashra reports it: {}", spread(reported));
        if search {
            println!("  save → search index written: {}", spread(fresh));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Saves `edits` articles spread over the corpus, one at a time, and times each rebuild: wall
/// time from the save to the summary line, the time nashra reports, and (with search) the
/// wall time from the save to the search index written.
fn time_edits(
    site: &Path,
    (stories, edits, search): (usize, usize, bool),
    edit: Edit,
    lines: &mut impl Iterator<Item = String>,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut wall = Vec::new();
    let mut reported = Vec::new();
    let mut fresh = Vec::new();
    for i in 0..edits {
        let n = (i * 7919) % stories + 1;
        let path = site.join(format!("content/posts/story-{n:05}.ar.md"));
        let text = std::fs::read_to_string(&path).expect("read an article");
        let edited = edit(&text, i);
        let temp = path.with_file_name(".bench-save.tmp");
        std::fs::write(&temp, edited).expect("write the temp file");
        let start = Instant::now();
        std::fs::rename(&temp, &path).expect("rename over the article");
        let line = lines
            .by_ref()
            .find(|l| l.starts_with("Rebuilt"))
            .expect("a rebuild");
        wall.push(start.elapsed().as_secs_f64() * 1000.0);
        reported.push(reported_ms(&line));
        lines
            .by_ref()
            .find(|l| l.starts_with("Watching"))
            .expect("watching again");
        if search {
            let indexed = lines
                .by_ref()
                .find(|l| l.starts_with("Search index updated"))
                .expect("the search index written");
            fresh.push(start.elapsed().as_secs_f64() * 1000.0);
            if i == 0 {
                println!("{indexed}");
            }
        }
        if i == 0 {
            println!("{line}");
        }
    }
    (wall, reported, fresh)
}

/// Makes the `i`th edit of an article's text.
type Edit = fn(&str, usize) -> String;

/// The `in N ms` of a summary line.
fn reported_ms(line: &str) -> f64 {
    line.split(" in ")
        .nth(1)
        .and_then(|rest| rest.split(" ms").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Median, min, 90th percentile and max, in ms.
fn spread(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.0} ms (min {:.0}, p90 {:.0}, max {:.0})",
        at(0.5),
        at(0.0),
        at(0.9),
        at(1.0)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let dest = to.join(entry.path().strip_prefix(from).unwrap_or(entry.path()));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create a folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy a theme file");
        }
    }
}
