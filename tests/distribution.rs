//! End-to-end: what a site gives others that find it: redirects at old URLs (`aliases`), the
//! Google News sitemap of the last two days, and `sitemap.xml` as a plain `urlset` for a site
//! under the protocol's limits (the split into a sitemap index is unit-tested in
//! `src/render/sitemap.rs`, with small limits, rather than with 50,000 articles).

mod common;

use std::process::Command;

use chrono::{DateTime, Duration, Utc};
use common::{attrs, snapshot, texts, Site, INSTALL};

const EN: &str = "content/briefings/mali-russia-equipment.en.md";
const AR: &str = "content/briefings/mali-russia-equipment.ar.md";
const NEWS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// Puts `line` into the front matter of `rel`, after its opening fence.
fn add_front(site: &Site, rel: &str, line: &str) {
    let text = site.read(rel);
    let rest = text.strip_prefix("+++\n").expect("TOML front matter");
    site.write(rel, format!("+++\n{line}\n{rest}"));
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// The article `name` in `lang`, dated `date`, with `extra` front matter.
fn article(site: &Site, name: &str, lang: &str, title: &str, date: &str, extra: &str) {
    site.write(
        &format!("content/briefings/{name}.{lang}.md"),
        format!("+++\ntitle = \"{title}\"\ndate = {date}\n{extra}+++\n\nText of the story.\n"),
    );
}

#[test]
fn an_alias_writes_a_page_that_redirects_to_the_new_url() {
    let site = Site::sample();
    // Relative to the language's root (`/en/`), and from the site's root with a leading `/`.
    add_front(
        &site,
        EN,
        "aliases = [\"2019/05/old-story/\", \"/legacy/story.html\"]",
    );
    add_front(&site, AR, "aliases = [\"%D9%82%D8%AF%D9%8A%D9%85/\"]");
    site.build(&[]).success();
    let new = "https://example.org/en/briefings/mali-russia-equipment/";
    for old in ["en/2019/05/old-story/index.html", "legacy/story.html"] {
        let page = site.page(old);
        assert_eq!(attrs(&page, "html", "lang"), ["en"], "{old}");
        assert_eq!(attrs(&page, "html", "dir"), ["ltr"], "{old}");
        let refresh = attrs(&page, "meta[http-equiv=refresh]", "content");
        assert_eq!(refresh, [format!("0; url={new}")], "{old}");
        assert_eq!(attrs(&page, "link[rel=canonical]", "href"), [new], "{old}");
        assert_eq!(attrs(&page, "meta[name=robots]", "content"), ["noindex"], "{old}");
        assert_eq!(attrs(&page, "body a", "href"), [new], "{old}");
        assert_eq!(
            texts(&page, "body a"),
            ["Mali receives new shipment of Russian military equipment"]
        );
    }
    // An Arabic alias, percent-encoded as copied from a browser, is the Arabic folder.
    let page = site.page("قديم/index.html");
    assert_eq!(attrs(&page, "html", "dir"), ["rtl"]);
    assert_eq!(
        attrs(&page, "link[rel=canonical]", "href"),
        [format!(
            "https://example.org/briefings/{}/",
            "mali-russia-equipment"
        )]
    );
    // Not in the sitemap, which lists pages, not old URLs.
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        !sitemap.contains("old-story") && !sitemap.contains("legacy"),
        "{sitemap}"
    );
}

#[test]
fn an_alias_that_clashes_with_a_page_fails_naming_both_files() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    // The Arabic article's own URL, from the English article (relative to the site's root).
    add_front(&site, EN, "aliases = [\"/briefings/mali-russia-equipment/\"]");
    let failed = site.build(&[]).failure().code(1);
    let err = stderr(&failed);
    assert!(
        err.contains(&format!("{EN}:2:11: error: the alias \"briefings/mali-russia-equipment/\" in {EN}:2:11 and {AR} would both be written to /briefings/mali-russia-equipment/")),
        "{err}"
    );
    assert_eq!(snapshot(&site.public()), before, "a failed build changed public/");

    // One that leaves the output folder is refused at its key.
    add_front(&site, AR, "aliases = [\"../../etc/\"]");
    site.write(
        EN,
        site.read(EN)
            .replacen("aliases = [\"/briefings/mali-russia-equipment/\"]\n", "", 1),
    );
    let failed = site.build(&[]).failure().code(1);
    let err = stderr(&failed);
    assert!(
        err.contains(&format!(
            "{AR}:2:11: error: the alias \"../../etc/\" would write outside the output folder"
        )),
        "{err}"
    );
    assert_eq!(snapshot(&site.public()), before, "a failed build changed public/");
}

