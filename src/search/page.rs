//! A rendered page → its [`Record`]: what Pagefind's index needs of it, made once, on the
//! thread that rendered it, while its HTML is still in memory. The HTML is read as Pagefind
//! 1.6's indexer reads it (`pagefind-format.md` §3.1–3.6: what counts as text, where blocks
//! end, heading weights, anchors, `data-pagefind-*` attributes), so that the theme's markup
//! means the same to nashra as to Pagefind; the record keeps only the page's words with their
//! positions and its display data, so the HTML can go.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::LazyLock;

use lol_html::html_content::EndTag;
use lol_html::{element, text, HtmlRewriter, Settings};
use minicbor::{Decode, Encode};
use regex::Regex;
use serde::Serialize;
use sha1::{Digest, Sha1};

use super::packed::{Keep, Packer, Words};
use super::words::Splitter;
use crate::error::Result;

mod scan;

/// What the index needs of one page, for the language it is in.
/// Encoded in CBOR for the build cache (`search.bin`), where it is found again by the page.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
#[cbor(context_bound = "Keep")]
pub struct Record {
    /// `<html lang>`, lowercased; `unknown` without one, as Pagefind names it.
    #[n(0)]
    pub lang: String,
    /// Whether the page marks its indexed part with `data-pagefind-body`: when some page of
    /// a language does, the pages of that language that do not are left out.
    #[n(1)]
    pub has_body: bool,
    /// The fragment the browser fetches for a result, compressed (it never changes with the
    /// other pages), and the [`hash`] of its JSON.
    #[cbor(n(2), with = "minicbor::bytes")]
    pub fragment: Vec<u8>,
    #[n(3)]
    pub fragment_hash: String,
    #[n(4)]
    pub word_count: u32,
    #[n(5)]
    pub filters: BTreeMap<String, Vec<String>>,
    #[n(6)]
    pub sort: BTreeMap<String, String>,
    /// The page's metadata field names, sorted: what a [`Loc::Meta`] field number indexes.
    #[n(7)]
    pub meta_fields: Vec<String>,
    /// The page's index words, sorted, packed.
    #[n(8)]
    pub words: Words,
}

/// A [`Record`]'s words alone, decoded from its CBOR with the rest skipped (its index
/// numbers the same field).
#[derive(Decode)]
#[cbor(context_bound = "Keep")]
pub struct RecordWords {
    #[n(8)]
    pub words: Words,
}

/// H as Pagefind names files: SHA-1, each byte in hex without padding.
pub fn hash(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .fold(String::with_capacity(40), |mut s, b| {
            let _ = write!(s, "{b:x}");
            s
        })
}

/// Reads `html`, the page at `url`; `None` when it has nothing to index.
pub fn record(url: &str, html: &[u8], splitters: &mut Splitters) -> Result<Option<Record>> {
    let parsed =
        parse(html).map_err(|e| super::failed(e.to_string()).help(format!("while reading {url}")))?;
    let splitter = splitters.get(&parsed.lang);
    splitter.page();
    let tokens = decode(&parsed.text);
    let mut text = Text {
        zero_width: tokens.contains('\u{200B}'),
        ..Text::default()
    };
    for token in tokens.split_whitespace() {
        text.token(token, &parsed, splitter);
    }
    if text.words.is_empty() {
        return Ok(None);
    }
    let meta_fields: Vec<String> = parsed.meta.keys().cloned().collect();
    let mut meta_words = MetaWords::default();
    for (field, value) in parsed.meta.values().enumerate() {
        for (at, token) in value.split_whitespace().enumerate() {
            for word in splitter.meta(token).iter() {
                let field = u16::try_from(field).unwrap_or(u16::MAX);
                let at = u32::try_from(at).unwrap_or(u32::MAX);
                meta_words
                    .entry(word.stem.clone())
                    .or_default()
                    .push((field, at, word.original.clone()));
            }
        }
    }
    let word_count = text.last.map_or(1, |l| l + 1);
    let fragment = Fragment {
        url,
        content: text.content.trim_end(),
        word_count,
        filters: &parsed.filters,
        meta: &parsed.meta,
        anchors: &text.anchors,
    };
    let fragment = serde_json::to_vec(&fragment).map_err(|e| super::failed(e.to_string()))?;
    Ok(Some(Record {
        fragment_hash: hash(&fragment),
        fragment: super::bundle::compress(&fragment, super::bundle::Effort::Fragment)?,
        words: pack_words(text.words, meta_words),

        lang: parsed.lang,
        has_body: parsed.has_body,
        word_count: u32::try_from(word_count).unwrap_or(u32::MAX),
        filters: parsed.filters,
        sort: parsed.sort,
        meta_fields,
    }))
}

/// A splitter per language, kept by a rendering thread across the pages it reads.
#[derive(Default)]
pub struct Splitters(HashMap<String, Splitter>);

