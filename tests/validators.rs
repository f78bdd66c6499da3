//! End-to-end: the sample site, as built, passes the validators the outside world applies to
//! it. Every page passes the Nu HTML Checker (vnu, the W3C's checker); every Atom and RSS feed
//! (of each language, section and term) parses in Python's feedparser without complaint, its
//! links lead to files the build wrote and its Arabic titles arrive as written; the sitemap
//! validates against the sitemaps.org schema (with its hreflang alternates) and every feed is
//! well-formed XML, both by xmllint. (No released feedparser reads JSON Feed, 6.0.14 being
//! the newest: tests/feeds.rs holds the JSON feeds to the spec's requirements.)
//!
//! The tools are pinned and installed by `tests/run`: vnu.jar from the npm package vnu-jar
//! (`npm ci --prefix tests/browser`) run by a Java 17+ runtime; feedparser from PyPI
//! (`tests/validators/requirements.txt`); the sitemaps.org schema from the npm package
//! sitemap (`npm ci --prefix tests/validators`); xmllint from Debian's libxml2-utils. A missing
//! one fails its test in one line that names `tests/run`: these tests never skip.

mod common;

use std::collections::BTreeSet;
use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use common::{repo, texts, Site, INSTALL};
use scraper::Html;
use serde_json::Value;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// The tools [`run`] starts, as a missing one is named.
const JAVA: &str = "Java 17+ (for the Nu HTML Checker)";
const XMLLINT: &str = "xmllint";
const PYTHON: &str = "python3";

/// The sample site, built; with how long the build took.
fn built() -> (Site, f64) {
    let started = Instant::now();
    let site = Site::sample();
    common::with_photos(&site);
    site.build(&[]).success();
    (site, started.elapsed().as_secs_f64())
}

/// Every file under `dir` whose path satisfies `keep`, sorted.
fn files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && keep(e.path()))
        .map(|e| e.into_path())
        .collect();
    found.sort();
    found
}

/// Every Atom and RSS feed under `public`.
fn xml_feeds(public: &Path) -> Vec<PathBuf> {
    files(public, |p| {
        p.file_name().is_some_and(|n| n == "atom.xml" || n == "rss.xml")
    })
}

/// Runs `cmd`; a tool that cannot be started fails the test with `missing` (what to install).
fn run(cmd: &mut Command, tool: &str) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{tool} is not installed ({e}): {INSTALL}"))
}