#[test]
fn an_alias_over_the_search_page_a_feed_or_a_static_file_fails_naming_it() {
    let site = Site::sample();
    site.write("static/verify-4f2a.html", "<p>site verification</p>\n");
    site.build(&[]).success();
    let before = snapshot(&site.public());
    // The search page, a folder where robots.txt is a file, a static file, and the folder the
    // English feed is written in made a file.
    add_front(
        &site,
        EN,
        "aliases = [\"/search/\", \"/robots.txt/\", \"/verify-4f2a.html\", \"/en/atom.xml/\"]",
    );
    let failed = site.build(&[]).failure().code(1);
    let err = stderr(&failed);
    for (alias, other) in [
        ("search/", "the search page"),
        ("robots.txt/", "robots.txt"),
        ("verify-4f2a.html", "the static file verify-4f2a.html"),
        ("en/atom.xml/", "a feed"),
    ] {
        let said = format!("{EN}:2:11: error: the alias {alias:?} would be written over {other} (/{alias})");
        assert!(err.contains(&said), "{said}\n{err}");
    }
    assert_eq!(snapshot(&site.public()), before, "a failed build changed public/");
    // `check` finds the same.
    let checked = common::nashra()
        .current_dir(site.root())
        .arg("check")
        .assert()
        .failure();
    assert!(
        stderr(&checked).contains("would be written over the search page"),
        "{}",
        stderr(&checked)
    );
}

#[test]
fn an_article_at_the_url_of_nashras_own_page_fails_naming_it() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write(
        "content/corrections.ar.md",
        "+++\ntitle = \"تصحيحات\"\ndate = 2024-11-20\n+++\n\nنص.\n",
    );
    site.write(
        "content/search/_index.en.md",
        "+++\ntitle = \"Search tips\"\n+++\n",
    );
    let failed = site.build(&[]).failure().code(1);
    let err = stderr(&failed);
    for said in [
        "content/corrections.ar.md: error: this article and the corrections page would both be written to /corrections/",
        "content/search/_index.en.md: error: this section and the search page would both be written to /en/search/",
    ] {
        assert!(err.contains(said), "{said}\n{err}");
    }
    assert_eq!(snapshot(&site.public()), before, "a failed build changed public/");
}

#[test]
fn check_warns_of_an_alias_to_a_draft() {
    let site = Site::sample();
    article(
        &site,
        "draft",
        "en",
        "Draft",
        "2024-11-20",
        "draft = true\naliases = [\"old/draft/\"]\n",
    );
    let ok = site.run("check", &[]).success();
    let out = stderr(&ok) + &String::from_utf8_lossy(&ok.get_output().stdout);
    assert!(
        out.contains("content/briefings/draft.en.md:5:11: warning: this draft has `aliases`: its old URLs (/en/old/draft/) redirect to a page that is not published"),
        "{out}"
    );
    site.run("check", &["--strict"]).failure();
    // Published, it is no longer warned of.
    article(
        &site,
        "draft",
        "en",
        "Draft",
        "2024-11-20",
        "aliases = [\"old/draft/\"]\n",
    );
    let ok = site.run("check", &["--strict"]).success();
    assert!(!stderr(&ok).contains("draft has"), "{}", stderr(&ok));
}

/// Every `<url>` of a news sitemap as (loc, name, language, publication date, title).
fn news_urls(xml: &str) -> Vec<[String; 5]> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    assert!(doc.root_element().has_tag_name((SITEMAP, "urlset")));
    let text = |n: roxmltree::Node, name: &str| {
        let found = n.descendants().find(|c| c.has_tag_name((NEWS, name)));
        found.and_then(|c| c.text()).unwrap_or_default().to_string()
    };
    doc.root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|u| {
            assert!(u.has_tag_name((SITEMAP, "url")), "{xml}");
            let loc = u.children().find(|c| c.has_tag_name((SITEMAP, "loc")));
            [
                loc.and_then(|l| l.text()).unwrap_or_default().to_string(),
                text(u, "name"),
                text(u, "language"),
                text(u, "publication_date"),
                text(u, "title"),
            ]
        })
        .collect()
}

