//! End-to-end: corrections and updates. A correction shows in the article's dated box, moves
//! its modified date everywhere machines read it (JSON-LD, Atom, JSON Feed, sitemap), and is
//! listed on its language's corrections page, newest first; a wrong entry is named at its
//! `file:line:col` and the last good `public/` stays.

mod common;

use common::{attrs, snapshot, texts, Site};

const EN: &str = "content/briefings/mali-russia-equipment.en.md";
const AR: &str = "content/briefings/mali-russia-equipment.ar.md";
const EN_PAGE: &str = "en/briefings/mali-russia-equipment/index.html";
const AR_PAGE: &str = "briefings/mali-russia-equipment/index.html";
const EN_URL: &str = "https://example.org/en/briefings/mali-russia-equipment/";

/// `rel` with the sample's own corrections and updates (one line each) taken out and
/// `front` put in.
fn set_notes(site: &Site, rel: &str, front: &str) {
    let text = site.read(rel);
    let kept: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("corrections = ") && !l.starts_with("updates = "))
        .collect();
    let rest = kept.strip_prefix("+++\n").expect("TOML front matter");
    site.write(rel, format!("+++\n{front}{rest}"));
}

/// The article's JSON-LD.
fn json_ld(site: &Site, page: &str) -> serde_json::Value {
    let doc = site.page(page);
    let text = texts(&doc, "script[type=\"application/ld+json\"]");
    serde_json::from_str(&text[0]).unwrap()
}

/// What the machine-readable outputs give as the English article's modified date: JSON-LD,
/// the Atom entry, the JSON Feed item, the sitemap.
fn modified(site: &Site) -> [String; 4] {
    let ld = json_ld(site, EN_PAGE)["dateModified"]
        .as_str()
        .unwrap()
        .to_string();
    let atom = site.read("public/en/atom.xml");
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).unwrap();
    let entry = feed.entries().iter().find(|e| e.id() == EN_URL).unwrap();
    let json: serde_json::Value = serde_json::from_str(&site.read("public/en/feed.json")).unwrap();
    let items = json["items"].as_array().unwrap();
    let item = items.iter().find(|i| i["url"] == EN_URL).unwrap();
    let sitemap = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let url = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .find(|u| {
            u.children()
                .any(|c| c.has_tag_name("loc") && c.text() == Some(EN_URL))
        })
        .unwrap();
    let lastmod = url.children().find(|c| c.has_tag_name("lastmod")).unwrap();
    [
        ld,
        entry.updated().to_rfc3339(),
        item["date_modified"].as_str().unwrap().to_string(),
        lastmod.text().unwrap().to_string(),
    ]
}

#[test]
fn a_correction_shows_in_the_box_and_moves_the_modified_date_everywhere() {
    let site = Site::sample();
    set_notes(&site, EN, "");
    set_notes(&site, AR, "");
    site.build(&[]).success();
    // Without notes: no box, and the modified date is the publication date.
    assert!(site.page(EN_PAGE).select(&sel("#corrections")).next().is_none());
    assert_eq!(
        modified(&site),
        [
            "2024-11-20T00:00:00+00:00",
            "2024-11-20T00:00:00+00:00",
            "2024-11-20T00:00:00+00:00",
            "2024-11-20"
        ]
    );
    assert!(json_ld(&site, EN_PAGE).get("correction").is_none());
    assert!(
        site.page(EN_PAGE)
            .select(&sel(".article__updated"))
            .next()
            .is_none(),
        "an article never changed says it was updated"
    );

    set_notes(
        &site,
        EN,
        "corrections = [{ date = 2024-11-23T10:30:00+01:00, text = \"The convoy came from [Conakry](https://example.com/c), not Dakar.\" }]\n\
         updates = [{ date = 2024-11-21, text = \"The army confirmed the delivery.\" }]\n",
    );
    site.build(&[]).success();
    let page = site.page(EN_PAGE);
    // One box, labelled by its heading, oldest entry first, each dated with <time>.
    assert_eq!(
        attrs(&page, "aside#corrections", "aria-labelledby"),
        ["notes-heading"]
    );
    assert_eq!(texts(&page, "#notes-heading"), ["Corrections and updates"]);
    assert_eq!(
        texts(&page, "#corrections .note__label"),
        ["Update", "Correction"]
    );
    assert_eq!(
        attrs(&page, "#corrections time", "datetime"),
        ["2024-11-21", "2024-11-23T10:30:00+01:00"]
    );
    // Dates written as the theme writes them elsewhere (en-GB).
    assert_eq!(
        texts(&page, "#corrections time"),
        ["21 November 2024", "23 November 2024"]
    );
    assert_eq!(
        texts(&page, ".note--correction .note__text"),
        ["The convoy came from Conakry, not Dakar."]
    );
    assert_eq!(
        attrs(&page, ".note--correction .note__text a", "href"),
        ["https://example.com/c"]
    );

    // Every machine-readable modified date follows the correction, the latest date, and so
    // does what the reader sees under the headline.
    let latest = "2024-11-23T10:30:00+01:00";
    assert_eq!(modified(&site), [latest, latest, latest, latest]);
    assert_eq!(attrs(&page, ".article__updated time", "datetime"), [latest]);
    assert_eq!(
        attrs(&page, "meta[property=\"article:modified_time\"]", "content"),
        [latest]
    );
    let ld = json_ld(&site, EN_PAGE);
    assert_eq!(
        ld["correction"],
        serde_json::json!([{
            "@type": "CorrectionComment",
            "text": "The convoy came from Conakry, not Dakar.",
            "datePublished": latest,
        }])
    );
}

