//! The built search, end to end: `nashra build` on the sample site, then Pagefind's own
//! script and WASM (the bundle the build wrote) queried in Node through the search page's
//! script, served on loopback by the harness in tests/search/query.mjs.

mod common;

use common::{snapshot, Found, Query, Site};

const AR: &str = "/briefings/mali-russia-equipment/";
const EN: &str = "/en/briefings/mali-russia-equipment/";

/// Runs `queries` (language, query) against the bundle in `site`'s public/, through the
/// search page's script, for the first ten results of each.
fn search(site: &Site, queries: &[(&str, &str)]) -> Vec<Found> {
    let queries: Vec<Query> = queries
        .iter()
        .map(|&(lang, query)| Query {
            lang,
            query,
            raw: false,
            all: false,
        })
        .collect();
    common::search(&site.public(), None, &queries)
}

fn built() -> Site {
    let site = Site::sample();
    site.build(&[]).success();
    site
}

#[test]
fn the_seed_article_is_found_in_its_own_language() {
    let site = built();
    let queries = [
        ("ar", "مالي", AR),
        ("ar", "المالي", AR),
        ("ar", "والمالي", AR),
        ("ar", "ماليّ", AR),
        ("ar", "روسيا", AR),
        ("ar", "الروسية", AR),
        ("ar", "T-72B3", AR),
        ("en", "Mali", EN),
        ("en", "Russian", EN),
    ];
    let asked: Vec<(&str, &str)> = queries.iter().map(|(l, q, _)| (*l, *q)).collect();
    let found = search(&site, &asked);
    for ((lang, query, url), f) in queries.iter().zip(&found) {
        assert_eq!(f.urls, [*url], "{lang} {query:?} found {f:?}");
    }
    // Results carry the title, and an excerpt of the article with the match marked.
    assert_eq!(
        found[0].titles,
        ["مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"]
    );
    assert!(
        found[6].excerpts[0].contains("<mark>T-72B3</mark>"),
        "{:?}",
        found[6]
    );
    assert!(
        found[7].excerpts[0].contains("<mark>Mali</mark>"),
        "{:?}",
        found[7]
    );
    // Each language has its own index: no page of the other language, and nothing for a
    // word the site does not have.
    let other = search(
        &site,
        &[
            ("en", "مالي"),
            ("ar", "Russian"),
            ("ar", "ليبيا"),
            ("en", "Libya"),
        ],
    );
    for f in other {
        assert!(f.urls.is_empty(), "{f:?}");
    }
}

#[test]
fn a_headline_is_found_but_its_excerpt_does_not_open_with_it() {
    let site = built();
    // Words only the headlines have ("Mali receives new shipment of Russian military
    // equipment", "مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية").
    let asked = [
        ("en", "shipment", EN, "Mali receives new shipment"),
        ("ar", "تتسلم", AR, "مالي تتسلم دفعة جديدة"),
    ];
    for (lang, query, _, _) in asked {
        let body = site.read(&format!("content/briefings/mali-russia-equipment.{lang}.md"));
        let body = body.rsplit("+++").next().unwrap();
        assert!(!body.contains(query), "{query:?} is in the body too");
    }
    let queries: Vec<Query> = asked
        .iter()
        .map(|&(lang, query, _, _)| Query {
            lang,
            query,
            raw: false,
            all: false,
        })
        .collect();
    let found = common::search(&site.public(), None, &queries);
    for ((lang, query, url, headline), f) in asked.iter().zip(&found) {
        assert_eq!(f.urls, [*url], "{lang} {query:?} found {f:?}");
        // The result shows the headline as its title, so the text under it starts with the
        // article instead.
        assert!(f.titles[0].starts_with(headline), "{f:?}");
        let excerpt = f.excerpts[0].replace("<mark>", "").replace("</mark>", "");
        assert!(!excerpt.trim_start().starts_with(headline), "{f:?}");
        assert!(!f.contents[0].trim_start().starts_with(headline), "{f:?}");
        assert!(!excerpt.trim().is_empty(), "{f:?}");
    }
}

