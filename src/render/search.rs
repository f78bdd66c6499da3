//! Rendered article pages → the Pagefind search bundle under `pagefind/`, built in process by
//! the `pagefind` crate from the HTML the renderer made (nothing is read back from disk), so
//! it is staged and swapped with every other output. Pagefind makes one index per `<html
//! lang>`, stems it with that language's Snowball stemmer, and ships the web assets and WASM
//! that search it in the browser.
//!
//! `pagefind-format.md` beside this file says what Pagefind 1.6 writes and what its browser
//! side reads, file by file, for the writer that is to replace the crate's indexer
//! ([search-scale]).
//!
//! Snowball's Arabic stemmer leaves some prefixes on: و or ف before ال (والنيجر stays
//! والنيجر, so "النيجر" never finds it), ل and ك before a word (لمالي), and the wasla ٱ.
//! Each page is indexed with those words also in their [`peel`]ed form, in a metadata field
//! Pagefind searches but never shows, so excerpts keep the text as written; the theme's
//! search script peels the query's words the same way.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use lol_html::{doc_text, element, end_tag, HtmlRewriter, Settings};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

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

/// Indexes `pages` (output path, rendered HTML) and returns the bundle's files.
pub fn bundle<'a>(pages: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Vec<Output>> {
    let mut index = Index::default();
    index.insert(pages, |html| html)?;
    index.bundle()
}

/// The pages a search bundle is made from, by language, with each language's part of the
/// bundle once made: watch keeps it between rebuilds, so an edit indexes again only its own
/// language. Pages are indexed in path order, whatever order they come in, so the same pages
/// always give the same bytes (a clean build and a watch rebuild alike).
///
/// Pagefind indexes one page at a time under a lock and compresses its files on one thread,
/// so each language gets an index of its own, built on a thread of its own, and the
/// languages' entry files are merged into one: the bundle is what one index of all the pages
/// would give, made in parallel.
///
/// Indexing a language of 10,000 pages takes tens of seconds, so watch does it in the
/// background: [`Index::start`] hands out a [`Work`] per changed language, holding its pages
/// as they are now (shared, not copied), and [`Index::finish`] takes the files back unless the
/// language changed again meanwhile. Until then [`Index::files`] gives the last files made.
#[derive(Default)]
pub struct Index<'a> {
    languages: BTreeMap<String, Language<'a>>,
}

#[derive(Default)]
struct Language<'a> {
    pages: BTreeMap<String, Arc<Page<'a>>>,
    /// Its files by name in the bundle as last made, maybe from pages since changed.
    files: Option<Files>,
    /// Counts the changes of `pages`, so work made from older pages is known.
    version: u64,
    /// The version `files` were made from.
    made: Option<u64>,
    /// Work handed out for the current version, and the flag that stops it.
    running: Option<Arc<AtomicBool>>,
}

impl Language<'_> {
    /// Its pages changed: its files are out of date, and work on the old pages is stopped.
    fn changed(&mut self) {
        self.version += 1;
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(stop) = self.running.take() {
            stop.store(true, Ordering::Relaxed);
        }
    }

    fn fresh(&self) -> bool {
        self.made == Some(self.version)
    }
}

impl Drop for Language<'_> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One language's index to make, from its pages as they were when it was handed out: runs
/// on any thread.
pub struct Work<'a> {
    lang: String,
    version: u64,
    pages: Vec<Arc<Page<'a>>>,
    stop: Arc<AtomicBool>,
}

/// What a [`Work`] made, for [`Index::finish`].
pub struct Made {
    /// The language indexed.
    pub lang: String,
    version: u64,
    /// `None` when the work was stopped, its pages having changed again.
    files: Result<Option<Files>>,
}

impl Work<'_> {
    /// Indexes the pages, stopping early once they are superseded. A panic in Pagefind is an
    /// error here, so the work always comes back and its language is not left waiting.
    pub fn run(self) -> Made {
        let indexed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            index(self.pages.iter().map(Arc::as_ref), &self.stop)
        }));
        let files = indexed.unwrap_or_else(|_| Err(failed("the indexer stopped".into()).into()));
        Made {
            lang: self.lang,
            version: self.version,
            files,
        }
    }
}

