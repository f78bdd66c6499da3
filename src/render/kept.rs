//! What a build carries over from the previous output instead of making it again: a page
//! the page store knows under its job's key, and the whole search bundle when it would be
//! made from the same records ([`cache::pages`]).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::cache::pages::{self, Page, Part};
use crate::cache::{self, Store};
use crate::error::{collect_all, Result};
use crate::output::{Output, Stage};
use crate::search::{self, EntryLine, Record};

/// The build cache as rendering uses it.
pub struct Caches {
    /// Which pages of the previous output can be kept, and its search bundle.
    pub pages: Store,
    /// Article pages' search records.
    pub search: Store,
    /// Photos' encoded files.
    pub images: crate::media::library::Cache,
}

/// An article page for the search index: which job made it, its output path, the key of its
/// record, the language the record is indexed in (`None`: it has nothing to index), and the
/// record; `None` for a kept page, whose record is read from the cache only if its
/// language's part of the bundle has to be made.
pub struct Indexed {
    pub job: usize,
    pub path: String,
    pub key: cache::Key,
    pub lang: Option<String>,
    pub record: Option<Option<Record>>,
}

/// Carries the page at `path` over from the previous output if the page store has it at
/// `key` and, for a page that is `indexed`, the search store has its record: its entry if
/// it did.
pub fn page(
    path: &str,
    key: cache::Key,
    indexed: bool,
    cache: &Caches,
    stage: &Stage,
) -> Result<Option<Page>> {
    let Some(page) = cache.pages.get(key).and_then(|b| Page::decode(&b)) else {
        return Ok(None);
    };
    // Looked up now, so that it is kept for the next build even when this one needs it not.
    if indexed
        && page
            .search
            .as_ref()
            .is_none_or(|(k, _)| cache.search.get(*k).is_none())
    {
        return Ok(None);
    }
    Ok(stage.keep(path, page.digest)?.then_some(page))
}

/// Remembers that the page at `key` was written with bytes that hash to `digest`, and where
/// its search record is.
pub fn remember(cache: &Caches, key: cache::Key, digest: u128, indexed: Option<&Indexed>) {
    let search = indexed.map(|i| (i.key, i.lang.clone()));
    cache.pages.put(key, &Page { digest, search }.encode());
}

/// Puts the search bundle of `indexed` into `stage` and returns its files' paths. Each
/// language's part is carried over whole when the cache knows the previous output has it as
/// these records make it, else made from the records: those of kept pages are read from the
/// cache, and `reread` reads again the pages (by job) whose records it lost.
pub fn bundle(
    indexed: Vec<Indexed>,
    cache: &Caches,
    stage: &Stage,
    reread: impl Fn(&[usize]) -> Result<Vec<(String, Option<Record>)>>,
) -> Result<Vec<String>> {
    let mut languages: BTreeMap<String, Vec<Indexed>> = BTreeMap::new();
    for page in indexed {
        if let Some(lang) = page.lang.clone() {
            languages.entry(lang).or_default().push(page);
        }
    }
    let mut paths = Vec::new();
    let mut lines: BTreeMap<String, EntryLine> = BTreeMap::new();
    let mut made = BTreeMap::new();
    for (lang, pages) in languages {
        let key = pages::bundle_key(&lang, pages.iter().map(|i| (i.path.as_str(), i.key)));
        if let Some(part) = cache.pages.get(key).and_then(|b| Part::decode(&b)) {
            if stage.keep_all(&part.files)? {
                paths.extend(part.files.into_iter().map(|(path, _)| path));
                let page_count = usize::try_from(part.page_count).unwrap_or(usize::MAX);
                lines.insert(
                    lang,
                    EntryLine {
                        hash: part.hash,
                        page_count,
                    },
                );
                continue;
            }
        }
        made.insert(lang, (key, pages));
    }
    // One language at a time, so that only its records are in memory.
    for (lang, (key, pages)) in made {
        let (mut records, mut lost, mut stored) = (Vec::new(), Vec::new(), HashMap::new());
        // Read on every core: this is all a language's pages, and the cache decompresses.
        let read: Vec<_> = pages
            .into_par_iter()
            .map(|mut page| {
                let record = match page.record.take() {
                    Some(record) => (Some(record), false),
                    None => (search::cached_without_words(page.key, &cache.search), true),
                };
                (page, record)
            })
            .collect();
        for (page, (record, from_cache)) in read {
            if from_cache && record.is_some() {
                stored.insert(page.path.clone(), page.key);
            }
            match record {
                Some(Some(record)) => records.push((page.path, record)),
                Some(None) => {}
                None => lost.push(page.job),
            }
        }
        // A record read again has the language its entry said.
        let again = reread(&lost)?
            .into_iter()
            .filter_map(|(path, r)| Some((path, r?)));
        records.extend(again.filter(|(_, r)| r.lang == lang));
        if records.is_empty() {
            continue;
        }
        // The fragments are written before the words are merged, the rest once encoded.
        let mut files = Vec::new();
        let mut write = |outputs: Vec<Output>| -> Result<()> {
            let digests = collect_all(outputs.par_iter().map(|o| stage.put(o)).collect::<Vec<_>>())?;
            let written = outputs.into_iter().zip(digests);
            files.extend(written.filter_map(|(o, digest)| Some((o.path, digest?))));
            Ok(())
        };
        let (rest, line) = search::part(&lang, records, &cache.search, &stored, &mut write)?;
        write(rest)?;
        paths.extend(files.iter().map(|(path, _)| path.clone()));
        let part = Part {
            hash: line.hash.clone(),
            page_count: line.page_count as u64,
            files,
        };
        cache.pages.put(key, &part.encode());
        lines.insert(lang, line);
    }
    let lines = lines.iter().map(|(lang, line)| (lang.as_str(), line)).collect();
    paths.extend(stage.put_all_unless_same(search::shared_files(&lines)?)?);
    Ok(paths)
}