/// Arabic query variants against the seed article, each with what it tests. All are found;
/// a row that could not be made to pass would stay here, marked, with its reason.
const VARIANTS: &[(&str, &str)] = &[
    // Tashkeel and shadda: Pagefind drops combining marks on both sides.
    ("ماليّ", "shadda"),
    ("مَالِي", "fatha, kasra"),
    ("رُوسِيَا", "damma, kasra, fatha"),
    ("العَسْكَرِيَّة", "sukun, shadda"),
    // Alef forms: أ إ آ decompose to ا + hamza/madda, which Pagefind drops.
    ("افريقيا", "ا for أ (text: أفريقيا)"),
    ("إفريقيا", "إ for أ"),
    ("امال", "ا for آ (text: آمال)"),
    ("إستراتيجية", "إ for ا (text: الاستراتيجية)"),
    (
        "ٱلروسية",
        "ٱ wasla for ا: peeled (no decomposition, the stemmer keeps it)",
    ),
    // ى / ي and ة / ه: the Snowball stemmer folds them.
    ("مالى", "ى for ي"),
    ("علي", "ي for ى (text: على)"),
    ("العسكريه", "ه for ة"),
    ("روسيه", "ه for ة"),
    // Prefixes on مالي (text: مالي, ومالي, المالي).
    ("ومالي", "و"),
    ("فمالي", "ف"),
    ("بمالي", "ب"),
    ("كمالي", "ك: peeled (the stemmer keeps it)"),
    ("لمالي", "ل: peeled (the stemmer keeps it)"),
    ("المالي", "ال"),
    ("والمالي", "وال: peeled (the stemmer keeps و before ا)"),
    ("بالمالي", "بال"),
    ("كالمالي", "كال"),
    ("فالمالي", "فال: peeled"),
    ("للمالي", "لل"),
    // The text has only والنيجر and والاستقرار: found through the page's peeled forms.
    ("النيجر", "text وال…: index side, peeled forms"),
    ("نيجر", "text وال…, bare query"),
    ("الاستقرار", "text وال…"),
    // Digits: the stemmer reads Arabic-Indic digits as Latin (text: 2024).
    ("٢٠٢٤", "Arabic-Indic digits"),
    ("2024", "Latin digits"),
    // Latin model names inside Arabic text (some written وBTR-82A).
    ("T-72B3", "model name"),
    ("t-72b3", "lower case"),
    ("T72B3", "without the hyphen"),
    ("BMP-3", "model name"),
    ("BTR-82A", "model name after و"),
];

#[test]
fn arabic_query_variants_find_the_seed_article() {
    let site = built();
    let asked: Vec<(&str, &str)> = VARIANTS.iter().map(|(q, _)| ("ar", *q)).collect();
    let found = search(&site, &asked);
    let misses: Vec<String> = VARIANTS
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.urls != [AR])
        .map(|((q, why), f)| format!("{q} ({why}): {f:?}"))
        .collect();
    assert!(misses.is_empty(), "missed:\n{}", misses.join("\n"));
}

#[test]
fn the_bundle_is_written_with_the_site_and_is_the_same_every_build() {
    let a = built();
    let b = built();
    let bundle = |s: &Site| {
        let all = snapshot(&s.public());
        all.into_iter()
            .filter(|(p, _)| p.starts_with("pagefind"))
            .collect::<Vec<_>>()
    };
    let first = bundle(&a);
    assert!(first.iter().any(|(p, _)| p.ends_with("pagefind.js")));
    assert!(first.iter().any(|(p, _)| p.ends_with("wasm.ar.pagefind")));
    // The ready-made interfaces are left out; the theme has its own page.
    assert!(
        !first.iter().any(|(p, _)| p.to_string_lossy().contains("-ui")),
        "{first:?}"
    );
    assert_eq!(first, bundle(&b));
    // Each language has a search page.
    assert!(a.public().join("search/index.html").is_file());
    assert!(a.public().join("en/search/index.html").is_file());
}

#[test]
fn search_off_writes_no_bundle_and_no_search_page() {
    let site = Site::sample();
    let config = site.read("nashra.toml");
    assert!(config.contains("\nsearch = true"), "the sample site has search");
    // Off is the default.
    let off: String = config
        .lines()
        .filter(|l| !l.starts_with("search"))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("nashra.toml", off);
    site.build(&[]).success();
    assert!(!site.public().join("pagefind").exists());
    assert!(!site.public().join("search").exists());
    assert!(!site.read("public/index.html").contains("/search/"));
}