/// A line for the log of every run, not only of failing ones: libtest captures `eprintln!`,
/// but not writes to the stderr handle itself.
fn announce(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The site's base URL, from its nashra.toml (`https://example.org/`).
fn base_url(site: &Site) -> String {
    let config: toml::Table = site.read("nashra.toml").parse().unwrap();
    let base = config["base_url"].as_str().unwrap().to_string();
    if base.ends_with('/') {
        base
    } else {
        base + "/"
    }
}

/// `path` relative to `public`, with forward slashes, for messages.
fn rel(public: &Path, path: &Path) -> String {
    path.strip_prefix(public)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let (site, build_secs) = built();
    let public = site.public();
    // Not the editions' e-mails: mail clients need the presentational attributes HTML5 made
    // obsolete (`width`, `align`, `cellpadding`); tests/email.rs holds them to the caniemail
    // data instead.
    let pages = files(&public, |p| {
        p.extension().is_some_and(|e| e == "html") && p.file_name().is_some_and(|n| n != "email.html")
    });
    assert!(
        pages.len() > 20,
        "only {} HTML files in public/, the sample site builds more: {pages:?}",
        pages.len()
    );
    let jar = repo().join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "the Nu HTML Checker is not installed ({} is missing): {INSTALL}",
        jar.display()
    );

    let started = Instant::now();
    // --verbose names each file on stdout as it is checked; the JSON report goes to stderr.
    let out = run(
        Command::new("java")
            // Under the C locale Java cannot open a path with Arabic letters in it, and vnu
            // then skips the file without a word.
            .env("LC_ALL", "C.UTF-8")
            .arg("-jar")
            .arg(&jar)
            .args(["--errors-only", "--format", "json", "--verbose"])
            .args(&pages),
        JAVA,
    );
    let secs = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0: no errors; 1: errors, listed in the report. Anything else: vnu itself failed (an
    // old Java says UnsupportedClassVersionError here).
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "vnu failed ({}): {stderr}\n(it needs {JAVA}: {INSTALL})",
        out.status
    );
    let report: Value = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("vnu printed no JSON report: {stderr}"));

    let given: BTreeSet<String> = pages.iter().map(|p| p.display().to_string()).collect();
    let checked: BTreeSet<String> = stdout
        .lines()
        .filter(|l| given.contains(*l))
        .map(str::to_string)
        .collect();
    assert_eq!(
        checked.len(),
        pages.len(),
        "vnu checked {} of the {} HTML files; not checked: {:?}",
        checked.len(),
        pages.len(),
        given.difference(&checked).collect::<Vec<_>>()
    );

    let errors: Vec<String> = report["messages"]
        .as_array()
        .expect("vnu's report lists messages")
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| {
            let file = m["url"]
                .as_str()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.to_file_path().ok())
                .map_or_else(|| m["url"].to_string(), |p| rel(&public, &p));
            format!(
                "{file}:{}:{}: {} {}\n    {}",
                m["lastLine"],
                m["firstColumn"],
                m["type"].as_str().unwrap_or("?"),
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("").replace('\n', "↵"),
            )
        })
        .collect();
    announce(&format!(
        "vnu: {} pages, {} errors (vnu {secs:.1} s, build {build_secs:.1} s)",
        checked.len(),
        errors.len()
    ));
    assert!(
        errors.is_empty() && out.status.success(),
        "the Nu HTML Checker found {} errors in {} pages:\n{}",
        errors.len(),
        pages.len(),
        errors.join("\n")
    );
}