impl<'a> Index<'a> {
    /// Adds or replaces `pages` (output path, HTML); `keep` keeps the HTML (borrowed for a
    /// build, owned by watch). Returns whether any of them changed.
    pub fn insert<'p>(
        &mut self,
        pages: impl IntoIterator<Item = (&'p str, &'p [u8])>,
        keep: impl Fn(Cow<'p, str>) -> Cow<'a, str> + Sync,
    ) -> Result<bool> {
        let pages: Vec<(&str, &[u8])> = pages.into_iter().collect();
        // Reading is spread over every core; indexing only over the languages.
        let read: Vec<Page> = pages
            .into_par_iter()
            .map(|p| {
                let page = read(p)?;
                let html = keep(page.html);
                Ok(Page {
                    html,
                    path: page.path,
                    lang: page.lang,
                    forms: page.forms,
                })
            })
            .collect::<Result<_>>()?;
        let mut changed = false;
        for page in read {
            let old = self
                .languages
                .values_mut()
                .find_map(|l| l.pages.remove(&page.path));
            let same = old
                .as_ref()
                .is_some_and(|o| o.html == page.html && o.lang == page.lang);
            if let Some(old) = old.filter(|_| !same) {
                self.language(&old.lang).changed();
            }
            let language = self.language(&page.lang);
            if !same {
                language.changed();
                changed = true;
            }
            language.pages.insert(page.path.clone(), Arc::new(page));
        }
        Ok(changed)
    }

    /// Drops the pages whose path `live` refuses; returns whether there were any.
    pub fn retain(&mut self, live: impl Fn(&str) -> bool) -> bool {
        let mut dropped = false;
        for language in self.languages.values_mut() {
            let before = language.pages.len();
            language.pages.retain(|path, _| live(path));
            if language.pages.len() != before {
                language.changed();
                dropped = true;
            }
        }
        self.languages.retain(|_, l| !l.pages.is_empty());
        dropped
    }

    fn language(&mut self, lang: &str) -> &mut Language<'a> {
        self.languages.entry(lang.to_string()).or_default()
    }

    /// The bundle's files, indexing again (here and now) the languages whose pages changed,
    /// those handed out to work still running included.
    pub fn bundle(&mut self) -> Result<Vec<Output>> {
        for language in self.languages.values_mut().filter(|l| !l.fresh()) {
            language.stop();
        }
        let made: Vec<Result<Made>> = std::thread::scope(|scope| {
            let threads: Vec<_> = self
                .start()
                .into_iter()
                .map(|work| scope.spawn(|| work.run()))
                .collect();
            threads
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .map_err(|_| failed("the indexer stopped".into()).into())
                })
                .collect()
        });
        for made in made {
            self.finish(made?)?;
        }
        self.files()
    }

    /// The work that brings each language whose pages changed up to date, but for those
    /// already handed out since their last change.
    pub fn start(&mut self) -> Vec<Work<'a>> {
        let stale = self
            .languages
            .iter_mut()
            .filter(|(_, l)| !l.fresh() && l.running.is_none());
        stale
            .map(|(lang, l)| {
                let stop = Arc::new(AtomicBool::new(false));
                l.running = Some(Arc::clone(&stop));
                Work {
                    lang: lang.clone(),
                    version: l.version,
                    pages: l.pages.values().cloned().collect(),
                    stop,
                }
            })
            .collect()
    }

    /// Takes in what a [`Work`] made: true when its language is now up to date, false when
    /// its pages changed since it was handed out (what it made is dropped).
    pub fn finish(&mut self, made: Made) -> Result<bool> {
        let Some(language) = self.languages.get_mut(&made.lang) else {
            return Ok(false);
        };
        if made.version != language.version || language.running.is_none() {
            return Ok(false);
        }
        // Failed, it is handed out again by the next `start`.
        language.running = None;
        let Some(files) = made.files? else {
            return Ok(false);
        };
        language.files = Some(files);
        language.made = Some(made.version);
        Ok(true)
    }

    /// Whether a language's pages changed and no work for them was handed out.
    pub fn stale(&self) -> bool {
        self.languages.values().any(|l| !l.fresh() && l.running.is_none())
    }

    /// Whether work handed out has not come back.
    pub fn pending(&self) -> bool {
        self.languages.values().any(|l| l.running.is_some())
    }

    /// The bundle's files from each language's files as last made: a language never made yet
    /// is left out, one made from older pages gives its older index.
    pub fn files(&self) -> Result<Vec<Output>> {
        let made: Vec<&Files> = self.languages.values().filter_map(|l| l.files.as_ref()).collect();
        // With no pages, Pagefind still gives its scripts and an entry file with no language.
        let empty = match made.is_empty() {
            true => Some(index(std::iter::empty(), &AtomicBool::new(false))?.unwrap_or_default()),
            false => None,
        };
        let mut named: BTreeMap<&str, &[u8]> = BTreeMap::new();
        let mut entries = Vec::new();
        for files in made.into_iter().chain(&empty) {
            for (name, bytes) in files {
                if name == ENTRY {
                    entries.push(bytes.as_slice());
                } else {
                    named.entry(name).or_insert(bytes);
                }
            }
        }
        let entry = merged_entry(&entries)?;
        // The generic WASM is for languages without a stemmer of their own.
        let generic_used = entry["languages"]
            .as_object()
            .is_none_or(|langs| langs.values().any(|l| l.get("wasm").is_none_or(|w| w.is_null())));
        let entry = entry.to_string().into_bytes();
        named.insert(ENTRY, &entry);
        let files = named.into_iter().filter(|(name, _)| {
            !UNUSED.iter().any(|u| name.starts_with(u)) && (generic_used || *name != "wasm.unknown.pagefind")
        });
        Ok(files
            .map(|(name, bytes)| Output {
                path: format!("{BUNDLE}{name}"),
                content: Content::Bytes(bytes.to_vec()),
            })
            .collect())
    }
}

