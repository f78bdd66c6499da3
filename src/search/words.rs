//! One whitespace-separated token of a page → the words Pagefind's index files it under, by
//! the rules of Pagefind 1.6's indexer (`pagefind-format.md` §3.3), so that the browser's
//! WASM, which stems a query with the same Snowball stemmers, finds what the crate's own
//! index would have found.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::LazyLock;

use convert_case::{Case, Casing};
use pagefind_stem::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Characters kept inside words besides letters and digits: Unicode's connector punctuation,
/// Pagefind's default (its entry file lists them for the browser).
pub const WORD_SYMBOLS: [char; 10] = ['_', '‿', '⁀', '⁔', '︳', '︴', '﹍', '﹎', '﹏', '＿'];

/// Pagefind indexes every katakana suffix of a katakana run up to this many characters.
const KATAKANA_SUFFIX: usize = 16;
/// And the part after each `.` of a dotted name up to this many.
const DOTTED_TAIL: usize = 64;

/// An index word of a token. Its strings are shared: a page keeps them with each place it
/// has the word, and copying them there was a tenth of reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The form the index holds: normalized, without diacritics, stemmed.
    pub stem: Rc<str>,
    /// The form as written, when dropping diacritics changed it: a variant of `stem` in the
    /// index, ranked higher when a query spells it the same way.
    pub original: Option<Rc<str>>,
    /// A part of a compound (`F-16` → `16`), which shares the token's weight with the others.
    pub part: bool,
}

impl Word {
    /// What tells its stem from the other words' of a page read by the same splitter.
    pub fn key(&self) -> usize {
        Rc::as_ptr(&self.stem) as *const u8 as usize
    }
}

