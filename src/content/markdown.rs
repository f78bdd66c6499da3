//! Markdown → HTML with pulldown-cmark: readable, unique heading anchors (Arabic stays
//! Arabic), tables, footnotes, strikethrough, and the summary a list shows.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::{bidi, nfc, slug};
use crate::config::{Direction, Quotes, Slugify};

/// The marker that ends a hand-chosen summary.
pub const MORE_MARKER: &str = "<!-- more -->";

/// One heading of a page, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, minicbor::Encode, minicbor::Decode)]
pub struct Heading {
    /// 1 to 6.
    #[n(0)]
    pub level: u8,
    /// The anchor, unique on the page.
    #[n(1)]
    pub id: String,
    /// The heading's plain text.
    #[n(2)]
    pub title: String,
}

/// A rendered Markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The whole body as HTML.
    pub html: String,
    /// The summary as HTML: everything before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text, for `<meta name="description">`.
    pub summary_text: String,
    /// The headings in order.
    pub toc: Vec<Heading>,
    /// Words in the body's text, for word count and reading time.
    pub words: usize,
    /// Links to other files of the site (`@/…`) and images, for the site to resolve and check.
    pub refs: Vec<Reference>,
}

/// A rendered front matter summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// As HTML.
    pub html: String,
    /// As plain text.
    pub text: String,
    /// Its links and images, as [`Rendered::refs`].
    pub refs: Vec<Reference>,
}

/// The prefix of a link to another content file by its source path: `@/briefings/x.ar.md#h`.
pub const INTERNAL: &str = "@/";

/// A destination the site must check: a link to another file (`@/…`) or an image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The destination as written.
    pub dest: String,
    /// Where it is, in bytes from the start of the Markdown.
    pub offset: usize,
    /// An image (else a link).
    pub image: bool,
}

/// How a document is written out: its language's direction and quotes, and the site's rule
/// for raw HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// The direction of the document's language: runs of the other one are isolated.
    pub dir: Direction,
    /// How straight quotes are written out.
    pub quotes: Quotes,
    /// Raw HTML as the author wrote it (else escaped and shown as text).
    pub raw_html: bool,
}

impl Style {
    /// Quotes as typed and raw HTML kept: the text as written.
    pub fn plain(dir: Direction) -> Self {
        Self {
            dir,
            quotes: Quotes::AsWritten,
            raw_html: true,
        }
    }
}

fn options(quotes: Quotes) -> Options {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    match quotes {
        Quotes::AsWritten => options,
        Quotes::Typographic { .. } => options | Options::ENABLE_SMART_PUNCTUATION,
    }
}

/// How deep Markdown may nest (lists, quotes, emphasis, links…). No article comes near it,
/// and far deeper browsers would flatten the tree anyway.
pub const MAX_NESTING: usize = 100;

/// Markdown that nests deeper than [`MAX_NESTING`]: `offset` is where, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// The byte offset of the element that went too deep.
    pub offset: usize,
}

/// Parses Markdown into events, with links and images that would run script made inert, and
/// lists the internal links and images. On the way the text of raw-text elements is kept as
/// written, bare URLs become links, and typographic quotes are the language's.
fn parse<'a>(markdown: &'a str, style: &Style) -> Result<(Vec<Event<'a>>, Vec<Reference>), TooDeep> {
    let mut events = Events::new(markdown, style);
    for (event, range) in Parser::new_ext(markdown, options(style.quotes)).into_offset_iter() {
        events.push(event, range)?;
    }
    Ok(events.finish())
}

/// HTML elements whose content a browser reads as text up to their closing tag (raw text and
/// escapable raw text, with `noscript` as browsers that run script read it): Markdown inside
/// them is no Markdown, and their text is nobody's running text.
const RAW_TEXT: [&str; 10] = [
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

/// Inline raw HTML opened by a raw-text element's tag, kept until its closing tag.
struct RawSpan {
    /// The element, from [`RAW_TEXT`].
    name: &'static str,
    /// The nesting depth of its opening tag: a closing tag counts only at the same depth, and
    /// the end of the enclosing block ends the span too.
    depth: usize,
    /// Where its content starts in the Markdown, and the furthest any event in it reached.
    start: usize,
    end: usize,
}

/// One text event of a run, with the Markdown it came from when smart punctuation made it
/// (`"` for “, `--` for –).
struct Piece<'a> {
    text: CowStr<'a>,
    typed: Option<&'a str>,
}

impl Piece<'_> {
    /// The piece as the author typed it.
    fn as_typed(&self) -> &str {
        self.typed.unwrap_or(&self.text)
    }
}

/// Where a raw HTML block is, when raw HTML is shown as text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HtmlBlock {
    /// Not yet seen its first line.
    Opened,
    /// The `<!-- more -->` marker, kept.
    Marker,
    /// Shown as a paragraph, its first line written.
    Text,
}

