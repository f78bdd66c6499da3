//! End-to-end: the real `nashra build` on a copy of the sample site in a temp dir.

mod common;

use common::{attrs, snapshot, texts, Site};
use predicates::prelude::*;

const AR: &str = "briefings/mali-russia-equipment/index.html";
const EN: &str = "en/briefings/mali-russia-equipment/index.html";

#[test]
fn sample_site_is_bilingual_and_right_to_left_first() {
    let site = Site::sample();
    site.build(&[])
        .success()
        .stdout(predicate::str::is_match(r"Built \d+ pages \(ar \d+, en \d+\)").unwrap());

    let ar = site.page(AR);
    assert_eq!(attrs(&ar, "html", "lang"), ["ar"]);
    assert_eq!(attrs(&ar, "html", "dir"), ["rtl"]);
    assert_eq!(
        texts(&ar, "h1"),
        ["مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"]
    );
    let body = texts(&ar, "article").concat();
    for name in ["T-72B3", "BMP-3", "BTR-82A", "Spartak", "Tigr", "Linza"] {
        assert!(body.contains(name), "{name} missing from the Arabic body");
    }
    // Linked to its translation, both as a reader's link and as an hreflang alternate.
    assert!(
        attrs(&ar, "a[hreflang=en]", "href").contains(&"/en/briefings/mali-russia-equipment/".to_string())
    );
    assert!(attrs(&ar, "link[rel=alternate][hreflang=en]", "href")
        .contains(&"https://example.org/en/briefings/mali-russia-equipment/".to_string()));
    assert_eq!(
        attrs(&ar, "link[rel=canonical]", "href"),
        ["https://example.org/briefings/mali-russia-equipment/"]
    );
    assert_eq!(attrs(&ar, "meta[charset]", "charset").len(), 1);
    assert_eq!(attrs(&ar, "meta[name=viewport]", "content").len(), 1);
    assert!(texts(&ar, "title").concat().contains("نشرة الساحل"));

    let en = site.page(EN);
    assert_eq!(attrs(&en, "html", "lang"), ["en"]);
    assert_eq!(attrs(&en, "html", "dir"), ["ltr"]);
    assert!(attrs(&en, "a[hreflang=ar]", "href").contains(&"/briefings/mali-russia-equipment/".to_string()));
    assert!(attrs(&en, "link[rel=alternate][hreflang=ar]", "href")
        .contains(&"https://example.org/briefings/mali-russia-equipment/".to_string()));
    assert!(texts(&en, "title").concat().contains("Sahel Briefing"));

    // Each home page lists the article in its own language.
    let home_ar = site.page("index.html");
    assert_eq!(attrs(&home_ar, "html", "dir"), ["rtl"]);
    assert!(attrs(&home_ar, "main a", "href").contains(&"/briefings/mali-russia-equipment/".to_string()));
    let home_en = site.page("en/index.html");
    assert_eq!(attrs(&home_en, "html", "lang"), ["en"]);
    assert!(attrs(&home_en, "main a", "href").contains(&"/en/briefings/mali-russia-equipment/".to_string()));

    // Sections, the 404 page and the stylesheet exist.
    for file in [
        "briefings/index.html",
        "en/briefings/index.html",
        "404.html",
        "style.css",
    ] {
        assert!(site.public().join(file).is_file(), "{file} not written");
    }
}

#[test]
fn arabic_headings_get_readable_unique_anchors() {
    let site = Site::sample();
    site.write(
        "content/briefings/anchors.ar.md",
        "+++\ntitle = \"عناوين\"\ndate = 2024-11-21\n+++\n## مُعَدّات روسية\n\nنص.\n\n## مُعَدّات روسية\n\n## Spartak وTigr\n",
    );
    site.build(&[]).success();
    let page = site.page("briefings/anchors/index.html");
    let ids = attrs(&page, "h2[id]", "id");
    for id in ["معدات-روسية", "معدات-روسية-1", "spartak-وtigr"] {
        assert!(ids.contains(&id.to_string()), "{id} not among {ids:?}");
    }
    let sample = site.page(AR);
    assert!(attrs(&sample, "h2[id]", "id").contains(&"معدات-روسية-حديثة".to_string()));
}

