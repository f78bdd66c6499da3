//! One language's [`Record`]s → its part of the bundle: the word index in chunks, the
//! filters, the metadata file the browser loads first, and a fragment per page, encoded as
//! Pagefind 1.6 encodes them (`pagefind-format.md` §2, §4, §5), so its own script and WASM
//! search them.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use std::cell::RefCell;

use libdeflater::{CompressionLvl, Compressor};
use minicbor::Encode;
use rayon::prelude::*;

use super::merge::{Chunk, Merge, Places, Words};
use super::packed::Words as Packed;
use super::page::{hash, Record};
use super::{failed, Files};
use crate::error::Result;

/// Pagefind's version, which the bundle's files carry.
pub const VERSION: &str = "1.6.0";

/// How many places (and markers) a chunk of the word index holds before the next begins:
/// Pagefind's size, so a query fetches chunks of the size its browser side expects.
pub const CHUNK: usize = 20_000;

/// Every compressed file starts with this inside its gzip, so the browser can tell a file a
/// server already decompressed from one it must.
pub const SIGNATURE: &[u8] = b"pagefind_dcd";

/// A language's part of the bundle, made from its pages in the order given (each by its
/// output path), with chunks of the word index of about `chunk` places ([`CHUNK`]): files by
/// name, and its line in the entry file. `merge` holds the pages as last made, and what of
/// them can be kept. `None` once `stop` is set.
pub fn language(
    lang: &str,
    pages: Vec<(String, Arc<Record>)>,
    merge: &mut Merge,
    chunk: usize,
    stop: &AtomicBool,
) -> Result<Option<(Files, Language)>> {
    merge.update(indexed(lang, pages)?);
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    files(lang, merge, chunk, None).map(Some)
}

/// [`language`] made once, as a build makes it: `words` gives each page's words, which are
/// let go as they are merged, and the chunks are moved into the files ([`Merge::once`]). The
/// fragments go to `write` first, named and out of the records, so a build never holds them
/// and the merge at once (a tenth of a language's records and merge at 50,000 stories).
pub fn language_once(
    lang: &str,
    pages: Vec<(String, Record)>,
    chunk: usize,
    words: impl Fn(&str, &mut Record) -> Result<Packed> + Sync,
    write: impl FnOnce(Files) -> Result<()>,
) -> Result<(Files, Language)> {
    let mut pages = indexed(lang, pages)?;
    let names = fragment_names(lang, pages.iter().map(|(_, r)| r));
    let fragments = names.iter().zip(&mut pages);
    write(
        fragments
            .map(|(name, (_, r))| (fragment_file(name), std::mem::take(&mut r.fragment)))
            .collect(),
    )?;
    files(lang, &mut Merge::once(pages, words)?, chunk, Some(names))
}

/// The pages a language indexes: when some mark their indexed part, those that do.
fn indexed<R: Borrow<Record>>(lang: &str, pages: Vec<(String, R)>) -> Result<Vec<(String, R)>> {
    let with_body = pages.iter().any(|(_, r)| r.borrow().has_body);
    let pages: Vec<(String, R)> = pages
        .into_iter()
        .filter(|(_, r)| r.borrow().has_body || !with_body)
        .collect();
    u32::try_from(pages.len()).map_err(|_| failed(format!("{lang} has too many pages to index")))?;
    Ok(pages)
}

