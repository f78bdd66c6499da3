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

/// How many words a page has, then the words in order, each as: the word (length, UTF-8), its
/// own places, the number of its spellings with diacritics and their length in bytes, then
/// each spelling (length, UTF-8) and its places. Places: how many text numbers and their
/// length in bytes, how many metadata pairs and, when there are any, the numbers the index
/// gives them and their length in bytes; then the text numbers as CBOR items, then the pairs
/// (field, position) as varints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Words(Vec<u8>);

/// Packs a page's words as the reader hands them over, in order: a word and its own places,
/// then each of its spellings (gathering each word's places into vectors first, to pack
/// those, was a tenth of reading a page).
#[derive(Default)]
pub struct Packer {
    words: usize,
    out: Vec<u8>,
    /// The current word's spellings: how many, and packed, as their length comes first.
    variants: (usize, Vec<u8>),
    scratch: Scratch,
}

impl Packer {
    pub fn with_capacity(bytes: usize) -> Self {
        Packer {
            out: Vec::with_capacity(bytes),
            ..Packer::default()
        }
    }

    /// The next word, after the last in order, with its own places.
    pub fn word(&mut self, word: &str, text: &[i32], meta: &[(u16, u32)]) {
        self.end_word();
        self.words += 1;
        put_str(&mut self.out, word);
        put_locs(&mut self.out, text, meta, &mut self.scratch);
    }

    /// A spelling with diacritics of the last word, with its places.
    pub fn variant(&mut self, form: &str, text: &[i32], meta: &[(u16, u32)]) {
        self.variants.0 += 1;
        put_str(&mut self.variants.1, form);
        put_locs(&mut self.variants.1, text, meta, &mut self.scratch);
    }

    fn end_word(&mut self) {
        if self.words > 0 {
            let (count, variants) = &mut self.variants;
            put(&mut self.out, *count);
            put(&mut self.out, variants.len());
            self.out.extend_from_slice(variants);
            *count = 0;
            variants.clear();
        }
    }

    pub fn finish(mut self) -> Words {
        self.end_word();
        let mut words = Vec::with_capacity(self.out.len() + 10);
        put(&mut words, self.words);
        words.extend_from_slice(&self.out);
        Words(words)
    }
}

impl Words {
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

/// Where a page has a word, read in place: in its text, `(weight, position)` pairs packed as
/// the index stores them; in its metadata, `(page field number, position in the value)`.
/// Counts are `u32`, so a merge's places (a page and this) take 40 bytes, not 64: 2.7 million
/// of them in a language's index at 10,000 stories.
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

fn put_locs(out: &mut Vec<u8>, text: &[i32], meta: &[(u16, u32)], scratch: &mut Scratch) {
    let Scratch { cbor, pairs } = scratch;
    cbor.clear();
    pairs.clear();
    for &n in text {
        put_cbor_int(cbor, n);
    }
    for &(field, at) in meta {
        put(pairs, field);
        put(pairs, at);
    }
    put(out, text.len());
    put(out, cbor.len());
    put(out, meta.len());
    if !meta.is_empty() {
        put(out, meta_len(meta.iter().map(|&(field, _)| field)));
        put(out, pairs.len());
    }
    out.extend_from_slice(cbor);
    out.extend_from_slice(pairs);
}

/// `n` as a CBOR integer (RFC 8949 §3.1: major type 0 or 1, then the argument in the fewest
/// bytes), the same bytes as minicbor's `Encoder::i32`: written here because the encoder's
/// general path, a copy into the vector per header and per argument, was a third of packing
/// a page's words.
fn put_cbor_int(out: &mut Vec<u8>, n: i32) {
    let (major, arg) = match u32::try_from(n) {
        Ok(n) => (0x00, n),
        // -1 - n: the negative number's argument.
        Err(_) => (0x20, !(n as u32)),
    };
    match arg {
        0..24 => out.push(major | arg as u8),
        24..0x100 => out.extend_from_slice(&[major | 24, arg as u8]),
        0x100..0x1_0000 => {
            let [hi, lo] = (arg as u16).to_be_bytes();
            out.extend_from_slice(&[major | 25, hi, lo]);
        }
        _ => {
            let [a, b, c, d] = arg.to_be_bytes();
            out.extend_from_slice(&[major | 26, a, b, c, d]);
        }
    }
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

    /// Whether the words' form is checked: not when they are bytes this build packed itself.
    fn check(&self) -> bool {
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

/// The context that decodes words as the cache gave them: checked unless they are the very
/// bytes this build packed and wrote (checking them again took 0.46 of a 10,000-story full
/// build's 27 CPU-seconds).
pub struct Own(pub bool);

impl Keep for Own {
    fn check(&self) -> bool {
        !self.0
    }
}

impl<'b, C: Keep> Decode<'b, C> for Words {
    fn decode(d: &mut Decoder<'b>, ctx: &mut C) -> Result<Self, DecodeError> {
        if !ctx.words() {
            d.skip()?;
            return Ok(Words::default());
        }
        let bytes = d.bytes()?.to_vec();
        if !ctx.check() {
            return Ok(Words(bytes));
        }
        Words::checked(bytes).ok_or_else(|| DecodeError::message("malformed packed words"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word's places: text numbers, metadata pairs.
    type Places = (Vec<i32>, Vec<(u16, u32)>);

    fn places(locs: LocsRef) -> Places {
        (locs.text().collect(), locs.meta().collect())
    }

    #[test]
    fn integers_are_written_as_minicbor_writes_them() {
        let edges = [0, 1, 23, 24, 255, 256, 65_535, 65_536, i32::MAX];
        let all = edges.iter().flat_map(|&n| [n, -n, -n - 1, n.saturating_add(1)]);
        for n in all.chain(-1000..1000) {
            let mut ours = Vec::new();
            put_cbor_int(&mut ours, n);
            let mut theirs = Encoder::new(Vec::new());
            theirs.i32(n).unwrap();
            assert_eq!(ours, *theirs.writer(), "{n}");
        }
    }

    #[test]
    fn words_read_back_as_packed() {
        type Word = (String, Places, Vec<(String, Places)>);
        let entries: Vec<Word> = vec![
            (
                "mali".into(),
                (vec![-8, 3, 300, -1, 70_000], vec![(0, 2), (3, 1)]),
                vec![],
            ),
            (
                "نيجر".into(),
                (vec![], vec![]),
                vec![
                    ("نِيجر".into(), (vec![5], vec![])),
                    ("نيجَر".into(), (vec![], vec![(1, 0)])),
                ],
            ),
        ];
        let mut packer = Packer::default();
        for (word, own, variants) in &entries {
            packer.word(word, &own.0, &own.1);
            for (form, locs) in variants {
                packer.variant(form, &locs.0, &locs.1);
            }
        }
        let words = packer.finish();
        let back: Vec<Word> = words
            .iter()
            .map(|e| {
                let variants = e.variants().map(|(f, l, _)| (f.to_string(), places(l)));
                (e.word.to_string(), places(e.own), variants.collect())
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