impl Splitters {
    fn get(&mut self, lang: &str) -> &Splitter {
        self.0
            .entry(lang.to_string())
            .or_insert_with(|| Splitter::new(lang))
    }
}

/// Where each word is: `(weight or field, position, spelling with diacritics)`.
type Places<T> = HashMap<Rc<str>, Vec<Place<T>>, foldhash::fast::RandomState>;
type Place<T> = (T, u32, Option<Rc<str>>);
/// The text's words by [`Word::key`]: a word is found by its address, not by hashing it.
type TextWords = HashMap<usize, (Rc<str>, Vec<Place<u8>>), foldhash::fast::RandomState>;
type MetaWords = Places<u16>;

/// The page's text read token by token, as Pagefind reads its digest.
#[derive(Default)]
struct Text {
    content: String,
    anchors: Vec<Anchor>,
    words: TextWords,
    /// The position of the last token that took one.
    last: Option<usize>,
    next: usize,
    /// Weights of the enclosing weighted elements (24 is 1.0), innermost last.
    weights: Vec<u8>,
    /// The text has zero-width spaces, which Pagefind takes out of each token.
    zero_width: bool,
}

impl Text {
    fn token(&mut self, token: &str, parsed: &Parsed, splitter: &Splitter) {
        if let Some(control) = token.strip_prefix("___") {
            if self.control(control, parsed) {
                return;
            }
        }
        let token: std::borrow::Cow<str> = match self.zero_width && token.contains('\u{200B}') {
            true => token.replace('\u{200B}', "").into(),
            false => token.into(),
        };
        if token.is_empty() {
            return;
        }
        self.content.push_str(&token);
        self.content.push(' ');
        let weight = self.weights.last().copied().unwrap_or(24);
        let words = splitter.text(&token);
        let parts = words.iter().filter(|w| w.part).count();
        let partial = match (parts, weight) {
            (0, _) | (_, 0) => 0,
            (n, w) => (w / u8::try_from(n).unwrap_or(u8::MAX)).max(1),
        };
        let at = u32::try_from(self.next).unwrap_or(u32::MAX);
        for word in words.iter() {
            let place = (
                if word.part { partial } else { weight },
                at,
                word.original.clone(),
            );
            match self.words.get_mut(&word.key()) {
                Some((_, places)) => places.push(place),
                None => _ = self.words.insert(word.key(), (word.stem.clone(), vec![place])),
            }
        }
        self.last = Some(self.next);
        self.next += 1;
    }

    /// Handles a control token Pagefind's reader leaves in the text (anchors, weights);
    /// false when the token is ordinary text that happens to start with `___`.
    fn control(&mut self, control: &str, parsed: &Parsed) -> bool {
        if let Some(anchor) = control.strip_prefix("PAGEFIND_ANCHOR___") {
            if let Some((element, key)) = anchor.split_once(':') {
                if let Some((_, id)) = key.split_once(':') {
                    let text = parsed
                        .anchor_text
                        .get(key)
                        .map(|t| tidy(&tidy(t)))
                        .unwrap_or_default();
                    self.anchors.push(Anchor {
                        element: element.to_string(),
                        id: id.to_string(),
                        text,
                        title: parsed.anchor_titles.get(key).cloned(),
                        location: u32::try_from(self.next).unwrap_or(u32::MAX),
                    });
                }
            }
        } else if let Some(weight) = control.strip_prefix("PAGEFIND_WEIGHT___") {
            let weight = weight.parse::<f32>().unwrap_or(1.0);
            let weight = match weight <= 0.0 {
                true => 0,
                false => ((weight.clamp(0.0, 10.0) * 24.0) as u8).max(1),
            };
            self.weights.push(weight);
        } else if let Some(weight) = control.strip_prefix("PAGEFIND_AUTO_WEIGHT___") {
            let weight = match self.weights.is_empty() {
                true => (weight.parse::<f32>().unwrap_or(1.0).clamp(0.0, 10.0) * 24.0) as u8,
                false => self.weights.last().copied().unwrap_or(24),
            };
            self.weights.push(weight);
        } else if control.starts_with("END_PAGEFIND_WEIGHT___") {
            self.weights.pop();
        } else {
            return false;
        }
        true
    }
}

/// A page's words in the order the index keeps them, with their places packed: the text's
/// and the metadata's words each sorted once, then walked together (a map built a word at a
/// time was a seventh of reading a page).
fn pack_words(text: TextWords, meta: MetaWords) -> Words {
    let text = sorted(text.into_values());
    let mut meta = sorted(meta).into_iter().peekable();
    let mut packer = Packer::with_capacity((text.len() + meta.len()) * 24);
    let mut word = WordPlaces::default();
    for (stem, places) in text {
        while let Some((only, places)) = meta.next_if(|(m, _)| *m < stem) {
            word.pack(&mut packer, &only, Vec::new(), places);
        }
        let in_meta = meta.next_if(|(m, _)| *m == stem).map(|(_, p)| p);
        word.pack(&mut packer, &stem, places, in_meta.unwrap_or_default());
    }
    for (only, places) in meta {
        word.pack(&mut packer, &only, Vec::new(), places);
    }
    packer.finish()
}

