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
//! Arabic-Indic digits stay outside. European digits belong to a Latin run when they touch it
//! ("BMP-3", "2S19"), follow it across spaces only ("iOS 12", "Boeing 737", "S&P 500": the
//! bidi algorithm's own rule W7, so isolating never reads worse than not), or the run goes on
//! after them ("Sahel 2024 Review"). A `#` or `@` glued to the front of a run is its own
//! ("#BoycottUSA", "@POTUS"), else it would stand on the run's far side.
//!
//! A short hyphenated token of a run ("Su-24M", "MQ-9B") is marked `nobreak`, which the
//! theme's style sheet keeps on one line: browsers break after its hyphen, splitting a model
//! name across lines. Longer tokens and phrases still wrap.

use std::fmt::Write;
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
        // Digits glued to the front of a name belong to it ("2S19"), and so does a hashtag's
        // or a handle's sign that starts a word.
        let mut start = i;
        while start > 0 && chars[start - 1].2 == Role::Solid && !is_mark(chars[start - 1].1) {
            start -= 1;
        }
        let word_start = |at: usize| at == 0 || !chars[at - 1].1.is_alphanumeric();
        if start > 0 && matches!(chars[start - 1].1, '#' | '@') && word_start(start - 1) {
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
    // What came since the last solid character: a European number after a name and spaces
    // is the name's ("iOS 12"), as the bidi algorithm reads it too, but after punctuation and
    // a space it is the sentence's ("Mali، 40 دبابة"), unless the run goes on. Arabic-Indic
    // digits in English text are always the Arabic run's.
    let (mut space, mut punctuation) = (false, false);
    for (j, &(_, c, role)) in chars.iter().enumerate().skip(i + 1) {
        match role {
            Role::Native | Role::Break => break,
            Role::Foreign => (end, space, punctuation) = (j + 1, false, false),
            Role::Solid if !(space && punctuation) || class(c) == BidiClass::AN => {
                (end, space, punctuation) = (j + 1, false, false)
            }
            Role::Solid => {}
            Role::Between => match data.bidi_matched_opening_bracket(c) {
                Some(b) if b.is_open => open.push((j, b.opening)),
                Some(b) => match open.last() {
                    Some(&(_, opening)) if opening == b.opening => {
                        open.pop();
                        (end, space, punctuation) = (j + 1, false, false);
                    }
                    // A closing bracket the run did not open is not the run's.
                    _ => break,
                },
                None if class(c) == BidiClass::WS => space = true,
                None => punctuation = true,
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
        push_run(out, &text[run.clone()]);
        last = run.end;
    }
    escape(out, &text[last..]);
}

/// The class that keeps a token on one line.
const NOBREAK: &str = "nobreak";

/// Appends a run as an isolate whose [`unbreakable`] tokens are marked [`NOBREAK`] (the
/// isolate itself when it is one such token).
fn push_run(out: &mut String, run: &str) {
    if unbreakable(run) {
        return push_nobreak(out, "bdi", run);
    }
    out.push_str("<bdi>");
    for piece in run.split_inclusive(char::is_whitespace) {
        let token = piece.trim_end_matches(char::is_whitespace);
        match unbreakable(token) {
            true => push_nobreak(out, "span", token),
            false => escape(out, token),
        }
        escape(out, &piece[token.len()..]);
    }
    out.push_str("</bdi>");
}

/// Appends `text` in a `tag` element marked [`NOBREAK`].
fn push_nobreak(out: &mut String, tag: &str, text: &str) {
    // Writing into a String cannot fail.
    let _ = write!(out, "<{tag} class=\"{NOBREAK}\">");
    escape(out, text);
    let _ = write!(out, "</{tag}>");
}

/// Whether `token` is a short hyphenated name ("F-16", "Su-24M", "MQ-9B"), which browsers
/// would break after its hyphen: up to 12 characters, no white space.
fn unbreakable(token: &str) -> bool {
    token.contains(['-', '\u{2010}']) && token.chars().count() <= 12 && !token.contains(char::is_whitespace)
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
        assert!(
            out.contains("طراز <bdi class=\"nobreak\">T-72B3</bdi>، ومركبات"),
            "{out}"
        );
        assert!(
            out.contains("مدرعة <bdi class=\"nobreak\">BTR-82A</bdi>، إضافةً"),
            "{out}"
        );
        assert!(
            out.contains("مثل <bdi>Spartak</bdi> و<bdi>Tigr</bdi> و<bdi>Linza</bdi>."),
            "{out}"
        );
        assert_eq!(out.matches("<bdi").count(), 6);
        // Nothing else touched: without the tags it is the sentence again.
        assert_eq!(untagged(&out), SEED);
    }

    /// `html` without the isolates and marks it adds.
    fn untagged(html: &str) -> String {
        [
            "<bdi>",
            "<bdi class=\"nobreak\">",
            "</bdi>",
            "<span class=\"nobreak\">",
            "</span>",
        ]
        .iter()
        .fold(html.to_string(), |s, tag| s.replace(tag, ""))
    }

    /// A European number after a Latin name and spaces is the name's, as in the bidi
    /// algorithm (W7); after punctuation and a space it is the Arabic sentence's.
    #[test]
    fn numbers_after_names_are_the_names() {
        for name in ["iOS 12", "Knox 3.1", "Mate 9", "S&P 500", "Boeing 737", "COP 28"] {
            assert_eq!(latin(&format!("أطلقت الشركة {name}، وقالت")), [name]);
            assert_eq!(latin(&format!("حول {name} الجديد")), [name]);
        }
        assert_eq!(latin("وأرسلت Russia 40 دبابة"), ["Russia 40"]);
        assert_eq!(latin("عبر Mali، 40 دبابة"), ["Mali"]);
        assert_eq!(latin("عبر Mali, 40 دبابة"), ["Mali"]);
        assert_eq!(latin("إصدار iOS 12.1.4 اليوم"), ["iOS 12.1.4"]);
    }

    #[test]
    fn hashtags_and_handles_keep_their_sign() {
        assert_eq!(latin("انتشر وسم #BoycottUSA على المنصات"), ["#BoycottUSA"]);
        assert_eq!(latin("وكتب @POTUS، ثم"), ["@POTUS"]);
        assert_eq!(latin("وسم #Mali2024 و @un_news"), ["#Mali2024", "@un_news"]);
        assert_eq!(latin("راسلونا على desk@example.org."), ["desk@example.org"]);
        // A sign inside a word is not a hashtag's.
        assert_eq!(latin("لغة C#، و"), ["C"]);
        assert_eq!(
            html("Follow #مصر now", Direction::Ltr),
            "Follow <bdi>#مصر</bdi> now"
        );
    }

    #[test]
    fn short_hyphenated_names_are_kept_on_one_line() {
        let out = html(
            "طائرات Su-24M و MQ-9B Reaper و Sahel-Security-Review-2024 و F-16، اليوم",
            Direction::Rtl,
        );
        assert!(out.contains("<bdi class=\"nobreak\">Su-24M</bdi>"), "{out}");
        assert!(
            out.contains("<bdi><span class=\"nobreak\">MQ-9B</span> Reaper</bdi>"),
            "{out}"
        );
        assert!(out.contains("<bdi>Sahel-Security-Review-2024</bdi>"), "{out}");
        assert!(out.contains("<bdi class=\"nobreak\">F-16</bdi>،"), "{out}");
        assert!(!out.contains("nobreak\">Reaper"), "{out}");
    }

    #[test]
    fn arabic_text_and_arabic_digits_stay_outside() {
        assert!(latin("وصلت ١٢ دبابة إلى باماكو في ٢٠٢٤، وفي 2024 أيضًا.").is_empty());
        assert_eq!(latin("نحو 40 مركبة من طراز BMP-3 (IFV)."), ["BMP-3 (IFV)"]);
        assert_eq!(latin("من طراز (BMP-3) وغيرها"), ["BMP-3"]);
        assert_eq!(latin("مدافع 2S19 Msta-S، وغيرها"), ["2S19 Msta-S"]);
        assert_eq!(
            latin("أرسلت Russia 40 دبابة و Su-35 2024"),
            ["Russia 40", "Su-35 2024"]
        );
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
            out.contains("<a href=\"https://example.org/BMP\" title=\"BMP title\"><bdi class=\"nobreak\">BMP-3</bdi></a>"),
            "{out}"
        );
        assert!(out.contains("alt=\"Tigr\""), "{out}");
        assert!(out.contains("<pre><code>Spartak\n</code></pre>"), "{out}");
        assert_eq!(out.matches("<bdi").count(), 1, "{out}");
    }

    #[test]
    fn a_run_split_by_the_parser_stays_whole() {
        let events: Vec<Event> = pulldown_cmark::Parser::new("طراز T\\-72B3 الجديد").collect();
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, isolate(events, Direction::Rtl).into_iter());
        assert_eq!(out, "<p>طراز <bdi class=\"nobreak\">T-72B3</bdi> الجديد</p>\n");
    }
}
