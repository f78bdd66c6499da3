//! Rendered article pages → the Pagefind search bundle under `pagefind/`, written by nashra
//! itself in Pagefind 1.6's format (`pagefind-format.md` beside this file), so the browser
//! runs Pagefind's own script and WASM from the pinned crate. Each page is read once, on the
//! thread that rendered it ([`read`] → a [`Record`] of its words and display data, and the
//! HTML is let go); a language's index is then only merging, sorting and encoding records.
//! Watch keeps the merge ([`merge`]), so an edit costs reading the changed pages, putting
//! their words in, and encoding the chunks they reach.
//!
//! Pages are read by Pagefind's own rules (text, weights, anchors, `data-pagefind-*`) and
//! their words split and stemmed as its indexer does, with one addition: Snowball's Arabic
//! stemmer leaves some prefixes on (و or ف before ال: والنيجر stays والنيجر, so "النيجر"
//! never finds it; ل and ك before a word, as in لمالي; the wasla ٱ), so such a word is also
//! indexed, at the same place, in its [`peel`]ed form. The theme's search script peels the
//! query's words the same way.

mod assets;
mod bundle;
mod merge;
mod packed;
mod page;
mod words;

pub use bundle::Language as EntryLine;
pub use page::Record;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_128;

use crate::cache::{self, Store};
use crate::error::{Diagnostic, Result};
use crate::output::{Content, Output};

/// The bundle's folder in the output.
pub const BUNDLE: &str = "pagefind/";

/// The build cache's store of page records.
pub const CACHE: &str = "search";

/// Reads a rendered page (output path, HTML) for the index: `None` when it has nothing to
/// index. Each thread keeps what it learnt of each language's words for the next page. A
/// record `cache` has for these very bytes at this path (from an earlier build by this same
/// nashra binary) is taken from there instead: reading is nine tenths of search's cost.
pub fn read(path: &str, html: &[u8], cache: &Store) -> Result<Option<Record>> {
    thread_local! {
        static SPLITTERS: RefCell<page::Splitters> = RefCell::default();
    }
    let key = cache.is_on().then(|| key(path, html));
    if let Some(record) = key.and_then(|key| cached(key, cache)) {
        return Ok(record);
    }
    let record = SPLITTERS.with_borrow_mut(|splitters| page::record(&page_url(path), html, splitters))?;
    if let Some(key) = key {
        if let Ok(bytes) = minicbor::to_vec(&record) {
            cache.put(key, &bytes);
        }
    }
    Ok(record)
}

/// The key in the build cache of the record of `html` at output `path`.
pub fn key(path: &str, html: &[u8]) -> cache::Key {
    cache::key(&[path.as_bytes(), html])
}

/// The record `cache` has at `key`, if any: what [`read`] made of the page at a build that
/// gave it that key.
pub fn cached(key: cache::Key, cache: &Store) -> Option<Option<Record>> {
    cache.get(key).and_then(|bytes| minicbor::decode(&bytes).ok())
}

/// The bundle of `pages` (output path, HTML).
pub fn bundle<'a>(pages: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Vec<Output>> {
    let pages: Vec<(&str, &[u8])> = pages.into_iter().collect();
    let records = pages
        .into_par_iter()
        .map(|(path, html)| Ok((path.to_string(), read(path, html, &Store::off())?)));
    let mut index = Index::default();
    index.insert(records.collect::<Result<Vec<_>>>()?);
    index.bundle()
}

/// The pages a search bundle is made from, by language, with each language's part of the
/// bundle once made: watch keeps it between rebuilds, so an edit indexes again only its own
/// language. Pages are numbered in path order, whatever order they come in, so the same pages
/// always give the same bytes (a clean build and a watch rebuild alike).
///
/// Watch makes a language's part in the background: [`Index::start`] hands out a [`Work`] per
/// changed language, holding its records as they are now (shared, not copied), and
/// [`Index::finish`] takes the files back unless the language changed again meanwhile. Until
/// then [`Index::files`] gives the last files made.
pub struct Index {
    languages: BTreeMap<String, Language>,
    /// The size of the word index's chunks ([`bundle::CHUNK`]; tests cut smaller ones).
    chunk: usize,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            languages: BTreeMap::new(),
            chunk: bundle::CHUNK,
        }
    }
}

