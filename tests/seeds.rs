//! End-to-end: seeds built straight from `seeds/`, and `nashra import`.

mod common;

use std::fs;

use common::{attrs, snapshot, texts, Site};
use predicates::prelude::*;
use scraper::Html;

const SEED: &str = "seeds/mali-russia-equipment.ar.txt";

/// The sample site without the article imported from the seed: only the raw seed is left.
fn seed_only() -> Site {
    let site = Site::sample();
    fs::remove_file(site.root().join("content/briefings/mali-russia-equipment.ar.md")).unwrap();
    fs::remove_file(site.root().join("content/briefings/mali-russia-equipment.en.md")).unwrap();
    site
}

fn import(site: &Site, args: &[&str]) -> assert_cmd::assert::Assert {
    site.run("import", args)
}

/// The headline and region terms shown on an article page.
/// The page's headline and the slugs of the regions it links to.
fn headline_and_regions(site: &Site, page: &str) -> (String, Vec<String>) {
    let doc = site.page(page);
    let slugs = attrs(&doc, ".terms__group--regions li a", "href")
        .iter()
        .filter_map(|h| h.trim_end_matches('/').rsplit('/').next().map(str::to_string))
        .collect();
    (texts(&doc, "h1").concat(), slugs)
}

#[test]
fn importing_the_seed_gives_a_tagged_article_that_builds() {
    let site = seed_only();
    import(&site, &["--date", "2024-11-20"])
        .success()
        .stdout(predicate::str::contains(
            "imported seeds/mali-russia-equipment.ar.txt → content/briefings/mali-russia-equipment.ar.md",
        ))
        .stderr(predicate::str::contains("warning: no headline: derived"));
    let text = site.read("content/briefings/mali-russia-equipment.ar.md");
    let fm: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
    assert!(fm["title"]
        .as_str()
        .unwrap()
        .starts_with("يبدو أن منطقة الساحل الأفريقي"));
    assert_eq!(fm["date"].to_string(), "2024-11-20");
    // No summary: the first paragraph is the summary, and it is the body's.
    assert!(!fm.contains_key("summary"), "{text}");
    assert_eq!(fm["seed"].as_str(), Some(SEED));
    let regions: Vec<&str> = fm["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for r in ["mali", "russia", "burkina-faso", "niger"] {
        assert!(regions.contains(&r), "{r} missing from {regions:?}");
    }
    site.build(&[])
        .success()
        .stdout(predicate::str::contains("built from seeds").not());
    let (title, shown) = headline_and_regions(&site, "briefings/mali-russia-equipment/index.html");
    assert_eq!(title, fm["title"].as_str().unwrap());
    assert!(shown.contains(&"mali".to_string()), "{shown:?}");
}

#[test]
fn a_seed_is_on_the_site_before_and_after_import_and_never_twice() {
    let site = seed_only();
    site.build(&[]).success().stdout(predicate::str::contains(
        "1 article built from seeds/, 1 of them without front matter",
    ));
    let page = "briefings/mali-russia-equipment/index.html";
    let before = headline_and_regions(&site, page);
    assert!(before.0.starts_with("يبدو أن منطقة الساحل الأفريقي"));
    for r in ["mali", "russia", "burkina-faso", "niger"] {
        assert!(
            before.1.contains(&r.to_string()),
            "{r} missing from {:?}",
            before.1
        );
    }

    import(&site, &[]).success();
    site.build(&[]).success();
    assert_eq!(
        headline_and_regions(&site, page),
        before,
        "import writes out what the build derived"
    );
    let home = site.page("index.html");
    let listed = texts(&home, ".card__title")
        .iter()
        .filter(|t| **t == before.0)
        .count();
    assert_eq!(listed, 1, "the story is listed once");
}

#[test]
fn the_sample_site_builds_its_story_once() {
    let site = Site::sample();
    site.build(&[])
        .success()
        .stdout(predicate::str::contains("built from seeds").not());
    let home = site.page("index.html");
    assert_eq!(texts(&home, ".card__title a").len(), 1);
}