/// The parser's events on their way out of [`parse`].
struct Events<'a> {
    markdown: &'a str,
    style: Style,
    out: Vec<Event<'a>>,
    refs: Vec<Reference>,
    depth: usize,
    /// Open block quotes, list items and footnote definitions, whose line prefixes are no part
    /// of a raw span's text.
    containers: usize,
    raw: Option<RawSpan>,
    html_block: Option<HtmlBlock>,
    /// The run of text not yet written out.
    text: Vec<Piece<'a>>,
    /// Depth inside Markdown links, raw `<a>` elements, images and code blocks, where a URL
    /// is not made a link (nor, in the last two, quotes typographic).
    links: usize,
    anchors: usize,
    images: usize,
    code: usize,
}

impl<'a> Events<'a> {
    fn new(markdown: &'a str, style: &Style) -> Self {
        Self {
            markdown,
            style: *style,
            out: Vec::new(),
            refs: Vec::new(),
            depth: 0,
            containers: 0,
            raw: None,
            html_block: None,
            text: Vec::new(),
            links: 0,
            anchors: 0,
            images: 0,
            code: 0,
        }
    }

    fn push(&mut self, mut event: Event<'a>, range: Range<usize>) -> Result<(), TooDeep> {
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(TooDeep { offset: range.start });
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if let Some(raw) = &mut self.raw {
            let closes = matches!(&event, Event::InlineHtml(h)
                if tag(h).is_some_and(|(close, name)| close && name.eq_ignore_ascii_case(raw.name)));
            if closes && self.depth == raw.depth {
                let content = range.start;
                self.end_raw(content);
            } else if matches!(event, Event::End(_)) && self.depth < raw.depth {
                // The block ends first: its text is the element's, as a browser reads it.
                let content = raw.end;
                self.end_raw(content);
            } else {
                raw.end = raw.end.max(range.end);
                return Ok(());
            }
        }
        if let Event::Text(text) = event {
            let typed = &self.markdown[range];
            let made = matches!(self.style.quotes, Quotes::Typographic { .. })
                && *text != *typed
                && typed.bytes().all(|b| matches!(b, b'"' | b'\'' | b'-' | b'.'));
            self.text.push(Piece {
                text,
                typed: made.then_some(typed),
            });
            return Ok(());
        }
        self.flush();
        match &mut event {
            Event::Start(tag) => {
                match tag {
                    Tag::BlockQuote(_) | Tag::Item | Tag::FootnoteDefinition(_) => self.containers += 1,
                    Tag::CodeBlock(_) => self.code += 1,
                    Tag::Link { .. } => self.links += 1,
                    Tag::Image { .. } => self.images += 1,
                    Tag::HtmlBlock if !self.style.raw_html => {
                        self.html_block = Some(HtmlBlock::Opened);
                        return Ok(());
                    }
                    _ => {}
                }
                let image = matches!(tag, Tag::Image { .. });
                if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = tag {
                    if runs_script(dest_url, image) {
                        *dest_url = CowStr::Borrowed("#");
                    } else if image || dest_url.starts_with(INTERNAL) {
                        self.refs.push(Reference {
                            dest: dest_url.to_string(),
                            offset: range.start,
                            image,
                        });
                    }
                }
            }
            Event::End(tag) => match tag {
                TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::FootnoteDefinition => {
                    self.containers = self.containers.saturating_sub(1);
                }
                TagEnd::CodeBlock => self.code = self.code.saturating_sub(1),
                TagEnd::Link => self.links = self.links.saturating_sub(1),
                TagEnd::Image => self.images = self.images.saturating_sub(1),
                TagEnd::HtmlBlock => {
                    if let Some(HtmlBlock::Text) = self.html_block.take() {
                        event = Event::End(TagEnd::Paragraph);
                    }
                }
                _ => {}
            },
            Event::InlineHtml(html) => {
                match tag(html) {
                    Some((false, name)) => {
                        if let Some(raw) = RAW_TEXT.iter().find(|r| r.eq_ignore_ascii_case(name)) {
                            self.raw = Some(RawSpan {
                                name: raw,
                                depth: self.depth,
                                start: range.end,
                                end: range.end,
                            });
                        } else if name.eq_ignore_ascii_case("a") {
                            self.anchors += 1;
                        }
                    }
                    Some((true, name)) if name.eq_ignore_ascii_case("a") => {
                        self.anchors = self.anchors.saturating_sub(1);
                    }
                    _ => {}
                }
                let html = std::mem::replace(html, CowStr::Borrowed(""));
                self.push_html(html, true);
                return Ok(());
            }
            Event::Html(html) => {
                let html = std::mem::replace(html, CowStr::Borrowed(""));
                self.push_html(html, false);
                return Ok(());
            }
            _ => {}
        }
        self.out.push(event);
        Ok(())
    }

