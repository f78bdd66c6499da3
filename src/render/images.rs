//! Photos on pages: where a page's image file is (beside the article, or a static file), and
//! what templates get of it: a `<picture>`'s sources, the fallback's `srcset`, the size that
//! keeps the layout from shifting, and the caption and credit.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use percent_encoding::percent_decode_str;
use serde::Serialize;

use super::{Renderer, Urls};
use crate::content::{nfc, Image};
use crate::error::Result;
use crate::media::library::{Found, Library, Photo, Wanted};
use crate::media::Format;
use crate::site::links::Resolved;
use crate::site::Site;

/// Source files nashra publishes resized and re-encoded, without their metadata.
const PROCESSED: [&str; 3] = ["jpg", "jpeg", "png"];

/// The photos the pages of `site` show, planned; `previous` lends the photos whose files
/// have not changed (a watch session's last plan).
pub fn plan(
    root: &Path,
    site: &Site,
    statics: &std::collections::BTreeMap<String, PathBuf>,
    previous: Option<&Library>,
) -> Result<Library> {
    plan_pages(root, site, statics, previous, |_| true)
}

/// The photos of the pages whose source `shown` takes, planned as [`plan`] plans them: what
/// a command that prints a few pages' output needs, without reading every photo of the site.
pub fn plan_pages(
    root: &Path,
    site: &Site,
    statics: &std::collections::BTreeMap<String, PathBuf>,
    previous: Option<&Library>,
    shown: impl Fn(&Path) -> bool,
) -> Result<Library> {
    let urls = Urls::new(&site.config);
    let articles = site
        .articles
        .iter()
        .map(|a| (&a.page.source, &a.path, &a.page.refs));
    let sections = site
        .sections
        .iter()
        .filter_map(|s| Some((s.source.as_ref()?, &s.path, &s.refs)));
    let wanted = articles
        .chain(sections)
        .filter(|(source, _, _)| shown(source))
        .flat_map(|(source, site_path, refs)| {
            let images = refs.iter().filter(|r| r.image);
            images.filter_map(|r| {
                Some(Wanted {
                    page: source.clone(),
                    dest: r.dest.clone(),
                    line: r.line,
                    column: r.column,
                    found: find(root, &urls, statics, source, site_path, &r.dest)?,
                })
            })
        })
        .collect();
    Library::plan(wanted, &site.config.images, previous)
}

/// The file the image `dest` of the page from `source` (at `site_path`) is, when nashra
/// processes it: a JPEG or PNG beside the article (a path without `/` first, read from the
/// article's folder), else a static file the page's URL leads to. `None` for another host's
/// image, other formats (published as they are), and missing files (which `check` reports).
fn find(
    root: &Path,
    urls: &Urls,
    statics: &std::collections::BTreeMap<String, PathBuf>,
    source: &Path,
    site_path: &str,
    dest: &str,
) -> Option<Found> {
    let path = dest.split(['?', '#']).next().unwrap_or(dest);
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    if !PROCESSED.contains(&extension.as_str()) || dest.contains(':') {
        return None;
    }
    let decoded = nfc(&percent_decode_str(path).decode_utf8_lossy()).into_owned();
    let beside = Path::new(&decoded);
    let plain = beside.components().all(|c| matches!(c, Component::Normal(_)));
    if !dest.starts_with('/') && plain {
        let folder = source.parent().unwrap_or(Path::new(""));
        let disk = root.join(folder).join(beside);
        if disk.is_file() {
            // The output folder is the article's folder under content/ (or seeds/).
            let mut inside = folder.components();
            inside.next();
            let folder = inside.as_path().to_string_lossy().replace('\\', "/");
            let shown = source.parent().unwrap_or(Path::new("")).join(beside);
            let folder = match folder.is_empty() {
                true => String::new(),
                false => format!("{folder}/"),
            };
            return Some(Found {
                disk,
                shown,
                folder,
                original: None,
            });
        }
    }
    let file = urls.site_file(site_path, &nfc(path))?.ok()?;
    let disk = statics.get(&file)?;
    let folder = file
        .rsplit_once('/')
        .map_or(String::new(), |(f, _)| format!("{f}/"));
    Some(Found {
        disk: disk.clone(),
        shown: disk.strip_prefix(root).unwrap_or(disk).to_path_buf(),
        folder,
        original: Some(file),
    })
}

