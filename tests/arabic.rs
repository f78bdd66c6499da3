//! End-to-end: Arabic text as the built site writes it — left-to-right runs isolated in the
//! Arabic pages and nowhere else, readable anchors, and ASCII slugs when a site asks for them.

mod common;

use common::{attrs, Site};

const AR: &str = "briefings/mali-russia-equipment/index.html";
const EN: &str = "en/briefings/mali-russia-equipment/index.html";

/// The HTML of an element's inside, for every element `css` matches.
fn inner(doc: &scraper::Html, css: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(css).unwrap();
    doc.select(&selector).map(|e| e.inner_html()).collect()
}

#[test]
fn latin_runs_in_the_arabic_article_are_isolated_once() {
    let site = Site::sample();
    site.build(&[]).success();
    let page = site.page(AR);
    let body = inner(&page, ".article__body").join("");
    for run in ["T-72B3", "BMP-3", "BTR-82A", "Spartak", "Tigr", "Linza"] {
        assert_eq!(
            body.matches(&format!(">{run}</bdi>")).count(),
            1,
            "{run} is not isolated exactly once in: {body}"
        );
    }
    // The Arabic comma after a name and the conjunction before one stay outside.
    assert!(
        body.contains("<bdi class=\"nobreak\">T-72B3</bdi>، ومركبات"),
        "{body}"
    );
    assert!(
        body.contains("<bdi>Spartak</bdi> و<bdi>Tigr</bdi> و<bdi>Linza</bdi>."),
        "{body}"
    );
    // No isolate of the text holds Arabic letters or nests in another.
    let runs = inner(&page, ".article__body bdi");
    assert!(
        runs.iter()
            .all(|r| !r.contains("<bdi") && !r.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c))),
        "{runs:?}"
    );
    // The summary is isolated as well, in the article and on the lists.
    let summary = inner(&site.page("index.html"), "main").join("");
    assert!(summary.contains(">T-72B3</bdi>"), "{summary}");
}

#[test]
fn english_pages_isolate_only_arabic_runs() {
    let site = Site::sample();
    site.write(
        "content/briefings/mali-russia-equipment.en.md",
        site.read("content/briefings/mali-russia-equipment.en.md")
            .replacen("\n## ", "\nThe Arabic word مالي ٢٠٢٤ means Mali.\n\n## ", 1),
    );
    site.build(&[]).success();
    let body = inner(&site.page(EN), ".article__body").join("");
    assert!(
        body.contains("The Arabic word <bdi>مالي ٢٠٢٤</bdi> means Mali."),
        "{body}"
    );
    assert_eq!(body.matches("<bdi>").count(), 1, "{body}");
}

#[test]
fn anchors_stay_readable_arabic_and_unique() {
    let site = Site::sample();
    site.write(
        "content/briefings/mali-russia-equipment.ar.md",
        site.read("content/briefings/mali-russia-equipment.ar.md")
            + "\n## مُعَدّات روسية حديثة\n\nنص.\n\n## T-72B3 {#../../x}\n\nنص.\n",
    );
    site.build(&[]).success();
    let ids = attrs(&site.page(AR), ".article__body h2", "id");
    assert_eq!(
        ids,
        [
            "معدات-روسية-حديثة",
            "آمال-بتكرار-تجربة-بوركينا-فاسو",
            "شراكة-قد-تصبح-نموذجا",
            "معدات-روسية-حديثة-1",
            "x"
        ]
    );
    let source = site.read(&format!("public/{AR}"));
    assert!(source.contains("id=\"معدات-روسية-حديثة\""), "{source}");
    // Share links carry the headline percent-encoded in their query, as those services take it.
    let (before, share) = source.split_once("<section class=\"share\"").unwrap();
    let after = share.split_once("</section>").unwrap().1;
    assert!(
        !before.contains("%D9") && !after.contains("%D9"),
        "percent-encoded Arabic in the page source"
    );
}

