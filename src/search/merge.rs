//! A language's words merged across its pages, kept from one make of its index to the next
//! (watch keeps the [`Index`](super::Index) for the whole session): an edit takes the page's
//! old places out and puts its new ones in, and the chunks of the word index that hold none
//! of the words it touched are kept as they were encoded. Merging an Arabic index of 10,000
//! stories afresh took 0.5 s and encoding it 0.75 s of the 1.2–1.5 s from a save to a fresh
//! index. A page added or removed numbers the pages after it anew, so it merges afresh.
//! Each word keeps its places' bytes, copied out of the pages' records, so encoding a chunk
//! reads them in one run of memory: read from record after record, they missed the cache
//! and were a third of encoding.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::packed::{At, LocsRef, Words as Packed};
use super::page::Record;
use crate::error::Result;

/// A word of the whole language: the pages that have it as written without diacritics, and
/// each spelling with them, in the order the spellings first appear, page by page.
#[derive(Default)]
pub struct Word {
    pub own: Places,
    pub variants: Vec<(Box<str>, Places)>,
    /// What the word weighs toward a chunk's size: each page's places and markers, and one
    /// more, and one per spelling.
    size: usize,
}

/// A chunk of the word index as encoded: its words (first, last, how many), its name before
/// shortening (`lang_hash`) and its compressed bytes.
pub struct Chunk {
    pub first: Box<str>,
    pub last: Box<str>,
    pub words: usize,
    pub full: String,
    pub bytes: Vec<u8>,
}

/// The words a chunk is cut from: each with its places.
pub type Words<'m> = [(&'m str, &'m Word)];

/// A language's pages and their words merged, with the chunks last encoded from them.
#[derive(Default)]
pub struct Merge {
    /// The pages, by output path, in page order.
    pages: Vec<(String, Arc<Record>)>,
    words: BTreeMap<Box<str>, Word>,
    /// The words whose places changed since `chunks` were encoded: all of them when `None`.
    touched: Option<HashSet<Box<str>>>,
    /// The metadata fields `chunks` number fields by.
    fields: Vec<String>,
    chunks: Vec<Chunk>,
}

impl Merge {
    /// Brings the words up to `pages` (in page order): only the pages whose records changed
    /// are merged again when the pages are the same paths in the same order.
    pub fn update(&mut self, pages: Vec<(String, Arc<Record>)>) {
        let same_paths =
            self.pages.len() == pages.len() && self.pages.iter().zip(&pages).all(|(old, new)| old.0 == new.0);
        let old = std::mem::replace(&mut self.pages, pages);
        if !same_paths {
            // Words borrowed from the records cannot fail to be had.
            let words = merged(&mut self.pages, |(_, r)| Ok(Cow::Borrowed(&r.words)));
            self.words = words.unwrap_or_default();
            self.touched = None;
            return;
        }
        for (page, (old, new)) in old.iter().zip(&self.pages).enumerate() {
            if Arc::ptr_eq(&old.1, &new.1) || old.1 == new.1 {
                continue;
            }
            let page = page as u32;
            let mut changed = Changed {
                words: &mut self.words,
                touched: &mut self.touched,
                page,
            };
            changed.take_out(&old.1);
            changed.put_in(&new.1);
        }
    }

    /// The words of `pages` (in page order, as [`Self::update`] takes them) merged for one
    /// make of the index, as a build makes it: `words` gives each page's words, taken out of
    /// its record or read back from the build cache, and they are let go as soon as they are
    /// merged, so the pages' words and the merge's copy of their places are never all in
    /// memory (at 50,000 stories, an Arabic index's records held 0.35 GB of words, its merge
    /// 0.3 GB). Its pages are never updated, having no words to take out.
    pub fn once(
        mut pages: Vec<(String, Record)>,
        words: impl Fn(&str, &mut Record) -> Result<Packed> + Sync,
    ) -> Result<Self> {
        let words = merged(&mut pages, |(path, r)| words(path, r).map(Cow::Owned))?;
        let pages = pages.into_iter().map(|(path, r)| (path, Arc::new(r)));
        Ok(Merge {
            pages: pages.collect(),
            words,
            ..Merge::default()
        })
    }

    /// Each encoded chunk's bytes, copied, or moved out when this merge is about to be let go
    /// (`keep` false), as the files hold them next.
    pub fn chunks(&mut self, keep: bool) -> Vec<Vec<u8>> {
        let chunks = self.chunks.iter_mut();
        chunks
            .map(|c| match keep {
                true => c.bytes.clone(),
                false => std::mem::take(&mut c.bytes),
            })
            .collect()
    }

    /// The records, in page order.
    pub fn records(&self) -> impl ExactSizeIterator<Item = &Record> + Clone {
        self.pages.iter().map(|(_, r)| r.as_ref())
    }

