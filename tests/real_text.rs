//! End-to-end: articles as newsrooms write them. An embed's inline `<script>` goes into the
//! page as written (no `<bdi>`, no escaping) and stays out of the description, bare URLs
//! become isolated links with the punctuation after them left outside, quotes are set as each
//! language's `quotes` says, and `raw_html = false` shows raw HTML as text.

mod common;

use common::{attrs, Site};

const AR_SOURCE: &str = "content/briefings/real-text.ar.md";
const EN_SOURCE: &str = "content/briefings/real-text.en.md";
const AR: &str = "public/briefings/real-text/index.html";
const EN: &str = "public/en/briefings/real-text/index.html";

/// The embed's script: Latin a bidi pass would isolate, and `&&` and `<` an escape would spoil.
const SCRIPT: &str = "<script>if (window.a && a.b < 2) { embed(\"BMP-3\", 'x'); }</script>";

/// The sample site, unminified (so the script's bytes are the page's), with an Arabic article
/// and its English translation, Arabic quotes set as guillemets, and `extra` added to the
/// site's config.
fn site(extra: &str) -> Site {
    let site = Site::sample();
    let config = site
        .read("nashra.toml")
        .replace("minify = true", "minify = false")
        .replace("[languages.ar]\n", "[languages.ar]\nquotes = \"«»\"\n");
    site.write("nashra.toml", format!("{extra}\n{config}"));
    site.write(
        AR_SOURCE,
        format!(
            "+++\ntitle = \"تسجيل\"\ndate = 2024-11-21\n+++\n\n\
             قال المتحدث \"نعم\" في تسجيل {SCRIPT} نشره على https://example.org/mali، ثم انتهى.\n\n\
             فقرة ثانية.\n"
        ),
    );
    site.write(
        EN_SOURCE,
        format!(
            "+++\ntitle = \"Recording\"\ndate = 2024-11-21\n+++\n\n\
             The spokesman said \"yes\" -- it's final {SCRIPT} (see www.example.org/mali).\n"
        ),
    );
    site.build(&[]).success();
    site
}

/// Asserts that `page` holds each of `parts`.
fn holds(page: &str, parts: &[&str]) {
    for part in parts {
        assert!(page.contains(part), "{part} not in {page}");
    }
}

fn description(site: &Site, page: &str) -> String {
    let html = scraper::Html::parse_document(&site.read(page));
    attrs(&html, "meta[name=description]", "content").concat()
}

#[test]
fn scripts_pass_through_urls_link_and_quotes_follow_the_language() {
    let site = site("");
    let arabic: &[&str] = &[
        SCRIPT,
        "قال المتحدث «نعم» في تسجيل <script>",
        "نشره على <a href=\"https://example.org/mali\"><bdi>https://example.org/mali</bdi></a>، ثم انتهى.",
    ];
    let english: &[&str] = &[
        "The spokesman said “yes” – it’s final <script>if (window.a && a.b < 2) { embed(\"BMP-3\", 'x'); }</script> \
         (see <a href=\"http://www.example.org/mali\">www.example.org/mali</a>).",
    ];
    for (page, parts, want) in [
        (
            AR,
            arabic,
            "قال المتحدث «نعم» في تسجيل نشره على https://example.org/mali، ثم انتهى.",
        ),
        (
            EN,
            english,
            "The spokesman said “yes” – it’s final (see www.example.org/mali).",
        ),
    ] {
        holds(&site.read(page), parts);
        assert_eq!(description(&site, page), want);
    }
}

#[test]
fn raw_html_false_shows_the_script_as_text() {
    let site = site("raw_html = false");
    let page = site.read(AR);
    assert!(!page.contains("<script>if"), "{page}");
    holds(
        &page,
        &["تسجيل &lt;<bdi>script&gt;if (window.a &amp;&amp; a.b &lt; 2) { embed(\"BMP-3\", 'x'); }&lt;/script</bdi>&gt; نشره"],
    );
    assert!(
        description(&site, AR).contains("<script>if (window.a && a.b < 2)"),
        "{}",
        description(&site, AR)
    );
}

#[test]
fn a_bad_quotes_setting_is_an_error_at_its_line() {
    let site = Site::sample();
    site.write(
        "nashra.toml",
        site.read("nashra.toml")
            .replace("[languages.en]\n", "[languages.en]\nquotes = \"smart\"\n"),
    );
    let out = site.build(&[]).failure().get_output().stderr.clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("`quotes` = \"smart\" is not a way of writing quotes"),
        "{err}"
    );
    assert!(err.contains("\"curly\""), "{err}");
}