#[test]
fn each_language_lists_its_corrections_newest_first_linked_from_every_footer() {
    let site = Site::sample();
    set_notes(
        &site,
        EN,
        "corrections = [\n  { date = 2024-11-21, text = \"First fix.\" },\n  { date = 2024-11-25, text = \"Third fix.\" },\n]\n\
         updates = [{ date = 2024-11-26, text = \"Not an error: not listed.\" }]\n",
    );
    site.write(
        "content/briefings/niger.en.md",
        "+++\ntitle = \"Niger closes a border post\"\ndate = 2024-11-22\ncorrections = [{ date = 2024-11-24, text = \"Second fix.\" }]\n+++\n\nText.\n",
    );
    set_notes(
        &site,
        AR,
        "corrections = [{ date = 2024-11-22, text = \"تصحيح عن BTR-80.\" }]\n",
    );
    site.build(&[]).success();

    let en = site.page("en/corrections/index.html");
    assert_eq!(attrs(&en, "html", "lang"), ["en"]);
    assert_eq!(texts(&en, "h1"), ["Corrections"]);
    assert_eq!(
        texts(&en, ".corrections__item .note__text"),
        ["Third fix.", "Second fix.", "First fix."]
    );
    assert_eq!(
        attrs(&en, ".corrections__title a", "href"),
        [
            "/en/briefings/mali-russia-equipment/#corrections",
            "/en/briefings/niger/#corrections",
            "/en/briefings/mali-russia-equipment/#corrections",
        ]
    );
    assert_eq!(
        attrs(&en, ".corrections__item time", "datetime"),
        ["2024-11-25", "2024-11-24", "2024-11-21"]
    );
    assert!(!site
        .read("public/en/corrections/index.html")
        .contains("Not an error"));

    let ar = site.page("corrections/index.html");
    assert_eq!(attrs(&ar, "html", "dir"), ["rtl"]);
    assert_eq!(texts(&ar, "h1"), ["التصحيحات"]);
    assert_eq!(
        texts(&ar, ".corrections__title"),
        ["مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"]
    );
    assert_eq!(
        attrs(&ar, ".corrections__title a", "href"),
        ["/briefings/mali-russia-equipment/#corrections"]
    );

    // The footer of every page links its language's corrections page.
    for (page, link) in [
        ("index.html", "/corrections/"),
        (AR_PAGE, "/corrections/"),
        ("en/index.html", "/en/corrections/"),
        (EN_PAGE, "/en/corrections/"),
        ("en/search/index.html", "/en/corrections/"),
    ] {
        let doc = site.page(page);
        assert_eq!(
            attrs(&doc, ".site-footer__corrections a", "href"),
            [link],
            "{page}"
        );
    }
    let sitemap = site.read("public/sitemap.xml");
    for url in [
        "https://example.org/corrections/",
        "https://example.org/en/corrections/",
    ] {
        assert!(sitemap.contains(&format!("<loc>{url}</loc>")), "{url}: {sitemap}");
    }
}