/// A page's words with their places, sorted by word.
fn sorted<T>(words: impl IntoIterator<Item = (Rc<str>, Vec<Place<T>>)>) -> Vec<(Rc<str>, Vec<Place<T>>)> {
    // Words are compared by their first 16 bytes as a number, then whole when those are the
    // same: the same order, as a shorter word's missing bytes count as zeros (comparing
    // strings that share their first letters, as Arabic words do, was a tenth of reading).
    let mut words: Vec<_> = words
        .into_iter()
        .map(|(word, places)| {
            let mut head = [0; 16];
            let len = word.len().min(16);
            head[..len].copy_from_slice(&word.as_bytes()[..len]);
            (u128::from_be_bytes(head), word, places)
        })
        .collect();
    words.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    words
        .into_iter()
        .map(|(_, word, places)| (word, places))
        .collect()
}

/// One word's own places, sorted into what the index stores; kept from word to word.
#[derive(Default)]
struct WordPlaces {
    text: Vec<(u8, u32)>,
    meta: Vec<(u16, u32)>,
    packed: Vec<i32>,
}

/// A spelling's places in the text and in the metadata.
type Spelled = (Vec<(u8, u32)>, Vec<(u16, u32)>);

impl WordPlaces {
    /// Packs word `stem` from its places in the text and in the metadata: its own, then its
    /// spellings with diacritics, body spellings sorted, then those only in metadata sorted
    /// (the order Pagefind lists a word's variants in: by first appearance, page by page).
    /// A word has few spellings, so they are kept in a vector, looked up in place.
    fn pack(&mut self, packer: &mut Packer, stem: &str, text: Vec<Place<u8>>, meta: Vec<Place<u16>>) {
        self.text.clear();
        self.meta.clear();
        let mut spelled: Spellings<Spelled> = Vec::new();
        for (weight, at, original) in text {
            match original {
                None => self.text.push((weight, at)),
                Some(form) => spelling(&mut spelled, form).0.push((weight, at)),
            }
        }
        spelled.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let body = spelled.len();
        for (field, at, original) in meta {
            match original {
                None => self.meta.push((field, at)),
                Some(form) => spelling(&mut spelled, form).1.push((field, at)),
            }
        }
        spelled[body..].sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.meta.sort_unstable();
        pack(&mut self.text, &mut self.packed);
        packer.word(stem, &self.packed, &self.meta);
        for (form, (mut text, mut meta)) in spelled {
            meta.sort_unstable();
            pack(&mut text, &mut self.packed);
            packer.variant(&form, &self.packed, &meta);
        }
    }
}

/// A word's spellings with diacritics, each with what is known of it.
type Spellings<T> = Vec<(Rc<str>, T)>;

/// What is known of spelling `form`, added when it is new.
fn spelling<T: Default>(spelled: &mut Spellings<T>, form: Rc<str>) -> &mut T {
    let at = match spelled.iter().position(|(f, _)| *f == form) {
        Some(at) => at,
        None => {
            spelled.push((form, T::default()));
            spelled.len() - 1
        }
    };
    &mut spelled[at].1
}

/// `(weight, position)` pairs into `packed` as the index stores them: weight-1.05 places (25,
/// the weight the reader starts at) first, then by weight and position; a negative number
/// switches the weight for the absolute position after it, other numbers are gaps from the
/// last place.
fn pack(places: &mut [(u8, u32)], packed: &mut Vec<i32>) {
    let key = |&(w, at): &(u8, u32)| (if w == 25 { 0 } else { w }, at);
    // A page's places come in reading order, so most lists are in order already.
    if !places.is_sorted_by_key(key) {
        places.sort_by_key(key);
    }
    packed.clear();
    let (mut weight, mut last) = (25, 0);
    for &(w, at) in places.iter() {
        if w != weight {
            packed.push(-i32::from(w) - 1);
            packed.push(at as i32);
            weight = w;
        } else {
            packed.push(at.saturating_sub(last) as i32);
        }
        last = at;
    }
}

/// The JSON the browser fetches for a result, keys in Pagefind's order.
#[derive(Serialize)]
struct Fragment<'a> {
    url: &'a str,
    content: &'a str,
    word_count: usize,
    filters: &'a BTreeMap<String, Vec<String>>,
    meta: &'a BTreeMap<String, String>,
    anchors: &'a [Anchor],
}

#[derive(Serialize, Debug)]
struct Anchor {
    element: String,
    id: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    location: u32,
}

/// HTML entities decoded (the reader keeps text as written in the source).
fn decode(text: &str) -> std::borrow::Cow<'_, str> {
    html_escape::decode_html_entities(text)
}

