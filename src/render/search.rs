//! Rendered article pages → the Pagefind search bundle under `pagefind/`, built in process by
//! the `pagefind` crate from the HTML the renderer made (nothing is read back from disk), so
//! it is staged and swapped with every other output. Pagefind makes one index per `<html
//! lang>`, stems it with that language's Snowball stemmer, and ships the web assets and WASM
//! that search it in the browser.
//!
//! Snowball's Arabic stemmer leaves some prefixes on: و or ف before ال (والنيجر stays
//! والنيجر, so "النيجر" never finds it), ل and ك before a word (لمالي), and the wasla ٱ.
//! Each page is indexed with those words also in their [`peel`]ed form, in a metadata field
//! Pagefind searches but never shows, so excerpts keep the text as written; the theme's
//! search script peels the query's words the same way.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::ContentType;
use lol_html::{doc_text, element, end_tag, RewriteStrSettings};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::error::{Diagnostic, Result};
use crate::output::{Content, Output};

/// The bundle's folder in the output.
pub const BUNDLE: &str = "pagefind/";

/// Files Pagefind writes that our theme does not use: its ready-made interfaces (the theme
/// has its own page on the JS API) and the highlighter. `wasm.unknown.pagefind` goes too when
/// every language has a stemmer of its own.
const UNUSED: [&str; 4] = [
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
];