/// Google's rules for a news sitemap (developers.google.com/search/docs/crawling-indexing/
/// sitemaps/news-sitemap), as no package ships its schema: at most 1,000 `<url>`, each with
/// `<loc>` and `<news:news>` holding `<news:publication>` (`<news:name>`, `<news:language>`
/// an ISO 639 code), `<news:publication_date>` in W3C Datetime and `<news:title>`.
fn google_news_problems(urls: &[[String; 5]]) -> Vec<String> {
    let mut problems = Vec::new();
    if urls.len() > 1000 {
        problems.push(format!("{} URLs, over 1,000", urls.len()));
    }
    for [loc, name, lang, date, title] in urls {
        if !loc.starts_with("https://") {
            problems.push(format!("{loc}: not an absolute URL"));
        }
        if name.is_empty() || title.is_empty() {
            problems.push(format!("{loc}: no name or title"));
        }
        let iso = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
        if !iso && lang != "zh-cn" && lang != "zh-tw" {
            problems.push(format!("{loc}: language {lang:?} is not an ISO 639 code"));
        }
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok();
        if !day && chrono::DateTime::parse_from_rfc3339(date).is_err() {
            problems.push(format!("{loc}: {date:?} is not a W3C datetime"));
        }
    }
    problems
}

#[test]
fn the_news_sitemap_lists_the_last_two_days_and_robots_names_it() {
    let site = Site::sample();
    let now = DateTime::<Utc>::from(std::time::SystemTime::now());
    let ago = |hours: i64| {
        (now - Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    article(&site, "today", "en", "Today & now", &ago(1), "");
    article(&site, "today", "ar", "خبر اليوم", &ago(2), "");
    article(&site, "yesterday", "en", "Yesterday", &ago(30), "");
    article(&site, "old", "en", "Three days ago", &ago(72), "");
    // Scheduled: not published yet, so not news either.
    article(
        &site,
        "later",
        "en",
        "Later",
        &(now + Duration::hours(5))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        "",
    );
    site.build(&[]).success();

    let xml = site.read("public/news-sitemap.xml");
    let urls = news_urls(&xml);
    let got: Vec<(&str, &str, &str, &str)> = urls
        .iter()
        .map(|[loc, name, lang, _, title]| (loc.as_str(), name.as_str(), lang.as_str(), title.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "https://example.org/en/briefings/today/",
                "Sahel Briefing",
                "en",
                "Today & now"
            ),
            (
                "https://example.org/briefings/today/",
                "نشرة الساحل",
                "ar",
                "خبر اليوم"
            ),
            (
                "https://example.org/en/briefings/yesterday/",
                "Sahel Briefing",
                "en",
                "Yesterday"
            ),
        ],
        "{xml}"
    );
    assert_eq!(urls[0][3], ago(1));
    assert_eq!(google_news_problems(&urls), Vec::<String>::new(), "{xml}");
    let robots = site.read("public/robots.txt");
    assert!(
        robots.contains("Sitemap: https://example.org/news-sitemap.xml\n")
            && robots.contains("Sitemap: https://example.org/sitemap.xml\n"),
        "{robots}"
    );
    // Well-formed by a parser no one here wrote.
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet"])
        .arg(site.public().join("news-sitemap.xml"))
        .output()
        .unwrap_or_else(|e| panic!("xmllint is not installed ({e}): {INSTALL}"));
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    // A normal site's sitemap is one `urlset`, not an index.
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<urlset ") && !sitemap.contains("sitemapindex"),
        "{sitemap}"
    );
    assert!(!site.public().join("sitemap-1.xml").exists());
}

#[test]
fn with_no_news_the_news_sitemap_is_an_empty_urlset() {
    let site = Site::sample();
    site.build(&[]).success();
    let xml = site.read("public/news-sitemap.xml");
    assert_eq!(news_urls(&xml), Vec::<[String; 5]>::new(), "{xml}");
}