#[derive(Default)]
struct Language {
    pages: BTreeMap<String, Arc<Record>>,
    /// Its part of the bundle as last made, maybe from pages since changed.
    files: Option<Part>,
    /// Counts the changes of `pages`, so work made from older pages is known.
    version: u64,
    /// The version `files` were made from.
    made: Option<u64>,
    /// Work handed out for the current version, and the flag that stops it.
    running: Option<Arc<AtomicBool>>,
    /// The pages' words as merged by the last work, which the next one updates: work still
    /// running, though stopped, holds it until it is done with it.
    merge: Arc<Mutex<merge::Merge>>,
}

impl Language {
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

impl Drop for Language {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One language's index to make, from its pages as they were when it was handed out: runs
/// on any thread.
pub struct Work {
    lang: String,
    version: u64,
    pages: Vec<(String, Arc<Record>)>,
    merge: Arc<Mutex<merge::Merge>>,
    chunk: usize,
    stop: Arc<AtomicBool>,
}

/// What a [`Work`] made, for [`Index::finish`].
pub struct Made {
    /// The language indexed.
    pub lang: String,
    version: u64,
    /// `None` when the work was stopped, its pages having changed again.
    files: Result<Option<Part>>,
}

/// A language's part of the bundle: its files by name in the bundle, a hash of each (so watch
/// tells the files an edit changed without copying them all), and its line in the entry file.
struct Part {
    files: Files,
    hashes: Vec<u128>,
    line: bundle::Language,
}

impl Work {
    /// Makes the language's part of the bundle, stopping early once its pages are superseded.
    /// A panic is an error here, so the work always comes back and its language is not left
    /// waiting.
    pub fn run(self) -> Made {
        let made = std::panic::catch_unwind(AssertUnwindSafe(|| {
            // Work that panicked left the merge half done: the next starts afresh.
            let mut merge = self.merge.lock().unwrap_or_else(|poisoned| {
                self.merge.clear_poison();
                let mut merge = poisoned.into_inner();
                *merge = merge::Merge::default();
                merge
            });
            let made = bundle::language(&self.lang, self.pages, &mut merge, self.chunk, &self.stop)?;
            Ok(made.map(|(files, line)| Part {
                hashes: files.par_iter().map(|(_, bytes)| xxh3_128(bytes)).collect(),
                files,
                line,
            }))
        }));
        let files = made.unwrap_or_else(|_| Err(failed("the indexer stopped".into()).into()));
        Made {
            lang: self.lang,
            version: self.version,
            files,
        }
    }
}

impl Index {
    /// Adds, replaces or (given `None`, the page having nothing to index) drops pages by
    /// output path. Returns whether any of them changed.
    pub fn insert(&mut self, pages: impl IntoIterator<Item = (String, Option<Record>)>) -> bool {
        let mut changed = false;
        for (path, record) in pages {
            let old = self.languages.values_mut().find_map(|l| l.pages.remove(&path));
            let same = old.as_deref() == record.as_ref();
            if let Some(old) = old.filter(|_| !same) {
                self.language(&old.lang).changed();
            }
            let Some(record) = record else { continue };
            let language = self.language(&record.lang);
            if !same {
                language.changed();
                changed = true;
            }
            language.pages.insert(path, Arc::new(record));
        }
        self.languages.retain(|_, l| !l.pages.is_empty());
        changed
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

    fn language(&mut self, lang: &str) -> &mut Language {
        self.languages.entry(lang.to_string()).or_default()
    }

    /// The bundle's files, indexing again (here and now, see [`Self::make`]) the languages
    /// whose pages changed, those handed out to work still running included.
    pub fn bundle(&mut self) -> Result<Vec<Output>> {
        self.make()?;
        self.files()
    }

    /// Indexes again, here and now, every language whose pages changed: one after another,
    /// as each language's merge and encoding run on all cores already, and two side by side
    /// held both merges in memory at once (10,000 stories: 0.96 → 0.86 GB peak).
    pub fn make(&mut self) -> Result<()> {
        for language in self.languages.values_mut().filter(|l| !l.fresh()) {
            language.stop();
        }
        let made: Vec<Made> = self.start().into_iter().map(Work::run).collect();
        for made in made {
            self.finish(made)?;
        }
        Ok(())
    }

    /// The work that brings each language whose pages changed up to date, but for those
    /// already handed out since their last change.
    pub fn start(&mut self) -> Vec<Work> {
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
                    pages: l.pages.iter().map(|(p, r)| (p.clone(), Arc::clone(r))).collect(),
                    merge: Arc::clone(&l.merge),
                    chunk: self.chunk,
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
    /// is left out, one made from older pages gives its older index. The browser's scripts
    /// and each language's WASM come with them, and the entry file that lists the languages.
    pub fn files(&self) -> Result<Vec<Output>> {
        self.files_where(|_| true)
    }

    /// The files of [`Self::files`] whose path `wanted` takes.
    pub fn files_where(&self, wanted: impl Fn(&str) -> bool) -> Result<Vec<Output>> {
        let mut files = Vec::new();
        for part in self.made().values() {
            for (name, bytes) in &part.files {
                let path = format!("{BUNDLE}{name}");
                if wanted(&path) {
                    files.push(Output {
                        path,
                        content: Content::Bytes(bytes.clone()),
                    });
                }
            }
        }
        let shared = shared_files(&self.lines())?;
        files.extend(shared.into_iter().filter(|f| wanted(&f.path)));
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Each file of [`Self::files`] by path, with a hash of its bytes.
    pub fn hashes(&self) -> Result<BTreeMap<String, u128>> {
        let made = self.made().into_values();
        let own = made.flat_map(|p| p.files.iter().zip(&p.hashes));
        let mut hashes: BTreeMap<String, u128> = own
            .map(|((name, _), hash)| (format!("{BUNDLE}{name}"), *hash))
            .collect();
        for file in shared_files(&self.lines())? {
            if let Content::Bytes(bytes) = &file.content {
                hashes.insert(file.path, xxh3_128(bytes));
            }
        }
        Ok(hashes)
    }

    /// Each language's part as last made; a language never made yet is left out.
    fn made(&self) -> BTreeMap<&str, &Part> {
        let made = self.languages.iter();
        made.filter_map(|(lang, l)| Some((lang.as_str(), l.files.as_ref()?)))
            .collect()
    }

    fn lines(&self) -> BTreeMap<&str, &EntryLine> {
        let made = self.made().into_iter();
        made.map(|(lang, part)| (lang, &part.line)).collect()
    }
}

/// One language's part of the bundle made once, as a build makes it, from its pages'
/// records by output path: its files, and its line in the entry file. The fragments go to
/// `write` before the words are merged, and the words are let go as they are merged
/// ([`bundle::language_once`]). A page `stored` names had its record read from `cache`
/// without its words ([`cached_without_words`]): they are read back as they are merged, so
/// a build never holds a language's words and its merge at once (50,000 stories, cache on:
/// 1.69 → 1.58 GiB peak).
pub fn part(
    lang: &str,
    mut pages: Vec<(String, Record)>,
    cache: &Store,
    stored: &HashMap<String, cache::Key>,
    write: impl FnOnce(Vec<Output>) -> Result<()>,
) -> Result<(Vec<Output>, EntryLine)> {
    pages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let words = |path: &str, record: &mut Record| match stored.get(path) {
        Some(&key) => cache
            .get_own(key)
            .and_then(|(bytes, own)| {
                minicbor::decode_with::<_, page::RecordWords>(&bytes, &mut packed::Own(own)).ok()
            })
            .map(|r| r.words)
            .ok_or_else(|| {
                let lost = failed(format!(
                    "the build cache lost the search record of {path} while the index was made"
                ));
                lost.help("build again; if this happens again, delete the build cache (.nashra/cache)")
                    .into()
            }),
        None => Ok(std::mem::take(&mut record.words)),
    };
    let write = |files: Files| write(files.into_iter().map(output).collect());
    let (files, line) = bundle::language_once(lang, pages, bundle::CHUNK, words, write)?;
    Ok((files.into_iter().map(output).collect(), line))
}

/// A file of the bundle, by its name in the bundle, as an output.
fn output((name, bytes): (String, Vec<u8>)) -> Output {
    Output {
        path: format!("{BUNDLE}{name}"),
        content: Content::Bytes(bytes),
    }
}

/// [`cached`] with the record's words let go: [`part`] reads them back as it merges them.
pub fn cached_without_words(key: cache::Key, cache: &Store) -> Option<Option<Record>> {
    let bytes = cache.get(key)?;
    minicbor::decode_with(&bytes, &mut packed::WithoutWords).ok()
}

/// The files of a bundle besides its languages' own: the entry file that lists the
/// languages by their `lines`, the browser's scripts, and the WASM builds the languages need.
pub fn shared_files(lines: &BTreeMap<&str, &EntryLine>) -> Result<Vec<Output>> {
    let entry = Entry {
        version: bundle::VERSION,
        languages: lines
            .iter()
            .map(|(lang, line)| {
                let wasm = words::stemmer(lang).is_some().then_some(*lang);
                let line = EntryLanguage {
                    hash: &line.hash,
                    wasm,
                    page_count: line.page_count,
                };
                (*lang, line)
            })
            .collect(),
        include_characters: words::WORD_SYMBOLS,
    };
    // A language's own WASM build, or the generic one (`unknown`).
    let mut wasms: Vec<String> = entry
        .languages
        .values()
        .map(|l| l.wasm.unwrap_or("unknown").to_string())
        .collect();
    wasms.sort();
    wasms.dedup();
    let entry = serde_json::to_vec(&entry).map_err(|e| failed(e.to_string()))?;
    let assets = assets::get(&wasms)?;
    let named = assets.iter().cloned().chain([(ENTRY.to_string(), entry)]);
    Ok(named.map(output).collect())
}

/// `pagefind-entry.json`: what the browser reads first.
#[derive(Serialize)]
struct Entry<'a> {
    version: &'a str,
    languages: BTreeMap<&'a str, EntryLanguage<'a>>,
    include_characters: [char; 10],
}

#[derive(Serialize)]
struct EntryLanguage<'a> {
    hash: &'a str,
    wasm: Option<&'a str>,
    page_count: usize,
}

/// Files by name in the bundle.
type Files = Vec<(String, Vec<u8>)>;

/// The bundle's entry file, listing each language's index.
const ENTRY: &str = "pagefind-entry.json";

/// The URL a result links to: the page's folder from the site root, which the search script
/// prefixes with the base path it finds `pagefind.js` under.
fn page_url(path: &str) -> String {
    let dir = path.strip_suffix("index.html").unwrap_or(path);
    format!("/{}", crate::render::encode_path(dir))
}

fn failed(message: String) -> Diagnostic {
    Diagnostic::new(BUNDLE, format!("the search index could not be built: {message}"))
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

    fn page(lang: &str, word: &str) -> String {
        format!(
            "<html lang={lang}><body><nav>والسياسة</nav><article data-pagefind-body>\
             <h1>{word}</h1><p>{word} {word}</p></article></body></html>"
        )
    }

    fn records<'a>(pages: &[(&'a str, &'a str)]) -> Vec<(String, Option<Record>)> {
        let read = |(path, html): &(&str, &str)| {
            (
                path.to_string(),
                read(path, html.as_bytes(), &Store::off()).unwrap(),
            )
        };
        pages.iter().map(read).collect()
    }

