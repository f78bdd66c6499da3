//! Bidirectional isolation. In Arabic running text a Latin name such as "T-72B3" or "BMP-3"
//! is a left-to-right run, and without isolation the Unicode bidi algorithm lets it pull the
//! neighbouring digits and punctuation into its own order ("BTR-82A،" shows its comma on the
//! wrong side; "Spartak وTigr" can swap). Each such run is wrapped in `<bdi>` so the browser
//! lays it out on its own; in left-to-right pages Arabic runs get the same treatment.
//!
//! Characters are classed by their Unicode bidi class (`unicode-bidi`'s tables). A run
//! starts at a strong character of the other direction and takes in whatever follows until a
//! strong character of the page's own direction, then gives back what trails after its last
//! solid character (spaces, punctuation, an unmatched bracket), so punctuation and
//! Arabic-Indic digits stay outside. Digits belong to a Latin run when they touch it
//! ("BMP-3", "2S19") or the run goes on after them ("Sahel 2024 Review").

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use unicode_bidi::{bidi_class, BidiClass, BidiDataSource, HardcodedBidiData};

use crate::config::Direction;

/// What a character is to a run of the other direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Strong in the other direction: starts or continues a run.
    Foreign,
    /// Strong in the page's direction: ends a run.
    Native,
    /// Part of a run wherever it stands in one (its digits, combining marks).
    Solid,
    /// Inside a run only between solid characters (hyphens, dots, spaces, brackets).
    Between,
    /// Ends a run (paragraph and segment separators).
    Break,
}

/// `c`'s bidi class. Most text is Latin and Arabic, under U+0800: their classes are read once
/// from `unicode-bidi` into a table, as its binary search over ranges was a sixth of a build.
pub(crate) fn class(c: char) -> BidiClass {
    const TABLED: usize = 0x800;
    static TABLE: std::sync::OnceLock<Vec<BidiClass>> = std::sync::OnceLock::new();
    match TABLE
        .get_or_init(|| {
            (0..TABLED as u32)
                .filter_map(char::from_u32)
                .map(bidi_class)
                .collect()
        })
        .get(c as usize)
    {
        Some(&class) => class,
        None => bidi_class(c),
    }
}

fn role(c: char, page: Direction) -> Role {
    use BidiClass::*;
    match (class(c), page) {
        (L, Direction::Rtl) | (R | AL, Direction::Ltr) => Role::Foreign,
        (R | AL | AN, Direction::Rtl) | (L, Direction::Ltr) => Role::Native,
        (EN, Direction::Rtl) | (AN, Direction::Ltr) | (NSM | BN, _) => Role::Solid,
        (B | S, _) => Role::Break,
        _ => Role::Between,
    }
}

/// Byte ranges of the runs of `text` written in the other direction than `page`.
pub fn foreign_runs(text: &str, page: Direction) -> Vec<Range<usize>> {
    // Most text has no run at all: find that out without classing it into a list.
    if !has_foreign(text, page) {
        return Vec::new();
    }
    let chars: Vec<(usize, char, Role)> = text.char_indices().map(|(i, c)| (i, c, role(c, page))).collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].2 != Role::Foreign {
            i += 1;
            continue;
        }
        // Digits glued to the front of a name belong to it ("2S19").
        let mut start = i;
        while start > 0 && chars[start - 1].2 == Role::Solid && !is_mark(chars[start - 1].1) {
            start -= 1;
        }
        let end = run_end(&chars, i);
        runs.push(chars[start].0..chars.get(end).map_or(text.len(), |c| c.0));
        i = end.max(i + 1);
    }
    runs
}

/// Index one past the last character of the run starting (with a foreign character) at `i`.
fn run_end(chars: &[(usize, char, Role)], i: usize) -> usize {
    let data = HardcodedBidiData;
    // Open brackets of the run, and the end of the run before the first unmatched one.
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut end = i + 1;
    // Whether white space came since the last solid character: a European number after a
    // space is the Arabic sentence's ("أرسلت Russia 40 دبابة"), not the name's, unless the
    // run goes on. Arabic-Indic digits in English text are always the Arabic run's.
    let mut gap = false;
    for (j, &(_, c, role)) in chars.iter().enumerate().skip(i + 1) {
        match role {
            Role::Native | Role::Break => break,
            Role::Foreign => (end, gap) = (j + 1, false),
            Role::Solid if !gap || class(c) == BidiClass::AN => end = j + 1,
            Role::Solid => {}
            Role::Between => match data.bidi_matched_opening_bracket(c) {
                Some(b) if b.is_open => open.push((j, b.opening)),
                Some(b) => match open.last() {
                    Some(&(_, opening)) if opening == b.opening => {
                        open.pop();
                        (end, gap) = (j + 1, false);
                    }
                    // A closing bracket the run did not open is not the run's.
                    _ => break,
                },
                None => gap |= class(c) == BidiClass::WS,
            },
        }
    }
    // An opening bracket left unclosed inside the run, with what follows it, is given back.
    match open.first() {
        Some(&(at, _)) if at < end => chars[i..at]
            .iter()
            .rposition(|&(_, _, r)| matches!(r, Role::Foreign | Role::Solid))
            .map_or(i + 1, |p| i + p + 1),
        _ => end,
    }
}