/// The files of `merge`'s pages. With the names of its fragments `written` already, the
/// merge is let go next, so its chunks are moved into the files; else it is kept for the next
/// edit, and its fragments are among the files.
fn files(
    lang: &str,
    merge: &mut Merge,
    chunk: usize,
    written: Option<Vec<String>>,
) -> Result<(Files, Language)> {
    // Metadata fields as the language numbers them, and each page's in those numbers.
    let global: BTreeSet<&str> = merge
        .records()
        .flat_map(|r| r.meta_fields.iter().map(String::as_str))
        .collect();
    let global: Vec<String> = global.into_iter().map(str::to_string).collect();
    let number = |f: &String| u16::try_from(global.binary_search(f).unwrap_or_default());
    let fields: Vec<Vec<u16>> = merge
        .records()
        .map(|r| {
            r.meta_fields
                .iter()
                .map(|f| number(f).unwrap_or(u16::MAX))
                .collect()
        })
        .collect();
    encode(lang, merge, &global, &fields, chunk)?;
    let chunks = merge.chunks(written.is_none());
    let merge = &*merge;
    let pages: Vec<&Record> = merge.records().collect();
    let mut files = Files::new();
    let fragments = match written {
        Some(names) => names,
        None => {
            let names = fragment_names(lang, pages.iter().copied());
            let fragments = names.iter().zip(&pages);
            files.extend(fragments.map(|(name, page)| (fragment_file(name), page.fragment.clone())));
            names
        }
    };
    let mut meta = Meta {
        version: VERSION,
        pages: Vec::with_capacity(pages.len()),
        meta_fields: global.iter().map(String::as_str).collect(),
        ..Meta::default()
    };
    for (page, name) in pages.iter().zip(fragments) {
        meta.pages.push(MetaPage {
            hash: name,
            word_count: page.word_count,
            group_hash: "",
        });
    }
    let mut names = Names::default();
    let encoded = merge.encoded().iter().zip(chunks);
    for ((c, bytes), (from, to)) in encoded.zip(bounds(merge.encoded())) {
        let name = names.index(lang, &c.full);
        files.push((format!("index/{name}.pf_index"), bytes));
        meta.index_chunks.push(MetaChunk { from, to, hash: name });
    }
    for (filter, values) in filters(&pages) {
        let payload = cbor(&FilterIndex {
            filter,
            values: values
                .into_iter()
                .map(|(value, pages)| PackedValue { value, pages })
                .collect(),
        })?;
        let name = names.filter(lang, &format!("{lang}_{}", hash(&payload)));
        files.push((
            format!("filter/{name}.pf_filter"),
            compress(&payload, Effort::Full)?,
        ));
        meta.filters.push(MetaFilter { filter, hash: name });
    }
    meta.sorts = sorts(&pages);
    let payload = cbor(&meta)?;
    let name = format!("{lang}_{}", prefix(&hash(&payload), lang.len() + 8));
    files.push((
        format!("pagefind.{name}.pf_meta"),
        compress(&payload, Effort::Full)?,
    ));
    let entry = Language {
        hash: name,
        page_count: pages.len(),
    };
    Ok((files, entry))
}

/// `merge`'s words in chunks, each encoded and compressed, or kept from its last chunks when
/// none of its words changed since.
fn encode(lang: &str, merge: &mut Merge, global: &[String], fields: &[Vec<u16>], chunk: usize) -> Result<()> {
    merge.number_fields(global);
    let encoded: Vec<Chunk> = {
        let merge = &*merge;
        merge
            .cut(chunk)
            .par_iter()
            .map(|words| {
                let (first, last) = match (words.first(), words.last()) {
                    (Some(first), Some(last)) => (first.0.into(), last.0.into()),
                    _ => Default::default(),
                };
                let (full, bytes) = match merge.kept(words) {
                    Some(kept) => (kept.full.clone(), kept.bytes.clone()),
                    None => {
                        let chunk = WordIndex { words, fields };
                        // Sized up front: grown as it is written, the buffer was copied
                        // over and over.
                        let mut payload = Vec::with_capacity(chunk.size_hint());
                        minicbor::encode(&chunk, &mut payload)
                            .map_err(|e| failed(format!("cannot encode: {e}")))?;
                        (
                            format!("{lang}_{}", hash(&payload)),
                            compress(&payload, Effort::Chunk)?,
                        )
                    }
                };
                Ok(Chunk {
                    first,
                    last,
                    words: words.len(),
                    full,
                    bytes,
                })
            })
            .collect::<Result<_>>()?
    };
    merge.keep(encoded);
    Ok(())
}

/// A language's line in `pagefind-entry.json`.
#[derive(Debug, Clone)]
pub struct Language {
    pub hash: String,
    pub page_count: usize,
}

/// How hard a file of the bundle is compressed: by how many a build makes against how often a
/// reader fetches them. libdeflate on whole buffers is several times faster than zlib (2.3 of
/// 4.1 CPU-seconds at 10,000 stories went to flate2), its output a little smaller.
#[derive(Clone, Copy)]
pub enum Effort {
    /// zlib's default level, 6: the metadata and filter files, a few per language.
    Full,
    /// Level 5, the word index's chunks: an edit in watch encodes most of a language's chunks
    /// again (35 MB at 10,000 Arabic stories), and level 5 takes three quarters of level 6's
    /// time for 0.8% more bytes.
    Chunk,
    /// Level 1, the fragments: one a page, 20,000 at 10,000 stories, and a result fetches
    /// one; 2% more bytes than level 6 in 55% of its time (1.8 → 1.0 CPU-seconds).
    Fragment,
}