/// An image as templates see it. A photo nashra processed has `sources` (one per modern
/// format), a `srcset` and its size; another host's image, or a format published as it is,
/// has only `src`.
#[derive(Serialize, Debug)]
pub(super) struct ImageCtx<'a> {
    /// The fallback file (or the image as written): what `<img src>` loads.
    src: String,
    /// `src`, or a larger fallback for sharing, as an absolute URL (`og:image`).
    pub url: Option<String>,
    /// The size of `url`'s file, when known.
    pub url_width: Option<u32>,
    pub url_height: Option<u32>,
    pub alt: Cow<'a, str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub copyright: Option<&'a str>,
    /// The widest file's size: `width` and `height` on `<img>` reserve the space.
    width: Option<u32>,
    height: Option<u32>,
    /// The fallback format's `srcset`.
    srcset: String,
    /// One per modern format, best first: `{ type, srcset }`.
    sources: Vec<SourceCtx>,
    /// The narrowest fallback file, for a list's thumbnail where no `srcset` applies.
    thumb: String,
}

impl<'a> ImageCtx<'a> {
    /// An image with nothing known but its `alt` text.
    fn new(alt: Cow<'a, str>) -> Self {
        ImageCtx {
            src: String::new(),
            url: None,
            url_width: None,
            url_height: None,
            alt,
            caption: None,
            credit: None,
            copyright: None,
            width: None,
            height: None,
            srcset: String::new(),
            sources: Vec::new(),
            thumb: String::new(),
        }
    }
}

#[derive(Serialize, Debug)]
struct SourceCtx {
    #[serde(rename = "type")]
    mime: &'static str,
    srcset: String,
}

/// The width an `og:image` is taken near: what the large share cards of the social networks
/// show at.
const SHARE_WIDTH: u32 = 1200;
/// The width `<img src>` is taken near, for the rare browser without `srcset`.
const SRC_WIDTH: u32 = 800;

impl Renderer<'_> {
    /// The image `image` of the page from `source` at `site_path`, for templates.
    pub(super) fn image_ctx<'i>(&self, source: &Path, site_path: &str, image: &'i Image) -> ImageCtx<'i> {
        let text = |s: &'i Option<String>| s.as_deref();
        let mut ctx = match self.media.photo(source, &image.src) {
            Some(photo) => self.photo_ctx(photo, Cow::Borrowed(&image.alt)),
            None => {
                let src = self.in_nfc(&image.src).into_owned();
                ImageCtx {
                    url: self.urls.absolute(site_path, &src),
                    thumb: src.clone(),
                    src,
                    ..ImageCtx::new(Cow::Borrowed(&image.alt))
                }
            }
        };
        ctx.caption = text(&image.caption);
        ctx.credit = text(&image.credit);
        ctx.copyright = text(&image.copyright);
        ctx
    }

    /// The published files of `photo`, for templates, with its `alt` text.
    fn photo_ctx<'i>(&self, photo: &Photo, alt: Cow<'i, str>) -> ImageCtx<'i> {
        let path = |p: &str| self.urls.path(p);
        let srcset = |format: Format| {
            let files = photo.files_in(format);
            let candidates: Vec<String> = files
                .map(|f| format!("{} {}w", path(&f.path), f.variant.width))
                .collect();
            candidates.join(", ")
        };
        let fallback = photo.probe.format;
        let share = photo.fallback_near(SHARE_WIDTH);
        let widest = photo.files_in(fallback).last();
        ImageCtx {
            src: photo
                .fallback_near(SRC_WIDTH)
                .map(|f| path(&f.path))
                .unwrap_or_default(),
            url: share.map(|f| self.urls.url(&f.path)),
            url_width: share.map(|f| f.variant.width),
            url_height: share.map(|f| f.height),
            width: widest.map(|f| f.variant.width),
            height: widest.map(|f| f.height),
            srcset: srcset(fallback),
            sources: photo
                .formats()
                .into_iter()
                .filter(|f| *f != fallback)
                .map(|f| SourceCtx {
                    mime: f.mime(),
                    srcset: srcset(f),
                })
                .collect(),
            thumb: photo
                .files_in(fallback)
                .next()
                .map(|f| path(&f.path))
                .unwrap_or_default(),
            ..ImageCtx::new(alt)
        }
    }

    /// Markdown `html` from `source` as a page or feed shows it: its photos written as their
    /// published files, its links to other content files made into URLs ([`Self::linked`]).
    pub(super) fn body<'h>(
        &self,
        source: &Path,
        html: &'h str,
        links: &[Resolved],
        into: Target,
    ) -> Cow<'h, str> {
        let absolute = into == Target::Feed;
        match self.pictures(source, html, into) {
            Cow::Borrowed(html) => self.linked(html, links, absolute),
            Cow::Owned(html) => Cow::Owned(self.linked(&html, links, absolute).into_owned()),
        }
    }

    /// Whether the page from `source` shows `dest` as a photo nashra processed.
    pub(super) fn is_photo(&self, source: &Path, dest: &str) -> bool {
        self.media.photo(source, dest).is_some()
    }
}