/// Whether `text` has a character strong in the other direction than `page`, judged from its
/// bytes when they tell (most text), else from its characters' classes.
/// - Right-to-left classes begin at U+0590, whose UTF-8 lead byte is 0xD6: English text with
///   no byte from there up has none.
/// - Arabic text whose bytes are ASCII other than letters, or U+0600–U+06FF (lead bytes
///   0xD8–0xDB and their continuation bytes), has no left-to-right character: that block has
///   none, and ASCII's are its letters.
fn has_foreign(text: &str, page: Direction) -> bool {
    let bytes = text.bytes();
    let plain = match page {
        Direction::Ltr => bytes.fold(true, |ok, b| ok & (b < 0xD6)),
        Direction::Rtl => bytes.fold(true, |ok, b| {
            ok & (matches!(b, 0x80..=0xBF | 0xD8..=0xDB) || (b < 0x80 && !b.is_ascii_alphabetic()))
        }),
    };
    !plain && text.chars().any(|c| role(c, page) == Role::Foreign)
}

/// Combining marks are solid only after what they mark.
fn is_mark(c: char) -> bool {
    matches!(class(c), BidiClass::NSM | BidiClass::BN)
}

/// Appends `text` to `out` as HTML: escaped, each foreign run wrapped in `<bdi>`.
pub fn push_isolated(out: &mut String, text: &str, page: Direction) {
    push_runs(out, text, &foreign_runs(text, page));
}

/// Appends `text` to `out` as HTML with the given `runs` wrapped in `<bdi>`.
fn push_runs(out: &mut String, text: &str, runs: &[Range<usize>]) {
    let mut last = 0;
    for run in runs {
        escape(out, &text[last..run.start]);
        out.push_str("<bdi>");
        escape(out, &text[run.clone()]);
        out.push_str("</bdi>");
        last = run.end;
    }
    escape(out, &text[last..]);
}

fn escape(out: &mut String, s: &str) {
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html_body_text(out, s);
}