#[test]
fn hostile_seed_shows_as_text() {
    let site = Site::sample();
    site.write(
        "seeds/2024-11-21-hostile.en.txt",
        "Hostile <b>headline</b>\n\n<script>alert(1)</script> and [x](javascript:alert(1))\n# not a heading\n* not a list\n<img src=x onerror=alert(1)>\n",
    );
    site.build(&[]).success();
    let page = site.page("en/briefings/2024-11-21-hostile/index.html");
    let body = texts(&page, "article").concat();
    assert!(body.contains("<script>alert(1)</script>"), "{body}");
    assert!(body.contains("[x](javascript:alert(1))"), "{body}");
    assert!(texts(&page, "h1").concat().contains("Hostile <b>headline</b>"));
    // Pagefind's bundle is its own code, not pages.
    let pages = snapshot(&site.public())
        .into_iter()
        .filter(|(f, _)| !f.starts_with("pagefind"));
    for (file, bytes) in pages {
        let text = String::from_utf8_lossy(&bytes);
        // A JSON Feed's `title` and `summary` are plain text, which may hold the seed's words
        // as written; its HTML is `content_html`, where the markup must be escaped.
        if file.extension().is_some_and(|e| e == "json") {
            let feed: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
            for item in feed["items"].as_array().into_iter().flatten() {
                let html = item["content_html"].as_str().unwrap_or_default();
                assert!(!html.contains("<script"), "{file:?}: {html}");
                assert!(!html.contains("<img src=x"), "{file:?}: {html}");
            }
            continue;
        }
        // An e-mail's plain-text twin is read as text: the seed's words as written are text.
        if file.ends_with("email.txt") {
            continue;
        }
        if file.extension().is_none_or(|e| e != "html") {
            assert!(!text.contains("<script"), "{file:?}");
            assert!(!text.contains("<img src=x"), "{file:?}");
            continue;
        }
        // Read as a browser reads it: the seed's words may show markup as text, in the body
        // and in attribute values (the first paragraph is the page's description).
        let html = Html::parse_document(&text);
        // The only scripts are the article's JSON-LD, which `<` cannot close, and the theme's
        // own (the search page's, the share block's).
        let scripts = texts(&html, "script").len();
        let json_ld = texts(&html, "script[type='application/ld+json']").len();
        let own = attrs(&html, "script[src]", "src")
            .iter()
            .filter(|src| (src.starts_with("/search.") || src.starts_with("/share.")) && src.ends_with(".js"))
            .count();
        assert_eq!(scripts, json_ld + own, "script element in {file:?}");
        let links = attrs(&html, "[href]", "href");
        assert!(
            !links
                .iter()
                .any(|h| h.trim().to_ascii_lowercase().starts_with("javascript:")),
            "{file:?}: {links:?}"
        );
        assert_eq!(
            attrs(&html, "[onerror]", "onerror"),
            Vec::<String>::new(),
            "{file:?}"
        );
        assert!(!attrs(&html, "img", "src").contains(&"x".to_string()), "{file:?}");
    }
}

#[test]
fn a_second_import_changes_nothing() {
    let site = seed_only();
    import(&site, &["--date", "2024-11-20"]).success();
    let before = snapshot(&site.root().join("content"));
    import(&site, &["--date", "2024-11-21"])
        .success()
        .stdout(predicate::str::contains(
            "Imported 0, skipped 1 (1 already imported",
        ));
    import(&site, &[SEED])
        .success()
        .stdout(predicate::str::contains("Imported 0"));
    assert_eq!(snapshot(&site.root().join("content")), before);
    // --force replaces.
    import(&site, &["--force", "--date", "2024-11-22"])
        .success()
        .stdout(predicate::str::contains("Imported 1"));
    assert!(site
        .read("content/briefings/mali-russia-equipment.ar.md")
        .contains("date = 2024-11-22"));
}

#[test]
fn an_existing_target_is_skipped_with_a_message() {
    let site = seed_only();
    site.write(
        "content/briefings/mali-russia-equipment.ar.md",
        "+++\ntitle = \"mine\"\ndate = 2024-01-01\n+++\n",
    );
    import(&site, &[]).success().stdout(predicate::str::contains(
        "skipped seeds/mali-russia-equipment.ar.txt: content/briefings/mali-russia-equipment.ar.md exists (--force replaces it)",
    ));
    assert!(site
        .read("content/briefings/mali-russia-equipment.ar.md")
        .contains("mine"));
}

#[test]
fn a_translated_pair_imports_as_one_story() {
    let site = Site::sample();
    site.write(
        "seeds/2024-11-22-niger.ar.txt",
        "النيجر اليوم\n\nخبر عن النيجر.\n",
    );
    site.write(
        "seeds/2024-11-22-niger.en.txt",
        "Niger today\n\nA story about Niger.\n",
    );
    import(&site, &["--section", "news"])
        .success()
        .stdout(predicate::str::contains("Imported 2"));
    site.build(&[]).success();
    let ar = site.page("news/2024-11-22-niger/index.html");
    assert!(attrs(&ar, "a[hreflang=en]", "href").contains(&"/en/news/2024-11-22-niger/".to_string()));
    assert_eq!(texts(&ar, "h1"), ["النيجر اليوم"]);
}

#[test]
fn bad_seeds_fail_alone() {
    let site = Site::sample();
    site.write("seeds/bad-utf8.txt", b"ok \xff\xfe".as_slice());
    site.write("seeds/empty.txt", "");
    site.write("seeds/binary.txt", b"\x00\x01\x02PNG".as_slice());
    site.write("seeds/numbers.txt", "12345 678");
    site.write("seeds/2024-11-23-good.en.txt", "Good one\n\nFine text.\n");
    let out = import(&site, &[]).failure().code(1).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for e in [
        "seeds/bad-utf8.txt:1:4: error: the file is not valid UTF-8 (byte 3)",
        "seeds/empty.txt: error: the seed has no text",
        "seeds/binary.txt: error: this looks like a binary file",
        "seeds/numbers.txt: error: cannot tell the seed's language",
    ] {
        assert!(stderr.contains(e), "expected {e:?} in\n{stderr}");
    }
    assert!(site
        .root()
        .join("content/briefings/2024-11-23-good.en.md")
        .is_file());
    for bad in ["bad-utf8", "empty", "binary", "numbers"] {
        let written = fs::read_dir(site.root().join("content/briefings"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(bad));
        assert!(!written, "{bad} was written");
    }
    // The build reports the same seeds and leaves public/ alone.
    site.build(&[])
        .failure()
        .code(1)
        .stderr(predicate::str::contains("seeds/empty.txt"));
}