/// A value as Pagefind keeps it: entities decoded, trimmed, line breaks and runs of spaces
/// made one space.
fn tidy(value: &str) -> String {
    static ENDS: LazyLock<Regex> = LazyLock::new(|| regex(r"^[\n\r\s]+|[\n\r\s]+$"));
    static LINES: LazyLock<Regex> = LazyLock::new(|| regex("(\n|\r\n)+"));
    static SPACES: LazyLock<Regex> = LazyLock::new(|| regex(r"\s{2,}"));
    // Most values are tidy already: single spaces between words, no entities.
    let mut space = true;
    let tidy = !value.contains('&')
        && value.chars().all(|c| {
            let ok = !c.is_whitespace() || (c == ' ' && !space);
            space = c.is_whitespace();
            ok
        })
        && !space;
    if tidy {
        return value.to_string();
    }
    let value = decode(value);
    let value = ENDS.replace_all(&value, "");
    let value = LINES.replace_all(&value, " ");
    SPACES.replace_all(&value, " ").into_owned()
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("{e}"))
}

/// What the reader takes from a page's HTML.
#[derive(Default, Debug, PartialEq)]
struct Parsed {
    /// The indexed text, control tokens and all, entities not yet decoded.
    text: String,
    lang: String,
    has_body: bool,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
    meta: BTreeMap<String, String>,
    anchor_text: BTreeMap<String, String>,
    anchor_titles: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Status {
    Indexing,
    /// Text dropped; metadata, filters and sorts still read.
    Ignored,
    /// Nothing read.
    Excluded,
    Body,
    /// A body is inside: only bodies add text here from now on.
    ParentOfBody,
}

/// An open element. Its text is not its own string: every element's text is the tail of one
/// buffer ([`Reader::text`]) from where it began, so an element's text reaches its ancestors
/// without being copied into each of them as they close.
struct Node {
    /// Where its text begins in the buffer, the marks it opened with included…
    start: usize,
    /// …and where its own text begins, after them.
    content: usize,
    status: Status,
    tag: Tag,
    /// Its `data-pagefind-weight`.
    weight: Option<String>,
    filter: Option<Vec<String>>,
    meta: Option<Vec<String>>,
    default_meta: Option<Vec<String>>,
    sort: Option<Vec<String>>,
    /// Anchors whose text this element's text adds to.
    anchors: Vec<String>,
}

impl Node {
    fn new(status: Status, at: usize) -> Self {
        Node {
            start: at,
            content: at,
            status,
            tag: Tag::default(),
            weight: None,
            filter: None,
            meta: None,
            default_meta: None,
            sort: None,
            anchors: Vec::new(),
        }
    }

    /// A `name:value` attribute part, or `name` taking the element's `text`.
    fn pair(part: &str, text: &str) -> Option<(String, String)> {
        match part.split_once(':') {
            Some((name, value)) => Some((name.to_string(), tidy(value))),
            None if text.is_empty() => None,
            None => Some((part.to_string(), tidy(text))),
        }
    }
}

#[derive(Default)]
struct Reader {
    stack: Vec<Node>,
    /// The text of the elements open, each element's from its node's `start` on.
    text: String,
    parsed: Parsed,
    default_meta: BTreeMap<String, String>,
    auto: BTreeMap<&'static str, String>,
    anchors: usize,
}

/// What the reader does with an element by its tag name, known when it opens: a name is
/// looked at once, not compared with lists of names at every turn.
#[derive(Clone, Copy, Default, PartialEq)]
struct Tag {
    name: Named,
    /// Ends a block of text, so a sentence ends there.
    block: bool,
    /// Inline: the anchors around it take its text too.
    inline: bool,
    /// Its text is never indexed.
    left_out: bool,
    /// A heading's weight, as Pagefind writes it (`h1` 7 … `h6` 2).
    heading: Option<&'static str>,
}

/// The tag names the reader treats on their own.
#[derive(Clone, Copy, Default, PartialEq)]
enum Named {
    Html,
    Title,
    H1,
    Img,
    Br,
    #[default]
    Other,
}

impl Tag {
    /// The reader's view of the lowercased tag name `name`: block and inline tags and those
    /// left out are Pagefind's lists.
    fn of(name: &[u8]) -> Tag {
        let named = |name| Tag {
            name,
            ..Tag::default()
        };
        let block = Tag {
            block: true,
            ..Tag::default()
        };
        let heading = |weight| Tag {
            heading: Some(weight),
            ..block
        };
        let inline = Tag {
            inline: true,
            ..Tag::default()
        };
        let left_out = Tag {
            left_out: true,
            ..Tag::default()
        };
        match name {
            b"html" => named(Named::Html),
            b"title" => named(Named::Title),
            b"h1" => Tag {
                name: Named::H1,
                ..heading("7")
            },
            b"h2" => heading("6"),
            b"h3" => heading("5"),
            b"h4" => heading("4"),
            b"h5" => heading("3"),
            b"h6" => heading("2"),
            b"p" | b"td" | b"div" | b"ul" | b"li" | b"article" | b"section" => block,
            b"img" => Tag {
                name: Named::Img,
                ..inline
            },
            b"br" => Tag {
                name: Named::Br,
                ..inline
            },
            // Both inline and left out.
            b"label" | b"script" => Tag {
                left_out: true,
                ..inline
            },
            b"a" | b"abbr" | b"acronym" | b"b" | b"bdo" | b"big" | b"button" | b"cite" | b"code" | b"dfn"
            | b"em" | b"i" | b"input" | b"kbd" | b"map" | b"object" | b"output" | b"q" | b"samp"
            | b"select" | b"small" | b"span" | b"strong" | b"sub" | b"sup" | b"textarea" | b"time"
            | b"tt" | b"var" => inline,
            b"head" | b"style" | b"noscript" | b"form" | b"svg" | b"footer" | b"nav" | b"iframe"
            | b"template" => left_out,
            _ => Tag::default(),
        }
    }