#[test]
fn output_is_minified_unless_turned_off() {
    let site = Site::sample();
    site.build(&[]).success();
    let minified = site.read(&format!("public/{AR}"));
    assert!(
        !minified.contains("\n ") && !minified.contains("  ") && !minified.contains("<!--"),
        "minified HTML keeps no indentation, runs of spaces or comments"
    );
    site.write(
        "nashra.toml",
        site.read("nashra.toml")
            .replace("minify = true", "minify = false"),
    );
    site.build(&[]).success();
    let plain = site.read(&format!("public/{AR}"));
    assert!(plain.len() > minified.len());
    assert!(plain.contains("lang=\"ar\""));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::sample();
    let (one, two) = (site.root().join("one"), site.root().join("two"));
    site.build(&["--output", one.to_str().unwrap()]).success();
    site.build(&["--output", two.to_str().unwrap()]).success();
    let (one, two) = (snapshot(&one), snapshot(&two));
    assert!(one.len() > 5);
    assert_eq!(one, two);
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    let site = Site::sample();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"override\">{{ page.title }}</p>{% endblock %}",
    );
    site.write("static/style.css", "/* site */ body { color: red }");
    site.build(&[]).success();
    // The page links the site's stylesheet, minified, under its fingerprinted name.
    let sheets = attrs(&site.page(AR), "link[rel=stylesheet]", "href");
    let style = sheets
        .iter()
        .find(|h| h.starts_with("/style."))
        .expect("style.css is linked");
    assert!(
        style.ends_with(".css") && style != "/style.css",
        "{style} has no fingerprint"
    );
    assert_eq!(site.read(&format!("public{style}")), "body{color:red}");
    assert_eq!(
        texts(&site.page(AR), "#override"),
        ["مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"]
    );
    assert!(
        texts(&site.page("index.html"), "#override").is_empty(),
        "only page.html was overridden"
    );
    assert_eq!(
        site.read("public/style.css"),
        "body{color:red}",
        "the plain name too"
    );
}

