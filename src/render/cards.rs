//! Social cards on the site: which cards a theme that draws them gets (one per article, beside
//! its page as `card.png`, or `card.jpg` when drawn over its lead photo, and one per language
//! for its home and lists), what templates see of them, and the drawing itself, a render job like a page, so the build cache, watch
//! and the output's carry-over treat a card as they treat a page.

use std::hash::Hash;

use rayon::prelude::*;
use serde::Serialize;

use super::{hashed, Job, Renderer, Renders};
use crate::error::{Diagnostic, Result};
use crate::media::card::{self, Card, Layout, Style};
use crate::media::library::{Cache, Library, Photo};
use crate::output::{Content, Output};
use crate::site::Site;

/// The card's file beside its page: a flat card, or one drawn over a photo.
const FILE: &str = "card.png";
const PHOTO_FILE: &str = "card.jpg";

/// The quality of a card drawn over a photo: its text's edges stay clean at about 50 KB.
const PHOTO_QUALITY: u8 = 82;

/// The photo article `i`'s card is drawn over: its lead image, when the theme asks for it
/// and the image is a photo nashra processes (another host's image is not read).
fn photo_of<'m>(site: &Site, i: usize, style: &Style, media: &'m Library) -> Option<&'m Photo> {
    let page = &site.articles[i].page;
    let image = page.image.as_ref().filter(|_| style.photo)?;
    media.photo(&page.source, &image.src)
}

/// The file name of a card drawn over `photo`, if any.
fn file(photo: Option<&Photo>) -> &'static str {
    match photo {
        Some(_) => PHOTO_FILE,
        None => FILE,
    }
}

/// Whose card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOf {
    Article(usize),
    /// A language's (index into the config's languages): its home page and lists show it.
    Site(usize),
}

/// A card as templates see it: `og:image` and its size and text.
#[derive(Serialize, Debug)]
pub(super) struct CardCtx {
    url: String,
    width: u32,
    height: u32,
    /// What the card says, for `og:image:alt`.
    alt: String,
}

/// The card jobs of `site` in `style`: one per article and one per language, each hashing
/// what its card shows (the theme's style and fonts are in the theme's digest; a photo's
/// key is the hash of its bytes, and the scrim is hashed with it, so a new photo redraws
/// the card over it and nothing else). Made on every core: one job an article, they were
/// the longest part of working out a watch rebuild's jobs.
pub(super) fn jobs(site: &Site, style: &Style, media: &Library) -> Vec<Job> {
    let articles = site.articles.par_iter().enumerate().map(|(i, a)| {
        let photo = photo_of(site, i, style, media);
        let path = format!("{}{}", a.path, file(photo));
        hashed(Renders::Card(CardOf::Article(i)), path, &|h| {
            (&a.page.title, a.page.date.as_str(), &a.page.file.lang).hash(h);
            photo.map(|p| (p.key, style.scrim.to_bits())).hash(h);
        })
    });
    let languages = site.config.languages.iter().enumerate().map(|(i, l)| {
        let path = format!("{}{FILE}", site.config.language_prefix(&l.code));
        hashed(Renders::Card(CardOf::Site(i)), path, &|h| {
            (&l.code, &l.title, &l.description).hash(h)
        })
    });
    let mut jobs: Vec<Job> = articles.collect();
    jobs.extend(languages);
    jobs
}

/// Every card of `site` laid out (not drawn): a warning for each headline cut short and
/// each character no card font has. What `nashra check` says of the cards.
pub fn warnings(site: &Site, style: &Style, dates: &super::theme::Dates) -> Vec<Diagnostic> {
    let laid: Vec<(usize, std::result::Result<Layout, String>)> = (0..site.articles.len())
        .into_par_iter()
        .map(|i| {
            let date = article_date(site, i, dates);
            (i, card::layout(&article_card(site, i, date.as_deref()), style))
        })
        .collect();
    let mut out = Vec::new();
    for (i, layout) in laid {
        let source = &site.articles[i].page.source;
        let layout = match layout {
            Ok(layout) => layout,
            Err(e) => {
                out.push(
                    Diagnostic::new(source, format!("its social card cannot be laid out: {e}")).warning(),
                );
                continue;
            }
        };
        if layout.truncated {
            out.push(
                Diagnostic::new(
                    source,
                    "the headline is too long for its social card: the card cuts it with “…”",
                )
                .warning()
                .help(format!(
                    "shorten the title; at the smallest size the card holds {} lines",
                    layout.headline.len()
                )),
            );
        }
        if !layout.missing.is_empty() {
            let shown: Vec<String> = layout
                .missing
                .iter()
                .map(|c| format!("“{c}” (U+{:04X})", u32::from(*c)))
                .collect();
            out.push(
                Diagnostic::new(
                    source,
                    format!(
                        "the social card's fonts have no glyph for {}: the card shows an empty box for each",
                        shown.join(", ")
                    ),
                )
                .warning()
                .help("add a font that has them to `[card].fonts` in theme.toml, or write the title without them"),
            );
        }
    }
    out
}

/// What article `i`'s card shows.
fn article_card<'s>(site: &'s Site, i: usize, date: Option<&'s str>) -> Card<'s> {
    let a = &site.articles[i];
    let lang = &a.page.file.lang;
    let language = site.config.languages.iter().find(|l| &l.code == lang);
    Card {
        headline: &a.page.title,
        site: language.map_or("", |l| l.title.as_str()),
        date,
        lang,
        rtl: language.is_some_and(|l| l.dir == crate::config::Direction::Rtl),
    }
}