    /// Writes out a raw span's content, up to `end` in the Markdown, as the author wrote it.
    fn end_raw(&mut self, end: usize) {
        let Some(raw) = self.raw.take() else { return };
        let written = &self.markdown[raw.start..end.max(raw.start)];
        if written.is_empty() {
            return;
        }
        let content = match self.containers {
            // The lines' block quote markers and indentation are the container's, not the text's.
            1.. if written.contains('\n') => CowStr::from(
                written
                    .split_inclusive('\n')
                    .enumerate()
                    .map(|(i, line)| match i {
                        0 => line,
                        _ => line.trim_start_matches([' ', '\t', '>']),
                    })
                    .collect::<String>(),
            ),
            _ => CowStr::Borrowed(written),
        };
        self.push_html(content, true);
    }

    /// Raw HTML as written, or, where the site shows it as text, as text (an HTML block as a
    /// paragraph). The `<!-- more -->` marker stays a marker.
    fn push_html(&mut self, html: CowStr<'a>, inline: bool) {
        let marker = html.trim() == MORE_MARKER;
        if self.style.raw_html || (marker && self.html_block != Some(HtmlBlock::Text)) {
            if self.html_block == Some(HtmlBlock::Opened) {
                self.html_block = Some(HtmlBlock::Marker);
                self.out.push(Event::Start(Tag::HtmlBlock));
            }
            self.out.push(match inline {
                true => Event::InlineHtml(html),
                false => Event::Html(html),
            });
            return;
        }
        match self.html_block {
            Some(HtmlBlock::Opened) => {
                self.out.push(Event::Start(Tag::Paragraph));
                self.html_block = Some(HtmlBlock::Text);
            }
            Some(HtmlBlock::Text) if !inline => self.out.push(Event::SoftBreak),
            _ => {}
        }
        let html = match html.strip_suffix('\n') {
            Some(line) if !inline => CowStr::from(line.to_string()),
            _ => html,
        };
        self.out.push(Event::Text(html));
    }

    /// Writes out the run of text: bare URLs as links, and quotes as the language sets them.
    /// An image's text is its `alt` attribute, as written.
    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        // The run's vector is kept for the next run.
        let mut pieces = std::mem::take(&mut self.text);
        self.write_text(&mut pieces);
        pieces.clear();
        self.text = pieces;
    }

    fn write_text(&mut self, pieces: &mut Vec<Piece<'a>>) {
        let quotes = self.style.quotes;
        if self.images > 0 {
            let typed = pieces.drain(..).map(|p| p.typed.map_or(p.text, CowStr::Borrowed));
            self.out.extend(typed.map(Event::Text));
            return;
        }
        let shown = |p: Piece<'a>| match (p.typed, quotes, &*p.text) {
            (Some(_), Quotes::Typographic { open, .. }, "\u{201C}") => CowStr::from(open),
            (Some(_), Quotes::Typographic { close, .. }, "\u{201D}") => CowStr::from(close),
            _ => p.text,
        };
        // No address is split between pieces: the parser splits text only at what it makes
        // typographic and at escapes and entities, none of which is in `://`, `www.` or `@`.
        let linkable = self.links == 0
            && self.anchors == 0
            && self.code == 0
            && pieces.iter().any(|p| may_link(p.as_typed()));
        // The text as typed, which is what an address is.
        let (whole, found) = match linkable {
            true => {
                let whole: String = pieces.iter().map(Piece::as_typed).collect();
                let found = autolinks(&whole);
                (whole, found)
            }
            false => (String::new(), Vec::new()),
        };
        if found.is_empty() {
            self.out.extend(pieces.drain(..).map(|p| Event::Text(shown(p))));
            return;
        }
        // Around the links the text is shown, but a made mark that a link takes in is typed.
        let mut links = found.into_iter().peekable();
        let (mut at, mut done) = (0, 0);
        let mut text = String::new();
        for piece in pieces.drain(..) {
            let (start, end) = (at, at + piece.as_typed().len());
            at = end;
            if done >= end {
                continue;
            }
            if done == start && links.peek().is_none_or(|l| l.range.start >= end) {
                text.push_str(&shown(piece));
                done = end;
                continue;
            }
            while let Some(link) = links.next_if(|l| l.range.start < end) {
                text.push_str(&whole[done..link.range.start]);
                if !text.is_empty() {
                    self.out
                        .push(Event::Text(CowStr::from(std::mem::take(&mut text))));
                }
                let url = &whole[link.range.clone()];
                let (link_type, dest_url) = match link.kind {
                    Autolink::Web => (LinkType::Autolink, url.to_string()),
                    Autolink::Www => (LinkType::Autolink, format!("http://{url}")),
                    Autolink::Email => (LinkType::Email, url.to_string()),
                };
                self.out.extend([
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(dest_url),
                        title: CowStr::Borrowed(""),
                        id: CowStr::Borrowed(""),
                    }),
                    Event::Text(CowStr::from(url.to_string())),
                    Event::End(TagEnd::Link),
                ]);
                done = link.range.end;
            }
            if done < end {
                text.push_str(&whole[done..end]);
                done = end;
            }
        }
        if !text.is_empty() {
            self.out.push(Event::Text(CowStr::from(text)));
        }
    }

    /// The events and references, once the parser is done.
    fn finish(mut self) -> (Vec<Event<'a>>, Vec<Reference>) {
        if let Some(raw) = &self.raw {
            let end = raw.end;
            self.end_raw(end);
        }
        self.flush();
        (self.out, self.refs)
    }
}

