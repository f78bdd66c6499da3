//! What rendered Markdown points at: links to other content files (`@/…`) made into the
//! URLs the site resolved them to, and images checked to be among the static files, since a
//! missing picture is a broken page that no template error would reveal.
//!
//! Every file the site writes is named in Unicode normalization form C (see
//! [`crate::content`]; static files in [`super::theme`]), so a URL into the site is written
//! in NFC too, and checked in the form the browser will ask for: a path typed or pasted
//! decomposed finds its file on any server. Other hosts' URLs are left as written.

use std::borrow::Cow;
use std::path::Path;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use super::Renderer;
use crate::content::markdown::INTERNAL;
use crate::content::{nfc, SourceRef};
use crate::error::{did_you_mean, Diagnostic, Result};
use crate::site::links::Resolved;

/// What a URL fragment must not carry raw (the URL standard's fragment set).
const FRAGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`');

impl Renderer<'_> {
    /// `html` with its links to other content files (`@/…`) made into the URLs they lead to:
    /// root-relative on pages, absolute in feeds (not every reader resolves against the feed);
    /// and its other `href` and `src` values into the site in NFC ([`Self::in_nfc`]).
    pub(super) fn linked<'h>(&self, html: &'h str, links: &[Resolved], absolute: bool) -> Cow<'h, str> {
        // Text escapes `"`, so `="` opens an attribute value: pulldown-cmark's, or raw HTML's.
        let mut out = String::new();
        let (mut copied, mut from) = (0, 0);
        while let Some(at) = html[from..].find("=\"") {
            let start = from + at + 2;
            let end = html[start..].find('"').map_or(html.len(), |e| start + e);
            let (before, value) = (&html[..start - 2], &html[start..end]);
            from = end;
            let link = value
                .starts_with(INTERNAL)
                .then(|| links.iter().find(|l| l.from == value));
            let new = match link.flatten() {
                Some(link) => {
                    let mut href = match absolute {
                        true => self.urls.url(&link.path),
                        false => self.urls.path(&link.path),
                    };
                    if let Some(anchor) = &link.anchor {
                        href.push('#');
                        href.extend(utf8_percent_encode(anchor, FRAGMENT));
                    }
                    crate::content::markdown::escape_html(&href)
                }
                None if names_a_url(before) => match self.in_nfc(value) {
                    Cow::Owned(normal) => normal,
                    Cow::Borrowed(_) => continue,
                },
                None => continue,
            };
            out.push_str(&html[copied..start]);
            out.push_str(&new);
            copied = end;
        }
        if copied == 0 {
            return Cow::Borrowed(html);
        }
        out.push_str(&html[copied..]);
        Cow::Owned(out)
    }

    /// `url` with its letters in NFC ([`url_in_nfc`]) if it leads into the site (relative,
    /// or absolute on the site's own origin), where every file is named in NFC; else as
    /// written.
    pub(super) fn in_nfc<'u>(&self, url: &'u str) -> Cow<'u, str> {
        let Some(normal) = url_in_nfc(url) else {
            return Cow::Borrowed(url);
        };
        let base = url::Url::parse(&self.urls.base_url).ok();
        let joined = base.as_ref().and_then(|b| b.join(url).ok());
        match base.zip(joined) {
            Some((b, u)) if b.origin() == u.origin() => Cow::Owned(normal),
            _ => Cow::Borrowed(url),
        }
    }

    /// Checks that every image `refs` names on the page at `site_path` is a static file of
    /// the site or its theme (images on other hosts are theirs to keep); `source` has them.
    pub(super) fn images_exist(&self, source: &Path, site_path: &str, refs: &[SourceRef]) -> Result<()> {
        let errors: Vec<Diagnostic> = refs
            .iter()
            .filter(|r| r.image && !self.is_photo(source, &r.dest))
            .filter_map(|r| {
                let (message, help) = self.missing_image(site_path, &r.dest, &self.in_nfc(&r.dest))?;
                Some(Diagnostic::new(source, message).at(r.line, r.column).help(help))
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.into())
        }
    }

    /// What is wrong with the image `dest` on the page at `site_path`, if it is missing;
    /// `asked` is `dest` as the page writes it, in NFC.
    fn missing_image(&self, site_path: &str, dest: &str, asked: &str) -> Option<(String, String)> {
        let base_path = &self.urls.base_path;
        if dest.starts_with(INTERNAL) {
            return Some((
                format!("the image `{dest}` names a content file"),
                format!("put the image in static/ and write its path, e.g. `{base_path}images/name.jpg` for static/images/name.jpg"),
            ));
        }
        let file = match self.urls.site_file(site_path, asked)? {
            Ok(file) => file,
            Err(()) => {
                return Some((
                    format!("the image `{dest}` is outside the site, which is served from {base_path}"),
                    format!("write the path from the site's root, e.g. `{base_path}images/name.jpg`"),
                ))
            }
        };
        let statics = &self.theme.static_files;
        if statics.contains_key(&file) {
            return None;
        }
        let guess = did_you_mean(&file, statics.keys().map(String::as_str));
        let help = match guess {
            Some(g) => format!("did you mean `{base_path}{g}`?"),
            None => format!(
                "add the file as static/{file}; an image on another server needs its full https:// URL"
            ),
        };
        let relative = if dest.starts_with('/') || dest.contains("://") {
            String::new()
        } else {
            " (a path without a leading `/` is read from the page's own URL)".to_string()
        };
        Some((
            format!("the image `{dest}` is not a static file: there is no static/{file}{relative}"),
            help,
        ))
    }
}

impl super::Urls {
    /// The file of the site that the URL `asked` on the page at `site_path` leads to, as the
    /// browser reads it from the page's own URL: `None` on another host, `Err` on this host
    /// but outside the site's path.
    pub(super) fn site_file(&self, site_path: &str, asked: &str) -> Option<std::result::Result<String, ()>> {
        let base = url::Url::parse(&self.base_url).ok()?;
        let url = self.absolute(site_path, asked)?;
        let url = url::Url::parse(&url).ok()?;
        if url.origin() != base.origin() {
            return None;
        }
        let Some(within) = url.path().strip_prefix(base.path()) else {
            return Some(Err(()));
        };
        Some(Ok(percent_decode_str(within).decode_utf8_lossy().into_owned()))
    }
}

/// Whether the attribute whose name ends `before` (the HTML up to its `=`) holds a URL a
/// browser fetches or follows: `href` or `src`.
fn names_a_url(before: &str) -> bool {
    ["href", "src"].into_iter().any(|name| {
        before
            .strip_suffix(name)
            .is_some_and(|rest| rest.ends_with(|c: char| c.is_ascii_whitespace()))
    })
}

/// `url` with its letters in NFC, `None` when they are NFC already (or are not UTF-8). Letters
/// may be written as they are, or percent-encoded as pulldown-cmark writes every `href` and
/// `src`: those are decoded to be normalized, and stay encoded.
fn url_in_nfc(url: &str) -> Option<String> {
    // An escaped byte of a non-ASCII letter is `%8…` to `%F…`: most URLs have none to decode.
    let escapes_letters = url.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] >= b'8');
    if !escapes_letters {
        return match nfc(url) {
            Cow::Borrowed(_) => None,
            Cow::Owned(normal) => Some(normal),
        };
    }
    let (mut bytes, mut encoded) = (Vec::with_capacity(url.len()), false);
    let mut rest = url.as_bytes();
    while let Some((&b, after)) = rest.split_first() {
        let hex = after.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            // Only the bytes of non-ASCII letters: `%2F` or `%20` must stay as they are.
            Some(byte) if b == b'%' && !byte.is_ascii() => {
                bytes.push(byte);
                encoded = true;
                rest = &after[2..];
            }
            _ => {
                bytes.push(b);
                rest = after;
            }
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    match nfc(&text) {
        Cow::Borrowed(_) => None,
        Cow::Owned(normal) if encoded => Some(utf8_percent_encode(&normal, CONTROLS).to_string()),
        Cow::Owned(normal) => Some(normal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_composed_and_keep_their_escapes() {
        // "café" decomposed: raw stays raw, percent-encoded stays encoded, `%2F` stays.
        assert_eq!(
            url_in_nfc("/a/cafe\u{301}.png").as_deref(),
            Some("/a/caf\u{e9}.png")
        );
        assert_eq!(
            url_in_nfc("../cafe%CC%81%2F%20x.png?v=1#cafe%CC%81").as_deref(),
            Some("../caf%C3%A9%2F%20x.png?v=1#caf%C3%A9")
        );
        assert_eq!(url_in_nfc("caf%C3%A9.png"), None);
        assert_eq!(url_in_nfc("/style.css"), None);
        // Not UTF-8 once decoded: not a name to normalize.
        assert_eq!(url_in_nfc("%FF%CC%81"), None);
    }
}