/// Article `i`'s date as its pages write it (the Gregorian date in its language's digits).
fn article_date(site: &Site, i: usize, dates: &super::theme::Dates) -> Option<String> {
    let page = &site.articles[i].page;
    let formatter = dates.get(&page.file.lang)?;
    formatter.gregorian(page.date.as_str()).ok()
}

/// An article's card as `nashra card` gives it: the file a build writes beside its page
/// (its name and bytes), and where its text went.
pub struct Shown {
    pub file: &'static str,
    pub bytes: Vec<u8>,
    pub layout: Layout,
}

/// The card of the article from `file` (as given, or relative to the site's folder), drawn
/// as a build of the site in `opts` would, over its lead photo when the build's is: what
/// `nashra card` shows.
pub fn card(opts: &crate::BuildOptions, file: &std::path::Path) -> Result<Shown> {
    let root = &opts.root;
    let (site, theme) = super::site_and_theme(opts, opts.config()?)?;
    let Some(style) = theme.cards.as_deref() else {
        let meta = std::path::Path::new("themes")
            .join(&site.config.theme)
            .join("theme.toml");
        return Err(Diagnostic::new(meta, "the theme draws no social cards")
            .help("add a `[card]` table to theme.toml (see \"Social cards\" in themes/README.md)")
            .into());
    };
    let wanted = file.strip_prefix(root).unwrap_or(file);
    let Some(i) = site.articles.iter().position(|a| a.page.source == wanted) else {
        return Err(
            Diagnostic::new(file, "no article of the site is built from this file")
                .help("name an article's file under content/ or seeds/ (a draft needs --drafts)")
                .into(),
        );
    };
    let date = article_date(&site, i, &theme.dates);
    let card = article_card(&site, i, date.as_deref());
    let cannot = |e: String| Diagnostic::new(file, format!("its social card cannot be drawn: {e}"));
    let media = super::images::plan_pages(root, &site, &theme.static_files, None, |s| s == wanted)?;
    let Some(photo) = photo_of(&site, i, style, &media) else {
        let drawn = card::draw(&card, style).map_err(cannot)?;
        return Ok(Shown {
            file: FILE,
            bytes: drawn.png,
            layout: drawn.layout,
        });
    };
    let cache = match opts.cache {
        true => Cache::open(root),
        false => Cache::off(),
    };
    Ok(Shown {
        file: PHOTO_FILE,
        bytes: over_photo(&card, style, &media, &cache, photo)?,
        layout: card::layout(&card, style).map_err(cannot)?,
    })
}

/// `card` drawn over `photo` (its published file read from `cache`), as a JPEG. A photo
/// that cannot be read or decoded (its own files report why: the build fails on it) gives
/// the flat card, as a JPEG all the same, since pages name the card's JPEG.
fn over_photo(card: &Card, style: &Style, media: &Library, cache: &Cache, photo: &Photo) -> Result<Vec<u8>> {
    let pixels = media.backdrop(photo, cache, card::WIDTH, card::HEIGHT);
    card::draw_on_photo(card, style, pixels, PHOTO_QUALITY).map_err(|e| {
        Diagnostic::new(
            &photo.found.shown,
            format!("its social card cannot be drawn: {e}"),
        )
        .into()
    })
}

impl Renderer<'_> {
    /// The card of `of`, drawn.
    pub(super) fn card(&self, of: CardOf, path: &str) -> Result<Output> {
        let Some(style) = self.theme.cards.as_deref() else {
            return Err(Diagnostic::new(path, "the theme draws no cards").into());
        };
        let site = self.site;
        let date;
        let (card, source) = match of {
            CardOf::Article(i) => {
                date = article_date(site, i, &self.theme.dates);
                let card = article_card(site, i, date.as_deref());
                if let Some(photo) = photo_of(site, i, style, self.media) {
                    return self.photo_card(&card, style, photo, path);
                }
                (card, site.articles[i].page.source.as_path())
            }
            CardOf::Site(l) => {
                let lang = &site.config.languages[l];
                let headline = match lang.description.trim().is_empty() {
                    true => &lang.title,
                    false => &lang.description,
                };
                let card = Card {
                    headline,
                    site: &lang.title,
                    date: None,
                    lang: &lang.code,
                    rtl: lang.dir == crate::config::Direction::Rtl,
                };
                (card, std::path::Path::new(crate::config::CONFIG_FILE))
            }
        };
        let drawn = card::draw(&card, style)
            .map_err(|e| Diagnostic::new(source, format!("its social card cannot be drawn: {e}")))?;
        Ok(Output {
            path: path.to_string(),
            content: Content::Bytes(drawn.png),
        })
    }

    /// `card` drawn over `photo`, as the JPEG at `path`.
    fn photo_card(&self, card: &Card, style: &Style, photo: &Photo, path: &str) -> Result<Output> {
        Ok(Output {
            path: path.to_string(),
            content: Content::Bytes(over_photo(card, style, self.media, self.images, photo)?),
        })
    }

    /// What templates see of the card at site path `folder` (a page's or a language's home);
    /// `article`: the article whose card it is, if one.
    pub(super) fn card_ctx(&self, folder: &str, alt: &str, article: Option<usize>) -> Option<CardCtx> {
        let style = self.theme.cards.as_deref()?;
        let photo = article.and_then(|i| photo_of(self.site, i, style, self.media));
        Some(CardCtx {
            url: self.urls.url(&format!("{folder}{}", file(photo))),
            width: card::WIDTH,
            height: card::HEIGHT,
            alt: alt.to_string(),
        })
    }
}