#[test]
fn a_language_without_corrections_has_a_page_that_says_so() {
    let site = Site::sample();
    set_notes(&site, EN, "");
    site.build(&[]).success();
    let en = site.page("en/corrections/index.html");
    assert_eq!(texts(&en, ".empty"), ["No corrections so far."]);
    assert!(en.select(&sel(".corrections__item")).next().is_none());
}

#[test]
fn an_arabic_box_is_right_to_left_with_its_english_names_isolated() {
    let site = Site::sample();
    set_notes(
        &site,
        AR,
        "corrections = [{ date = 2024-11-21, text = \"الصحيح أنها ناقلات BTR-82A وليست BTR-80.\" }]\n",
    );
    site.build(&[]).success();
    let page = site.page(AR_PAGE);
    assert_eq!(attrs(&page, "html", "dir"), ["rtl"]);
    assert_eq!(texts(&page, "#notes-heading"), ["تصحيحات وتحديثات"]);
    assert_eq!(texts(&page, ".note__label"), ["تصحيح"]);
    // Nothing in the box turns it left to right.
    assert!(attrs(&page, "#corrections, #corrections *", "dir")
        .iter()
        .all(|d| d != "ltr"));
    assert_eq!(
        texts(&page, "#corrections .note__text bdi"),
        ["BTR-82A", "BTR-80"]
    );
    // The date in Arabic digits, as the theme writes Arabic dates elsewhere.
    let date = texts(&page, "#corrections time");
    assert!(date[0].contains('٢') && date[0].contains("نوفمبر"), "{date:?}");
}

#[test]
fn wrong_entries_are_named_at_their_place_and_public_stays() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write(
        "content/briefings/x.en.md",
        "+++\ntitle = \"x\"\ndate = 2024-11-20\ncorrections = [\n  { date = 2024-11-21 },\n  { text = \"no date\" },\n  \"just text\",\n  { date = \"soon\", text = \"a\" },\n  { date = 2024-11-19, text = \"before\" },\n]\n+++\nbody\n",
    );
    site.write(
        "content/briefings/y.en.md",
        "---\ntitle: y\ndate: 2024-11-20\nupdates:\n  - date: 2024-11-21\n    text: fine\n  - date: 2024-11-22\n---\nbody\n",
    );
    let out = site.build(&[]).failure().code(1).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "content/briefings/x.en.md:5:3: error: the 1st correction has no `text`",
        "content/briefings/x.en.md:6:3: error: the 2nd correction has no `date`",
        "content/briefings/x.en.md:7:3: error: the 3rd correction is not a table of `date` and `text`",
        "content/briefings/x.en.md:8:3: error: the 4th correction's date \"soon\" is not a date",
        "content/briefings/x.en.md:9:3: error: the 5th correction is dated 2024-11-19, before the article itself (2024-11-20)",
        "content/briefings/y.en.md:7:3: error: the 2nd update has no `text`",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert!(stderr.contains("help: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        snapshot(&site.public()),
        before,
        "public/ changed after a failed build"
    );
}

#[test]
fn a_theme_without_the_template_builds_without_the_page_or_its_link() {
    let site = Site::sample();
    common::copy_dir(
        &site.root().join("themes/default"),
        &site.root().join("themes/bare"),
    );
    std::fs::remove_file(site.root().join("themes/bare/templates/corrections.html")).unwrap();
    let config = site
        .read("nashra.toml")
        .replace("theme = \"default\"", "theme = \"bare\"");
    site.write("nashra.toml", config);
    site.build(&[]).success();
    assert!(!site.public().join("en/corrections").exists());
    assert!(site
        .page("en/index.html")
        .select(&sel(".site-footer__corrections"))
        .next()
        .is_none());
    assert!(!site.read("public/sitemap.xml").contains("/corrections/"));
    // The article's box is the article template's, and still shows.
    assert_eq!(texts(&site.page(EN_PAGE), ".note__label").len(), 2);
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}