/// The version `requirements.txt` pins `package` to.
fn pinned(package: &str) -> String {
    let text = fs::read_to_string(repo().join("tests/validators/requirements.txt")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{package}==")))
        .and_then(|rest| rest.split([' ', '\\', ';']).next())
        .unwrap_or_else(|| panic!("requirements.txt pins no {package}"))
        .to_string()
}

/// The feed's title, language and entry titles as the XML has them: an Atom feed's
/// `xml:lang` and entries, an RSS channel's `<language>` and items.
fn raw_titles(xml: &str) -> Result<(String, String, Vec<String>), roxmltree::Error> {
    let doc = roxmltree::Document::parse(xml)?;
    let root = doc.root_element();
    let rss = root.has_tag_name("rss");
    let ns = if rss { None } else { Some(ATOM) };
    let child = |parent: roxmltree::Node, name: &str| {
        parent
            .children()
            .find(|n| n.tag_name().name() == name && n.tag_name().namespace() == ns)
            .map(|t| t.text().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let feed = match rss {
        true => root
            .children()
            .find(|n| n.has_tag_name("channel"))
            .unwrap_or(root),
        false => root,
    };
    let lang = match rss {
        true => child(feed, "language"),
        false => feed
            .attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
            .unwrap_or("")
            .to_string(),
    };
    let entry = if rss { "item" } else { "entry" };
    let entries = feed
        .children()
        .filter(|n| n.tag_name().name() == entry && n.tag_name().namespace() == ns)
        .map(|n| child(n, "title"))
        .collect();
    Ok((child(feed, "title"), lang, entries))
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Problems with one title as feedparser returned it: missing, changed on the way, or (in an
/// Arabic feed) without Arabic letters.
fn title_problems(what: &str, parsed: &Value, raw: &str, arabic: bool) -> Vec<String> {
    let Some(parsed) = parsed.as_str().filter(|t| !t.trim().is_empty()) else {
        return vec![format!(
            "{what} has no title (parsed: {parsed}, in the XML: {raw:?})"
        )];
    };
    let mut problems = Vec::new();
    if parsed != raw {
        problems.push(format!(
            "{what}: feedparser read the title {parsed:?}, the XML has {raw:?}"
        ));
    }
    if parsed.contains('\u{FFFD}') {
        problems.push(format!("{what}: replacement characters in {parsed:?}"));
    }
    if arabic && !parsed.chars().any(is_arabic_letter) {
        problems.push(format!("{what}: no Arabic letters in {parsed:?}"));
    }
    problems
}

/// Problems with the links of a feed or entry as feed.py reported them: each must resolve to
/// a file of public/, and there must be an alternate (the page) among them.
fn link_problems(what: &str, links: &Value) -> Vec<String> {
    let links = links.as_array().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if !links.iter().any(|l| l["rel"] == "alternate") {
        problems.push(format!("{what} has no alternate link: {links:?}"));
    }
    for link in &links {
        if link["exists"] != true {
            problems.push(format!(
                "{what}: link {} (rel {}) leads to no file of public/ (looked for {})",
                link["href"], link["rel"], link["target"]
            ));
        }
    }
    problems
}

#[test]
fn every_atom_and_rss_feed_parses_cleanly_in_feedparser() {
    let (site, build_secs) = built();
    let public = site.public();
    let feeds = xml_feeds(&public);
    let names: Vec<String> = feeds.iter().map(|f| rel(&public, f)).collect();
    // Each language's, a section's and terms' feeds, in both formats and both languages.
    for prefix in ["", "en/"] {
        for list in ["", "briefings/", "regions/mali/", "tags/security/"] {
            for file in ["atom.xml", "rss.xml"] {
                let feed = format!("{prefix}{list}{file}");
                assert!(names.contains(&feed), "{feed} is not among {names:?}");
            }
        }
    }

    // feed.py's packages: where tests/run installs them, ahead of anything on PYTHONPATH.
    let mut python_path = vec![repo().join("tests/validators/python-packages")];
    python_path.extend(
        env::split_paths(&env::var_os("PYTHONPATH").unwrap_or_default())
            .filter(|p| !p.as_os_str().is_empty()),
    );
    let started = Instant::now();
    let out = run(
        Command::new("python3")
            .arg(repo().join("tests/validators/feeds.py"))
            .arg(&public)
            .arg(base_url(&site))
            .args(&names)
            .env(
                "PYTHONPATH",
                env::join_paths(python_path).unwrap_or_else(|_| OsString::new()),
            ),
        PYTHON,
    );
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "feeds.py failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim_end()
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "feeds.py printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let version = pinned("feedparser");
    assert_eq!(
        report["feedparser"], version,
        "feeds.py ran feedparser {} rather than the pinned {version}: {INSTALL}",
        report["feedparser"]
    );
    let parsed = report["feeds"].as_array().expect("feeds.py lists the feeds");
    assert_eq!(parsed.len(), feeds.len(), "{report}");

    let mut problems = Vec::new();
    let mut entries = 0;
    let mut arabic_titles = 0;
    for (feed, name) in parsed.iter().zip(&names) {
        assert_eq!(feed["path"], name.as_str());
        if feed["bozo"] != false {
            problems.push(format!(
                "{name}: feedparser flags the feed as ill-formed (bozo): {}",
                feed["bozo_exception"]
            ));
        }
        let (version, dated) = match name.ends_with("rss.xml") {
            true => ("rss20", "published_parsed"),
            false => ("atom10", "updated_parsed"),
        };
        if feed["version"] != version {
            problems.push(format!(
                "{name}: read as {} rather than {version}",
                feed["version"]
            ));
        }
        let (raw_title, lang, raw_entries) = match raw_titles(&site.read(&format!("public/{name}"))) {
            Ok(raw) => raw,
            Err(e) => {
                problems.push(format!("{name} is not well-formed XML: {e}"));
                continue;
            }
        };
        let arabic = lang == "ar" || lang.starts_with("ar-");
        if feed["language"] != lang.as_str() {
            problems.push(format!(
                "{name}: feedparser reads the language {}, xml:lang is {lang:?}",
                feed["language"]
            ));
        }
        problems.extend(title_problems(name, &feed["title"], &raw_title, arabic));
        problems.extend(link_problems(name, &feed["links"]));

        let items = feed["entries"].as_array().cloned().unwrap_or_default();
        if items.is_empty() || items.len() != raw_entries.len() {
            problems.push(format!(
                "{name}: feedparser found {} entries, the XML has {}",
                items.len(),
                raw_entries.len()
            ));
        }
        for (i, (entry, raw)) in items.iter().zip(&raw_entries).enumerate() {
            entries += 1;
            let what = format!("{name}, entry {} ({})", i + 1, entry["id"]);
            let title_ok = title_problems(&what, &entry["title"], raw, arabic);
            if title_ok.is_empty() && arabic {
                arabic_titles += 1;
            }
            problems.extend(title_ok);
            problems.extend(link_problems(&what, &entry["links"]));
            if entry[dated] != true {
                problems.push(format!("{what}: feedparser cannot read its date ({dated})"));
            }
            // The title a reader lists is the page's heading, letter for letter.
            for link in entry["links"].as_array().into_iter().flatten() {
                let Some(target) = link["target"].as_str() else {
                    continue;
                };
                if link["rel"] != "alternate" || link["exists"] != true {
                    continue;
                }
                let page = Html::parse_document(&site.read(&format!("public/{target}")));
                let headings = texts(&page, "h1");
                if !headings.iter().any(|h| Some(h.trim()) == entry["title"].as_str()) {
                    problems.push(format!(
                        "{what}: title {} is not the heading of {target}: {headings:?}",
                        entry["title"]
                    ));
                }
            }
        }
    }
    assert!(arabic_titles > 0, "no Arabic feed entries were checked: {report}");
    announce(&format!(
        "feedparser {version}: {} feeds, {entries} entries ({arabic_titles} Arabic titles), \
         {} problems (feedparser {secs:.1} s, build {build_secs:.1} s)",
        feeds.len(),
        problems.len()
    ));
    assert!(
        problems.is_empty(),
        "feedparser found {} problems in {} feeds:\n{}",
        problems.len(),
        feeds.len(),
        problems.join("\n")
    );
}

#[test]
fn the_sitemap_matches_the_sitemaps_org_schema_and_the_feeds_are_well_formed() {
    let (site, build_secs) = built();
    let public = site.public();
    let schema = repo().join("tests/validators/sitemap-hreflang.xsd");
    let official = repo().join("tests/validators/node_modules/sitemap/schema/sitemap.xsd");
    assert!(
        official.is_file(),
        "the sitemaps.org schema is not installed ({} is missing): {INSTALL}",
        official.display()
    );
    let sitemap = public.join("sitemap.xml");
    let text = fs::read_to_string(&sitemap).expect("the build writes public/sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let urls = doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP, "url")))
        .count();
    let alternates = doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML, "link")))
        .count();
    // Without these the schema's wildcards would have nothing to check.
    assert!(
        urls > 20 && alternates > urls,
        "{urls} URLs, {alternates} alternates: {text}"
    );

    let started = Instant::now();
    // --nonet: everything the schema needs is on disk; nothing may be fetched.
    let out = run(
        Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&schema)
            .arg(&sitemap),
        XMLLINT,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("validates"),
        "public/sitemap.xml does not validate against the sitemaps.org schema \
         (tests/validators/sitemap-hreflang.xsd), xmllint {}:\n{stderr}",
        out.status
    );

    let feeds = xml_feeds(&public);
    assert!(feeds.len() >= 4, "{feeds:?}");
    let out = run(
        Command::new("xmllint").args(["--noout", "--nonet"]).args(&feeds),
        XMLLINT,
    );
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "feeds that are not well-formed XML, xmllint {}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    announce(&format!(
        "xmllint: sitemap.xml valid ({urls} URLs, {alternates} hreflang alternates), {} feeds \
         well-formed (xmllint {secs:.1} s, build {build_secs:.1} s)",
        feeds.len()
    ));
}