/// Whether text may hold an address [`autolinks`] finds: most text does not, and is spared
/// the search.
fn may_link(text: &str) -> bool {
    let bytes = text.as_bytes();
    // One pass over the text for `:`, `.` and `@`, rarer than the letters around them.
    memchr::memchr3_iter(b':', b'.', b'@', bytes).any(|i| match bytes[i] {
        b':' => bytes[i + 1..].starts_with(b"//"),
        b'.' => bytes[..i].ends_with(b"www"),
        _ => true,
    })
}

/// A raw HTML tag's name, and whether it is a closing tag: `<Script src=x>` → `(false, "Script")`.
fn tag(html: &str) -> Option<(bool, &str)> {
    let rest = html.strip_prefix('<')?;
    let (close, rest) = match rest.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some((close, name))
}

/// What a bare address in text links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Autolink {
    /// `http://` or `https://`, as written.
    Web,
    /// `www.…`, with `http://` before it, as GFM does.
    Www,
    /// An e-mail address, with `mailto:`.
    Email,
}

/// A bare address found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    range: Range<usize>,
    kind: Autolink,
}

/// The bare web addresses (`https://…`, `http://…`, `www.…`) and e-mail addresses of a
/// text, as GFM's autolink extension finds them: punctuation that ends a sentence or closes a
/// quotation after one (Arabic's too) is the sentence's, and so is an unmatched `)`. Only
/// these schemes are linked, so no link made here can run script.
fn autolinks(text: &str) -> Vec<Found> {
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    finder
        .links(text)
        .filter_map(|link| {
            let found = link.as_str();
            let scheme = |s: &str| found.get(..s.len()).is_some_and(|f| f.eq_ignore_ascii_case(s));
            // A `www.` address may follow punctuation (`«www.…»`), which the finder takes in,
            // but not a letter.
            let (lead, kind) = match link.kind() {
                linkify::LinkKind::Email => (0, Autolink::Email),
                _ if scheme("http://") || scheme("https://") => (0, Autolink::Web),
                _ => match found.find("www.") {
                    Some(lead)
                        if !found[..lead]
                            .chars()
                            .next_back()
                            .is_some_and(char::is_alphanumeric) =>
                    {
                        (lead, Autolink::Www)
                    }
                    _ => return None,
                },
            };
            let found = &found[lead..];
            let kept = found.trim_end_matches(|c: char| {
                matches!(
                    c,
                    '.' | ',' | ':' | ';' | '!' | '?' | '*' | '_' | '~' | '\'' | '"'
                        | '\u{060C}' // ، Arabic comma
                        | '\u{061B}' // ؛ Arabic semicolon
                        | '\u{061F}' // ؟ Arabic question mark
                        | '\u{06D4}' // ۔ Arabic full stop
                        | '\u{00AB}' // «
                        | '\u{00BB}' // »
                        | '\u{2039}' // ‹
                        | '\u{203A}' // ›
                        | '\u{2018}' // ‘
                        | '\u{2019}' // ’
                        | '\u{201C}' // “
                        | '\u{201D}' // ”
                        | '\u{2026}' // …
                )
            });
            // Something must be left after the scheme, or `www.`, once the punctuation is off.
            let host = kept
                .split_once("://")
                .map_or(kept.strip_prefix("www.").unwrap_or(kept), |(_, host)| host);
            let start = link.start() + lead;
            (!host.is_empty() && host.contains(|c: char| c.is_alphanumeric())).then(|| Found {
                range: start..start + kept.len(),
                kind,
            })
        })
        .collect()
}

/// Whether a URL would run script when followed (`javascript:`, `vbscript:`, `data:` other
/// than an image's picture). Browsers ignore case, white space and control characters there.
pub fn runs_script(url: &str, image: bool) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    scheme.starts_with("javascript:")
        || scheme.starts_with("vbscript:")
        || (scheme.starts_with("data:") && !(image && scheme.starts_with("data:image/")))
}