#[test]
fn base_url_with_a_path_reaches_every_link() {
    let site = Site::sample();
    site.build(&["--base-url", "https://example.org/briefing"])
        .success();
    let ar = site.page(AR);
    // Share links lead to the services, carrying the page's address with its base path.
    for href in attrs(&ar, ".share__link[href]", "href") {
        let href = url::Url::parse(&href).unwrap();
        let address = href.query_pairs().find(|(_, v)| v.contains("example.org"));
        let (_, address) = address.unwrap_or_else(|| panic!("{href} carries no address"));
        assert!(address.contains("https://example.org/briefing/"), "{href}");
    }
    for href in attrs(&ar, "a[href]:not(.share__link), link[href]", "href") {
        assert!(
            href.starts_with("/briefing/")
                || href.starts_with("https://example.org/briefing/")
                || href.starts_with('#'),
            "{href} misses the base path"
        );
    }
    let sheets = attrs(&ar, "link[rel=stylesheet]", "href");
    assert!(
        sheets
            .iter()
            .any(|h| h.starts_with("/briefing/style.") && h.ends_with(".css")),
        "{sheets:?}"
    );
    assert_eq!(
        attrs(&ar, "link[rel=canonical]", "href"),
        ["https://example.org/briefing/briefings/mali-russia-equipment/"]
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::sample();
    site.write(
        "content/briefings/draft-story.md",
        "+++\ntitle = \"مسودة\"\ndate = 2024-11-21\ndraft = true\n+++\nنص.\n",
    );
    site.build(&[]).success();
    assert!(!site.public().join("briefings/draft-story/index.html").exists());
    site.build(&["--drafts"]).success();
    assert!(site.public().join("briefings/draft-story/index.html").exists());
}

#[test]
fn yaml_front_matter_translation_key_and_arabic_slugs() {
    let site = Site::sample();
    site.write(
        "content/briefings/niger.ar.md",
        "---\ntitle: النيجر\ndate: 2024-11-22\nslug: النيجر-اليوم\ntranslation_key: niger\n---\nنص عن النيجر.\n",
    );
    site.write(
        "content/briefings/niger-today.en.md",
        "---\ntitle: Niger today\ndate: 2024-11-22\ntranslation_key: niger\n---\nAbout Niger.\n",
    );
    site.build(&[]).success();
    let ar = site.page("briefings/النيجر-اليوم/index.html");
    assert!(attrs(&ar, "a[hreflang=en]", "href").contains(&"/en/briefings/niger-today/".to_string()));
    let en = site.page("en/briefings/niger-today/index.html");
    let encoded = "/briefings/%D8%A7%D9%84%D9%86%D9%8A%D8%AC%D8%B1-%D8%A7%D9%84%D9%8A%D9%88%D9%85/";
    assert!(attrs(&en, "a[hreflang=ar]", "href").contains(&encoded.to_string()));
    // Newest first on the home page.
    let home = site.page("index.html");
    let links = attrs(&home, "main a[href*='/briefings/']", "href");
    let niger = links.iter().position(|h| h == encoded).unwrap();
    let mali = links
        .iter()
        .position(|h| h == "/briefings/mali-russia-equipment/")
        .unwrap();
    assert!(niger < mali, "{links:?}");
}

#[test]
fn an_article_without_translation_switches_to_the_other_home() {
    let site = Site::sample();
    site.write(
        "content/briefings/only-arabic.ar.md",
        "+++\ntitle = \"خبر\"\ndate = 2024-11-21\n+++\nنص.\n",
    );
    site.build(&[]).success();
    let page = site.page("briefings/only-arabic/index.html");
    assert_eq!(attrs(&page, "a[hreflang=en]", "href"), ["/en/"]);
    assert!(attrs(&page, "link[rel=alternate][hreflang=en]", "href").is_empty());
}

#[test]
fn nested_folders_bom_and_crlf() {
    let site = Site::sample();
    site.write(
        "content/analysis/sahel/deep-dive.en.md",
        "\u{feff}+++\r\ntitle = \"Deep dive\"\r\ndate = 2024-11-23\r\n+++\r\nFirst paragraph.\r\n\r\nSecond.\r\n",
    );
    site.build(&[]).success();
    let page = site.page("en/analysis/sahel/deep-dive/index.html");
    assert_eq!(texts(&page, "h1"), ["Deep dive"]);
    // Every folder above an article gets its list page, in every language that has content there.
    assert!(site.public().join("en/analysis/index.html").is_file());
    let list = site.page("en/analysis/sahel/index.html");
    assert!(attrs(&list, "main a", "href").contains(&"/en/analysis/sahel/deep-dive/".to_string()));
}

/// A returning reader's browser keeps a stylesheet it cached until its name changes: a
/// restyle gives the stylesheet a new name on every page, and a build of the same files the
/// same names.
#[test]
fn a_restyle_renames_the_stylesheet_and_a_rebuild_does_not() {
    let site = Site::sample();
    let linked = |site: &Site| attrs(&site.page(AR), "link[rel=stylesheet]", "href");
    site.build(&[]).success();
    let first = linked(&site);
    site.build(&[]).success();
    assert_eq!(linked(&site), first, "the same bytes, the same names");
    site.write("static/custom.css", ":root { --color-accent: #0b6e4f; }");
    site.build(&[]).success();
    let second = linked(&site);
    assert_eq!((first.len(), second.len()), (2, 2), "{first:?} {second:?}");
    assert_eq!(second[0], first[0], "style.css did not change");
    assert_ne!(second[1], first[1], "custom.css did: a new name");
    let file = |href: &str| site.public().join(href.trim_start_matches('/'));
    assert_eq!(
        site.read(&format!("public{}", second[1])),
        ":root{--color-accent:#0b6e4f;}"
    );
    assert!(!file(&first[1]).exists(), "{} is gone from public/", first[1]);
    // Scripts too, minified.
    let search = attrs(&site.page("search/index.html"), "script[src]", "src");
    assert!(
        search
            .iter()
            .any(|s| s.starts_with("/search.") && s.ends_with(".js") && s != "/search.js"),
        "{search:?}"
    );
    let script = site.read(&format!(
        "public{}",
        search.iter().find(|s| s.starts_with("/search.")).unwrap()
    ));
    assert!(!script.contains("\n  "), "search.js is minified");
}
