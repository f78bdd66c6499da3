//! End-to-end: names in either Unicode normalization form. A file named in decomposed form
//! (NFD, as some macOS tools write names) is the same name as its composed (NFC) twin: it
//! pairs with its translation, an `@/` link may name it in either form, its terms are the
//! same terms, and it writes the NFC URL. Two files that differ only in normalization clash,
//! and the error says so. The same holds for static files (an image found and written under
//! its NFC name, asked for by it from every page), for `nashra new`, and for the names
//! `nashra.toml` gives.

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

/// A static file's bytes: copied as they are, so any bytes do.
const PICTURE: &[u8] = b"\x89PNG\r\n\x1a\nnot a real picture";

/// Unicode normalization forms, as the `fn` the helpers below take.
fn composed(s: &str) -> String {
    s.nfc().collect()
}
fn decomposed(s: &str) -> String {
    s.nfd().collect()
}

/// The sample site with `static/images/<name>.png`, the name in the form `file` gives, and an
/// article showing it (as its front matter `image`, and in its text by a relative path) and
/// linking to it, by the name in the form `reference` gives.
fn with_picture(file: fn(&str) -> String, reference: fn(&str) -> String) -> Site {
    let site = Site::sample();
    site.write(
        &format!("static/images/{}.png", file(AR_NFC)),
        common::chart(600, 400),
    );
    let name = reference(AR_NFC);
    site.write(
        "content/briefings/photo.ar.md",
        format!(
            "+++\ntitle = \"صورة\"\ndate = 2024-11-21\nimage = {{ src = \"/images/{name}.png\", alt = \"صورة\" }}\n+++\n\n\
             ![صورة](../../images/{name}.png) [الصورة](/images/{name}.png)\n"
        ),
    );
    site
}

#[test]
fn an_image_named_in_either_form_is_found_and_written_at_its_nfc_path() {
    let sites = [
        (decomposed as fn(&str) -> String, composed as fn(&str) -> String),
        (composed, decomposed),
        (decomposed, decomposed),
        (composed, composed),
    ]
    .map(|(file, reference)| with_picture(file, reference));
    for site in &sites {
        site.build(&[]).success();
        assert_paths_nfc(site);
        // The photo is published at its NFC path, processed, and resized beside it.
        let copied = site.public().join(format!("images/{AR_NFC}.png"));
        assert_eq!(image::image_dimensions(copied).unwrap(), (600, 400));
        // The page asks for the files by the names they were written under.
        let page = site.page("briefings/photo/index.html");
        let shown = decoded(attrs(&page, "img", "src"));
        assert_eq!(
            shown.len(),
            2,
            "the lead photo and the one in the text: {shown:?}"
        );
        for src in &shown {
            let name = src
                .strip_prefix(&format!("/images/{AR_NFC}-"))
                .unwrap_or_else(|| panic!("{src}"));
            assert!(name.ends_with(".png"), "{src}");
            let file = site.public().join(src.trim_start_matches('/'));
            assert!(file.is_file(), "{src} is not published");
        }
        let links = decoded(attrs(&page, "a[href*='images']", "href"));
        assert!(
            !links.is_empty() && links.iter().all(|l| *l == format!("/images/{AR_NFC}.png")),
            "{links:?}"
        );
        // It shares its social card, drawn over the photo.
        let og = decoded(attrs(&page, "meta[property='og:image']", "content"));
        assert_eq!(og, ["https://example.org/briefings/photo/card.jpg"]);
        assert!(site.public().join("briefings/photo/card.jpg").is_file());
    }
    // However the file and the references are written, the site is the same.
    let first = snapshot(&sites[0].public());
    for site in &sites[1..] {
        assert!(snapshot(&site.public()) == first, "the sites differ");
    }
}

#[test]
fn static_files_whose_names_differ_only_in_normalization_clash_and_the_error_says_so() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let files = [LATIN_NFC, LATIN_NFD].map(|n| format!("static/images/{n}.png"));
    for file in &files {
        site.write(file, PICTURE);
    }
    for command in ["build", "check"] {
        let err = stderr(site.run(command, &[]));
        // Both files named as they are on disk, so the user can find them.
        for file in &files {
            assert!(err.contains(file.as_str()), "{command}: {file:?} not in {err}");
        }
        assert!(
            err.contains("differ only in Unicode normalization"),
            "{command}: {err}"
        );
    }
    assert!(snapshot(&site.public()) == before, "public/ changed");
}