#[test]
fn ascii_slugs_transliterate_every_path() {
    let site = Site::sample();
    site.write(
        "content/تقارير/تحليل-اليوم.ar.md",
        "+++\ntitle = \"تحليل\"\ndate = 2024-11-21\ntags = [\"أمن الساحل\"]\n+++\n\n## ما الجديد؟\n\nنص.\n",
    );
    site.write(
        "nashra.toml",
        format!("slugify = \"ascii\"\n{}", site.read("nashra.toml")),
    );
    site.build(&[]).success();
    let paths: Vec<String> = walkdir::WalkDir::new(site.public())
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            e.path()
                .strip_prefix(site.public())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let not_ascii: Vec<&String> = paths.iter().filter(|p| !p.is_ascii()).collect();
    assert!(not_ascii.is_empty(), "{not_ascii:?}");
    let report = paths
        .iter()
        .find(|p| p.ends_with("/index.html") && p.contains("tqryr"))
        .unwrap_or_else(|| panic!("no transliterated section folder in {paths:?}"));
    let ids = attrs(&site.page(report), "h2", "id");
    assert!(ids.iter().all(|id| id.is_ascii() && !id.is_empty()), "{ids:?}");
}

/// In headless Chromium, the seed paragraph shows each model name in its own left-to-right
/// order, a number after a name and a space with it ("Russia 40", as the bidi algorithm reads
/// it), and what follows one in the text (an Arabic comma, an Arabic word) stands to its
/// left, where a right-to-left reader goes on.
#[test]
fn chromium_keeps_model_names_in_logical_order() {
    let site = Site::sample();
    let rel = "content/briefings/mali-russia-equipment.ar.md";
    site.write(rel, site.read(rel) + "\nوأرسلت Russia 40 دبابة أخرى.\n");
    let (_server, addr) = common::Running::serve(&site);
    let url = format!("http://{addr}/briefings/mali-russia-equipment/");
    let words = [
        ("T-72B3", "،"),
        ("BMP-3", "،"),
        ("BTR-82A", "،"),
        ("Russia 40", " د"),
    ];
    let probes: Vec<String> = words.iter().map(|(w, next)| format!("{w}{next}")).collect();
    let mut args = vec![url.as_str(), "1280", "on"];
    args.extend(probes.iter().map(String::as_str));
    let found = common::browser("runs.mjs", &args);
    for ((word, _), f) in words.iter().zip(found["found"].as_array().expect("a list")) {
        let boxes = &f["at"][0];
        let x = |k: usize, side: usize| boxes[k][side].as_f64().expect("a box");
        let n = word.chars().count();
        assert!(
            (1..n).all(|k| x(k - 1, 0) < x(k, 0)),
            "{word} is not laid out left to right: {f}"
        );
        let last = boxes.as_array().map_or(0, Vec::len) - 1;
        assert!(
            x(last, 1) <= x(0, 0) + 0.5,
            "what follows {word} is not on its left: {f}"
        );
    }
}

/// Titles are running text too: isolated where a page shows them, left plain in `<title>`,
/// metadata and feeds, where markup would show as text.
#[test]
fn titles_are_isolated_where_shown_and_plain_in_metadata() {
    let site = Site::sample();
    let rel = "content/briefings/mali-russia-equipment.ar.md";
    site.write(
        rel,
        site.read(rel)
            .replacen("title = \"مالي تتسلم", "title = \"دبابات T-72B3: مالي تتسلم", 1),
    );
    site.build(&[]).success();
    let page = site.page(AR);
    assert_eq!(
        inner(&page, "h1.article__title"),
        ["دبابات <bdi class=\"nobreak\">T-72B3</bdi>: مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"]
    );
    let card = inner(&site.page("index.html"), ".card__title a").join("");
    assert!(card.contains("<bdi class=\"nobreak\">T-72B3</bdi>:"), "{card}");
    let title = common::texts(&page, "title").join("");
    assert!(title.starts_with("دبابات T-72B3: مالي"), "{title}");
    let og = attrs(&page, "meta[property='og:title']", "content").join("");
    assert!(og.starts_with("دبابات T-72B3: مالي"), "{og}");
    let feed: atom_syndication::Feed = site.read("public/atom.xml").parse().unwrap();
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert!(
        titles.contains(&"دبابات T-72B3: مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"),
        "{titles:?}"
    );
}