/// Files by name in the bundle.
type Files = Vec<(String, Vec<u8>)>;

/// The bundle's entry file, listing each language's index.
const ENTRY: &str = "pagefind-entry.json";

/// One Pagefind index of `pages`, all of one language: its files by name in the bundle;
/// `None` once `stop` is set, which is checked between pages.
fn index<'p, 'a: 'p>(pages: impl Iterator<Item = &'p Page<'a>>, stop: &AtomicBool) -> Result<Option<Files>> {
    // Pagefind resolves its (unused) default output folder against the working folder
    // and panics when there is none.
    std::env::current_dir().map_err(|e| failed(format!("no working folder: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| failed(format!("cannot start the indexer: {e}")))?;
    let files = runtime.block_on(async {
        let options = PagefindServiceConfig::builder().build();
        let mut index = PagefindIndex::new(Some(options)).map_err(|e| failed(e.to_string()))?;
        for page in pages {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            index
                .add_html_file(None, Some(page_url(&page.path)), page.with_forms())
                .await
                .map_err(|e| failed(e.to_string()).help(format!("while indexing /{}", page.path)))?;
        }
        index
            .get_files()
            .await
            .map(Some)
            .map_err(|e| failed(e.to_string()))
    })?;
    Ok(files.map(|files| {
        files
            .into_iter()
            .map(|f| {
                let name: Vec<_> = f.filename.iter().map(|c| c.to_string_lossy()).collect();
                (name.join("/"), f.contents)
            })
            .collect()
    }))
}

/// The languages' entry files as one: the first, with every other's languages added.
fn merged_entry(entries: &[&[u8]]) -> Result<serde_json::Value> {
    let mut merged = serde_json::Value::Null;
    for entry in entries {
        let entry: serde_json::Value = serde_json::from_slice(entry)
            .map_err(|e| failed(format!("Pagefind wrote an entry file that is not JSON: {e}")))?;
        match (merged["languages"].as_object_mut(), entry.get("languages")) {
            (Some(into), Some(serde_json::Value::Object(langs))) => into.extend(langs.clone()),
            _ => merged = entry,
        }
    }
    Ok(merged)
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

/// A page as the indexer reads it before handing it to Pagefind.
struct Page<'a> {
    path: String,
    html: Cow<'a, str>,
    /// `<html lang>`, lowercased as Pagefind does; `unknown`, Pagefind's name, when there is
    /// none. (Pagefind adds such pages to its largest language when there are others: here
    /// they are indexed on their own, but an article template sets `lang` on all or none.)
    lang: String,
    /// The [`peel`]ed forms of the words Pagefind indexes: those inside a
    /// `data-pagefind-body` element, or the whole `<body>` when there is none, and not under
    /// `data-pagefind-ignore`.
    forms: String,
}

impl Page<'_> {
    /// The page with its peeled forms in a metadata field (searched, never part of the
    /// excerpt) at the end of its `<body>`: before `</body>`, or at the end when the end
    /// tags were minified away.
    fn with_forms(&self) -> String {
        let html = self.html.as_ref();
        if self.forms.is_empty() {
            return html.to_string();
        }
        let at = html
            .as_bytes()
            .windows(7)
            .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
            .unwrap_or(html.len());
        let forms = &self.forms;
        format!(
            "{}<div data-pagefind-ignore data-pagefind-meta=\"{FORMS_FIELD}:{forms}\"></div>{}",
            &html[..at],
            &html[at..]
        )
    }
}

/// Reads a page's language and the peeled forms of its indexed words.
fn read<'a>((path, html): (&'a str, &'a [u8])) -> Result<Page<'a>> {
    #[derive(Default)]
    struct Text {
        lang: String,
        /// Open `data-pagefind-body` elements, and whether the page has any.
        marked: usize,
        has_marked: bool,
        /// Open ignored elements (`data-pagefind-ignore`, scripts, styles).
        ignored: usize,
        /// Text inside `data-pagefind-body`, and inside `<body>`.
        marked_text: String,
        body_text: String,
    }
    let html = String::from_utf8_lossy(html);
    let text = Rc::new(RefCell::new(Text::default()));
    let (t1, t2, t3) = (Rc::clone(&text), Rc::clone(&text), Rc::clone(&text));
    let settings = Settings::new()
        .append_element_content_handler(element!("html", move |el| {
            t2.borrow_mut().lang = el.get_attribute("lang").unwrap_or_default().to_lowercase();
            Ok(())
        }))
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
    let mut reader = HtmlRewriter::new(settings, |_: &[u8]| {});
    reader
        .write(html.as_bytes())
        .and_then(|()| reader.end())
        .map_err(|e| failed(e.to_string()).help(format!("while reading /{path}")))?;
    let text = text.take();
    let source = if text.has_marked {
        &text.marked_text
    } else {
        &text.body_text
    };
    Ok(Page {
        path: path.to_string(),
        forms: peeled_forms(source),
        lang: Some(text.lang)
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "unknown".into()),
        html,
    })
}