    /// Every word in order, cut into chunks of about `size` places and markers.
    pub fn cut(&self, size: usize) -> Vec<Vec<(&str, &Word)>> {
        let mut chunks = Vec::new();
        let (mut chunk, mut total) = (Vec::new(), 0);
        for (word, places) in &self.words {
            chunk.push((&**word, places));
            total += places.size;
            if total >= size {
                chunks.push(std::mem::take(&mut chunk));
                total = 0;
            }
        }
        if !chunk.is_empty() {
            chunks.push(chunk);
        }
        chunks
    }

    /// The chunks are to be encoded numbering metadata fields as `fields` does: when that
    /// changed, no chunk encoded before is kept.
    pub fn number_fields(&mut self, fields: &[String]) {
        if self.fields != fields {
            self.fields = fields.to_vec();
            self.touched = None;
        }
    }

    /// The chunk encoded before from these very `words`, if no edit touched them since.
    pub fn kept(&self, words: &Words) -> Option<&Chunk> {
        let touched = self.touched.as_ref()?;
        let (first, last) = (words.first()?.0, words.last()?.0);
        let at = self.chunks.binary_search_by(|c| (*c.first).cmp(first)).ok()?;
        let chunk = &self.chunks[at];
        let same = *chunk.last == *last && chunk.words == words.len();
        (same && !words.iter().any(|(w, _)| touched.contains(*w))).then_some(chunk)
    }

    /// Keeps the chunks encoded from the words as they are now.
    pub fn keep(&mut self, chunks: Vec<Chunk>) {
        self.chunks = chunks;
        self.touched = Some(HashSet::new());
    }

    /// The chunks last encoded.
    pub fn encoded(&self) -> &[Chunk] {
        &self.chunks
    }
}

/// One page's words, changed: taken out as the page was and put in as it is.
struct Changed<'a> {
    words: &'a mut BTreeMap<Box<str>, Word>,
    touched: &'a mut Option<HashSet<Box<str>>>,
    page: u32,
}

impl Changed<'_> {
    fn touch(&mut self, word: &str) {
        if let Some(touched) = self.touched {
            touched.insert(word.into());
        }
    }

    fn take_out(&mut self, record: &Record) {
        let page = self.page;
        for entry in record.words.iter() {
            let Some(word) = self.words.get_mut(entry.word) else {
                continue;
            };
            let weight = |places: &mut Places, locs: LocsRef| match places.remove(page) {
                true => word_size(locs),
                false => 0,
            };
            let mut size = weight(&mut word.own, entry.own);
            for (form, locs, _) in entry.variants() {
                if let Some(variant) = word.variants.iter_mut().find(|(f, _)| **f == *form) {
                    size += weight(&mut variant.1, locs);
                }
            }
            let before = word.variants.len();
            word.variants.retain(|(_, places)| !places.is_empty());
            word.size -= size + (before - word.variants.len());
            word.order_variants();
            if word.own.is_empty() && word.variants.is_empty() {
                self.words.remove(entry.word);
            }
            self.touch(entry.word);
        }
    }

    fn put_in(&mut self, record: &Record) {
        let page = self.page;
        for entry in record.words.iter() {
            if !self.words.contains_key(entry.word) {
                self.words.insert(entry.word.into(), Word::default());
            }
            let Some(word) = self.words.get_mut(entry.word) else {
                continue;
            };
            if !entry.own.is_empty() {
                word.own.insert(page, entry.own_at, entry.own);
                word.size += word_size(entry.own);
            }
            for (form, locs, at) in entry.variants() {
                word.variant(form).insert(page, at, locs);
                word.size += word_size(locs);
            }
            word.order_variants();
            self.touch(entry.word);
        }
    }
}

impl Word {
    /// The places of the spelling `form`, added after the others when new.
    fn variant(&mut self, form: &str) -> &mut Places {
        let at = match self.variants.iter().position(|(f, _)| **f == *form) {
            Some(at) => at,
            None => {
                self.variants.push((form.into(), Places::default()));
                self.size += 1;
                self.variants.len() - 1
            }
        };
        &mut self.variants[at].1
    }

    /// Lets go of the room its places' buffers grew beyond what they hold.
    fn shrink(&mut self) {
        let places = std::iter::once(&mut self.own).chain(self.variants.iter_mut().map(|(_, p)| p));
        for places in places {
            places.pages.shrink_to_fit();
            places.bytes.shrink_to_fit();
        }
    }

    /// Puts its spellings in the order a merge afresh gives them: as they first appear, page
    /// by page, and in the order of that page's entry (where their places are in it).
    fn order_variants(&mut self) {
        self.variants.sort_by_key(|(_, places)| places.first());
    }

    /// What it weighs toward a chunk's size.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many pages have it, counted once per spelling they have it in.
    pub fn pages(&self) -> usize {
        let variants = self.variants.iter().map(|(_, p)| p.len());
        self.own.len() + variants.sum::<usize>()
    }
}

/// The pages that have a word in one spelling, in page order: each page's number, where its
/// places are in its record's words, and where they end in `bytes`, which holds each page's
/// places as packed, one page after another.
#[derive(Default)]
pub struct Places {
    pages: Vec<(u32, At, u32)>,
    bytes: Vec<u8>,
}

