//! What rendered Markdown points at: links to other content files (`@/…`) made into the
//! URLs the site resolved them to, and images checked to be among the static files, since a
//! missing picture is a broken page that no template error would reveal.

use std::borrow::Cow;
use std::path::Path;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use super::Renderer;
use crate::content::markdown::INTERNAL;
use crate::content::SourceRef;
use crate::error::{did_you_mean, Diagnostic, Result};
use crate::site::links::Resolved;

/// What a URL fragment must not carry raw (the URL standard's fragment set).
const FRAGMENT: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`');

impl Renderer<'_> {
    /// `html` with its links to other content files (`@/…`) made into the URLs they lead to:
    /// root-relative on pages, absolute in feeds (not every reader resolves against the feed).
    pub(super) fn linked<'h>(&self, html: &'h str, links: &[Resolved], absolute: bool) -> Cow<'h, str> {
        if links.is_empty() {
            return Cow::Borrowed(html);
        }
        // Text escapes `"`, so `"@/` opens an attribute value: an `href` (or raw HTML's).
        let mut out = String::with_capacity(html.len() + 64);
        let mut rest = html;
        while let Some(at) = rest.find("\"@/") {
            let (before, value) = rest.split_at(at + 1);
            out.push_str(before);
            let end = value.find('"').unwrap_or(value.len());
            let (value, after) = value.split_at(end);
            match links.iter().find(|l| l.from == value) {
                Some(link) => {
                    let mut href = match absolute {
                        true => self.urls.url(&link.path),
                        false => self.urls.path(&link.path),
                    };
                    if let Some(anchor) = &link.anchor {
                        href.push('#');
                        href.extend(utf8_percent_encode(anchor, FRAGMENT));
                    }
                    out.push_str(&crate::content::markdown::escape_html(&href));
                }
                None => out.push_str(value),
            }
            rest = after;
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    /// Checks that every image `refs` names on the page at `site_path` is a static file of
    /// the site or its theme (images on other hosts are theirs to keep); `source` has them.
    pub(super) fn images_exist(&self, source: &Path, site_path: &str, refs: &[SourceRef]) -> Result<()> {
        let errors: Vec<Diagnostic> = refs
            .iter()
            .filter(|r| r.image)
            .filter_map(|r| {
                let (message, help) = self.missing_image(site_path, &r.dest)?;
                Some(Diagnostic::new(source, message).at(r.line, r.column).help(help))
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.into())
        }
    }

    /// What is wrong with the image `dest` on the page at `site_path`, if it is missing.
    fn missing_image(&self, site_path: &str, dest: &str) -> Option<(String, String)> {
        let base_path = &self.urls.base_path;
        if dest.starts_with(INTERNAL) {
            return Some((
                format!("the image `{dest}` names a content file"),
                format!("put the image in static/ and write its path, e.g. `{base_path}images/name.jpg` for static/images/name.jpg"),
            ));
        }
        // Read as the browser will, from the page's own URL.
        let base = url::Url::parse(&self.urls.base_url).ok()?;
        let url = self.urls.absolute(site_path, dest)?;
        let url = url::Url::parse(&url).ok()?;
        if url.origin() != base.origin() {
            return None;
        }
        let Some(within) = url.path().strip_prefix(base.path()) else {
            return Some((
                format!("the image `{dest}` is outside the site, which is served from {base_path}"),
                format!("write the path from the site's root, e.g. `{base_path}images/name.jpg`"),
            ));
        };
        let file = percent_decode_str(within).decode_utf8_lossy();
        let statics = &self.theme.static_files;
        if statics.contains_key(file.as_ref()) {
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