#[test]
fn a_site_static_file_overrides_the_themes_named_in_the_other_form() {
    let site = Site::sample();
    site.write(
        &format!("themes/default/static/images/{LATIN_NFC}.png"),
        "the theme's",
    );
    site.write(&format!("static/images/{LATIN_NFD}.png"), "the site's");
    site.build(&[]).success();
    assert_eq!(site.read(&format!("public/images/{LATIN_NFC}.png")), "the site's");
    assert_paths_nfc(&site);
}

#[test]
fn new_in_a_section_named_in_nfd_writes_the_nfc_names() {
    let site = Site::sample();
    let section = "\u{622}\u{631}\u{627}\u{621}";
    common::nashra()
        .arg("new")
        .arg(format!("{}/{LATIN_NFD}", decomposed(section)))
        .args(["--lang", "en", "--root"])
        .arg(site.root())
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(site.root().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains('\u{631}'))
        .collect();
    assert_eq!(names, [section]);
    assert!(site
        .root()
        .join(format!("content/{section}/{LATIN_NFC}.en.md"))
        .is_file());
    site.build(&["--drafts"]).success();
    assert!(site
        .public()
        .join(format!("en/{section}/{LATIN_NFC}/index.html"))
        .is_file());
}

#[test]
fn term_names_in_nashra_toml_written_in_nfd_are_shown_in_nfc() {
    let site = Site::sample();
    // `[terms.tags]` is the last table of the sample's nashra.toml.
    let config = site.read("nashra.toml")
        + &format!(
            "hope = {{ ar = \"{}\", en = \"{}\" }}\n",
            decomposed(AR_NFC),
            decomposed(LATIN_NFC)
        );
    site.write("nashra.toml", config);
    site.write(
        "content/briefings/hope.ar.md",
        article("أمل", "tags = [\"hope\"]\n"),
    );
    site.write(
        "content/briefings/hope.en.md",
        article("Hope", "tags = [\"hope\"]\n"),
    );
    site.build(&[]).success();
    for (page, name) in [
        ("tags/hope/index.html", AR_NFC),
        ("en/tags/hope/index.html", LATIN_NFC),
    ] {
        let headings = texts(&site.page(page), "h1");
        assert!(headings.iter().any(|h| h.contains(name)), "{page}: {headings:?}");
    }
    // The article's own list of its terms too.
    let links = texts(&site.page("briefings/hope/index.html"), "a[href*='/tags/hope/']");
    assert!(links.iter().any(|l| l.contains(AR_NFC)), "{links:?}");
}

#[test]
fn the_seed_section_and_term_slugs_in_nashra_toml_may_be_written_in_nfd() {
    let site = Site::sample();
    let section = "\u{622}\u{631}\u{627}\u{621}";
    let config = site.read("nashra.toml").replace(
        "seed_section = \"briefings\"",
        &format!("seed_section = \"{}\"", decomposed(section)),
    ) + &format!("\"{}\" = {{ ar = \"أمل\", en = \"Hope\" }}\n", decomposed(AR_NFC));
    site.write("nashra.toml", config);
    site.write("seeds/opinion.ar.txt", "رأي في الأمل\n\nنص عن الأمل في باماكو.\n");
    site.write(
        "content/briefings/hope.ar.md",
        article("أمل", &format!("tags = [\"{AR_NFC}\"]\n")),
    );
    site.build(&[]).success();
    assert!(site
        .public()
        .join(format!("{section}/opinion/index.html"))
        .is_file());
    let term = site.page(&format!("tags/{AR_NFC}/index.html"));
    assert!(texts(&term, "h1").iter().any(|h| h.contains("أمل")));
    assert_paths_nfc(&site);
    site.run("import", &["seeds/opinion.ar.txt", "--date", "2024-11-21"])
        .success();
    assert!(site
        .root()
        .join(format!("content/{section}/opinion.ar.md"))
        .is_file());
}
