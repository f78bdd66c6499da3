//! End-to-end: every feed, from the real `nashra build` — each term's feed in each language
//! (`/<taxonomy>/<term>/atom.xml`) lists exactly that term's articles in that language, newest
//! first, in Atom, RSS 2.0 and JSON Feed alike; the twins sit beside every Atom feed, linked
//! from the pages; JSON Feed has what the 1.1 spec requires; and `feeds` names only formats
//! there are. (feedparser's reading of every Atom and RSS feed is in tests/validators.rs.)

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use atom_syndication::Feed;
use common::{attrs, texts, Site};
use serde_json::Value;

const BASE: &str = "https://example.org/";
const SAMPLE: &str = "briefings/mali-russia-equipment/";
const FORMATS: [&str; 3] = ["atom.xml", "rss.xml", "feed.json"];

/// The sample site with three more articles: one about Niger in both languages, newer than
/// the sample's; one about Chad in English only; one with no terms at all.
fn site() -> Site {
    let site = Site::sample();
    let article = |title: &str, date: &str, terms: &str| {
        format!("+++\ntitle = \"{title}\"\ndate = {date}\n{terms}+++\n\n{title}: the text.\n")
    };
    let niger = "regions = [\"niger\"]\ntags = [\"security\"]\n";
    site.write(
        "content/briefings/niger-vote.ar.md",
        article("النيجر تصوّت", "2024-11-22", niger),
    );
    site.write(
        "content/briefings/niger-vote.en.md",
        article("Niger votes", "2024-11-22", niger),
    );
    site.write(
        "content/briefings/chad-talks.en.md",
        article("Chad talks", "2024-11-21", "regions = [\"chad\"]\n"),
    );
    site.write(
        "content/briefings/weather.en.md",
        article("Weather", "2024-11-23", ""),
    );
    site.build(&[]).success();
    site
}

/// The article URLs a feed lists, in its order, whatever its format.
fn listed(site: &Site, feed: &str) -> Vec<String> {
    let text = site.read(&format!("public/{feed}"));
    if feed.ends_with("atom.xml") {
        let feed = Feed::read_from(text.as_bytes()).unwrap_or_else(|e| panic!("{feed}: {e}"));
        feed.entries
            .iter()
            .map(|e| {
                e.links
                    .iter()
                    .find(|l| l.rel == "alternate")
                    .unwrap()
                    .href
                    .clone()
            })
            .collect()
    } else if feed.ends_with("rss.xml") {
        let channel = rss::Channel::read_from(text.as_bytes()).unwrap_or_else(|e| panic!("{feed}: {e}"));
        channel.items.iter().map(|i| i.link.clone().unwrap()).collect()
    } else {
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{feed}: {e}"));
        json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["url"].as_str().unwrap().to_string())
            .collect()
    }
}

#[test]
fn a_term_feed_lists_exactly_its_articles_in_its_language_newest_first() {
    let site = site();
    let url = |lang: &str, path: &str| format!("{BASE}{lang}{path}");
    let niger_ar = url("", "briefings/niger-vote/");
    let niger_en = url("en/", "briefings/niger-vote/");
    let (sample_ar, sample_en) = (url("", SAMPLE), url("en/", SAMPLE));
    let want: BTreeMap<&str, Vec<&str>> = [
        ("regions/niger/", vec![niger_ar.as_str(), sample_ar.as_str()]),
        ("en/regions/niger/", vec![niger_en.as_str(), sample_en.as_str()]),
        ("regions/mali/", vec![sample_ar.as_str()]),
        ("en/regions/mali/", vec![sample_en.as_str()]),
        ("tags/security/", vec![niger_ar.as_str(), sample_ar.as_str()]),
        ("en/tags/security/", vec![niger_en.as_str(), sample_en.as_str()]),
        (
            "en/regions/chad/",
            vec!["https://example.org/en/briefings/chad-talks/"],
        ),
    ]
    .into();
    for (term, articles) in &want {
        for format in FORMATS {
            let feed = format!("{term}{format}");
            assert_eq!(listed(&site, &feed), *articles, "{feed}");
        }
    }
    // Chad has no Arabic article, so no Arabic term page and no Arabic feed.
    assert!(!site.public().join("regions/chad").exists());

    // Every term of the site has its feeds, each listing what the term's page lists.
    let mut terms = 0;
    for page in walkdir::WalkDir::new(site.public())
        .into_iter()
        .map(Result::unwrap)
    {
        let rel = page
            .path()
            .strip_prefix(site.public())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let Some(term) = rel.strip_suffix("index.html").filter(|t| is_term(t)) else {
            continue;
        };
        terms += 1;
        let doc = site.page(&rel);
        let on_page: Vec<String> = attrs(&doc, ".card__title a", "href")
            .iter()
            .map(|href| format!("https://example.org{href}"))
            .collect();
        for format in FORMATS {
            assert_eq!(
                listed(&site, &format!("{term}{format}")),
                on_page,
                "{term}{format}"
            );
        }
    }
    // Arabic: 4 regions and 3 tags; English: Chad too.
    assert_eq!(terms, 15);
}

/// Whether a site path is a term's first page: `[en/]<taxonomy>/<term>/`.
fn is_term(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let parts = match parts.first() {
        Some(&"en") => &parts[1..],
        _ => &parts[..],
    };
    parts.len() == 2 && ["regions", "tags"].contains(&parts[0])
}

