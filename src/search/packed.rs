//! A page's index words, packed into one buffer for as long as the page's record is kept (a
//! whole build, or a watch session). As structs — a boxed word, two vectors of places, a
//! vector of spellings — a word of a page took about 140 bytes, and a 10,000-story site has
//! 5.4 million of them: 0.8 GB, most of the memory search added. Packed, with each number a
//! varint, it is about 20 bytes. A language's index reads the words back in place, borrowing
//! the text, as it merges pages.

use integer_encoding::VarInt;
use minicbor::decode::{Decoder, Error as DecodeError};
use minicbor::encode::{Encoder, Error as EncodeError, Write};
use minicbor::{Decode, Encode};

use super::page::{Entry, Locs};

/// How many words a page has, then the words in order, each as: the word (length, UTF-8), its own places, the number of
/// its spellings with diacritics, then each spelling (length, UTF-8) and its places. Places:
/// how many text numbers and metadata pairs, then the text numbers (zigzag varints), then the
/// pairs (field, position).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Words(Vec<u8>);

impl Words {
    pub fn pack(entries: &[Entry]) -> Self {
        let mut out = Vec::with_capacity(entries.len() * 24);
        put(&mut out, entries.len());
        for entry in entries {
            put_str(&mut out, &entry.word);
            put_locs(&mut out, &entry.own);
            put(&mut out, entry.variants.len());
            for (form, locs) in &entry.variants {
                put_str(&mut out, form);
                put_locs(&mut out, locs);
            }
        }
        out.shrink_to_fit();
        Words(out)
    }

    /// The words, in order.
    pub fn iter(&self) -> impl Iterator<Item = EntryRef<'_>> {
        let mut reader = Reader(&self.0);
        let count = reader.num::<usize>().unwrap_or(0);
        (0..count).map_while(move |_| reader.entry())
    }

    /// `bytes` as words, if they are whole, well-formed packed words (they come from the
    /// build cache, which a user can edit).
    fn checked(bytes: Vec<u8>) -> Option<Self> {
        // Reading an entry reads all its numbers and strings.
        let mut reader = Reader(&bytes);
        for _ in 0..reader.num::<usize>()? {
            reader.entry()?;
        }
        reader.0.is_empty().then_some(Words(bytes))
    }
}

/// A word of a page, read in place.
#[derive(Clone, Copy)]
pub struct EntryRef<'a> {
    pub word: &'a str,
    pub own: LocsRef<'a>,
    variants: (usize, &'a [u8]),
}

impl<'a> EntryRef<'a> {
    /// Its spellings with diacritics, each with its places.
    pub fn variants(&self) -> impl Iterator<Item = (&'a str, LocsRef<'a>)> {
        let mut reader = Reader(self.variants.1);
        (0..self.variants.0).map_while(move |_| Some((reader.str()?, reader.locs()?)))
    }
}

/// Where a page has a word, read in place: see [`Locs`].
#[derive(Clone, Copy)]
pub struct LocsRef<'a> {
    text: usize,
    meta: usize,
    /// The text numbers, then the metadata pairs.
    bytes: &'a [u8],
}

impl LocsRef<'_> {
    pub fn is_empty(&self) -> bool {
        self.text == 0 && self.meta == 0
    }

    pub fn text_len(&self) -> usize {
        self.text
    }

    pub fn text(&self) -> impl Iterator<Item = i32> + '_ {
        let mut reader = Reader(self.bytes);
        (0..self.text).map_while(move |_| reader.num())
    }

    pub fn meta(&self) -> impl Iterator<Item = (u16, u32)> + '_ {
        let mut reader = Reader(self.bytes);
        let count = reader.nums::<i32>(self.text).map_or(0, |_| self.meta);
        (0..count).map_while(move |_| Some((reader.num()?, reader.num()?)))
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

fn put_locs(out: &mut Vec<u8>, locs: &Locs) {
    put(out, locs.text.len());
    put(out, locs.meta.len());
    for &n in &locs.text {
        put(out, n);
    }
    for &(field, at) in &locs.meta {
        put(out, field);
        put(out, at);
    }
}

/// Reads packed words from the front; `None` on anything malformed.
#[derive(Clone, Copy)]
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn num<T: VarInt>(&mut self) -> Option<T> {
        let (n, len) = T::decode_var(self.0)?;
        self.0 = &self.0[len..];
        Some(n)
    }

    /// Skips `count` numbers, returning what follows them.
    fn nums<T: VarInt>(&mut self, count: usize) -> Option<&'a [u8]> {
        for _ in 0..count {
            self.num::<T>()?;
        }
        Some(self.0)
    }

    fn pairs(&mut self, count: usize) -> Option<()> {
        for _ in 0..count {
            self.num::<u16>()?;
            self.num::<u32>()?;
        }
        Some(())
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(taken)
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.num()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn locs(&mut self) -> Option<LocsRef<'a>> {
        let (text, meta) = (self.num()?, self.num()?);
        let start = self.0;
        self.nums::<i32>(text)?;
        self.pairs(meta)?;
        let len = start.len() - self.0.len();
        Some(LocsRef {
            text,
            meta,
            bytes: &start[..len],
        })
    }

    fn entry(&mut self) -> Option<EntryRef<'a>> {
        let word = self.str()?;
        let own = self.locs()?;
        let count = self.num()?;
        let start = self.0;
        for _ in 0..count {
            self.str()?;
            self.locs()?;
        }
        let len = start.len() - self.0.len();
        Some(EntryRef {
            word,
            own,
            variants: (count, &start[..len]),
        })
    }
}

impl<C> Encode<C> for Words {
    fn encode<W: Write>(&self, e: &mut Encoder<W>, _: &mut C) -> Result<(), EncodeError<W::Error>> {
        e.bytes(&self.0)?;
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for Words {
    fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, DecodeError> {
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
                    .map(|(f, l)| {
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