    /// The tag of `el`, a start tag in `html`: its name read in place there, lowercased on
    /// the stack (lol_html's own name is a new string for every element).
    fn read(el: &lol_html::html_content::Element, html: &[u8]) -> Tag {
        let source = html.get(el.source_location().bytes()).unwrap_or_default();
        Tag::named(source.strip_prefix(b"<"), || el.tag_name())
    }

    /// The tag of `end`, an end tag in `html`. When an end tag closes elements whose own end
    /// never came (`</p>` after `<b>`), lol_html ends each of them with it, and Pagefind's
    /// reader treats each as the tag that ended it: as a block, for `</p>`.
    fn read_end(end: &EndTag, html: &[u8]) -> Tag {
        let source = html.get(end.source_location().bytes()).unwrap_or_default();
        Tag::named(source.strip_prefix(b"</"), || end.name())
    }

    /// The tag named at the start of `name` (what follows `<` or `</`), or by `lol_html`.
    fn named(name: Option<&[u8]>, lol_html: impl FnOnce() -> String) -> Tag {
        let name = name.unwrap_or_default();
        let end = name
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(name.len());
        let ends = name.get(end).is_some_and(|&b| scan::ends_name(b));
        let mut lower = [0; 16];
        match (ends && end > 0, lower.get_mut(..end)) {
            (true, Some(lower)) => {
                lower.copy_from_slice(&name[..end]);
                lower.make_ascii_lowercase();
                Tag::of(lower)
            }
            // A name the fast path cannot be sure of reading as lol_html does.
            _ => Tag::of(lol_html().as_bytes()),
        }
    }
}

/// Writes the marks that open the text of an element ending as `tag`, with `weight` (its
/// `data-pagefind-weight`), as Pagefind's reader puts them before it.
fn opening(text: &mut String, weight: Option<&str>, tag: Tag) {
    let weight = weight.map(|w| ("", w));
    if let Some((auto, weight)) = weight.or(tag.heading.map(|w| ("AUTO_", w))) {
        let _ = write!(text, " ___PAGEFIND_{auto}WEIGHT___{weight} ");
    }
    if tag.block {
        text.push(' ');
    }
}

/// Whether a block's text ends a sentence (a word character, quote, bracket, `$` or `*`),
/// so a `.` goes after it.
fn ends_sentence(text: &str) -> bool {
    static SENTENCE: LazyLock<Regex> = LazyLock::new(|| regex(r#"[\w'"\)\$\*]"#));
    let mut last = [0; 4];
    text.chars()
        .next_back()
        .is_some_and(|c| SENTENCE.is_match(c.encode_utf8(&mut last)))
}

impl Reader {
    fn top(&mut self) -> &mut Node {
        if self.stack.is_empty() {
            self.stack.push(Node::new(Status::Indexing, 0));
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// An element opens (`closes`: it has an end tag to wait for): returns its depth in the
    /// stack.
    fn open(&mut self, el: &impl Element, tag: Tag, attrs: Attrs, closes: bool) -> usize {
        let ignore = attrs.ignore.map(|v| match v.to_ascii_lowercase().as_str() {
            "" | "index" | "true" => Status::Ignored,
            _ => Status::Excluded,
        });
        let status = match (attrs.body, ignore) {
            (true, _) => Status::Body,
            (false, Some(ignore)) => ignore,
            (false, None) => Status::Indexing,
        };
        let parts = |value: Option<String>| value.map(|v| attribute_parts(&v, el));
        let filter = parts(attrs.filter);
        let meta = parts(attrs.meta);
        let default_meta = parts(attrs.default_meta);
        let sort = parts(attrs.sort);
        let parent_status = self.top().status;
        let mut anchor = None;
        if !matches!(status, Status::Excluded | Status::Ignored) {
            if let Some(id) = attrs.id {
                let outside = parent_status == Status::ParentOfBody
                    && !matches!(status, Status::Body | Status::ParentOfBody);
                if !outside {
                    let id: String = id.chars().filter(|c| !c.is_whitespace()).collect();
                    let key = format!("{}:{id}", self.anchors);
                    let tag_name = el.name();
                    let _ = write!(self.text, " ___PAGEFIND_ANCHOR___{tag_name}:{key} ");
                    self.anchors += 1;
                    anchor = Some(key);
                }
            }
        }
        if let (Some(key), Some(title)) = (&anchor, attrs.title) {
            let title = tidy(&title);
            if !title.is_empty() {
                self.parsed.anchor_titles.insert(key.clone(), title);
            }
        }
        if status != Status::Excluded {
            if let Some(names) = attrs.index_attrs {
                for attr in names.split(',') {
                    let mut value = el.attribute(attr.trim()).unwrap_or_default();
                    if ends_sentence(&value) {
                        value.push('.');
                    }
                    self.text.push(' ');
                    self.text.push_str(&value);
                    self.text.push(' ');
                }
            }
            if tag.name == Named::Br {
                self.text.push(' ');
            }
        }
        let parent = self.top();
        let anchors = match !parent.anchors.is_empty() && tag.inline {
            true => parent.anchors.iter().cloned().chain(anchor).collect(),
            false => anchor.into_iter().collect(),
        };
        let mut node = Node::new(status, self.text.len());
        if parent_status == Status::Excluded {
            node.status = Status::Excluded;
        }
        if tag.left_out {
            node.status = Status::Ignored;
        }
        // The marks that open its text when it closes, written now, so its text need not be
        // moved to make room for them: dropped with the text if it is not indexed after all.
        if closes {
            opening(&mut self.text, attrs.weight.as_deref(), tag);
            node.content = self.text.len();
        }
        node.weight = attrs.weight;
        node.tag = tag;
        node.filter = filter;
        node.meta = meta;
        node.default_meta = default_meta;
        node.sort = sort;
        node.anchors = anchors;
        self.stack.push(node);
        self.stack.len() - 1
    }

    /// The element at `depth`, still open, and those opened inside it whose end never came
    /// (their text is lost, as in Pagefind's reader): `None` when it is excluded whole.
    fn closing(&mut self, depth: usize) -> Option<Node> {
        if let Some(lost) = self.stack.get(depth + 1) {
            self.text.truncate(lost.start);
        }
        self.stack.truncate(depth + 1);
        let node = self.stack.pop()?;
        if node.status == Status::Excluded {
            self.text.truncate(node.start);
            return None;
        }
        self.attributes(&node);
        Some(node)
    }

    /// An element without content (`<img>`, `<br>`) is read: its metadata, and the first
    /// image after the title as the page's image.
    fn void(&mut self, depth: usize, img: Option<(Option<String>, Option<String>)>) {
        if self.closing(depth).is_none() {
            return;
        }
        if let Some((Some(src), alt)) = img {
            let titled = self.auto.contains_key("title") || self.parsed.meta.contains_key("title");
            if !self.auto.contains_key("image") && titled {
                self.auto.insert("image", tidy(&src));
                self.auto
                    .insert("image_alt", alt.map(|a| tidy(&a)).unwrap_or_default());
            }
        }
    }

    /// The element at `depth` ends: its metadata is read, and its text goes to its parent as
    /// Pagefind's reader adds it.
    fn close(&mut self, depth: usize, end: Tag) {
        let Some(mut node) = self.closing(depth) else {
            return;
        };
        // Ended by another element's end tag: the marks are those of that tag.
        let (weight, heading) = (node.weight.is_some(), node.tag.heading);
        if end.block != node.tag.block || (!weight && end.heading != heading) {
            let mut marks = String::new();
            opening(&mut marks, node.weight.as_deref(), end);
            if self.text.get(node.start..node.content).is_some() {
                self.text.replace_range(node.start..node.content, &marks);
                node.content = node.start + marks.len();
            }
        }
        let own = self.text.get(node.content..).unwrap_or_default();
        let auto = match node.tag.name {
            Named::H1 if !own.trim().is_empty() => Some("title"),
            Named::Title => Some("page_title"),
            _ => None,
        };
        if let Some(auto) = auto.filter(|a| !self.auto.contains_key(a)) {
            self.auto.insert(auto, tidy(own));
        }
        if node.status == Status::Ignored {
            self.text.truncate(node.start);
            return;
        }
        if end.block {
            if ends_sentence(own) {
                self.text.push('.');
            }
            self.text.push(' ');
        }
        if weight || end.heading.is_some() {
            self.text.push_str(" ___END_PAGEFIND_WEIGHT___ ");
        }
        self.fold(node);
    }

    /// Adds a closed element's text to its parent's: it is in place already, after the
    /// parent's own, unless the parent keeps only bodies (the text is dropped) or this is the
    /// first body in it (the parent's own text is dropped).
    fn fold(&mut self, node: Node) {
        let parent = self.top();
        let body = matches!(node.status, Status::Body | Status::ParentOfBody);
        if (parent.status == Status::ParentOfBody && !body)
            || matches!(node.status, Status::Ignored | Status::Excluded)
        {
            self.text.truncate(node.start);
            return;
        }
        if body {
            let before = parent.status != Status::ParentOfBody;
            parent.status = Status::ParentOfBody;
            let own = parent.content;
            if before {
                self.text.drain(own..node.start);
            }
        }
    }

    fn attributes(&mut self, node: &Node) {
        let parts = [&node.filter, &node.meta, &node.default_meta, &node.sort];
        if parts.iter().all(|p| p.is_none()) {
            return;
        }
        let text = self.text.get(node.content..).unwrap_or_default();
        let pairs = |parts: &Option<Vec<String>>| {
            let parts = parts.iter().flatten();
            parts.filter_map(|p| Node::pair(p, text)).collect::<Vec<_>>()
        };
        let (filters, sort, meta, default_meta) = (
            pairs(&node.filter),
            pairs(&node.sort),
            pairs(&node.meta),
            pairs(&node.default_meta),
        );
        for (name, value) in filters {
            self.parsed.filters.entry(name).or_default().push(tidy(&value));
        }
        self.parsed.sort.extend(sort);
        self.parsed.meta.extend(meta);
        self.default_meta.extend(default_meta);
    }

    fn text(&mut self, chunk: &str) {
        self.text.push_str(chunk);
        let top = self.top();
        if matches!(top.status, Status::Ignored | Status::Excluded) || top.anchors.is_empty() {
            return;
        }
        let anchors = top.anchors.clone();
        for key in anchors {
            self.parsed.anchor_text.entry(key).or_default().push_str(chunk);
        }
    }

    /// The page read to its end: elements left open are closed into their parents, without
    /// the marks a closing element puts around its text.
    fn finish(mut self) -> Parsed {
        while self.stack.len() > 1 {
            let Some(node) = self.stack.pop() else { break };
            match self.top().status == Status::ParentOfBody {
                true => self.text.truncate(node.start),
                false => {
                    self.text.drain(node.start..node.content);
                    self.fold(node);
                }
            }
        }
        let root = self.stack.pop().unwrap_or_else(|| Node::new(Status::Indexing, 0));
        let mut parsed = self.parsed;
        if let Some(image) = self.auto.remove("image") {
            let alt = self.auto.remove("image_alt").unwrap_or_default();
            if !parsed.meta.contains_key("image") {
                parsed.meta.insert("image".into(), image);
                parsed.meta.insert("image_alt".into(), alt);
            }
        }
        for auto in ["title", "page_title"] {
            if let Some(title) = self.auto.remove(auto) {
                parsed.meta.entry("title".into()).or_insert(title);
            }
        }
        let mut meta = self.default_meta;
        meta.extend(std::mem::take(&mut parsed.meta));
        parsed.meta = meta;
        // Pagefind's own control tokens never reach displayed metadata or filter values.
        static PRIVATE: LazyLock<Regex> = LazyLock::new(|| regex(r"___PAGEFIND_[\S]+\s?"));
        for value in parsed
            .filters
            .values_mut()
            .flatten()
            .chain(parsed.meta.values_mut())
        {
            if let std::borrow::Cow::Owned(clean) = PRIVATE.replace_all(value, "") {
                *value = clean;
            }
        }
        parsed.has_body = root.status == Status::ParentOfBody;
        parsed.text = self.text;
        if parsed.lang.is_empty() {
            parsed.lang = "unknown".into();
        }
        parsed
    }
}

/// A `data-pagefind-meta|filter|sort` value as parts: `name:literal` (all after the first
/// `:` is the literal), `name[attr]` (the element's attribute), or `name` (its text).
fn attribute_parts(value: &str, el: &impl Element) -> Vec<String> {
    if let Some((names, literal)) = value.split_once(':') {
        let mut parts = attribute_parts(names, el);
        if let Some(last) = parts.last_mut() {
            last.push(':');
            last.push_str(literal);
        }
        return parts;
    }
    static ATTRIBUTE: LazyLock<Regex> =
        LazyLock::new(|| regex(r"^\s*(?P<name>[^:\[\]]+)\[(?P<attribute>.+)\]\s*$"));
    value
        .split(',')
        .map(|part| {
            let part = part.trim();
            match ATTRIBUTE.captures(part) {
                Some(c) => format!(
                    "{}:{}",
                    &c["name"],
                    el.attribute(&c["attribute"]).unwrap_or_default()
                ),
                None => part.to_string(),
            }
        })
        .collect()
}

/// The attributes the reader looks at, taken in one pass over an element's attributes:
/// asking lol_html for each by name lowercases, re-encodes and scans again every time, which
/// was a sixth of the reading time.
#[derive(Default)]
struct Attrs {
    lang: Option<String>,
    id: Option<String>,
    src: Option<String>,
    alt: Option<String>,
    body: bool,
    ignore: Option<String>,
    filter: Option<String>,
    meta: Option<String>,
    default_meta: Option<String>,
    sort: Option<String>,
    weight: Option<String>,
    title: Option<String>,
    index_attrs: Option<String>,
}

impl Attrs {
    /// The attributes of `el`, a start tag in `html`, their names read in place there.
    fn read(el: &lol_html::html_content::Element, html: &[u8]) -> Self {
        let mut attrs = Attrs::default();
        for attr in el.attributes() {
            match attr.name_source_location().and_then(|at| html.get(at.bytes())) {
                Some(name) => attrs.take(name, || attr.value()),
                // A name lol_html made, not read from the page: none here, kept for safety.
                None => attrs.take(attr.name().as_bytes(), || attr.value()),
            }
        }
        attrs
    }

    /// Takes attribute `name`, as written, if the reader looks at it; `value` gives its value.
    fn take(&mut self, name: &[u8], value: impl FnOnce() -> String) {
        // Longer than the longest name looked for: none of them.
        let mut lower = [0; 26];
        let Some(lower) = lower.get_mut(..name.len()) else {
            return;
        };
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        let slot = match &*lower {
            b"lang" => &mut self.lang,
            b"id" => &mut self.id,
            b"src" => &mut self.src,
            b"alt" => &mut self.alt,
            b"data-pagefind-body" => {
                self.body = true;
                return;
            }
            b"data-pagefind-ignore" => &mut self.ignore,
            b"data-pagefind-filter" => &mut self.filter,
            b"data-pagefind-meta" => &mut self.meta,
            b"data-pagefind-default-meta" => &mut self.default_meta,
            b"data-pagefind-sort" => &mut self.sort,
            b"data-pagefind-weight" => &mut self.weight,
            b"data-pagefind-title" => &mut self.title,
            b"data-pagefind-index-attrs" => &mut self.index_attrs,
            _ => return,
        };
        // The first of a repeated attribute counts, as in a browser.
        if slot.is_none() {
            *slot = Some(value());
        }
    }
}

/// What the reader asks of a start tag besides the attributes [`Attrs`] takes.
trait Element {
    /// Its name, lowercased.
    fn name(&self) -> String;
    /// The value of its first attribute named `name` (in any case), as lol_html finds it.
    fn attribute(&self, name: &str) -> Option<String>;
}

impl Element for lol_html::html_content::Element<'_, '_> {
    fn name(&self) -> String {
        self.tag_name()
    }

    fn attribute(&self, name: &str) -> Option<String> {
        self.get_attribute(name)
    }
}

impl Reader {
    /// A start tag is read: `closes` when it has an end tag to wait for, else it is read
    /// whole now. Returns its depth in the stack.
    fn start(&mut self, el: &impl Element, tag: Tag, mut attrs: Attrs, closes: bool) -> usize {
        if tag.name == Named::Html {
            self.parsed.lang = attrs.lang.take().unwrap_or_default().to_lowercase();
        }
        let img = (tag.name == Named::Img).then(|| (attrs.src.take(), attrs.alt.take()));
        let depth = self.open(el, tag, attrs, closes);
        if !closes {
            self.void(depth, img);
        }
        depth
    }
}

/// Reads a page's HTML as Pagefind's reader does: by [`scan`] where it can, else by lol_html,
/// the parser Pagefind reads with.
fn parse(html: &[u8]) -> std::result::Result<Parsed, lol_html::errors::RewritingError> {
    match scan::read(html) {
        Some(parsed) => Ok(parsed),
        None => rewrite(html),
    }
}

/// Reads a page's HTML with lol_html.
fn rewrite(html: &[u8]) -> std::result::Result<Parsed, lol_html::errors::RewritingError> {
    let reader = Rc::new(RefCell::new(Reader::default()));
    // End tags are read where they are written, by handlers that outlive this borrow.
    let source: Rc<[u8]> = Rc::from(html);
    let (r2, r3) = (Rc::clone(&reader), Rc::clone(&reader));
    let settings = Settings::new()
        // Every element is inside `<html>` in a parsed page; "*" is the cheaper selector.
        .append_element_content_handler(element!("*", move |el| {
            let tag = Tag::read(el, html);
            let attrs = Attrs::read(el, html);
            let closes = el.end_tag_handlers().is_some();
            let depth = r2.borrow_mut().start(el, tag, attrs, closes);
            if let Some(handlers) = el.end_tag_handlers() {
                let (reader, source) = (Rc::clone(&r2), Rc::clone(&source));
                handlers.push(Box::new(move |end| {
                    let end = Tag::read_end(end, &source);
                    reader.borrow_mut().close(depth, end);
                    Ok(())
                }));
            }
            Ok(())
        }))
        .append_element_content_handler(text!("html", move |chunk| {
            r3.borrow_mut().text(chunk.as_str());
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings.with_strict(false), |_: &[u8]| {});
    rewriter.write(html)?;
    rewriter.end()?;
    let reader = Rc::try_unwrap(reader)
        .map_err(|_| "the reader is still in use")
        .map(RefCell::into_inner);
    Ok(reader.map(Reader::finish).unwrap_or_default())
}