/// Isolates the foreign runs of a Markdown document's text. Code (inline and blocks) and an
/// image's text (its `alt` attribute) are left as they are; so are raw HTML, URLs and every
/// other attribute, which are not text events. Adjacent text events are joined first, so a
/// run the parser split stays one run.
pub fn isolate<'a>(events: impl IntoIterator<Item = Event<'a>>, page: Direction) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut text: Vec<CowStr<'a>> = Vec::new();
    // Depth inside code blocks and images, where text is not running text.
    let mut verbatim = 0usize;
    let flush = |text: &mut Vec<CowStr<'a>>, out: &mut Vec<Event<'a>>| {
        if text.is_empty() {
            return;
        }
        let joined: CowStr<'a> = match text.len() {
            1 => text.remove(0),
            _ => CowStr::from(text.drain(..).map(|t| t.into_string()).collect::<String>()),
        };
        text.clear();
        let runs = foreign_runs(&joined, page);
        if runs.is_empty() {
            out.push(Event::Text(joined));
        } else {
            let mut html = String::with_capacity(joined.len() + 16 * runs.len());
            push_runs(&mut html, &joined, &runs);
            out.push(Event::InlineHtml(CowStr::from(html)));
        }
    };
    for event in events {
        match event {
            Event::Text(t) if verbatim == 0 => text.push(t),
            other => {
                flush(&mut text, &mut out);
                match &other {
                    Event::Start(Tag::CodeBlock(_) | Tag::Image { .. }) => verbatim += 1,
                    Event::End(TagEnd::CodeBlock | TagEnd::Image) => verbatim = verbatim.saturating_sub(1),
                    _ => {}
                }
                out.push(other);
            }
        }
    }
    flush(&mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_table_agrees_with_unicode_bidi() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(class(c), bidi_class(c), "U+{:04X}", c as u32);
        }
    }

    /// What `has_foreign` reads from bytes alone.
    #[test]
    fn the_byte_ranges_hold_no_foreign_character() {
        for c in (0..0x590).filter_map(char::from_u32) {
            assert_ne!(role(c, Direction::Ltr), Role::Foreign, "U+{:04X}", c as u32);
        }
        for c in (0..0x80).chain(0x600..0x700).filter_map(char::from_u32) {
            let foreign = role(c, Direction::Rtl) == Role::Foreign;
            assert_eq!(foreign, c.is_ascii_alphabetic(), "U+{:04X}", c as u32);
        }
        assert!(has_foreign("قال é", Direction::Rtl) && has_foreign("he said قال", Direction::Ltr));
        assert!(!has_foreign("قال: ٢٠٢٤، 2024!", Direction::Rtl) && !has_foreign("naïve", Direction::Ltr));
    }

    /// The runs of `text` in an Arabic page, as strings.
    fn latin(text: &str) -> Vec<&str> {
        foreign_runs(text, Direction::Rtl)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    fn html(text: &str, page: Direction) -> String {
        let mut out = String::new();
        push_isolated(&mut out, text, page);
        out
    }

    /// Sentences of the seed article.
    const SEED: &str = "وتضمنت القافلة العسكرية التي وصلت إلى باماكو معدات عسكرية متقدمة تشمل دبابات من طراز T-72B3، ومركبات قتالية من نوع BMP-3، وناقلات جنود مدرعة BTR-82A، إضافةً إلى مركبات تكتيكية متنوعة مثل Spartak وTigr وLinza.";

    #[test]
    fn each_latin_run_of_the_seed_is_isolated_once() {
        assert_eq!(
            latin(SEED),
            ["T-72B3", "BMP-3", "BTR-82A", "Spartak", "Tigr", "Linza"]
        );
        let out = html(SEED, Direction::Rtl);
        assert!(out.contains("طراز <bdi>T-72B3</bdi>، ومركبات"), "{out}");
        assert!(out.contains("مدرعة <bdi>BTR-82A</bdi>، إضافةً"), "{out}");
        assert!(
            out.contains("مثل <bdi>Spartak</bdi> و<bdi>Tigr</bdi> و<bdi>Linza</bdi>."),
            "{out}"
        );
        assert_eq!(out.matches("<bdi>").count(), 6);
        // Nothing else touched: without the tags it is the sentence again.
        assert_eq!(out.replace("<bdi>", "").replace("</bdi>", ""), SEED);
    }

    #[test]
    fn arabic_text_and_arabic_digits_stay_outside() {
        assert!(latin("وصلت ١٢ دبابة إلى باماكو في ٢٠٢٤، وفي 2024 أيضًا.").is_empty());
        assert_eq!(latin("نحو 40 مركبة من طراز BMP-3 (IFV)."), ["BMP-3 (IFV)"]);
        assert_eq!(latin("من طراز (BMP-3) وغيرها"), ["BMP-3"]);
        assert_eq!(latin("مدافع 2S19 Msta-S، وغيرها"), ["2S19 Msta-S"]);
        assert_eq!(latin("أرسلت Russia 40 دبابة و Su-35 2024"), ["Russia", "Su-35"]);
        assert_eq!(latin("عدد Sahel 2024 Review الخاص"), ["Sahel 2024 Review"]);
        assert_eq!(latin("قال (راجع BMP-3 و"), ["BMP-3"]);
        assert_eq!(latin("انظر [Mali (2024"), ["Mali"]);
    }

    #[test]
    fn phrases_urls_and_addresses_are_one_run() {
        assert_eq!(latin("نشرة Sahel Briefing اليوم"), ["Sahel Briefing"]);
        assert_eq!(
            latin("راجع https://example.org/mali?x=1 للمزيد"),
            ["https://example.org/mali?x=1"]
        );
        assert_eq!(latin("راسلونا على desk@example.org."), ["desk@example.org"]);
        assert_eq!(latin("قال: \"Mali, Niger\" ثم"), ["Mali, Niger"]);
    }

    #[test]
    fn arabic_runs_in_english_text() {
        let out = html(
            "The town of كيدال (Kidal) and مالي ٢٠٢٤ on 20 November.",
            Direction::Ltr,
        );
        assert_eq!(
            out,
            "The town of <bdi>كيدال</bdi> (Kidal) and <bdi>مالي ٢٠٢٤</bdi> on 20 November."
        );
        assert!(foreign_runs("Mali and Russia, T-72B3", Direction::Ltr).is_empty());
    }

    #[test]
    fn isolated_text_is_escaped() {
        assert_eq!(
            html("<b> و A&B <i>", Direction::Rtl),
            "&lt;<bdi>b</bdi>&gt; و <bdi>A&amp;B &lt;i</bdi>&gt;"
        );
    }

    #[test]
    fn code_images_and_links_in_markdown() {
        let md = "نص `T-72B3` و[BMP-3](https://example.org/BMP \"BMP title\") ![Tigr](x.png)\n\n```\nSpartak\n```\n";
        let events: Vec<Event> = pulldown_cmark::Parser::new(md).collect();
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, isolate(events, Direction::Rtl).into_iter());
        assert!(out.contains("<code>T-72B3</code>"), "{out}");
        assert!(
            out.contains("<a href=\"https://example.org/BMP\" title=\"BMP title\"><bdi>BMP-3</bdi></a>"),
            "{out}"
        );
        assert!(out.contains("alt=\"Tigr\""), "{out}");
        assert!(out.contains("<pre><code>Spartak\n</code></pre>"), "{out}");
        assert_eq!(out.matches("<bdi>").count(), 1, "{out}");
    }

    #[test]
    fn a_run_split_by_the_parser_stays_whole() {
        let events: Vec<Event> = pulldown_cmark::Parser::new("طراز T\\-72B3 الجديد").collect();
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, isolate(events, Direction::Rtl).into_iter());
        assert_eq!(out, "<p>طراز <bdi>T-72B3</bdi> الجديد</p>\n");
    }
}
