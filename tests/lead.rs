//! End-to-end: an article page reads its opening once. The standfirst above the body is a
//! summary written for it, never the body's own first paragraph again: not for a seed (built
//! as it is or imported), `nashra init`'s welcome article, an article begun with `nashra new`,
//! nor a front matter summary that only repeats the opening. Lists, feeds and `<meta>` still
//! carry the summary taken from the body.

mod common;

use std::fs;
use std::path::Path;

use common::{attrs, nashra, texts, Site};
use scraper::Html;

/// White space folded, as a reader sees text.
fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of the first paragraph of an article's body.
fn opening(doc: &Html) -> String {
    let first = texts(doc, ".article__body > p").into_iter().next();
    let first = folded(&first.unwrap_or_default());
    assert!(first.chars().count() > 40, "an opening paragraph: {first:?}");
    first
}

/// How often the article shows the first words of its opening paragraph, headline aside (a
/// seed without one takes its headline from the first sentence).
fn times_opening_shown(doc: &Html) -> usize {
    let lead = opening(doc);
    let start: Vec<&str> = lead.split(' ').take(6).collect();
    let start = start.join(" ");
    let article = folded(&texts(doc, "article.article").concat());
    let headline = folded(&texts(doc, "article.article h1").concat());
    let article = article.replacen(&headline, "", 1);
    article.matches(&start).count()
}

/// Asserts that an article page reads its opening once, without a standfirst, and describes
/// itself with that opening.
fn opening_shown_once(doc: &Html, page: &str) {
    assert_eq!(times_opening_shown(doc), 1, "{page}");
    assert_eq!(texts(doc, ".article__dek"), Vec::<String>::new(), "{page}");
    let lead = opening(doc);
    for (css, attr) in [
        ("meta[name=description]", "content"),
        ("meta[property='og:description']", "content"),
        ("meta[name='twitter:description']", "content"),
    ] {
        assert_eq!(attrs(doc, css, attr), [lead.as_str()], "{page}: {css}");
    }
}

fn page_at(root: &Path, rel: &str) -> Html {
    Html::parse_document(&fs::read_to_string(root.join("public").join(rel)).unwrap())
}

#[test]
fn a_seed_reads_its_opening_once_built_as_it_is_and_imported() {
    let site = Site::sample();
    for lang in ["ar", "en"] {
        fs::remove_file(
            site.root()
                .join(format!("content/briefings/mali-russia-equipment.{lang}.md")),
        )
        .unwrap();
    }
    let page = "briefings/mali-russia-equipment/index.html";
    site.build(&[]).success();
    let built = site.page(page);
    opening_shown_once(&built, "the seed built as it is");

    site.run("import", &["--date", "2024-11-20"]).success();
    let text = site.read("content/briefings/mali-russia-equipment.ar.md");
    let front: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
    assert!(!front.contains_key("summary"), "{text}");
    site.build(&[]).success();
    let imported = site.page(page);
    opening_shown_once(&imported, "the imported seed");
    // Its date aside (the seed has none: built as it is, it takes the file's time).
    for css in ["h1", ".article__body"] {
        assert_eq!(
            texts(&imported, css),
            texts(&built, css),
            "an imported seed reads as it did before"
        );
    }
}

#[test]
fn the_welcome_article_of_init_reads_its_opening_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    nashra().arg("init").arg(&dir).assert().success();
    nashra().args(["build", "--root"]).arg(&dir).assert().success();
    for page in ["briefings/welcome/index.html", "en/briefings/welcome/index.html"] {
        opening_shown_once(&page_at(&dir, page), page);
    }
}

#[test]
fn an_article_begun_with_new_reads_its_opening_once_and_lists_show_it() {
    let site = Site::sample();
    site.run("new", &["briefings/niger-vote", "--lang", "en"])
        .success();
    let file = "content/briefings/niger-vote.en.md";
    let lead = "Voters in Niger queued from dawn on Sunday to choose a new assembly, the first vote since the army took power.";
    site.write(
        file,
        format!(
            "{}{lead}\n\nTurnout figures are due on Tuesday.\n",
            site.read(file)
        ),
    );
    site.build(&["--drafts"]).success();
    let page = "en/briefings/niger-vote/index.html";
    let doc = site.page(page);
    assert_eq!(opening(&doc), lead);
    opening_shown_once(&doc, page);
    // Where it belongs, the summary taken from the body is still shown: the article's card
    // in its section's list, and its feed entry.
    let list = site.page("en/briefings/index.html");
    assert!(
        texts(&list, ".card__summary").iter().any(|s| folded(s) == lead),
        "{:?}",
        texts(&list, ".card__summary")
    );
    assert!(site.read("public/en/atom.xml").contains(lead));
}

#[test]
fn a_written_summary_is_the_standfirst_unless_it_repeats_the_opening() {
    let site = Site::sample();
    // No quote or apostrophe: English text gets typographic ones, the test's strings not.
    let lead = "The government of Chad reopened the border crossing at Adré on Monday after a week of closure, officials said.";
    let article = |summary: &str| {
        format!(
            "+++\ntitle = \"Border news\"\ndate = 2024-11-21\n{summary}+++\n\n{lead}\n\nTrucks were waiting on both sides.\n"
        )
    };
    let cases = [
        ("same", format!("summary = {lead:?}\n")),
        (
            "start",
            "summary = \"The government of Chad reopened the border crossing\"\n".into(),
        ),
        (
            "cut",
            "summary = \"The government of Chad reopened the border crossing at Adré on…\"\n".into(),
        ),
        ("more", String::new()),
    ];
    for (name, summary) in &cases {
        let mut text = article(summary);
        if *name == "more" {
            text = text.replace("\n\nTrucks", "\n\n<!-- more -->\n\nTrucks");
        }
        site.write(&format!("content/briefings/{name}.en.md"), text);
    }
    site.build(&[]).success();
    for (name, summary) in &cases {
        let page = format!("en/briefings/{name}/index.html");
        let doc = site.page(&page);
        assert_eq!(times_opening_shown(&doc), 1, "{page}");
        assert_eq!(texts(&doc, ".article__dek"), Vec::<String>::new(), "{page}");
        // `<meta>` carries the summary, written or taken from the body.
        let written = summary.split('"').nth(1).unwrap_or(lead);
        let described = attrs(&doc, "meta[name=description]", "content");
        assert_eq!(described, [written], "{page}");
    }
    // A summary of its own is the standfirst, above the body.
    let doc = site.page("en/briefings/mali-russia-equipment/index.html");
    let text = site.read("content/briefings/mali-russia-equipment.en.md");
    let front: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
    let summary = front["summary"].as_str().unwrap();
    assert!(!opening(&doc).starts_with(&summary[..20]));
    let dek: Vec<String> = texts(&doc, ".article__dek").iter().map(|s| folded(s)).collect();
    assert_eq!(dek, [summary]);
    assert_eq!(attrs(&doc, "meta[name=description]", "content"), [summary]);
}