/// `pagefind_dcd` and the payload, gzipped.
pub fn compress(payload: &[u8], effort: Effort) -> Result<Vec<u8>> {
    thread_local! {
        /// A compressor a thread and effort, as it holds its tables.
        static GZIP: RefCell<[Option<Compressor>; 3]> = RefCell::default();
    }
    let mut input = Vec::with_capacity(SIGNATURE.len() + payload.len());
    input.extend_from_slice(SIGNATURE);
    input.extend_from_slice(payload);
    GZIP.with_borrow_mut(|compressors| {
        let level = match effort {
            Effort::Full => 6,
            Effort::Chunk => 5,
            Effort::Fragment => 1,
        };
        let gz = compressors[effort as usize]
            .get_or_insert_with(|| Compressor::new(CompressionLvl::new(level).unwrap_or_default()));
        let mut out = vec![0; gz.gzip_compress_bound(input.len())];
        let len = gz
            .gzip_compress(&input, &mut out)
            .map_err(|e| failed(format!("cannot compress: {e}")))?;
        out.truncate(len);
        // Fragments are kept for the session; the bound is well above what is used.
        out.shrink_to_fit();
        Ok(out)
    })
}

fn cbor(value: &impl Encode<()>) -> Result<Vec<u8>> {
    minicbor::to_vec(value).map_err(|e| failed(format!("cannot encode: {e}")).into())
}

fn prefix(s: &str, len: usize) -> &str {
    &s[..len.min(s.len())]
}

/// File names given out so far, by kind: a name is the hash's first 7 characters, made longer
/// when an earlier file of the same kind has them (as Pagefind does, in page order).
#[derive(Default)]
struct Names {
    index: BTreeSet<String>,
    filters: BTreeSet<String>,
}

/// The names of the fragments of `pages`, in page order: the hash's first 7 characters, one
/// more at a time while an earlier page's fragment has them (index and filter names grow by
/// two); a fragment with the same hash as an earlier page's shares its name.
fn fragment_names<'r>(lang: &str, pages: impl Iterator<Item = &'r Record>) -> Vec<String> {
    let mut taken: HashMap<String, String> = HashMap::new();
    pages
        .map(|page| {
            let full = format!("{lang}_{}", page.fragment_hash);
            let mut len = lang.len() + 8;
            while let Some(other) = taken.get(prefix(&full, len)) {
                if *other == full || len >= full.len() {
                    break;
                }
                len += 1;
            }
            let name = prefix(&full, len).to_string();
            taken.insert(name.clone(), full);
            name
        })
        .collect()
}

/// A fragment's file in the bundle, by its name.
fn fragment_file(name: &str) -> String {
    format!("fragment/{name}.pf_fragment")
}

impl Names {
    fn index(&mut self, lang: &str, full: &str) -> String {
        Self::longer(&mut self.index, lang, full)
    }

    fn filter(&mut self, lang: &str, full: &str) -> String {
        Self::longer(&mut self.filters, lang, full)
    }

    fn longer(taken: &mut BTreeSet<String>, lang: &str, full: &str) -> String {
        let mut len = lang.len() + 8;
        while taken.contains(prefix(full, len)) && len < full.len() {
            len += 2;
        }
        let name = prefix(full, len).to_string();
        taken.insert(name.clone());
        name
    }
}

/// Each chunk's first and last word, cut to the shortest prefixes that still tell it from
/// its neighbours: the browser fetches a chunk when a query word falls in its range.
fn bounds(chunks: &[Chunk]) -> Vec<(String, String)> {
    let mut bounds: Vec<(String, String)> = chunks
        .iter()
        .map(|c| (c.first.to_string(), c.last.to_string()))
        .collect();
    for i in 1..bounds.len() {
        let (to, from) = (&bounds[i - 1].1, &bounds[i].0);
        let common = from.chars().zip(to.chars()).take_while(|(a, b)| a == b).count();
        let to: String = to.chars().take(common + 1).collect();
        let from: String = from.chars().take(common + 1).collect();
        if to >= bounds[i - 1].0 {
            bounds[i - 1].1 = to;
        }
        bounds[i].0 = from;
    }
    bounds
}

/// One chunk of the word index, with each page's field numbers in the language's order.
struct WordIndex<'a> {
    words: &'a Words<'a>,
    fields: &'a [Vec<u16>],
}

type Encoded<W> = std::result::Result<(), minicbor::encode::Error<<W as minicbor::encode::Write>::Error>>;

impl<C> Encode<C> for WordIndex<'_> {
    fn encode<W: minicbor::encode::Write>(&self, e: &mut minicbor::Encoder<W>, _: &mut C) -> Encoded<W> {
        e.array(1)?.array(self.words.len() as u64)?;
        for (word, places) in self.words {
            e.array(3)?.str(word)?;
            self.places(e, &places.own)?;
            e.array(places.variants.len() as u64)?;
            for (form, places) in &places.variants {
                e.array(2)?.str(form)?;
                self.places(e, places)?;
            }
        }
        Ok(())
    }
}

