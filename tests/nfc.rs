//! End-to-end: names in either Unicode normalization form. A file named in decomposed form
//! (NFD, as some macOS tools write names) is the same name as its composed (NFC) twin: it
//! pairs with its translation, an `@/` link may name it in either form, its terms are the
//! same terms, and it writes the NFC URL. Two files that differ only in normalization clash,
//! and the error says so.

mod common;

use std::path::Path;

use common::{attrs, snapshot, texts, Site};
use percent_encoding::percent_decode_str;
use unicode_normalization::UnicodeNormalization;

/// "آمال-أخبار": alef with madda (U+0622) and alef with hamza above (U+0623), composed.
const AR_NFC: &str = "\u{622}\u{645}\u{627}\u{644}-\u{623}\u{62e}\u{628}\u{627}\u{631}";
/// The same name decomposed: alef + madda above (U+0653), alef + hamza above (U+0654).
const AR_NFD: &str = "\u{627}\u{653}\u{645}\u{627}\u{644}-\u{627}\u{654}\u{62e}\u{628}\u{627}\u{631}";
/// "café" composed, and decomposed (e + combining acute).
const LATIN_NFC: &str = "caf\u{e9}";
const LATIN_NFD: &str = "cafe\u{301}";

/// An article's front matter and a line of text.
fn article(title: &str, extra: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2024-11-21\n{extra}+++\n\nText.\n")
}

/// `href`s (or URLs) percent-decoded, as a reader's browser shows them.
fn decoded(urls: Vec<String>) -> Vec<String> {
    urls.iter()
        .map(|u| percent_decode_str(u).decode_utf8_lossy().into_owned())
        .collect()
}

/// What a failed run printed to stderr.
fn stderr(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.failure().code(1).get_output().stderr).into_owned()
}

/// Every path under `public/` is NFC: no decomposed mark (madda or hamza above, acute) in it.
fn assert_paths_nfc(site: &Site) {
    for path in snapshot(&site.public()).keys() {
        let path = path.to_string_lossy();
        assert!(
            !path.contains(['\u{653}', '\u{654}', '\u{301}']),
            "a decomposed name in public/: {path:?}"
        );
    }
}

#[test]
fn an_nfd_named_article_and_its_nfc_translation_are_a_pair_at_nfc_urls() {
    let site = Site::sample();
    // Arabic decomposed, its English translation composed; and the other way round in Latin.
    for (ar, en) in [(AR_NFD, AR_NFC), (LATIN_NFC, LATIN_NFD)] {
        site.write(&format!("content/briefings/{ar}.ar.md"), article("خبر", ""));
        site.write(&format!("content/briefings/{en}.en.md"), article("News", ""));
    }
    site.build(&[]).success();
    for name in [AR_NFC, LATIN_NFC] {
        let ar = site.page(&format!("briefings/{name}/index.html"));
        let en = site.page(&format!("en/briefings/{name}/index.html"));
        let (ar_path, en_path) = (format!("/briefings/{name}/"), format!("/en/briefings/{name}/"));
        // The language switcher and the hreflang alternates link the two.
        assert!(
            decoded(attrs(&ar, "a[hreflang=en]", "href")).contains(&en_path),
            "{name}"
        );
        assert!(
            decoded(attrs(&en, "a[hreflang=ar]", "href")).contains(&ar_path),
            "{name}"
        );
        let alternate = decoded(attrs(&ar, "link[rel=alternate][hreflang=en]", "href"));
        assert_eq!(alternate, [format!("https://example.org{en_path}")], "{name}");
        let alternate = decoded(attrs(&en, "link[rel=alternate][hreflang=ar]", "href"));
        assert_eq!(alternate, [format!("https://example.org{ar_path}")], "{name}");
    }
    assert_paths_nfc(&site);
}

#[test]
fn an_at_link_in_the_other_form_resolves() {
    let site = Site::sample();
    // A composed file linked in decomposed form (its heading too), and the other way round.
    site.write(
        &format!("content/briefings/{AR_NFC}.ar.md"),
        "+++\ntitle = \"خبر\"\ndate = 2024-11-21\n+++\n\n## أخبار\n\nنص.\n",
    );
    site.write(
        &format!("content/briefings/{LATIN_NFD}.ar.md"),
        article("مقهى", ""),
    );
    site.write(
        "content/briefings/note.ar.md",
        format!(
            "+++\ntitle = \"ملاحظة\"\ndate = 2024-11-21\n+++\n\n\
             [أ](@/briefings/{AR_NFD}.ar.md#\u{627}\u{654}\u{62e}\u{628}\u{627}\u{631}) \
             [ب](@/briefings/{LATIN_NFC}.ar.md)\n"
        ),
    );
    site.build(&[]).success();
    let hrefs = decoded(attrs(
        &site.page("briefings/note/index.html"),
        "article a[href]",
        "href",
    ));
    for expected in [
        format!("/briefings/{AR_NFC}/#\u{623}\u{62e}\u{628}\u{627}\u{631}"),
        format!("/briefings/{LATIN_NFC}/"),
    ] {
        assert!(hrefs.contains(&expected), "{expected:?} not in {hrefs:?}");
    }
}

