//! A page's index words, packed into one buffer for as long as the page's record is kept (a
//! whole build, or a watch session). As structs — a boxed word, two vectors of places, a
//! vector of spellings — a word of a page took about 140 bytes, and a 10,000-story site has
//! 5.4 million of them: 0.8 GB, most of the memory search added. Packed it is about 20 bytes.
//! A language's index reads the words back in place, borrowing the text, as it merges pages:
//! each part is preceded by its length in bytes, so a merge skips what it does not read, and
//! the text places are kept as the CBOR the index stores, so encoding a chunk copies them
//! (decoding each number and encoding it again was 0.7 of the 2 CPU-seconds an Arabic index
//! of 10,000 pages took to encode).

use integer_encoding::VarInt;
use minicbor::decode::{Decoder, Error as DecodeError};
use minicbor::encode::{Encoder, Error as EncodeError, Write};
use minicbor::{Decode, Encode};

use super::page::{Entry, Locs};

/// How many words a page has, then the words in order, each as: the word (length, UTF-8), its
/// own places, the number of its spellings with diacritics and their length in bytes, then
/// each spelling (length, UTF-8) and its places. Places: how many text numbers and their
/// length in bytes, how many metadata pairs and, when there are any, the numbers the index
/// gives them and their length in bytes; then the text numbers as CBOR items, then the pairs
/// (field, position) as varints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Words(Vec<u8>);

impl Words {
    pub fn pack(entries: &[Entry]) -> Self {
        let mut out = Vec::with_capacity(entries.len() * 24);
        // Scratch for a word's spellings and a place list's parts, which are written after
        // their lengths: kept across words, as allocating them for each was a tenth of
        // reading a page.
        let (mut variants, mut scratch) = (Vec::new(), Scratch::default());
        put(&mut out, entries.len());
        for entry in entries {
            put_str(&mut out, &entry.word);
            put_locs(&mut out, &entry.own, &mut scratch);
            variants.clear();
            for (form, locs) in &entry.variants {
                put_str(&mut variants, form);
                put_locs(&mut variants, locs, &mut scratch);
            }
            put(&mut out, entry.variants.len());
            put(&mut out, variants.len());
            out.extend_from_slice(&variants);
        }
        out.shrink_to_fit();
        Words(out)
    }

    /// The words, in order.
    pub fn iter(&self) -> impl Iterator<Item = EntryRef<'_>> {
        let mut reader = Reader::new(&self.0);
        let count = reader.num::<usize>().unwrap_or(0);
        (0..count).map_while(move |_| reader.entry())
    }

    /// `bytes` as words, if they are whole, well-formed packed words (they come from the
    /// build cache, which a user can edit).
    fn checked(bytes: Vec<u8>) -> Option<Self> {
        // Reading an entry reads all its numbers and strings.
        let mut reader = Reader::new(&bytes);
        for _ in 0..reader.num::<usize>()? {
            reader.checked_entry()?;
        }
        reader.rest.is_empty().then_some(Words(bytes))
    }
}

/// Where places are in their page's packed words: a merge orders a word's spellings by it
/// (their order in the first page that has them).
pub type At = u32;

/// A word of a page, read in place.
#[derive(Clone, Copy)]
pub struct EntryRef<'a> {
    pub word: &'a str,
    pub own: LocsRef<'a>,
    pub own_at: At,
    variants: (usize, Reader<'a>),
}

impl<'a> EntryRef<'a> {
    /// Its spellings with diacritics, each with its places and where they are.
    pub fn variants(&self) -> impl Iterator<Item = (&'a str, LocsRef<'a>, At)> {
        let mut reader = self.variants.1;
        (0..self.variants.0).map_while(move |_| {
            let form = reader.str()?;
            let (at, locs) = reader.locs()?;
            Some((form, locs, at))
        })
    }
}

/// Where a page has a word, read in place: see [`Locs`]. Counts are `u32`, so a merge's
/// places (a page and this) take 40 bytes, not 64: 2.7 million of them in a language's index
/// at 10,000 stories.
#[derive(Clone, Copy)]
pub struct LocsRef<'a> {
    text: u32,
    /// Where the text numbers end and the metadata pairs begin in `bytes`.
    cbor_len: u32,
    meta: u32,
    meta_len: u32,
    /// The text numbers as CBOR items, then the metadata pairs.
    bytes: &'a [u8],
    /// All of it as packed, counts and lengths first: what [`LocsRef::read`] reads again.
    raw: &'a [u8],
}

impl<'a> LocsRef<'a> {
    /// Places from their [`Self::raw`] bytes, wherever those were copied.
    pub fn read(raw: &'a [u8]) -> Option<Self> {
        Reader::new(raw).locs().map(|(_, locs)| locs)
    }

    /// The places as packed, to be read again with [`Self::read`].
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub fn is_empty(&self) -> bool {
        self.text == 0 && self.meta == 0
    }

