//! The fast way through a page: the events lol_html gives the [`Reader`] (start tags, end
//! tags with the elements each one closes, text inside `<html>`), found by a plain scan. lol_html
//! is a streaming rewriter and pays for that on every token: it was half the cost of reading a
//! page, and the scan costs a sixth of it. The scan knows only the markup rendered pages are made
//! of (tags and their attributes, comments, a doctype, the text of `script`, `style` or `title`);
//! at anything else (SVG or MathML, a malformed tag, a path the tokenizer takes only on an
//! error) it gives up, and lol_html reads the page from the start. A page reads the same either
//! way: the tests hold the scan to lol_html on generated pages.

use memchr::{memchr, memmem};

use super::{Attrs, Element, Parsed, Reader, Tag};

/// The page read by the scan, or `None` if it holds something the scan leaves to lol_html.
pub(super) fn read(html: &[u8]) -> Option<Parsed> {
    // simdutf8 checks a page of Arabic text several times faster than std, whose check was
    // 6.5 % of reading a page.
    let page = simdutf8::basic::from_utf8(html).ok()?;
    // A byte-order mark, NUL and CR are each something a decoder or tokenizer may change.
    if page.starts_with('\u{feff}') || memchr::memchr2(b'\0', b'\r', html).is_some() {
        return None;
    }
    let mut scan = Scan {
        page,
        reader: Reader::default(),
        open: Vec::new(),
        html: 0,
    };
    scan.run()?;
    Some(scan.reader.finish())
}

struct Scan<'a> {
    page: &'a str,
    reader: Reader,
    /// The elements open as lol_html keeps them (void ones never are): each one's name as
    /// written and its depth in the reader's stack.
    open: Vec<(&'a str, usize)>,
    /// How many `html` elements are open: text is read only inside one, as `text!("html")`.
    html: usize,
}

/// A start tag as the scan read it.
struct Start<'a> {
    /// Its name, lowercased.
    name: String,
    /// Its attributes as written: name, and value (empty without one).
    attributes: Vec<(&'a str, &'a str)>,
}

impl Element for Start<'_> {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn attribute(&self, name: &str) -> Option<String> {
        // lol_html finds nothing for a name no attribute can have.
        let forbidden = |b| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'/' | b'>' | b'=');
        if name.is_empty() || name.bytes().any(forbidden) {
            return None;
        }
        let found = self.attributes.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.to_string())
    }
}

/// How a tag's own text runs, by its name: to its end tag, markup and all (lol_html switches
/// the tokenizer's state for these, as a browser's tree builder does).
#[derive(Clone, Copy, PartialEq)]
enum Raw {
    Script,
    Text,
}

fn raw(name: &str) -> Option<Raw> {
    match name {
        "script" => Some(Raw::Script),
        "title" | "textarea" | "style" | "iframe" | "xmp" | "noembed" | "noframes" | "noscript" => {
            Some(Raw::Text)
        }
        _ => None,
    }
}

/// HTML's void elements, which lol_html never keeps open.
fn void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

fn space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b' ')
}

/// Whether `b` ends a tag's name or an attribute's quoted value: a space, `/` or `>`.
pub(super) fn ends_name(b: u8) -> bool {
    space(b) || b == b'/' || b == b'>'
}

/// A tag name the scan reads as lol_html does: ASCII letters, digits and `-`.
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