/// The stemmer of a language code (`pt-br` uses Portuguese's), as Pagefind picks it; `None`
/// for languages Snowball has no stemmer for, whose words are indexed unstemmed.
pub fn stemmer(lang: &str) -> Option<Stemmer> {
    let algorithm = match lang.split('-').next().unwrap_or_default() {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "ne" => Algorithm::Nepali,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "pl" => Algorithm::Polish,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// A language's splitter, which remembers what each token gave: news copy repeats its
/// words, and a lookup costs far less than normalizing and stemming again.
pub struct Splitter {
    stemmer: Option<Stemmer>,
    seen: RefCell<Seen>,
    /// The same for metadata values' tokens, whose words differ (no dotted tails, no peeled
    /// form).
    seen_meta: RefCell<Seen>,
    /// The strings of the words in `seen`, each once: two words of a page with the same
    /// string share its address, so a page tells its words apart by address ([`Word::key`]).
    strings: RefCell<HashSet<Rc<str>, foldhash::fast::RandomState>>,
}

/// A token → its words.
type Seen = HashMap<Box<str>, Rc<[Word]>, foldhash::fast::RandomState>;

/// Tokens remembered per thread and language before the memory is given back (at the next
/// page).
const REMEMBERED: usize = 1 << 18;

impl Splitter {
    pub fn new(lang: &str) -> Self {
        Splitter {
            stemmer: stemmer(lang),
            seen: RefCell::default(),
            seen_meta: RefCell::default(),
            strings: RefCell::default(),
        }
    }

    /// A page begins: what was remembered is let go if it grew too big, between pages, so
    /// that a page's words keep their addresses while it is read.
    pub fn page(&self) {
        if self.seen.borrow().len() + self.seen_meta.borrow().len() >= REMEMBERED {
            self.seen.borrow_mut().clear();
            self.seen_meta.borrow_mut().clear();
            self.strings.borrow_mut().clear();
        }
    }

    /// `string` as the splitter keeps it.
    fn shared(&self, string: &Rc<str>) -> Rc<str> {
        let mut strings = self.strings.borrow_mut();
        match strings.get(string) {
            Some(kept) => Rc::clone(kept),
            None => {
                strings.insert(Rc::clone(string));
                Rc::clone(string)
            }
        }
    }

    /// The words of a token of a page's text: with its dotted tails.
    pub fn text(&self, token: &str) -> Rc<[Word]> {
        if let Some(words) = self.seen.borrow().get(token) {
            return Rc::clone(words);
        }
        let mut words = self.words(token);
        let tails = self.dotted_tails(token, &words);
        words.extend(tails);
        // The form without the prefixes Snowball keeps (والنيجر → النيجر) is indexed at the
        // same place, so a query for the word as a dictionary has it finds the page.
        if let Some(peeled) = super::peel(token) {
            let word = self.words(&peeled).into_iter().find(|w| !w.part);
            if let Some(word) = word.filter(|p| !words.iter().any(|w| w.stem == p.stem)) {
                words.push(word);
            }
        }
        let words: Rc<[Word]> = words
            .into_iter()
            .map(|w| Word {
                stem: self.shared(&w.stem),
                original: w.original.map(|o| self.shared(&o)),
                part: w.part,
            })
            .collect();
        self.seen.borrow_mut().insert(token.into(), Rc::clone(&words));
        words
    }

    /// The words of a token of a metadata value: no dotted tails there.
    pub fn meta(&self, token: &str) -> Rc<[Word]> {
        if let Some(words) = self.seen_meta.borrow().get(token) {
            return Rc::clone(words);
        }
        let words: Rc<[Word]> = self.words(token).into();
        self.seen_meta
            .borrow_mut()
            .insert(token.into(), Rc::clone(&words));
        words
    }

    fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        match &self.stemmer {
            Some(stemmer) => stemmer.stem(word),
            None => Cow::Borrowed(word),
        }
    }

    /// `normalized` without diacritics and stemmed, remembering the spelling it had.
    fn stemmed(&self, normalized: &str, part: bool) -> Word {
        let plain = without_diacritics(normalized);
        let stem = self.stem(plain.as_deref().unwrap_or(normalized)).into();
        Word {
            stem,
            original: plain.map(|_| normalized.into()),
            part,
        }
    }

    fn words(&self, raw: &str) -> Vec<Word> {
        let mut words = Vec::new();
        let normalized = normalize(raw);
        if !normalized.is_empty() {
            words.push(self.stemmed(&normalized, false));
        }
        for suffix in katakana_suffixes(raw) {
            let plain = without_diacritics(suffix);
            words.push(Word {
                original: plain.as_ref().map(|_| suffix.into()),
                stem: plain.map_or_else(|| suffix.into(), Rc::from),
                part: true,
            });
        }
        if !maybe_compound(raw) {
            return words;
        }
        let parts = raw
            .replace(|c: char| c.is_ascii_punctuation(), " ")
            .to_case(Case::Lower)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !normalized.is_empty() && (parts.contains(char::is_whitespace) || !normalized.starts_with(&parts))
        {
            for part in parts.split_whitespace().filter(|p| p.len() > 1) {
                let plain = without_diacritics(part);
                words.push(Word {
                    stem: self.stem(plain.as_deref().unwrap_or(part)).into(),
                    original: plain.map(|_| part.into()),
                    part: true,
                });
            }
        }
        if EMOJI.is_match(raw) {
            let emoji = raw.graphemes(true).filter(|g| emojis::get(g).is_some());
            words.extend(emoji.map(|g| Word {
                stem: g.into(),
                original: None,
                part: false,
            }));
        }
        words
    }

    /// What follows each `.` of a dotted name (`sysconfig.is_python_build` →
    /// `is_python_build`), when it is not already one of the token's words.
    fn dotted_tails(&self, raw: &str, existing: &[Word]) -> Vec<Word> {
        let mut tails: Vec<Word> = Vec::new();
        for (at, _) in raw.match_indices('.') {
            let rest = &raw[at + 1..];
            let tail = rest
                .char_indices()
                .nth(DOTTED_TAIL)
                .map_or(rest, |(end, _)| &rest[..end]);
            if !maybe_compound(tail) {
                continue;
            }
            let normalized = normalize(tail);
            if normalized.chars().count() < 2 {
                continue;
            }
            let word = self.stemmed(&normalized, true);
            let known = |w: &Word| w.stem == word.stem;
            if !existing.iter().any(known) && !tails.iter().any(known) {
                tails.push(word);
            }
        }
        tails
    }
}

static EMOJI: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"\p{Emoji}").unwrap_or_else(|e| unreachable!("{e}")));