/// Renders a Markdown body written as `style` says, isolating runs of the other direction, with
/// heading anchors made as `slugs` says.
pub fn render(markdown: &str, style: Style, slugs: Slugify) -> Result<Rendered, TooDeep> {
    let (events, refs) = parse(markdown, &style)?;
    let (events, toc) = with_heading_ids(events, slugs);
    let summary = summary_events(&events);
    // Isolating keeps paragraphs and the `<!-- more -->` marker, so the summary is found
    // again in the isolated body instead of isolating its text twice.
    let isolated = bidi::isolate(events.iter().cloned(), style.dir);
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, summary_events(&isolated).iter().cloned());
    let mut html_out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html_out, isolated.into_iter());
    Ok(Rendered {
        html: html_out,
        summary_html,
        summary_text: plain_text(summary),
        toc,
        words: crate::i18n::word_count(&text_of(&events)),
        refs,
    })
}

/// Renders a short text (a front matter summary) as Markdown, keeping its plain text too.
pub fn render_summary(markdown: &str, style: Style) -> Result<Summary, TooDeep> {
    let (events, refs) = parse(markdown, &style)?;
    let mut html = String::new();
    html::push_html(
        &mut html,
        bidi::isolate(events.iter().cloned(), style.dir).into_iter(),
    );
    Ok(Summary {
        html,
        text: plain_text(&events),
        refs,
    })
}

/// The visible text of Markdown as typed, white space folded (none for Markdown nested too
/// deep, which the article's own check reports).
pub fn visible_text(markdown: &str) -> String {
    parse(markdown, &Style::plain(Direction::Ltr))
        .map(|(events, _)| plain_text(&events))
        .unwrap_or_default()
}

/// Replaces every heading start with raw HTML carrying a unique `id`, and lists the headings.
fn with_heading_ids(events: Vec<Event<'_>>, slugs: Slugify) -> (Vec<Event<'_>>, Vec<Heading>) {
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut toc = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &events[i]
        else {
            out.push(events[i].clone());
            i += 1;
            continue;
        };
        let end = events[i..]
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
            .map_or(events.len(), |p| i + p);
        let inner = &events[i + 1..end];
        let title = plain_text(inner);
        // An author's `{#id}` is kept if it is a plain name (in NFC, as links to it are
        // compared), else made into one like a title.
        let plain =
            |id: &str| !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        let base = match id {
            Some(id) if plain(id) => nfc(id).into_owned(),
            Some(id) => slug(id, slugs),
            None => slug(&title, slugs),
        };
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let unique = unique_id(&mut used, base);
        let n = heading_number(*level);
        let mut open = format!("<h{n} id=\"");
        escape_attr(&mut open, &unique);
        open.push('"');
        if !classes.is_empty() {
            open.push_str(" class=\"");
            escape_attr(&mut open, &classes.join(" "));
            open.push('"');
        }
        for (k, v) in attrs {
            open.push(' ');
            escape_attr(&mut open, k);
            if let Some(v) = v {
                open.push_str("=\"");
                escape_attr(&mut open, v);
                open.push('"');
            }
        }
        open.push('>');
        out.push(Event::Html(CowStr::from(open)));
        out.extend(inner.iter().cloned());
        out.push(Event::Html(CowStr::from(format!("</h{n}>\n"))));
        toc.push(Heading {
            level: n,
            id: unique,
            title,
        });
        i = end + 1;
    }
    (out, toc)
}

fn unique_id(used: &mut HashMap<String, usize>, base: String) -> String {
    let mut candidate = base.clone();
    loop {
        let n = used.entry(candidate.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            return candidate;
        }
        candidate = format!("{base}-{}", *n - 1);
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Escapes text for HTML text and quoted attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_attr(&mut out, s);
    out
}

fn escape_attr(out: &mut String, s: &str) {
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, s);
}