#[test]
fn feeds_are_linked_from_their_pages_in_every_format() {
    let site = site();
    for (page, feeds) in [
        ("index.html", ""),
        ("en/index.html", "en/"),
        ("en/briefings/index.html", "en/briefings/"),
        ("regions/mali/index.html", "regions/mali/"),
        ("en/regions/mali/index.html", "en/regions/mali/"),
    ] {
        let doc = site.page(page);
        for (format, kind) in FORMATS.iter().zip([
            "application/atom+xml",
            "application/rss+xml",
            "application/feed+json",
        ]) {
            let href = format!("{BASE}{feeds}{format}");
            let linked = attrs(&doc, &format!("link[rel=alternate][type='{kind}']"), "href");
            assert!(linked.contains(&href), "{page} does not link {href}: {linked:?}");
            assert!(site.public().join(format!("{feeds}{format}")).is_file());
        }
    }
    // A term page shows its feeds, labelled in its language.
    for (page, label, prefix) in [
        ("regions/mali/index.html", "تابع هذا الموضوع:", "/"),
        ("en/regions/mali/index.html", "Follow this topic:", "/en/"),
    ] {
        let doc = site.page(page);
        let shown = texts(&doc, ".page-header__feeds");
        assert!(shown[0].starts_with(label), "{page}: {shown:?}");
        assert_eq!(
            attrs(&doc, ".page-header__feeds a", "href"),
            FORMATS.map(|f| format!("{prefix}regions/mali/{f}")),
            "{page}"
        );
        assert_eq!(texts(&doc, ".page-header__feeds a"), ["Atom", "RSS", "JSON Feed"]);
    }
}

/// The JSON Feed 1.1 spec's requirements of one feed: problems, as readable lines.
fn json_feed_problems(name: &str, feed: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(format!("{name}: {what}"));
        }
    };
    let absolute = |v: &Value| {
        v.as_str()
            .and_then(|u| url::Url::parse(u).ok())
            .is_some_and(|u| u.scheme() == "https" && u.host().is_some())
    };
    need(
        feed["version"] == "https://jsonfeed.org/version/1.1",
        "version is not https://jsonfeed.org/version/1.1",
    );
    need(feed["title"].as_str().is_some_and(|t| !t.is_empty()), "no title");
    need(absolute(&feed["home_page_url"]), "home_page_url is not absolute");
    need(absolute(&feed["feed_url"]), "feed_url is not absolute");
    need(
        feed["feed_url"].as_str() == Some(&format!("{BASE}{name}")),
        "feed_url is not the feed's own URL",
    );
    need(feed["language"].is_string(), "no language");
    let Some(items) = feed["items"].as_array() else {
        need(false, "no items array");
        return problems;
    };
    need(!items.is_empty(), "no items");
    for (i, item) in items.iter().enumerate() {
        let mut need = |ok: bool, what: &str| need(ok, &format!("item {i}: {what}"));
        need(
            item["id"].as_str().is_some_and(|id| !id.is_empty()),
            "no id (a string)",
        );
        need(
            item["content_html"].is_string() || item["content_text"].is_string(),
            "neither content_html nor content_text",
        );
        need(absolute(&item["url"]), "url is not absolute");
        for date in ["date_published", "date_modified"] {
            let parsed = item[date].as_str().map(chrono::DateTime::parse_from_rfc3339);
            need(
                parsed.is_some_and(|d| d.is_ok()),
                &format!("{date} is not RFC 3339"),
            );
        }
    }
    problems
}

#[test]
fn every_json_feed_has_what_json_feed_1_1_requires() {
    let site = site();
    let public = site.public();
    let feeds: Vec<String> = walkdir::WalkDir::new(&public)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_name() == "feed.json")
        .map(|e| rel(&public, e.path()))
        .collect();
    // Two languages' homes and sections, and their 15 terms.
    assert_eq!(feeds.len(), 19, "{feeds:?}");
    let mut problems = Vec::new();
    for name in &feeds {
        let feed: Value = serde_json::from_str(&site.read(&format!("public/{name}"))).unwrap();
        problems.extend(json_feed_problems(name, &feed));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The English home feed carries the newest story first, with its summary as HTML.
    let en: Value = serde_json::from_str(&site.read("public/en/feed.json")).unwrap();
    assert_eq!(en["language"], "en");
    assert_eq!(en["items"][0]["title"], "Weather");
    let sample = &en["items"].as_array().unwrap().last().unwrap().clone();
    assert!(
        sample["content_html"].as_str().unwrap().contains("T-72B3"),
        "{sample}"
    );
    assert_eq!(sample["language"], "en");
    let ar: Value = serde_json::from_str(&site.read("public/regions/mali/feed.json")).unwrap();
    assert_eq!(ar["title"], "مالي — نشرة الساحل");
    assert_eq!(ar["home_page_url"], "https://example.org/regions/mali/");
}

fn rel(public: &Path, path: &Path) -> String {
    path.strip_prefix(public)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn feeds_default_to_atom_and_an_unknown_format_is_an_error_naming_the_key() {
    let site = Site::sample();
    let config = site.read("nashra.toml");
    let without: String = config
        .lines()
        .filter(|l| !l.starts_with("feeds"))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("nashra.toml", &without);
    site.build(&[]).success();
    assert!(site.public().join("en/regions/mali/atom.xml").is_file());
    for twin in ["rss.xml", "feed.json", "en/regions/mali/rss.xml"] {
        assert!(!site.public().join(twin).exists(), "{twin} was written");
    }

    site.write("nashra.toml", format!("feeds = [\"atom\", \"rdf\"]\n{without}"));
    site.build(&[])
        .failure()
        .stderr(predicates::str::contains("nashra.toml:1:"))
        .stderr(predicates::str::contains(
            "`feeds` lists \"rdf\", which is not a feed format",
        ))
        .stderr(predicates::str::contains("\"atom\", \"rss\" and \"json\""));
}
