//! End-to-end: with search on, `nashra watch` writes a save's pages first and the search index
//! after, made in the background; a newer save supersedes the index still being made.

mod common;

use common::{atomic_save, differences, snapshot, Running, Site};

const AR: &str = "content/briefings/mali-russia-equipment.ar.md";
const PAGE: &str = "briefings/mali-russia-equipment/index.html";
/// Arabic articles added to the sample, so that indexing Arabic takes a while (seconds in a
/// debug build, against milliseconds for the pages; more would risk the harness's 20 s wait
/// for the first build on a loaded 2-core machine).
const STORIES: usize = 120;

/// The sample site (search on) with [`STORIES`] more Arabic articles, each with the body of
/// the sample's Arabic article.
fn big_site() -> Site {
    let site = Site::sample();
    let text = site.read(AR);
    let body = text.split("+++").nth(2).unwrap();
    for n in 0..STORIES {
        site.write(
            &format!("content/briefings/story-{n}.ar.md"),
            format!("+++\ntitle = \"خبر رقم {n}\"\ndate = 2024-11-19\n+++\n{body}"),
        );
    }
    site
}

/// The Arabic article's source with `word` put before its title.
fn retitled(source: &str, word: &str) -> String {
    let title = "title = \"مالي تتسلم";
    assert!(source.contains(title));
    source.replacen(title, &format!("title = \"{word} مالي تتسلم"), 1)
}

/// How `public/` differs from a clean build of the sources as they are now.
fn differences_from_clean(site: &Site) -> Vec<String> {
    differences(&snapshot(&site.public()), &site.clean_build(&[]))
}

#[test]
fn a_save_writes_its_page_before_the_search_index() {
    let site = big_site();
    let mut watch = Running::start(&site, "watch", &[]);
    atomic_save(&site, AR, &retitled(&site.read(AR), "عاجل"));

    let lines = watch.wait_for("Rebuilt");
    assert!(
        !lines.iter().any(|l| l.contains("Search index")),
        "the page comes first: {lines:?}"
    );
    let page = std::fs::read_to_string(site.public().join(PAGE)).unwrap();
    assert!(
        page.contains("عاجل مالي تتسلم"),
        "the page is written when it says so"
    );

    // The English translation's page names the Arabic title too, but in its translation box,
    // which is not indexed: its index data is the same, so only Arabic is indexed again.
    let lines = watch.wait_for("Search index updated");
    assert!(lines.last().unwrap().ends_with("(ar)"), "{lines:?}");
    let diff = differences_from_clean(&site);
    assert!(diff.is_empty(), "{diff:#?}");
}

#[test]
fn a_newer_save_supersedes_the_index_being_made() {
    let site = big_site();
    let source = site.read(AR);
    let mut watch = Running::start(&site, "watch", &[]);
    atomic_save(&site, AR, &retitled(&source, "أولا"));
    watch.wait_for("Rebuilt");
    // At once: the first save's index may still be in the making.
    atomic_save(&site, AR, &retitled(&source, "ثانيا"));
    watch.wait_for("Rebuilt");

    // The first index written after the second save is the second save's.
    watch.wait_for("Search index updated");
    let diff = differences_from_clean(&site);
    assert!(diff.is_empty(), "{diff:#?}");
}