    #[test]
    fn peeled_forms_are_indexed_where_the_word_is() {
        let record = read("a/index.html", page("ar", "والنيجر").as_bytes(), &Store::off())
            .unwrap()
            .unwrap();
        let stems: Vec<&str> = record.words.iter().map(|e| e.word).collect();
        let own = |word: &str| {
            let entry = record.words.iter().find(|e| e.word == word).unwrap();
            entry.own.text().collect::<Vec<_>>()
        };
        // The stemmer's word and the peeled one's, at the same three places; the navigation
        // is not indexed.
        assert!(stems.contains(&"والنيجر") && stems.contains(&"نيجر"), "{stems:?}");
        assert_eq!(own("والنيجر"), own("نيجر"));
        assert!(!stems.iter().any(|w| w.contains("سياس")), "{stems:?}");
    }

    #[test]
    fn an_edit_indexes_again_only_its_language() {
        let (ar, en, ar2) = (page("ar", "والنيجر"), page("en", "Niger"), page("ar", "ومالي"));
        let mut index = Index::default();
        assert!(index.insert(records(&[("ar/index.html", &ar), ("en/index.html", &en)])));
        index.bundle().unwrap();
        assert!(!index.insert(records(&[("en/index.html", &en)])));
        assert!(index.insert(records(&[("ar/index.html", &ar2)])));
        assert!(!index.languages["ar"].fresh());
        assert!(index.languages["en"].fresh());
        let patched = index.bundle().unwrap();
        let clean = bundle([
            ("en/index.html", en.as_bytes()),
            ("ar/index.html", ar2.as_bytes()),
        ])
        .unwrap();
        assert_eq!(patched, clean);
        let paths: Vec<&str> = patched.iter().map(|f| f.path.as_str()).collect();
        assert!(
            paths.iter().any(|p| p.starts_with("pagefind/index/ar_")),
            "{paths:?}"
        );
        assert!(index.retain(|path| path.starts_with("en/")));
        assert!(!index.languages.contains_key("ar"));
    }