impl Places {
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The first page and where its places are in it.
    fn first(&self) -> Option<(u32, At)> {
        self.pages.first().map(|&(page, at, _)| (page, at))
    }

    /// Each page and its places.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Option<LocsRef<'_>>)> {
        let starts = std::iter::once(0).chain(self.pages.iter().map(|p| p.2));
        self.pages.iter().zip(starts).map(|(&(page, _, end), start)| {
            let raw = self.bytes.get(start as usize..end as usize).unwrap_or_default();
            (page, LocsRef::read(raw))
        })
    }

    /// Adds a page after the others.
    fn push(&mut self, page: u32, at: At, locs: LocsRef) {
        self.bytes.extend_from_slice(locs.raw());
        self.pages.push((page, at, self.end()));
    }

    fn end(&self) -> u32 {
        u32::try_from(self.bytes.len()).unwrap_or(u32::MAX)
    }

    /// Adds a page in its place among the others.
    fn insert(&mut self, page: u32, at: At, locs: LocsRef) {
        let i = self.pages.partition_point(|p| p.0 < page);
        let start = self.start(i);
        let raw = locs.raw();
        self.bytes
            .splice(start as usize..start as usize, raw.iter().copied());
        let len = raw.len() as u32;
        self.pages.insert(i, (page, at, start + len));
        for later in &mut self.pages[i + 1..] {
            later.2 += len;
        }
    }

    /// Takes a page out; whether it was in.
    fn remove(&mut self, page: u32) -> bool {
        let Ok(i) = self.pages.binary_search_by_key(&page, |p| p.0) else {
            return false;
        };
        let (start, end) = (self.start(i), self.pages[i].2);
        self.bytes.drain(start as usize..end as usize);
        self.pages.remove(i);
        for later in &mut self.pages[i..] {
            later.2 -= end - start;
        }
        true
    }

    /// Where the `i`th page's places start in `bytes`.
    fn start(&self, i: usize) -> u32 {
        match i {
            0 => 0,
            _ => self.pages[i - 1].2,
        }
    }

    /// `later`'s pages after these.
    fn extend(&mut self, later: Places) {
        let base = self.end();
        self.bytes.extend_from_slice(&later.bytes);
        let pages = later.pages.into_iter();
        self.pages
            .extend(pages.map(|(page, at, end)| (page, at, base + end)));
    }
}

/// What a page's places of a word weigh toward a chunk's size.
fn word_size(locs: LocsRef) -> usize {
    locs.text_len() + locs.meta_len() + 1
}

/// Every page's words merged, as `words` gives each page's (borrowed, or taken out of its
/// record to be let go once merged). Runs of pages are merged on all cores, then joined in
/// page order (a word's pages, and its spellings by first appearance, stay in order).
fn merged<P: Send>(
    pages: &mut [P],
    words: impl Fn(&mut P) -> Result<Cow<'_, Packed>> + Sync,
) -> Result<BTreeMap<Box<str>, Word>> {
    // One run a thread: each run's map holds every word it has once more.
    let run = pages.len().div_ceil(rayon::current_num_threads()).max(1);
    let merged = pages
        .par_chunks_mut(run)
        .enumerate()
        .map(|(i, pages)| -> Result<WordMap> {
            let mut map = WordMap::default();
            for (page, p) in pages.iter_mut().enumerate() {
                let words: Cow<Packed> = words(p)?;
                add(&mut map, (i * run + page) as u32, &words);
            }
            Ok(map)
        })
        .try_reduce(WordMap::default, |a, b| Ok(join(a, b)))?;
    let mut words: Vec<(Box<str>, Word)> = merged.into_iter().collect();
    words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Grown by doubling as pages were added, a word's places held a third more than they use.
    words.par_iter_mut().for_each(|(_, word)| word.shrink());
    Ok(words.into_iter().collect())
}

type WordMap = HashMap<Box<str>, Word, foldhash::fast::RandomState>;

fn add(map: &mut WordMap, page: u32, words: &Packed) {
    for entry in words.iter() {
        let word = match map.get_mut(entry.word) {
            Some(word) => word,
            None => map.entry(entry.word.into()).or_default(),
        };
        if !entry.own.is_empty() {
            word.own.push(page, entry.own_at, entry.own);
            word.size += word_size(entry.own);
        }
        for (form, locs, at) in entry.variants() {
            word.variant(form).push(page, at, locs);
            word.size += word_size(locs);
        }
    }
}

/// `later`'s pages after `earlier`'s.
fn join(mut earlier: WordMap, later: WordMap) -> WordMap {
    for (key, word) in later {
        match earlier.entry(key) {
            std::collections::hash_map::Entry::Vacant(slot) => _ = slot.insert(word),
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                let merged = slot.get_mut();
                merged.own.extend(word.own);
                merged.size += word.size - word.variants.len();
                for (form, places) in word.variants {
                    merged.variant(&form).extend(places);
                }
            }
        }
    }
    earlier
}