impl<'a> Scan<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.page.as_bytes()
    }

    fn run(&mut self) -> Option<()> {
        let bytes = self.bytes();
        // Where the text not yet read begins, and where to look for the next tag.
        let (mut text, mut at) = (0, 0);
        while let Some(found) = memchr(b'<', &bytes[at..]) {
            let lt = at + found;
            let next = |n: usize| bytes.get(lt + n).copied();
            let end = match (next(1), next(2)) {
                (Some(c), _) if c.is_ascii_alphabetic() => {
                    self.text(text, lt);
                    self.start(lt)?
                }
                (Some(b'/'), Some(c)) if c.is_ascii_alphabetic() => {
                    self.text(text, lt);
                    self.end(lt)?
                }
                (Some(b'!'), _) => {
                    self.text(text, lt);
                    self.markup(lt)?
                }
                (Some(b'/' | b'?'), _) => return None,
                // A `<` that opens nothing is text.
                _ => {
                    at = lt + 1;
                    continue;
                }
            };
            (text, at) = (end, end);
        }
        self.text(text, bytes.len());
        Some(())
    }

    /// The text from `from` to `to`, read if it is inside `<html>`.
    fn text(&mut self, from: usize, to: usize) {
        if from < to && self.html > 0 {
            if let Some(text) = self.page.get(from..to) {
                self.reader.text(text);
            }
        }
    }

    /// A tag name at `from`, and where it ends.
    fn name(&self, from: usize) -> Option<(&'a str, usize)> {
        let bytes = self.bytes();
        let len = bytes[from..].iter().position(|&b| !name_byte(b))?;
        // What may follow a name; anything else is in it for the tokenizer, but not here.
        let after = *bytes.get(from + len)?;
        ends_name(after).then_some((self.page.get(from..from + len)?, from + len))
    }

    /// The start tag at `lt`: returns where reading goes on.
    fn start(&mut self, lt: usize) -> Option<usize> {
        let (written, mut at) = self.name(lt + 1)?;
        let name = written.to_ascii_lowercase();
        // Foreign content and plain text are lol_html's.
        if matches!(name.as_str(), "svg" | "math" | "plaintext") {
            return None;
        }
        let mut attributes = Vec::new();
        let end = loop {
            at = self.skip_space(at);
            match *self.bytes().get(at)? {
                b'>' => break at + 1,
                b'/' if self.bytes().get(at + 1) == Some(&b'>') => break at + 2,
                b'/' | b'=' | b'"' | b'\'' | b'<' => return None,
                _ => {
                    let (attribute, after) = self.attribute(at)?;
                    attributes.push(attribute);
                    at = after;
                }
            }
        };
        let mut attrs = Attrs::default();
        for (attribute, value) in &attributes {
            attrs.take(attribute.as_bytes(), || value.to_string());
        }
        let tag = Tag::of(name.as_bytes());
        let closes = !void(&name);
        let kind = raw(&name);
        let is_html = name == "html";
        let depth = self.reader.start(&Start { name, attributes }, tag, attrs, closes);
        if !closes {
            return Some(end);
        }
        self.open.push((written, depth));
        self.html += usize::from(is_html);
        match kind {
            Some(kind) => {
                let close = self.raw_end(end, written, kind)?;
                self.text(end, close);
                match close < self.page.len() {
                    true => self.end(close),
                    false => Some(close),
                }
            }
            None => Some(end),
        }
    }

    fn skip_space(&self, from: usize) -> usize {
        let bytes = self.bytes();
        from + bytes[from..].iter().take_while(|&&b| space(b)).count()
    }

    /// The attribute at `from` (name, value) and where it ends; `None` at anything the
    /// tokenizer would read as an error.
    fn attribute(&self, from: usize) -> Option<((&'a str, &'a str), usize)> {
        let bytes = self.bytes();
        let len = bytes[from..]
            .iter()
            .position(|&b| space(b) || matches!(b, b'/' | b'>' | b'='))?;
        let name = self.page.get(from..from + len)?;
        if name.bytes().any(|b| matches!(b, b'"' | b'\'' | b'<')) {
            return None;
        }
        let at = self.skip_space(from + len);
        if bytes.get(at) != Some(&b'=') {
            return Some(((name, ""), at));
        }
        let at = self.skip_space(at + 1);
        match *bytes.get(at)? {
            quote @ (b'"' | b'\'') => {
                let len = memchr(quote, &bytes[at + 1..])?;
                let end = at + 1 + len + 1;
                // Attributes are apart, or the tag ends.
                let next = *bytes.get(end)?;
                if !ends_name(next) {
                    return None;
                }
                Some(((name, self.page.get(at + 1..end - 1)?), end))
            }
            b'>' => Some(((name, ""), at)),
            _ => {
                let len = bytes[at..].iter().position(|&b| space(b) || b == b'>')?;
                let value = self.page.get(at..at + len)?;
                if value
                    .bytes()
                    .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'=' | b'`'))
                {
                    return None;
                }
                Some(((name, value), at + len))
            }
        }
    }

    /// Where the text of a `kind` element named `name` ends, from `from`: at its end tag, or
    /// at the end of the page without one.
    fn raw_end(&self, from: usize, name: &str, kind: Raw) -> Option<usize> {
        let bytes = self.bytes();
        let mut at = from;
        loop {
            let Some(found) = memmem::find(&bytes[at..], b"</") else {
                return Some(bytes.len());
            };
            let lt = at + found;
            let after = lt + 2 + name.len();
            let named = bytes
                .get(lt + 2..after)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
            match bytes.get(after) {
                // In a script, `<!--` then `<script` make `</script>` text.
                Some(b'>') if named => {
                    let text = &bytes[from..lt];
                    let escaped = kind == Raw::Script
                        && memmem::find(text, b"<!--").is_some()
                        && text.windows(7).any(|w| w.eq_ignore_ascii_case(b"<script"));
                    return (!escaped).then_some(lt);
                }
                Some(&b) if named && (space(b) || b == b'/') => return None,
                _ => at = lt + 2,
            }
        }
    }

    /// The end tag at `lt`: it closes the innermost open element of its name and those
    /// opened inside it, innermost first, as lol_html calls their end tag handlers.
    fn end(&mut self, lt: usize) -> Option<usize> {
        let (written, at) = self.name(lt + 2)?;
        if self.bytes().get(at) != Some(&b'>') {
            return None;
        }
        if let Some(first) = self
            .open
            .iter()
            .rposition(|(n, _)| n.eq_ignore_ascii_case(written))
        {
            let end = Tag::named(self.bytes().get(lt + 2..), || written.to_ascii_lowercase());
            for (name, depth) in self.open.drain(first..).rev() {
                self.html -= usize::from(name.eq_ignore_ascii_case("html"));
                self.reader.close(depth, end);
            }
        }
        Some(at + 1)
    }

    /// The comment or doctype at `lt`.
    fn markup(&self, lt: usize) -> Option<usize> {
        let bytes = self.bytes();
        let rest = &bytes[lt..];
        if let Some(comment) = rest.strip_prefix(b"<!--") {
            // `<!-->`, `<!--->` and `--!>` end comments early.
            if comment.starts_with(b">") || comment.starts_with(b"->") {
                return None;
            }
            let len = memmem::find(comment, b"-->")?;
            if memmem::find(&comment[..len], b"--!>").is_some() {
                return None;
            }
            return Some(lt + 4 + len + 3);
        }
        let doctype = rest
            .get(..9)
            .is_some_and(|d| d.eq_ignore_ascii_case(b"<!doctype"));
        let len = memchr(b'>', rest)?;
        let quoted = rest[..len].iter().any(|&b| b == b'"' || b == b'\'');
        (doctype && !quoted).then_some(lt + len + 1)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::rewrite;

    const NAMES: &[&str] = &[
        "html",
        "HTML",
        "head",
        "title",
        "body",
        "article",
        "p",
        "P",
        "div",
        "span",
        "h1",
        "h2",
        "h6",
        "a",
        "em",
        "ul",
        "li",
        "section",
        "nav",
        "footer",
        "label",
        "td",
        "b",
        "img",
        "IMG",
        "br",
        "meta",
        "link",
        "style",
        "textarea",
        "noscript",
        "custom-el",
        "x1",
    ];

    const ATTRIBUTES: &[&str] = &[
        "lang",
        "LANG",
        "id",
        "src",
        "alt",
        "title",
        "class",
        "data-pagefind-body",
        "data-pagefind-ignore",
        "data-pagefind-meta",
        "data-pagefind-filter",
        "data-pagefind-sort",
        "data-pagefind-weight",
        "data-pagefind-index-attrs",
        "data-pagefind-default-meta",
        "data-pagefind-title",
        "DATA-PAGEFIND-META",
    ];

    const VALUES: &[&str] = &[
        "",
        "ar",
        "EN",
        "x",
        "all",
        "index",
        "title",
        "alt",
        "author:ناصر",
        "tag[id]",
        "title, alt",
        "image[src]",
        "2",
        "0.5",
        "a b",
        "&amp;",
        "a&lt;b",
        "/p/x/",
        "نشرة",
    ];

    /// Text as pages have it, and the comments and doctype around it.
    const TEXT: &[&str] = &[
        "word",
        " ",
        "Word two.",
        "عربي والنيجر",
        "a < b",
        "1<2",
        "x&amp;y",
        "&lt;p&gt;",
        "\n",
        "___PAGEFIND_WEIGHT___3",
        "-->",
        "< ",
        "<!-- note -->",
        "<!---->",
        "<!--a--b-->",
        "<!doctype html>",
        "<!DOCTYPE html>",
        "Apple's",
        "\"quoted\"",
        "=",
        ">",
        "ـ",
        "iPhone 16",
        "<script>var a = 1 < 2 && '</p>';</script>",
        "<SCRIPT type=module>if(a<b){}</Script>",
        "<script><!-- old --></script>",
        "<script>x</scripts></script>",
        "<script src=/s.js></script>",
    ];

    /// Markup the scan leaves to lol_html.
    const ODD: &[&str] = &[
        "<!-->",
        "<!--->",
        "<!--x--!>y-->",
        "<?php ?>",
        "</ x>",
        "</>",
        "<![CDATA[x]]>",
        "<a/b>",
        "<p\"x>",
        "<p =x>",
        "<p a=b\"c>",
        "<p a=\"b\"c>",
        "\r",
        "\0",
        "<svg><title>t</title><path/></svg>",
        "<math><mi>x</mi></math>",
        "<plaintext>",
        "<script><!--<script></script>x</script>",
        "</script >",
        "</p x>",
        "<p/ >",
        "<!x>",
        "<!doctype \"x>\">",
        "<a b='c'd>",
        "<br/",
        "<p a=",
    ];

    /// Markup the scan reads as text, or as odd only in some places.
    const SOMETIMES: &[&str] = &[
        "\u{feff}",
        "<iframe>",
        "<xmp><b></xmp>",
        "<script><!--</script>",
        "</title>",
        "<title></titles></title>",
        "<script>",
        "<title></titles>",
    ];

    fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop::sample::select(list).prop_map(String::from)
    }

    /// An attribute as a theme writes one: quoted either way, unquoted, or bare.
    fn attribute() -> impl Strategy<Value = String> {
        (pick(ATTRIBUTES), pick(VALUES), 0..4u8).prop_map(|(name, value, how)| match how {
            0 => format!(" {name}=\"{value}\""),
            1 => format!(" {name}='{value}'"),
            2 if !value.is_empty() && !value.contains([' ', '\'', '"', '=']) => format!(" {name}={value}"),
            _ => format!(" {name}"),
        })
    }

    /// Markup the scan reads itself.
    fn plain() -> impl Strategy<Value = String> {
        let start =
            (pick(NAMES), prop::collection::vec(attribute(), 0..3), 0..3u8).prop_map(|(name, attrs, end)| {
                format!("<{name}{}{}>", attrs.concat(), ["", "/", " "][end as usize])
            });
        let end = pick(NAMES).prop_map(|name| format!("</{name}>"));
        prop_oneof![3 => start, 2 => end, 3 => pick(TEXT)]
    }

    fn page(pieces: Vec<String>) -> Vec<u8> {
        pieces.concat().into_bytes()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The scan reads every page of the markup it knows, as lol_html does.
        #[test]
        fn reads_plain_pages_as_lol_html(pieces in prop::collection::vec(plain(), 0..48)) {
            let page = page(pieces);
            let scanned = super::read(&page);
            prop_assert!(scanned.is_some(), "left to lol_html: {}", String::from_utf8_lossy(&page));
            prop_assert_eq!(scanned, rewrite(&page).ok());
        }

        /// With odd markup about, a page the scan reads is one it reads as lol_html does.
        #[test]
        fn reads_as_lol_html_or_not_at_all(
            pieces in prop::collection::vec(prop_oneof![12 => plain(), 1 => pick(ODD), 1 => pick(SOMETIMES)], 0..48),
        ) {
            let page = page(pieces);
            if let Some(scanned) = super::read(&page) {
                prop_assert_eq!(Some(scanned), rewrite(&page).ok());
            }
        }
    }

    #[test]
    fn leaves_foreign_content_and_odd_markup_to_lol_html() {
        for odd in ODD {
            let page = format!("<html lang=ar><body><p>نص {odd} بعد</p></body></html>");
            assert_eq!(super::read(page.as_bytes()), None, "{odd}");
        }
        assert_eq!(super::read("\u{feff}<html><p>x</p></html>".as_bytes()), None);
    }
}