    /// A page of `words` (indexes into a vocabulary with spellings that differ only in their
    /// marks, and prefixes the index peels), some in a metadata field of its own.
    fn vocabulary_page(lang: &str, words: &[usize], field: Option<usize>) -> String {
        const WORDS: [&str; 12] = [
            "مالي",
            "مَالي",
            "مالِي",
            "والنيجر",
            "النيجر",
            "باماكو",
            "بَاماكو",
            "لمالي",
            "Sahel",
            "sahel",
            "جيش",
            "الجيش",
        ];
        let text: Vec<&str> = words.iter().map(|&w| WORDS[w % WORDS.len()]).collect();
        let meta = field.map_or(String::new(), |f| {
            format!("<span data-pagefind-meta=\"f{f}\">{}</span>", text.join(" "))
        });
        format!(
            "<html lang={lang}><body><article data-pagefind-body><p>{}</p>{meta}</article></body></html>",
            text.join(" ")
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// The index an edit updates (its merge kept, chunks its words do not reach kept as
        /// encoded) is the index made afresh from the same pages, edit after edit.
        #[test]
        fn an_updated_index_is_the_index_made_afresh(
            chunk in 1usize..40,
            edits in proptest::collection::vec(
                (
                    0usize..6,
                    proptest::option::weighted(
                        0.85,
                        (proptest::collection::vec(0usize..24, 0..12), proptest::option::of(0usize..3)),
                    ),
                ),
                1..24,
            ),
        ) {
            let mut pages: BTreeMap<String, String> = BTreeMap::new();
            let mut index = Index { chunk, ..Index::default() };
            for (page, edit) in edits {
                let path = format!("p{page}/index.html");
                let lang = if page % 3 == 2 { "en" } else { "ar" };
                match edit {
                    Some((words, field)) => {
                        let html = vocabulary_page(lang, &words, field);
                        index.insert(records(&[(&path, &html)]));
                        pages.insert(path, html);
                    }
                    None => {
                        index.retain(|p| p != path);
                        pages.remove(&path);
                    }
                }
                let mut afresh = Index { chunk, ..Index::default() };
                let all: Vec<(&str, &str)> = pages.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
                afresh.insert(records(&all));
                proptest::prop_assert_eq!(index.bundle().unwrap(), afresh.bundle().unwrap());
            }
        }
    }

    /// Pages whose markup a reader can get wrong: elements never closed (a weight left open
    /// at the end of the page, a block cut off by its parent's end), a body inside an ignored
    /// element, bodies in bodies, text beside a body, excluded bodies, anchors in inline
    /// elements, metadata and filters from text and from attributes, headings' weights, tags
    /// named in capitals, and text after `</html>`.
    const HOSTILE: [&str; 9] = [
        "<html lang=AR><head><title>عنوان  الصفحة</title></head><body><nav>قائمة</nav><main>\
         <H1 id=\"t\" title=\"x\">والنيجر &amp; مالي</H1><P>نص <b>عريض<i>مائل</P>\
         <div data-pagefind-weight=\"3\">وزن <span>ثقيل</span></div><p data-pagefind-ignore>مخفي</p>\
         <p data-pagefind-ignore=\"all\">مستبعد <span data-pagefind-meta=\"m1\">لا</span></p>\
         <h2 id=\"s 2\">قسم</h2><p>F-16 و ‏#هاشتاغ @handle https://x.org/a?b=1</p>\
         <img src=\"/a.png\" alt=\"صورة\"><br><footer>تذييل</footer></main></body></html>",
        "<html lang=\"en\"><body><div><article data-pagefind-body><h3>Inner <em>title</em></h3>\
         <p>Body text with F-16s and C++</p><span data-pagefind-filter=\"tag\">alpha</span>\
         <span data-pagefind-filter=\"tag:beta, kind[data-k]\" data-k=\"kk\">x</span></article>\
         <p>outside</p><section data-pagefind-body>second body<h6>deep</h6></section></div>\
         <p data-pagefind-meta=\"image[src], title:Literal: with colon\" src=\"/i.png\">m</p></body></html>",
        "<html lang=\"en\"><body><p>unclosed <div>block <ul><li>one<li>two</ul>\
         <h4 data-pagefind-weight=\"0\">zero weight</h4><table><tr><td>cell<td>cell2</table>\
         <div data-pagefind-index-attrs=\"title,alt\" title=\"Titled.\" alt=\"Alt text\"></div>\
         <script>var x = \"<p>no</p>\";</script><textarea>raw <b>text</b></textarea>\
         <svg><text>svgtext</text><path/></svg>",
        "<html lang=\"ar\"><head><meta data-pagefind-default-meta=\"image:/d.png\"></head><body>\
         <h1></h1><h1>الثاني</h1><img src=\"b.jpg\" alt=\"ب\"><a id=\"x1\" href=\"#\">رابط \
         <span id=\"x2\">داخلي</span> نص</a><p data-pagefind-weight=\"2\">أ<span \
         data-pagefind-weight=\"0.5\">ب</span>ت</p><template>tpl</template><form><label>l</label>f</form>",
        "<html lang=\"en\"><body><div data-pagefind-ignore><h2 id=\"q\">x</h2><article \
         data-pagefind-body>body in ignored</article>tail</div><p data-pagefind-weight=\"4\">unclosed \
         weighted <b>bold",
        "<html lang=\"en\"><body><div data-pagefind-weight=\"2\"><h3>Head<div>inner <span id=\"sp\">anchored",
        "<html lang=\"en\"><body><div><p>a</div></p><span>b</span><h2>x<p>y</h2>z</p><ul><li>one</ul></li>",
        "<html lang=\"en\"><body><p>before</p><div data-pagefind-body>one<div>mid<section \
         data-pagefind-body>two</section>after</div></div><p>between</p><main data-pagefind-body>three\
         <h1 data-pagefind-weight=\"0.1\">w</h1></main><div data-pagefind-ignore=\"all\"><p \
         data-pagefind-body>excluded body</p></div>",
        "<html lang=\"en\"><body><h1><span>Nested</span> title</h1><p data-pagefind-filter=\"f\">filter \
         <em>val</em></p><p>x</p></body></html><p>after html</p>",
    ];

    /// A file of a bundle, as the JSON or CBOR it holds.
    fn gunzip(file: &[u8]) -> Vec<u8> {
        let size = file.len().checked_sub(4).map(|at| &file[at..]).unwrap();
        let mut out = vec![0; u32::from_le_bytes(size.try_into().unwrap()) as usize];
        let mut gz = libdeflater::Decompressor::new();
        let n = gz.gzip_decompress(file, &mut out).unwrap();
        out.truncate(n);
        out.strip_prefix(bundle::SIGNATURE).unwrap().to_vec()
    }

    /// The reader reads a page as Pagefind's own indexer (the pinned crate) reads it: what a
    /// result shows of each hostile page (its text, anchors, metadata and filters, and its
    /// word count) is the crate's to the byte.
    #[test]
    fn pages_are_read_as_the_pagefind_crate_reads_them() {
        let paths: Vec<String> = (0..HOSTILE.len()).map(|n| format!("p{n}/index.html")).collect();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        // A page an index, as the crate leaves out the pages without a body when another has one.
        let theirs = runtime.block_on(async {
            let mut files = Vec::new();
            for (path, html) in paths.iter().zip(HOSTILE) {
                let options = pagefind::options::PagefindServiceConfig::builder().build();
                let mut index = pagefind::api::PagefindIndex::new(Some(options)).unwrap();
                index
                    .add_html_file(Some(path.clone()), None, html.to_string())
                    .await
                    .unwrap();
                files.extend(index.get_files().await.unwrap());
            }
            files
        });
        let theirs: BTreeMap<String, String> = theirs
            .iter()
            .filter(|f| f.filename.starts_with("fragment"))
            .map(|f| {
                let json: serde_json::Value = serde_json::from_slice(&gunzip(&f.contents)).unwrap();
                (json["url"].as_str().unwrap().to_string(), json.to_string())
            })
            .collect();
        let ours: BTreeMap<String, String> = paths
            .iter()
            .zip(HOSTILE)
            .filter_map(|(path, html)| read(path, html.as_bytes(), &Store::off()).unwrap())
            .map(|record| {
                let json: serde_json::Value = serde_json::from_slice(&gunzip(&record.fragment)).unwrap();
                (json["url"].as_str().unwrap().to_string(), json.to_string())
            })
            .collect();
        assert_eq!(ours.len(), HOSTILE.len());
        for (url, fragment) in &theirs {
            assert_eq!(ours.get(url), Some(fragment), "{url}");
        }
        assert_eq!(ours, theirs);
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