/// The summary's events: all before the `<!-- more -->` marker, else the first top-level paragraph.
fn summary_events<'e, 'a>(events: &'e [Event<'a>]) -> &'e [Event<'a>] {
    if let Some(marker) = events
        .iter()
        .position(|e| matches!(e, Event::Html(h) | Event::InlineHtml(h) if h.trim() == MORE_MARKER))
    {
        return &events[..marker];
    }
    let mut depth = 0usize;
    let mut start = None;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                start = Some(i);
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(TagEnd::Paragraph) if depth == 1 && start.is_some() => {
                return &events[start.unwrap_or(i)..=i];
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    &[]
}

/// The text of events, with breaks as spaces and runs of white space folded.
fn plain_text(events: &[Event<'_>]) -> String {
    text_of(events).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of events, with breaks as spaces.
fn text_of(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            // Inline elements run on inside a word; every other end separates words.
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {}
            Event::SoftBreak | Event::HardBreak | Event::End(_) => s.push(' '),
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_ltr(markdown: &str) -> Rendered {
        render(markdown, Style::plain(Direction::Ltr), Slugify::Unicode).unwrap()
    }

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_happens() {
        let ok = format!("intro\n\n{} x", ">".repeat(MAX_NESTING - 1));
        assert!(render(&ok, Style::plain(Direction::Ltr), Slugify::Unicode).is_ok());
        let deep = format!("intro\n\n{} x", ">".repeat(MAX_NESTING + 1));
        let err = render(&deep, Style::plain(Direction::Ltr), Slugify::Unicode).unwrap_err();
        assert_eq!(err.offset, "intro\n\n".len() + MAX_NESTING);
        assert!(render_summary(&"*".repeat(500), Style::plain(Direction::Ltr)).is_ok());
        assert!(visible_text(&deep).is_empty());
    }

    #[test]
    fn arabic_heading_ids_are_readable_and_unique() {
        let r = render(
            "## ما الذي يعنيه ذلك؟\n\ntext\n\n## ما الذي يعنيه ذلك؟\n\n## Spartak وTigr\n",
            Style::plain(Direction::Rtl),
            Slugify::Unicode,
        )
        .unwrap();
        assert!(r.html.contains("<h2 id=\"ما-الذي-يعنيه-ذلك\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"ما-الذي-يعنيه-ذلك-1\">"), "{}", r.html);
        assert!(
            r.html
                .contains("<h2 id=\"spartak-وtigr\"><bdi>Spartak</bdi> و<bdi>Tigr</bdi></h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[0].title, "ما الذي يعنيه ذلك؟");
    }

    #[test]
    fn explicit_heading_id_is_kept() {
        let r = render_ltr("## Title {#custom}\n");
        assert!(r.html.contains("<h2 id=\"custom\">Title</h2>"), "{}", r.html);
    }

    #[test]
    fn explicit_heading_ids_cannot_carry_paths_or_clash() {
        let r = render_ltr("## A {#../../x}\n\n## B {#a/b\u{7}}\n\n## x\n\n## C {#x-1}\n\n## x\n");
        let ids: Vec<&str> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["x", "a-b", "x-1", "x-1-1", "x-2"]);
        let ascii = render("## مالي وروسيا\n", Style::plain(Direction::Rtl), Slugify::Ascii).unwrap();
        assert!(ascii.toc[0].id.is_ascii(), "{}", ascii.toc[0].id);
    }

    #[test]
    fn summary_is_first_paragraph_or_up_to_more() {
        let r = render_ltr("## H\n\nFirst *para*.\n\nSecond.\n");
        assert_eq!(r.summary_html, "<p>First <em>para</em>.</p>\n");
        assert_eq!(r.summary_text, "First para.");
        let r = render_ltr("One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n");
        assert_eq!(r.summary_html, "<p>One.</p>\n<p>Two.</p>\n");
    }

    #[test]
    fn script_urls_are_made_inert() {
        let r = render_ltr(
            "[a](javascript:alert(1)) [b](<JaVa\tScript:x>) [c](https://example.org) ![i](data:text/html,x)",
        );
        assert_eq!(r.html.matches("href=\"#\"").count(), 2, "{}", r.html);
        assert!(!r.html.to_lowercase().contains("href=\"java"), "{}", r.html);
        assert!(!r.html.contains("data:text"), "{}", r.html);
        assert!(r.html.contains("href=\"https://example.org\""));
        assert!(render_ltr("![i](data:image/png;base64,AA)")
            .html
            .contains("data:image/png"));
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let r = render_ltr("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ y[^1]\n\n[^1]: note\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains("footnote-definition"));
    }

    fn styled(markdown: &str, dir: Direction, quotes: Quotes, raw_html: bool) -> Rendered {
        let style = Style {
            dir,
            quotes,
            raw_html,
        };
        render(markdown, style, Slugify::Unicode).unwrap()
    }

    /// Asserts that `html` holds each of `parts`.
    fn holds(html: &str, parts: &[&str]) {
        for part in parts {
            assert!(html.contains(part), "{part} not in {html}");
        }
    }

    fn arabic(markdown: &str) -> Rendered {
        styled(markdown, Direction::Rtl, Quotes::AsWritten, true)
    }

    const GUILLEMETS: Quotes = Quotes::Typographic {
        open: '«',
        close: '»',
    };

    #[test]
    fn raw_text_elements_are_passed_through_as_written() {
        let md = "نص <script>if (a && b < c) { x = \"T-72\"; y = '*no*'; }</script> بعد\n\n\
                  ثم <style>p::after { content: \"--\" }</style> و<textarea>BMP-3 & *x*</textarea> \
                  و<TITLE>Tigr \"x\"</TITLE> و<xmp>[a](@/x.md)</xmp> انتهى\n";
        // Quotes made typographic around them must not reach in either.
        let r = styled(md, Direction::Rtl, GUILLEMETS, true);
        holds(
            &r.html,
            &[
                "<script>if (a && b < c) { x = \"T-72\"; y = '*no*'; }</script>",
                "<style>p::after { content: \"--\" }</style>",
                "<textarea>BMP-3 & *x*</textarea>",
                "<TITLE>Tigr \"x\"</TITLE>",
                "<xmp>[a](@/x.md)</xmp>",
            ],
        );
        assert!(!r.html.contains("<bdi>"), "{}", r.html);
        // Not text: not in the summary's plain text, the word count or the references.
        assert_eq!(r.summary_text, "نص بعد");
        assert_eq!(r.words, 7, "{}", r.html);
        assert!(r.refs.is_empty(), "{:?}", r.refs);
        let summary = render_summary("أ <script>var x = 1</script> ب", Style::plain(Direction::Rtl)).unwrap();
        assert_eq!(summary.text, "أ ب");
        holds(&summary.html, &["<script>var x = 1</script>"]);
        assert_eq!(visible_text("a <script>x</script> b"), "a b");
    }

    #[test]
    fn a_raw_span_ends_at_its_block_and_drops_container_prefixes() {
        let r = arabic("> نص <script>x = 1;\n> y = 2 && z;</script> بعد\n");
        holds(&r.html, &["<script>x = 1;\ny = 2 && z;</script> بعد"]);
        // Unclosed: the rest of the paragraph is the element's, the next paragraph is not.
        let r = arabic("نص <script>x *y* z\n\nNext *p*\n");
        holds(
            &r.html,
            &[
                "<p>نص <script>x *y* z</p>",
                "<bdi>Next</bdi> <em><bdi>p</bdi></em>",
            ],
        );
        // A closing tag inside emphasis is the element's text, as the author's `*` are.
        let r = arabic("نص <style>*a</style>* b</style> بعد\n");
        holds(&r.html, &["<style>*a</style>* b</style> بعد"]);
    }

    #[test]
    fn block_html_and_attributes_are_untouched() {
        let md = "<div title=\"T-72 'x' https://x.org\">\nT-72 \"Latin\" https://x.org -- it's\n</div>\n\n\
                  نص <span title=\"BMP-3 'q' https://y.org\">BMP-3</span> <a href=\"https://z.org\">https://z.org</a>\n";
        let r = styled(md, Direction::Rtl, GUILLEMETS, true);
        assert!(
            r.html.starts_with(
                "<div title=\"T-72 'x' https://x.org\">\nT-72 \"Latin\" https://x.org -- it's\n</div>\n"
            ),
            "{}",
            r.html
        );
        holds(
            &r.html,
            &["<span title=\"BMP-3 'q' https://y.org\"><bdi class=\"nobreak\">BMP-3</bdi></span>"],
        );
        // Text inside a raw link is its text: isolated, not linked again.
        holds(
            &r.html,
            &["<a href=\"https://z.org\"><bdi>https://z.org</bdi></a>"],
        );
        assert_eq!(r.html.matches("<a ").count(), 1, "{}", r.html);
    }

    #[test]
    fn raw_html_can_be_shown_as_text() {
        let md = "a <b>bold</b> <script>x && \"y\"</script>\n\n<div class=\"x\">\n*z*\n</div>\n\n<!-- more -->\n\nrest\n";
        let r = styled(md, Direction::Ltr, Quotes::CURLY, false);
        assert!(
            r.html.starts_with(
                "<p>a &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x &amp;&amp; \"y\"&lt;/script&gt;</p>\n\
                 <p>&lt;div class=\"x\"&gt;\n*z*\n&lt;/div&gt;</p>\n"
            ),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<b>") && !r.html.contains("<div"), "{}", r.html);
        // The marker still ends the summary.
        assert!(
            r.summary_html.ends_with("&lt;/div&gt;</p>\n"),
            "{}",
            r.summary_html
        );
        assert!(!r.summary_text.contains("rest"), "{}", r.summary_text);
        let summary = render_summary(
            "<i>x</i>",
            Style {
                raw_html: false,
                ..Style::plain(Direction::Ltr)
            },
        )
        .unwrap();
        assert_eq!(summary.html, "<p>&lt;i&gt;x&lt;/i&gt;</p>\n");
    }

    #[test]
    fn bare_urls_become_links_without_their_punctuation() {
        let r = render_ltr(
            "See https://example.org/a_(b), www.example.com. And (https://x.org/y). \
             Mail desk@example.org! Or \"https://q.org/?a=1&b=2\": done; HTTP://UP.org?\n",
        );
        holds(
            &r.html,
            &[
                "<a href=\"https://example.org/a_(b)\">https://example.org/a_(b)</a>, ",
                "<a href=\"http://www.example.com\">www.example.com</a>. ",
                "(<a href=\"https://x.org/y\">https://x.org/y</a>). ",
                "<a href=\"mailto:desk@example.org\">desk@example.org</a>! ",
                "\"<a href=\"https://q.org/?a=1&amp;b=2\">https://q.org/?a=1&amp;b=2</a>\": ",
                "<a href=\"HTTP://UP.org\">HTTP://UP.org</a>?",
            ],
        );
        // The summary's plain text still has the addresses.
        holds(&r.summary_text, &["https://x.org/y"]);
    }

    #[test]
    fn bare_urls_in_arabic_are_isolated_links_before_arabic_punctuation() {
        let r = arabic("راجع https://example.org/mali، و«www.example.org/ar»؟ و https://ar.wikipedia.org/wiki/مالي. ثم\n");
        holds(&r.html, &[
            "راجع <a href=\"https://example.org/mali\"><bdi>https://example.org/mali</bdi></a>، و«",
            "«<a href=\"http://www.example.org/ar\"><bdi>www.example.org/ar</bdi></a>»؟",
            "<a href=\"https://ar.wikipedia.org/wiki/%D9%85%D8%A7%D9%84%D9%8A\"><bdi>https://ar.wikipedia.org/wiki</bdi>/مالي</a>. ثم",
        ]);
        assert_eq!(
            r.summary_text,
            "راجع https://example.org/mali، و«www.example.org/ar»؟ و https://ar.wikipedia.org/wiki/مالي. ثم"
        );
    }

    #[test]
    fn urls_in_code_links_images_and_other_schemes_stay_text() {
        let r = render_ltr(
            "`https://a.org` [https://b.org](https://c.org) ![https://d.org](i.png) ftp://e.org \
             javascript://f.org/%0aalert(1) xwww.g.org\n\n    https://h.org\n\n```\nwww.i.org\n```\n",
        );
        assert_eq!(r.html.matches("<a ").count(), 1, "{}", r.html);
        holds(
            &r.html,
            &[
                "<a href=\"https://c.org\">https://b.org</a>",
                "alt=\"https://d.org\"",
            ],
        );
    }

    #[test]
    fn english_quotes_are_curly_by_default() {
        let r = styled(
            "\"Quoted\" and 'single', it's -- done --- then...\n",
            Direction::Ltr,
            Quotes::CURLY,
            true,
        );
        assert_eq!(
            r.html,
            "<p>\u{201C}Quoted\u{201D} and \u{2018}single\u{2019}, it\u{2019}s \u{2013} done \u{2014} then\u{2026}</p>\n"
        );
        assert_eq!(r.summary_text, "\u{201C}Quoted\u{201D} and \u{2018}single\u{2019}, it\u{2019}s \u{2013} done \u{2014} then\u{2026}");
    }

    #[test]
    fn arabic_quotes_as_configured() {
        let md = "قال \"نص 'Mali' هنا\" ثم\n";
        let r = styled(md, Direction::Rtl, GUILLEMETS, true);
        assert_eq!(r.html, "<p>قال «نص \u{2018}<bdi>Mali</bdi>\u{2019} هنا» ثم</p>\n");
        let reversed = Quotes::Typographic {
            open: '\u{201D}',
            close: '\u{201C}',
        };
        let r = styled(md, Direction::Rtl, reversed, true);
        holds(&r.html, &["قال \u{201D}نص", "هنا\u{201C} ثم"]);
        assert_eq!(arabic(md).html, "<p>قال \"نص '<bdi>Mali</bdi>' هنا\" ثم</p>\n");
        assert_eq!(arabic("أ -- ب...\n").html, "<p>أ -- ب...</p>\n");
    }

    #[test]
    fn quotes_stay_straight_in_code_urls_destinations_html_and_attributes() {
        let md = "`\"a\"` [\"b\"](https://x.org/it's \"t'itle\") ![it's \"c\"](i.png) \
                  <span title=\"'d'\">'e'</span> https://en.wikipedia.org/wiki/Côte_d'Ivoire--x...\n\n\
                  ```\n\"f\" -- 'g'\n```\n";
        let r = styled(md, Direction::Ltr, GUILLEMETS, true);
        holds(
            &r.html,
            &[
                "<code>\"a\"</code>",
                "<a href=\"https://x.org/it&#x27;s\" title=\"t&#39;itle\">«b»</a>",
                "alt=\"it&#39;s &quot;c&quot;\"",
                "<span title=\"'d'\">\u{2018}e\u{2019}</span>",
                "<pre><code>\"f\" -- 'g'\n</code></pre>",
            ],
        );
        holds(
            &r.html,
            &[">https://en.wikipedia.org/wiki/Côte_d'Ivoire--x</a>\u{2026}"],
        );
    }
}
