//! Markdown → HTML with pulldown-cmark: readable, unique heading anchors (Arabic stays
//! Arabic), tables, footnotes, strikethrough, and the summary a list shows.

use std::collections::HashMap;

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::{bidi, nfc, slug};
use crate::config::{Direction, Slugify};

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

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// How deep Markdown may nest (lists, quotes, emphasis, links…). No article comes near it;
/// far deeper, the page could not be minified (minify-html recurses per element) and browsers
/// would flatten it anyway.
pub const MAX_NESTING: usize = 100;

/// Markdown that nests deeper than [`MAX_NESTING`]: `offset` is where, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// The byte offset of the element that went too deep.
    pub offset: usize,
}

/// Parses Markdown into events, with links and images that would run script made inert, and
/// lists the internal links and images.
fn parse(markdown: &str) -> Result<(Vec<Event<'_>>, Vec<Reference>), TooDeep> {
    let mut depth = 0usize;
    let mut refs = Vec::new();
    let events = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .map(|(mut event, range)| {
            match &mut event {
                Event::Start(tag) => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(TooDeep { offset: range.start });
                    }
                    let image = matches!(tag, Tag::Image { .. });
                    if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = tag {
                        if runs_script(dest_url, image) {
                            *dest_url = CowStr::Borrowed("#");
                        } else if image || dest_url.starts_with(INTERNAL) {
                            refs.push(Reference {
                                dest: dest_url.to_string(),
                                offset: range.start,
                                image,
                            });
                        }
                    }
                }
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            Ok(event)
        })
        .collect::<Result<_, _>>()?;
    Ok((events, refs))
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

/// Renders a Markdown body written in direction `dir`, isolating runs of the other one, with
/// heading anchors made as `slugs` says.
pub fn render(markdown: &str, dir: Direction, slugs: Slugify) -> Result<Rendered, TooDeep> {
    let (events, refs) = parse(markdown)?;
    let (events, toc) = with_heading_ids(events, slugs);
    let summary = summary_events(&events);
    // Isolating keeps paragraphs and the `<!-- more -->` marker, so the summary is found
    // again in the isolated body instead of isolating its text twice.
    let isolated = bidi::isolate(events.iter().cloned(), dir);
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
pub fn render_summary(markdown: &str, dir: Direction) -> Result<Summary, TooDeep> {
    let (events, refs) = parse(markdown)?;
    let mut html = String::new();
    html::push_html(&mut html, bidi::isolate(events.iter().cloned(), dir).into_iter());
    Ok(Summary {
        html,
        text: plain_text(&events),
        refs,
    })
}

/// The visible text of Markdown, white space folded (none for Markdown nested too deep, which
/// the article's own check reports).
pub fn visible_text(markdown: &str) -> String {
    parse(markdown)
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
        render(markdown, Direction::Ltr, Slugify::Unicode).unwrap()
    }

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_happens() {
        let ok = format!("intro\n\n{} x", ">".repeat(MAX_NESTING - 1));
        assert!(render(&ok, Direction::Ltr, Slugify::Unicode).is_ok());
        let deep = format!("intro\n\n{} x", ">".repeat(MAX_NESTING + 1));
        let err = render(&deep, Direction::Ltr, Slugify::Unicode).unwrap_err();
        assert_eq!(err.offset, "intro\n\n".len() + MAX_NESTING);
        assert!(render_summary(&"*".repeat(500), Direction::Ltr).is_ok());
        assert!(visible_text(&deep).is_empty());
    }

    #[test]
    fn arabic_heading_ids_are_readable_and_unique() {
        let r = render(
            "## ما الذي يعنيه ذلك؟\n\ntext\n\n## ما الذي يعنيه ذلك؟\n\n## Spartak وTigr\n",
            Direction::Rtl,
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
        let ascii = render("## مالي وروسيا\n", Direction::Rtl, Slugify::Ascii).unwrap();
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
}