/// Schema.org `ImageObject` of an image, for JSON-LD.
pub(super) fn image_object(image: &ImageCtx) -> Option<serde_json::Value> {
    let mut object = serde_json::json!({ "@type": "ImageObject", "url": image.url.as_ref()? });
    let fields = [
        ("width", image.url_width.map(serde_json::Value::from)),
        ("height", image.url_height.map(serde_json::Value::from)),
        ("caption", image.caption.map(serde_json::Value::from)),
        ("creditText", image.credit.map(serde_json::Value::from)),
        (
            "copyrightNotice",
            image.copyright.or(image.credit).map(serde_json::Value::from),
        ),
    ];
    if let Some(map) = object.as_object_mut() {
        for (name, value) in fields {
            if let Some(value) = value {
                map.insert(name.into(), value);
            }
        }
    }
    Some(object)
}

/// Where rewritten Markdown images go: a page (a `<picture>`, in a `<figure>` when the image
/// is alone in its paragraph), or a feed (one `<img>` at an absolute URL: feed readers show
/// few `<picture>`s).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Page,
    Feed,
}

impl Renderer<'_> {
    /// `html`, Markdown from `source` rendered at `site_path`, with each image that is a photo
    /// nashra processed written as its published files: pulldown-cmark writes an image as
    /// `<img src="…" alt="…" title="…" />`, and its title becomes the figure's caption.
    pub(super) fn pictures<'h>(&self, source: &Path, html: &'h str, into: Target) -> Cow<'h, str> {
        const OPEN: &str = "<img src=\"";
        if !html.contains(OPEN) || !self.media.shows_photos(source) {
            return Cow::Borrowed(html);
        }
        let mut out = String::with_capacity(html.len() + 1024);
        let mut rest = html;
        while let Some(at) = rest.find(OPEN) {
            let Some(tag) = MarkdownImage::read(&rest[at..]) else {
                out.push_str(&rest[..at + OPEN.len()]);
                rest = &rest[at + OPEN.len()..];
                continue;
            };
            let photo = self
                .media
                .photos_of(source)
                .find(|(dest, _)| escaped_href(dest) == tag.src)
                .map(|(_, photo)| photo);
            let Some(photo) = photo else {
                out.push_str(&rest[..at + tag.len]);
                rest = &rest[at + tag.len..];
                continue;
            };
            // Alone in its paragraph, the image is a figure (which a paragraph cannot hold).
            let before = &rest[..at];
            let after = &rest[at + tag.len..];
            let alone = into == Target::Page && before.ends_with("<p>") && after.starts_with("</p>");
            match alone {
                true => out.push_str(&before[..before.len() - 3]),
                false => out.push_str(before),
            }
            let ctx = self.photo_ctx(photo, html_escape::decode_html_entities(tag.alt));
            match into {
                Target::Feed => {
                    let file = photo.fallback_near(SRC_WIDTH);
                    let url = file.map(|f| self.urls.url(&f.path)).unwrap_or_default();
                    write_img(
                        &mut out,
                        &ImageCtx {
                            src: url,
                            srcset: String::new(),
                            ..ctx
                        },
                        "",
                        false,
                    );
                }
                Target::Page if alone => {
                    out.push_str("<figure class=\"figure\">");
                    write_picture(&mut out, &ctx, PROSE_SIZES);
                    if !tag.title.is_empty() {
                        out.push_str("<figcaption>");
                        out.push_str(tag.title);
                        out.push_str("</figcaption>");
                    }
                    out.push_str("</figure>");
                }
                Target::Page => write_picture(&mut out, &ctx, PROSE_SIZES),
            }
            rest = match alone {
                true => &after[4..],
                false => after,
            };
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// Writes `image` as a `<picture>` shown `sizes` wide, loaded when near view: as the
/// default theme's `picture` macro does for templates.
fn write_picture(out: &mut String, image: &ImageCtx, sizes: &str) {
    out.push_str("<picture>");
    for source in &image.sources {
        out.push_str("<source type=\"");
        out.push_str(source.mime);
        attribute(out, "srcset", &source.srcset);
        attribute(out, "sizes", sizes);
        out.push_str("\">");
    }
    write_img(out, image, sizes, true);
    out.push_str("</picture>");
}

/// Writes the `<img>` of `image`; `lazy` for one that waits until near view.
fn write_img(out: &mut String, image: &ImageCtx, sizes: &str, lazy: bool) {
    out.push_str("<img src=\"");
    pulldown_cmark_escape::escape_html(&mut *out, &image.src).ok();
    if !image.srcset.is_empty() {
        attribute(out, "srcset", &image.srcset);
        attribute(out, "sizes", sizes);
    }
    if let (Some(w), Some(h)) = (image.width, image.height) {
        out.push_str(&format!("\" width=\"{w}\" height=\"{h}"));
    }
    attribute(out, "alt", &image.alt);
    if lazy {
        out.push_str("\" loading=\"lazy");
    }
    out.push_str("\" decoding=\"async\">");
}

/// Closes the attribute before and writes ` name="value` (escaped, left open).
fn attribute(out: &mut String, name: &str, value: &str) {
    out.push_str("\" ");
    out.push_str(name);
    out.push_str("=\"");
    pulldown_cmark_escape::escape_html(&mut *out, value).ok();
}

/// How wide a photo in the text is shown: the text column.
const PROSE_SIZES: &str = "(min-width: 48rem) 44rem, 100vw";

/// An image as pulldown-cmark writes it; its attribute values still escaped.
struct MarkdownImage<'h> {
    src: &'h str,
    alt: &'h str,
    title: &'h str,
    /// Its length in the HTML.
    len: usize,
}

impl<'h> MarkdownImage<'h> {
    /// The image that `html` starts with, written exactly as pulldown-cmark writes one (raw
    /// HTML written otherwise is left alone).
    fn read(html: &'h str) -> Option<Self> {
        let value = |from: &'h str, name: &str| -> Option<(&'h str, &'h str)> {
            let from = from.strip_prefix(name)?;
            let end = from.find('"')?;
            Some((&from[..end], &from[end + 1..]))
        };
        let (src, rest) = value(html, "<img src=\"")?;
        let (alt, rest) = value(rest, " alt=\"")?;
        let (title, rest) = match value(rest, " title=\"") {
            Some(found) => found,
            None => ("", rest),
        };
        let end = rest.strip_prefix(" />")?;
        Some(MarkdownImage {
            src,
            alt,
            title,
            len: html.len() - end.len(),
        })
    }
}

/// `dest` as pulldown-cmark writes it in `src`.
fn escaped_href(dest: &str) -> String {
    let mut out = String::with_capacity(dest.len());
    let _ = pulldown_cmark_escape::escape_href(&mut out, dest);
    out
}