    pub fn text_len(&self) -> usize {
        self.text as usize
    }

    /// The text numbers, encoded as the index stores them.
    pub fn text_cbor(&self) -> &'a [u8] {
        &self.bytes[..self.cbor_len as usize]
    }

    pub fn text(&self) -> impl Iterator<Item = i32> + 'a {
        let mut cbor = Decoder::new(self.text_cbor());
        (0..self.text).map_while(move |_| cbor.i32().ok())
    }

    /// The number of integers the metadata places take in the index: one per place, one per
    /// field.
    pub fn meta_len(&self) -> usize {
        self.meta_len as usize
    }

    pub fn meta(&self) -> impl Iterator<Item = (u16, u32)> + 'a {
        let mut reader = Reader::new(&self.bytes[self.cbor_len as usize..]);
        (0..self.meta).map_while(move |_| Some((reader.num()?, reader.num()?)))
    }
}

fn put<T: VarInt>(out: &mut Vec<u8>, n: T) {
    let mut buf = [0; 10];
    let len = n.encode_var(&mut buf);
    out.extend_from_slice(&buf[..len]);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Buffers [`put_locs`] writes a place list's parts into before it knows their lengths.
#[derive(Default)]
struct Scratch {
    cbor: Vec<u8>,
    pairs: Vec<u8>,
}

fn put_locs(out: &mut Vec<u8>, locs: &Locs, scratch: &mut Scratch) {
    let Scratch { cbor, pairs } = scratch;
    cbor.clear();
    pairs.clear();
    let mut encoder = Encoder::new(&mut *cbor);
    for &n in &locs.text {
        // Writing to a vector cannot fail.
        let _ = encoder.i32(n);
    }
    for &(field, at) in &locs.meta {
        put(pairs, field);
        put(pairs, at);
    }
    put(out, locs.text.len());
    put(out, cbor.len());
    put(out, locs.meta.len());
    if !locs.meta.is_empty() {
        put(out, meta_len(locs.meta.iter().map(|&(field, _)| field)));
        put(out, pairs.len());
    }
    out.extend_from_slice(cbor);
    out.extend_from_slice(pairs);
}

/// The number of integers metadata places in `fields` (in order) take in the index: one per
/// place, one per field.
fn meta_len(fields: impl Iterator<Item = u16>) -> usize {
    let mut last = None;
    fields
        .map(|field| 1 + usize::from(last.replace(field) != Some(field)))
        .sum()
}

/// Reads packed words from the front, knowing where it is in them; `None` on anything
/// malformed.
#[derive(Clone, Copy)]
struct Reader<'a> {
    rest: &'a [u8],
    at: At,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes, at: 0 }
    }

    fn num<T: VarInt + From<u8>>(&mut self) -> Option<T> {
        // Most numbers are one byte, and the crate's decoder (out of line, through u64) was a
        // fifth of encoding an index whose places are read again from the packed words.
        if let Some(&byte) = self.rest.first().filter(|&&b| b < 0x80) {
            self.take(1)?;
            return Some(T::from(byte));
        }
        let (n, len) = T::decode_var(self.rest)?;
        self.take(len)?;
        Some(n)
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        self.at = self.at.checked_add(At::try_from(len).ok()?)?;
        Some(taken)
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.num()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    /// Places, and where they start.
    fn locs(&mut self) -> Option<(At, LocsRef<'a>)> {
        let (at, start) = (self.at, self.rest);
        let text = self.num()?;
        let cbor_len: u32 = self.num()?;
        let meta = self.num()?;
        let (meta_len, pairs_len) = match meta {
            0 => (0, 0),
            _ => (self.num()?, self.num::<usize>()?),
        };
        let locs = LocsRef {
            text,
            cbor_len,
            meta,
            meta_len,
            bytes: self.take(usize::try_from(cbor_len).ok()?.checked_add(pairs_len)?)?,
            raw: &start[..start.len() - self.rest.len()],
        };
        Some((at, locs))
    }

    fn entry(&mut self) -> Option<EntryRef<'a>> {
        let word = self.str()?;
        let (own_at, own) = self.locs()?;
        let count = self.num()?;
        let len = self.num()?;
        let variants = Reader {
            rest: self.rest.get(..len)?,
            at: self.at,
        };
        self.take(len)?;
        Some(EntryRef {
            word,
            own,
            own_at,
            variants: (count, variants),
        })
    }

    /// Reads an entry through, checking every part: what [`Words::checked`] needs, as a merge
    /// trusts the lengths and counts it skips by.
    fn checked_entry(&mut self) -> Option<()> {
        let entry = self.entry()?;
        let mut variants = entry.variants.1;
        let mut locs = vec![entry.own];
        for _ in 0..entry.variants.0 {
            variants.str()?;
            locs.push(variants.locs()?.1);
        }
        variants.rest.is_empty().then_some(())?;
        for l in locs {
            let mut cbor = Decoder::new(l.text_cbor());
            for _ in 0..l.text {
                cbor.i32().ok()?;
            }
            (cbor.position() == l.cbor_len as usize).then_some(())?;
            let mut pairs = Reader::new(&l.bytes[l.cbor_len as usize..]);
            let mut fields = Vec::with_capacity(l.meta as usize);
            for _ in 0..l.meta {
                fields.push(pairs.num::<u16>()?);
                pairs.num::<u32>()?;
            }
            (pairs.rest.is_empty() && l.meta_len() == meta_len(fields.into_iter())).then_some(())?;
        }
        Some(())
    }
}