/// Letters, digits and connector punctuation, lowercased.
fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if !(c.is_alphanumeric() || WORD_SYMBOLS.contains(&c)) {
            continue;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a token may hold several words: punctuation inside, or a capital after its start.
fn maybe_compound(raw: &str) -> bool {
    raw.chars().any(|c| !c.is_alphanumeric()) || raw.chars().skip(1).any(char::is_uppercase)
}

/// `word` with its combining marks dropped (café → cafe, أثبت → اثبت), if that changes it.
/// The kana sound marks stay, recomposed, since they tell words apart.
fn without_diacritics(word: &str) -> Option<String> {
    let decomposes = |c: char| {
        let mut other = false;
        decompose_canonical(c, |d| other |= d != c);
        other
    };
    if word.is_ascii() || !word.chars().any(|c| is_combining_mark(c) || decomposes(c)) {
        return None;
    }
    let kana_mark = |c: char| matches!(c, '\u{3099}' | '\u{309A}');
    let stripped: String = word
        .nfd()
        .filter(|&c| !is_combining_mark(c) || kana_mark(c))
        .collect();
    let stripped = match stripped.chars().any(kana_mark) {
        true => stripped.nfc().collect(),
        false => stripped,
    };
    (stripped != word).then_some(stripped)
}

fn is_katakana(c: char) -> bool {
    matches!(c as u32, 0x30A1..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F)
}

/// The distinct suffixes of a katakana run, which has no spaces to split at.
fn katakana_suffixes(word: &str) -> Vec<&str> {
    if word.chars().count() < 3 || !word.chars().all(is_katakana) {
        return Vec::new();
    }
    let mut suffixes: Vec<&str> = Vec::new();
    for (at, _) in word.char_indices().skip(1) {
        let rest = &word[at..];
        let suffix = rest
            .char_indices()
            .nth(KATAKANA_SUFFIX)
            .map_or(rest, |(end, _)| &rest[..end]);
        if suffix.chars().count() >= 2 && !suffixes.contains(&suffix) {
            suffixes.push(suffix);
        }
    }
    suffixes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(lang: &str, token: &str) -> Vec<(String, u8)> {
        let words = Splitter::new(lang).text(token);
        let parts = words.iter().filter(|w| w.part).count() as u8;
        words
            .iter()
            .map(|w| (w.stem.to_string(), if w.part { 24 / parts } else { 24 }))
            .collect()
    }

    #[test]
    fn compounds_split_as_pagefind_splits_them() {
        let s = |v: &[(&str, u8)]| v.iter().map(|(w, n)| (w.to_string(), *n)).collect::<Vec<_>>();
        assert_eq!(stems("en", "T-72B3"), s(&[("t72b3", 24), ("72", 24)]));
        assert_eq!(
            stems("en", "BTR-82A"),
            s(&[("btr82a", 24), ("btr", 12), ("82", 12)])
        );
        assert_eq!(
            stems("en", "sysconfig.is_python_build"),
            s(&[
                ("sysconfigis_python_build", 24),
                ("sysconfig", 4),
                ("is", 4),
                ("python", 4),
                ("build", 4),
                ("is_python_build", 4)
            ])
        );
    }

    #[test]
    fn arabic_loses_its_marks_and_keeps_the_spelling_as_a_variant() {
        let words = Splitter::new("ar").text("أثبت");
        assert_eq!(&*words[0].stem, "اثب");
        assert_eq!(words[0].original.as_deref(), Some("أثبت"));
        assert_eq!(&*Splitter::new("ar").text("٢٠٢٤")[0].stem, "2024");
    }
}