/// Indexes `pages` (output path, rendered HTML) and returns the bundle's files. The pages are
/// indexed in path order, whatever order they come in, so the same pages always give the
/// same bytes (a clean build and a watch rebuild alike).
pub fn bundle<'a>(pages: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Vec<Output>> {
    let mut pages: Vec<(&str, &[u8])> = pages.into_iter().collect();
    pages.sort_unstable_by_key(|p| p.0);
    // Pagefind resolves its (unused) default output folder against the working folder and
    // panics when there is none.
    std::env::current_dir().map_err(|e| failed(format!("no working folder: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| failed(format!("cannot start the indexer: {e}")))?;
    let files = runtime.block_on(async {
        let options = PagefindServiceConfig::builder().build();
        let mut index = PagefindIndex::new(Some(options)).map_err(|e| failed(e.to_string()))?;
        for (path, html) in pages {
            let html = with_peeled_forms(&String::from_utf8_lossy(html))
                .map_err(|e| failed(e.to_string()).help(format!("while reading /{path}")))?;
            index
                .add_html_file(None, Some(page_url(path)), html)
                .await
                .map_err(|e| failed(e.to_string()).help(format!("while indexing /{path}")))?;
        }
        index.get_files().await.map_err(|e| failed(e.to_string()))
    })?;
    let named = files.into_iter().map(|f| {
        let name: Vec<_> = f.filename.iter().map(|c| c.to_string_lossy()).collect();
        (name.join("/"), f.contents)
    });
    let named: Vec<(String, Vec<u8>)> = named.collect();
    // The generic WASM is for languages without a stemmer of their own.
    let generic_used = named
        .iter()
        .find(|(name, _)| name == "pagefind-entry.json")
        .and_then(|(_, entry)| serde_json::from_slice::<serde_json::Value>(entry).ok())
        .and_then(|entry| entry.get("languages")?.as_object().cloned())
        .is_none_or(|langs| langs.values().any(|l| l.get("wasm").is_none_or(|w| w.is_null())));
    let files = named.into_iter().filter(|(name, _)| {
        !UNUSED.iter().any(|u| name.starts_with(u)) && (generic_used || name != "wasm.unknown.pagefind")
    });
    let mut files: Vec<Output> = files
        .map(|(name, bytes)| Output {
            path: format!("{BUNDLE}{name}"),
            content: Content::Bytes(bytes),
        })
        .collect();
    files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The URL Pagefind gives a result: the page's folder from the site root, which the search
/// script prefixes with the base path it finds `pagefind.js` under.
fn page_url(path: &str) -> String {
    let dir = path.strip_suffix("index.html").unwrap_or(path);
    format!("/{}", super::encode_path(dir))
}

fn failed(message: String) -> Diagnostic {
    Diagnostic::new(BUNDLE, format!("the search index could not be built: {message}"))
}

/// The metadata field holding a page's peeled words.
const FORMS_FIELD: &str = "forms";

/// `html` with the [`peel`]ed forms of the words Pagefind indexes (those inside a
/// `data-pagefind-body` element, or the whole `<body>` when there is none, and not under
/// `data-pagefind-ignore`) added before `</body>` as a metadata field, which is searched
/// but not part of the excerpt.
fn with_peeled_forms(html: &str) -> std::result::Result<String, lol_html::errors::RewritingError> {
    #[derive(Default)]
    struct Text {
        /// Open `data-pagefind-body` elements, and whether the page has any.
        marked: usize,
        has_marked: bool,
        /// Open ignored elements (`data-pagefind-ignore`, scripts, styles).
        ignored: usize,
        /// Text inside `data-pagefind-body`, and inside `<body>`.
        marked_text: String,
        body_text: String,
    }
    let text = Rc::new(RefCell::new(Text::default()));
    let (t1, t2, t3) = (Rc::clone(&text), Rc::clone(&text), Rc::clone(&text));
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("*", move |el| {
            let mut t = t1.borrow_mut();
            // Elements separate words, whether or not the markup has spaces.
            t.marked_text.push(' ');
            t.body_text.push(' ');
            let marked = el.has_attribute("data-pagefind-body");
            let ignored = el.has_attribute("data-pagefind-ignore")
                || matches!(el.tag_name().as_str(), "script" | "style" | "template");
            if (marked || ignored) && el.can_have_content() {
                t.has_marked |= marked;
                t.marked += usize::from(marked);
                t.ignored += usize::from(ignored);
                let t = Rc::clone(&t1);
                el.on_end_tag(end_tag!(move |_| {
                    let mut t = t.borrow_mut();
                    t.marked -= usize::from(marked);
                    t.ignored -= usize::from(ignored);
                    Ok(())
                }))?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("body", move |el| {
            let t = Rc::clone(&t2);
            el.on_end_tag(end_tag!(move |end| {
                let t = t.borrow();
                let source = if t.has_marked {
                    &t.marked_text
                } else {
                    &t.body_text
                };
                let forms = peeled_forms(source);
                if !forms.is_empty() {
                    let div = format!(
                        "<div data-pagefind-ignore data-pagefind-meta=\"{FORMS_FIELD}:{forms}\"></div>"
                    );
                    end.before(&div, ContentType::Html);
                }
                Ok(())
            }))?;
            Ok(())
        }))
        .append_document_content_handler(doc_text!(move |chunk| {
            let mut t = t3.borrow_mut();
            if t.ignored == 0 {
                if t.marked > 0 {
                    t.marked_text.push_str(chunk.as_str());
                }
                t.body_text.push_str(chunk.as_str());
            }
            Ok(())
        }));
    lol_html::rewrite_str(html, settings)
}

/// The distinct peeled forms of the words of `text`, space-separated, in order of first
/// appearance (so the same page always gives the same index).
fn peeled_forms(text: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut forms = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric() && !is_tashkeel(c)) {
        if let Some(form) = peel(word) {
            if seen.insert(form.clone()) {
                forms.push(form);
            }
        }
    }
    forms.join(" ")
}

/// Arabic harakat, tanwin, shadda, sukun and the dagger alef: Pagefind drops them itself, and
/// so must the prefix checks here.
fn is_tashkeel(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// An Arabic word with the prefixes Snowball's stemmer keeps taken off, if it has any:
/// و/ف before ال (والنيجر → النيجر), then ل/ك before a word that does not start with ا or ل
/// (لمالي → مالي; لافروف, للجيش and كالمالي are left to the stemmer), with ٱ read as ا and
/// tashkeel dropped. Only words long enough to be more than a prefix are peeled. The search
/// page's script (`search.js`) peels query words by the same rules.
pub fn peel(word: &str) -> Option<String> {
    let plain: String = word
        .chars()
        .filter(|&c| !is_tashkeel(c))
        .map(|c| if c == '\u{0671}' { '\u{0627}' } else { c })
        .collect();
    let mut w = plain.as_str();
    if let Some(rest) = w.strip_prefix(['و', 'ف']) {
        let article = rest.starts_with("ال") && rest.chars().count() >= 4;
        let particle = rest.starts_with(['ل', 'ك']) && peelable(rest).is_some();
        if article || particle {
            w = rest;
        }
    }
    if let Some(rest) = peelable(w) {
        w = rest;
    }
    let wasla = word.contains('\u{0671}');
    (w.len() < plain.len() || wasla).then(|| w.to_string())
}

/// `word` without a leading ل or ك that Snowball would keep.
fn peelable(word: &str) -> Option<&str> {
    let rest = word.strip_prefix(['ل', 'ك'])?;
    (!rest.starts_with(['ا', 'ل']) && rest.chars().count() >= 3).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peels_the_prefixes_the_stemmer_keeps() {
        let cases = [
            ("والنيجر", Some("النيجر")),
            ("فالمالي", Some("المالي")),
            ("لمالي", Some("مالي")),
            ("كمالي", Some("مالي")),
            ("ولمالي", Some("مالي")),
            ("ٱلروسية", Some("الروسية")),
            ("وَالنِّيجَر", Some("النيجر")),
            // The stemmer's own work, or too short to be a prefix and a word.
            ("للجيش", None),
            ("كالمالي", None),
            ("لافروف", None),
            ("وروسيا", None),
            ("والي", None),
            ("كما", None),
            ("Mali", None),
        ];
        for (word, peeled) in cases {
            assert_eq!(peel(word).as_deref(), peeled, "{word}");
        }
    }

    #[test]
    fn forms_come_from_the_indexed_text_only() {
        let html = "<html lang=ar><body><nav>والسياسة</nav><article data-pagefind-body>\
            <p>بوركينا فاسو والنيجر</p><p data-pagefind-ignore>والاقتصاد</p></article></body></html>";
        let out = with_peeled_forms(html).unwrap();
        assert!(
            out.contains(r#"data-pagefind-meta="forms:النيجر"></div></body>"#),
            "{out}"
        );
    }
}
