//! What a build carries over from the previous output instead of making it again: a page
//! the page store knows under its job's key, and the whole search bundle when it would be
//! made from the same records ([`cache::pages`]).

use rayon::prelude::*;

use crate::cache::pages::{self, Files, Page};
use crate::cache::{self, Store};
use crate::error::{collect_all, Result};
use crate::output::Stage;
use crate::search::{self, Record};

/// The build cache as rendering uses it.
pub struct Caches {
    /// Which pages of the previous output can be kept, and its search bundle.
    pub pages: Store,
    /// Article pages' search records.
    pub search: Store,
}

/// An article page for the search index: which job made it, its output path, the key of its
/// record, and the record; `None` for a kept page, whose record is read from the cache only
/// if the bundle has to be made.
pub struct Indexed {
    pub job: usize,
    pub path: String,
    pub key: cache::Key,
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
    if indexed && page.search.is_none_or(|k| cache.search.get(k).is_none()) {
        return Ok(None);
    }
    Ok(stage.keep(path, page.digest)?.then_some(page))
}

/// Remembers that the page at `key` was written with bytes that hash to `digest`, and the
/// key of its search record.
pub fn remember(cache: &Caches, key: cache::Key, digest: u128, search: Option<cache::Key>) {
    cache.pages.put(key, &Page { digest, search }.encode());
}

/// Puts the search bundle of `indexed` into `stage` and returns its files' paths: carried over
/// whole when the cache knows the previous output has it as these records make it, else
/// made. The records of kept pages are read from the cache; `reread` reads again the pages
/// (by job) whose records it lost.
pub fn bundle(
    indexed: Vec<Indexed>,
    cache: &Caches,
    stage: &Stage,
    reread: impl Fn(&[usize]) -> Result<Vec<(String, Option<Record>)>>,
) -> Result<Vec<String>> {
    let key = pages::bundle_key(indexed.iter().map(|i| (i.path.as_str(), i.key)));
    if let Some(files) = cache.pages.get(key).and_then(|b| Files::decode(&b)) {
        if stage.keep_all(&files.0)? {
            return Ok(files.0.into_iter().map(|(path, _)| path).collect());
        }
    }
    let (mut records, mut lost) = (Vec::with_capacity(indexed.len()), Vec::new());
    for i in indexed {
        match i.record.or_else(|| search::cached(i.key, &cache.search)) {
            Some(record) => records.push((i.path, record)),
            None => lost.push(i.job),
        }
    }
    records.extend(reread(&lost)?);
    let mut index = search::Index::default();
    index.insert(records);
    let outputs = index.bundle()?;
    let digests = collect_all(outputs.par_iter().map(|o| stage.put(o)).collect::<Vec<_>>())?;
    let files: Vec<(String, u128)> = outputs
        .into_iter()
        .zip(digests)
        .filter_map(|(o, digest)| Some((o.path, digest?)))
        .collect();
    cache.pages.put(key, &Files(files.clone()).encode());
    Ok(files.into_iter().map(|(path, _)| path).collect())
}