impl WordIndex<'_> {
    /// About the bytes the chunk takes encoded: its words, a few bytes a page for the page
    /// and the headers, and up to three for each number of its places.
    fn size_hint(&self) -> usize {
        let words = self
            .words
            .iter()
            .map(|(word, places)| word.len() + 8 + 8 * places.pages() + 3 * places.size());
        words.sum::<usize>() + 16
    }

    /// Pages as the gap from the page before, each with its text places as packed and its
    /// metadata places: a negative number starts a field, then gaps within it.
    fn places<W: minicbor::encode::Write>(
        &self,
        e: &mut minicbor::Encoder<W>,
        places: &Places,
    ) -> Encoded<W> {
        e.array(places.len() as u64)?;
        let mut last = 0;
        for (page, locs) in places.iter() {
            let locs =
                locs.ok_or_else(|| minicbor::encode::Error::message("a page's words are not whole"))?;
            e.array(3)?.u32(page - last)?;
            last = page;
            e.array(locs.text_len() as u64)?;
            e.writer_mut()
                .write_all(locs.text_cbor())
                .map_err(minicbor::encode::Error::write)?;
            e.array(locs.meta_len() as u64)?;
            let fields = &self.fields[page as usize];
            let (mut field, mut at) = (None, 0);
            for (f, position) in locs.meta() {
                let f = fields.get(usize::from(f)).copied().unwrap_or(f);
                if field != Some(f) {
                    e.i32(-i32::from(f) - 1)?;
                    (field, at) = (Some(f), 0);
                }
                e.u32(position - at)?;
                at = position;
            }
        }
        Ok(())
    }
}

/// Each filter's values, with the pages that list them (as often as they list them).
fn filters<'r>(pages: &[&'r Record]) -> BTreeMap<&'r str, BTreeMap<&'r str, Vec<u32>>> {
    let mut filters: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (page, record) in pages.iter().enumerate() {
        for (name, values) in &record.filters {
            let filter = filters.entry(name).or_default();
            for value in values {
                filter.entry(value).or_default().push(page as u32);
            }
        }
    }
    filters
}

/// Each sort key's pages in order of their values: numbers when every value is one, text
/// otherwise; pages without the key are left out.
fn sorts<'r>(pages: &[&'r Record]) -> Vec<MetaSort<'r>> {
    let keys: BTreeSet<&str> = pages
        .iter()
        .flat_map(|r| r.sort.keys().map(String::as_str))
        .collect();
    let number = |v: &str| {
        let int = lexical_core::parse::<i32>(v.as_bytes()).ok().map(|i| i as f32);
        int.or_else(|| lexical_core::parse::<f32>(v.as_bytes()).ok())
    };
    keys.into_iter()
        .map(|key| {
            let mut values: Vec<(&str, u32)> = pages
                .iter()
                .enumerate()
                .filter_map(|(page, r)| r.sort.get(key).map(|v| (v.as_str(), page as u32)))
                .collect();
            if values.iter().all(|(v, _)| number(v).is_some()) {
                values.sort_by(|a, b| {
                    number(a.0)
                        .unwrap_or_default()
                        .total_cmp(&number(b.0).unwrap_or_default())
                });
            } else {
                values.sort_by_key(|&(v, _)| v);
            }
            MetaSort {
                sort: key,
                pages: values.into_iter().map(|(_, page)| page).collect(),
            }
        })
        .collect()
}

#[derive(Encode, Default)]
struct Meta<'a> {
    #[n(0)]
    version: &'a str,
    #[n(1)]
    pages: Vec<MetaPage<'a>>,
    #[n(2)]
    index_chunks: Vec<MetaChunk>,
    #[n(3)]
    filters: Vec<MetaFilter<'a>>,
    #[n(4)]
    sorts: Vec<MetaSort<'a>>,
    #[n(5)]
    meta_fields: Vec<&'a str>,
}

#[derive(Encode)]
struct MetaPage<'a> {
    #[n(0)]
    hash: String,
    #[n(1)]
    word_count: u32,
    #[n(2)]
    group_hash: &'a str,
}

#[derive(Encode)]
struct MetaChunk {
    #[n(0)]
    from: String,
    #[n(1)]
    to: String,
    #[n(2)]
    hash: String,
}

#[derive(Encode)]
struct MetaFilter<'a> {
    #[n(0)]
    filter: &'a str,
    #[n(1)]
    hash: String,
}

#[derive(Encode)]
struct MetaSort<'a> {
    #[n(0)]
    sort: &'a str,
    #[n(1)]
    pages: Vec<u32>,
}

#[derive(Encode)]
struct FilterIndex<'a> {
    #[n(0)]
    filter: &'a str,
    #[n(1)]
    values: Vec<PackedValue<'a>>,
}

#[derive(Encode)]
struct PackedValue<'a> {
    #[n(0)]
    value: &'a str,
    #[n(1)]
    pages: Vec<u32>,
}