impl<C> Encode<C> for Words {
    fn encode<W: Write>(&self, e: &mut Encoder<W>, _: &mut C) -> Result<(), EncodeError<W::Error>> {
        e.bytes(&self.0)?;
        Ok(())
    }
}

/// Whether a decoded record keeps its words. A build first reads its records back from the
/// cache without them, and reads each page's words again only as its index merges them:
/// checking and copying them the first time, to drop them, was a second of serial work at
/// 10,000 stories.
pub trait Keep {
    fn words(&self) -> bool {
        true
    }
}

impl Keep for () {}

/// The context that decodes a record with its words skipped, left empty.
pub struct WithoutWords;

impl Keep for WithoutWords {
    fn words(&self) -> bool {
        false
    }
}

impl<'b, C: Keep> Decode<'b, C> for Words {
    fn decode(d: &mut Decoder<'b>, ctx: &mut C) -> Result<Self, DecodeError> {
        if !ctx.words() {
            d.skip()?;
            return Ok(Words::default());
        }
        Words::checked(d.bytes()?.to_vec()).ok_or_else(|| DecodeError::message("malformed packed words"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(text: &[i32], meta: &[(u16, u32)]) -> Locs {
        Locs {
            text: text.to_vec(),
            meta: meta.to_vec(),
        }
    }

    #[test]
    fn words_read_back_as_packed() {
        let entries = vec![
            Entry {
                word: "mali".into(),
                own: locs(&[-8, 3, 300, -1, 70_000], &[(0, 2), (3, 1)]),
                variants: vec![],
            },
            Entry {
                word: "نيجر".into(),
                own: locs(&[], &[]),
                variants: vec![
                    ("نِيجر".into(), locs(&[5], &[])),
                    ("نيجَر".into(), locs(&[], &[(1, 0)])),
                ],
            },
        ];
        let words = Words::pack(&entries);
        let back: Vec<Entry> = words
            .iter()
            .map(|e| Entry {
                word: e.word.into(),
                own: locs(
                    &e.own.text().collect::<Vec<_>>(),
                    &e.own.meta().collect::<Vec<_>>(),
                ),
                variants: e
                    .variants()
                    .map(|(f, l, _)| {
                        (
                            f.into(),
                            locs(&l.text().collect::<Vec<_>>(), &l.meta().collect::<Vec<_>>()),
                        )
                    })
                    .collect(),
            })
            .collect();
        assert_eq!(back, entries);
        assert!(words.iter().nth(1).is_some_and(|e| e.own.is_empty()));
        // What the index copies: the text numbers as CBOR, and the metadata's size in it (two
        // places in two fields).
        let mali = words.iter().next().unwrap();
        let mut cbor = Encoder::new(Vec::new());
        for n in [-8, 3, 300, -1, 70_000] {
            cbor.i32(n).unwrap();
        }
        assert_eq!(mali.own.text_cbor(), cbor.writer().as_slice());
        assert_eq!(mali.own.meta_len(), 4);
        // Places copied out as packed read back the same, and where they are in the words
        // runs in entry order.
        let mut last = None;
        for entry in words.iter() {
            let raw = entry.own.raw().to_vec();
            assert_eq!(LocsRef::read(&raw).unwrap().text_cbor(), entry.own.text_cbor());
            assert!(last < Some(entry.own_at));
            last = Some(entry.own_at);
            for (_, locs, at) in entry.variants() {
                let raw = locs.raw().to_vec();
                let again = LocsRef::read(&raw).unwrap();
                assert_eq!(again.meta().collect::<Vec<_>>(), locs.meta().collect::<Vec<_>>());
                assert_eq!(again.text_len(), locs.text_len());
                assert!(last < Some(at));
                last = Some(at);
            }
        }
        assert_eq!(Words::checked(words.0.clone()), Some(words.clone()));
        // Cut anywhere, or with a word that is not UTF-8, the bytes are refused.
        for cut in 1..words.0.len() {
            assert_eq!(Words::checked(words.0[..cut].to_vec()), None, "cut at {cut}");
        }
        let mut bad = words.0.clone();
        bad[2] = 0xff;
        assert_eq!(Words::checked(bad), None);
    }
}