#[test]
fn names_that_differ_only_in_normalization_clash_and_the_error_says_so() {
    for (keys, clash) in [
        // Same name, so the same translation key: two English versions of one article.
        (["", ""], "are both the `en` translation of"),
        // Told apart by their keys, they would still write one URL.
        (
            ["translation_key = \"one\"\n", "translation_key = \"two\"\n"],
            "would both be written to /en/briefings/",
        ),
    ] {
        let site = Site::sample();
        let files = [LATIN_NFC, LATIN_NFD].map(|n| format!("content/briefings/{n}.en.md"));
        for (file, key) in files.iter().zip(keys) {
            site.write(file, article("Coffee", key));
        }
        for command in ["build", "check"] {
            let err = stderr(site.run(command, &[]));
            assert!(err.contains(clash), "{command}: {err}");
            // Both files named as they are on disk, so the user can find them.
            for file in &files {
                assert!(err.contains(file.as_str()), "{command}: {file:?} not in {err}");
            }
            assert!(
                err.contains("differ only in Unicode normalization"),
                "{command}: {err}"
            );
        }
        assert!(!site.public().exists());
    }
}

#[test]
fn terms_written_in_nfd_and_nfc_are_one_term_named_in_nfc() {
    let site = Site::sample();
    // The decomposed spelling comes first (by file name), so it would name the term.
    site.write(
        "content/briefings/a-first.ar.md",
        article("أول", &format!("tags = [\"{AR_NFD}\"]\n")),
    );
    site.write(
        "content/briefings/b-second.ar.md",
        article("ثان", &format!("tags = [\"{AR_NFC}\"]\n")),
    );
    site.build(&[]).success();
    let term = site.page(&format!("tags/{AR_NFC}/index.html"));
    let listed = decoded(attrs(&term, "main a[href*='/briefings/']", "href"));
    for article in ["/briefings/a-first/", "/briefings/b-second/"] {
        assert!(listed.iter().any(|h| h == article), "{article} not in {listed:?}");
    }
    assert!(
        texts(&term, "h1").iter().any(|h| h.contains(AR_NFC)),
        "{:?}",
        texts(&term, "h1")
    );
    // One entry on the list of tags, in NFC.
    let tags = texts(&site.page("tags/index.html"), "main a");
    let named: Vec<&String> = tags
        .iter()
        .filter(|t| t.contains(AR_NFC) || t.contains(AR_NFD))
        .collect();
    assert_eq!(named.len(), 1, "{tags:?}");
    assert!(named[0].contains(AR_NFC), "{tags:?}");
    assert_paths_nfc(&site);
}

/// The sample site plus a section folder, a translated pair with terms, and a link between
/// them with an anchor, every name in the form `form` gives (the text as it is; the section
/// has no `_index`, so its title is the folder's name).
fn named_in(form: fn(&str) -> String) -> Site {
    let site = Site::sample();
    let (folder, name) = (form("\u{622}\u{631}\u{627}\u{621}"), form(AR_NFC));
    let terms = format!(
        "tags = [\"{}\"]\nregions = [\"{}\"]\n",
        form("\u{623}\u{645}\u{646}"),
        form(LATIN_NFC)
    );
    let anchor = form("\u{623}\u{62e}\u{628}\u{627}\u{631}-\u{627}\u{644}\u{64a}\u{648}\u{645}");
    let text = "## \u{623}\u{62e}\u{628}\u{627}\u{631} \u{627}\u{644}\u{64a}\u{648}\u{645}\n\n";
    site.write(
        &format!("content/{folder}/{name}.ar.md"),
        format!(
            "+++\ntitle = \"خبر\"\ndate = 2024-11-21\n{terms}+++\n\n{text}\
             [English](@/{folder}/{name}.en.md#{anchor})\n"
        ),
    );
    site.write(
        &format!("content/{folder}/{name}.en.md"),
        format!("+++\ntitle = \"News\"\ndate = 2024-11-21\n{terms}+++\n\n{text}Text.\n"),
    );
    site
}

#[test]
fn a_site_named_in_nfd_builds_byte_identical_to_its_nfc_twin() {
    let composed = named_in(|s| s.nfc().collect());
    let decomposed = named_in(|s| s.nfd().collect());
    assert!(decomposed
        .root()
        .join(format!("content/{}", "\u{627}\u{653}\u{631}\u{627}\u{621}"))
        .is_dir());
    composed.build(&[]).success();
    decomposed.build(&[]).success();
    let (a, b) = (snapshot(&composed.public()), snapshot(&decomposed.public()));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(&b[path] == bytes, "{} differs", path.display());
    }
    assert_paths_nfc(&decomposed);
}

#[test]
fn import_writes_an_nfc_name_and_replaces_a_decomposed_twin() {
    let site = Site::sample();
    let seed = format!("seeds/{LATIN_NFD}.en.txt");
    site.write(&seed, "Coffee in Bamako\n\nA story about coffee in Bamako.\n");
    site.run("import", &[&seed, "--date", "2024-11-21"]).success();
    let dir = site.root().join("content/briefings");
    let named = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("caf"))
            .collect()
    };
    assert_eq!(named(&dir), [format!("{LATIN_NFC}.en.md")]);
    site.build(&[]).success();
    // A tool renames the article to the decomposed form; importing again replaces that file
    // rather than writing a composed one beside it.
    std::fs::rename(
        dir.join(format!("{LATIN_NFC}.en.md")),
        dir.join(format!("{LATIN_NFD}.en.md")),
    )
    .unwrap();
    site.write(&seed, "Tea in Bamako\n\nA story about tea in Bamako.\n");
    site.run("import", &[&seed, "--force", "--date", "2024-11-21"])
        .success();
    assert_eq!(named(&dir), [format!("{LATIN_NFD}.en.md")]);
    assert!(site
        .read(&format!("content/briefings/{LATIN_NFD}.en.md"))
        .contains("Tea in Bamako"));
    site.build(&[]).success();
    let page = site.page(&format!("en/briefings/{LATIN_NFC}/index.html"));
    assert!(texts(&page, "h1").iter().any(|h| h.contains("Tea in Bamako")));
}