/// The distinct peeled forms of the words of `text`, space-separated, in order of first
/// appearance (so the same page always gives the same index).
pub fn peeled_forms(text: &str) -> String {
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
        let out = read(("a/index.html", html.as_bytes())).unwrap().with_forms();
        assert!(
            out.contains(r#"data-pagefind-meta="forms:النيجر"></div></body>"#),
            "{out}"
        );
    }

    #[test]
    fn an_edit_indexes_again_only_its_language() {
        let page = |lang: &str, word: &str| {
            format!("<html lang={lang}><body><article data-pagefind-body><h1>{word}</h1><p>{word} {word}</p></article></body></html>")
        };
        let (ar, en, ar2) = (page("ar", "والنيجر"), page("en", "Niger"), page("ar", "ومالي"));
        let mut index = Index::default();
        let first = [("ar/index.html", ar.as_bytes()), ("en/index.html", en.as_bytes())];
        assert!(index.insert(first, |h| h).unwrap());
        index.bundle().unwrap();
        assert!(!index.insert([("en/index.html", en.as_bytes())], |h| h).unwrap());
        assert!(index.insert([("ar/index.html", ar2.as_bytes())], |h| h).unwrap());
        assert!(!index.languages["ar"].fresh());
        assert!(index.languages["en"].fresh());
        let patched = index.bundle().unwrap();
        let clean = bundle([
            ("en/index.html", en.as_bytes()),
            ("ar/index.html", ar2.as_bytes()),
        ]);
        let paths = |files: &[Output]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&patched), paths(&clean.unwrap()));
        assert!(paths(&patched)
            .iter()
            .any(|p| p.starts_with("pagefind/index/ar_")));
        assert!(index.retain(|path| path.starts_with("en/")));
        assert!(!index.languages.contains_key("ar"));
    }

    #[test]
    fn no_pages_still_give_the_scripts() {
        let files = Index::default().bundle().unwrap();
        let file = |name: &str| files.iter().find(|f| f.path == format!("{BUNDLE}{name}"));
        assert!(file("pagefind.js").is_some());
        let Some(Content::Bytes(entry)) = file(ENTRY).map(|f| &f.content) else {
            panic!("no entry file")
        };
        let entry: serde_json::Value = serde_json::from_slice(entry).unwrap();
        assert_eq!(entry["languages"], serde_json::json!({}));
    }
}
