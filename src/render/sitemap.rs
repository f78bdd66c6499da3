//! `sitemap.xml` with `hreflang` alternates (split into `sitemap-N.xml` under a sitemap index
//! when it would pass the protocol's limits), `news-sitemap.xml` for Google News, and
//! `robots.txt`. Written by an XML crate, not templates, so they are always well-formed
//! whatever the titles hold.

use std::borrow::Cow;
use std::hash::Hash;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use quick_xml::events::BytesText;
use quick_xml::Writer;

use super::{hashed, ArticleHashes, InputHasher, Job, Renderer, Renders};
use crate::output::{Content, Output};
use crate::site::{editions_path, Article, List, Site};

/// The most URLs one sitemap file may list (sitemaps.org).
pub const MAX_URLS: usize = 50_000;
/// The most bytes one sitemap file may hold, uncompressed (sitemaps.org: 50 MB).
pub const MAX_BYTES: usize = 50 * 1000 * 1000;
/// The most articles a news sitemap may list (Google News).
pub const MAX_NEWS: usize = 1_000;
/// How far back the news sitemap reaches: Google News takes the articles of the last two days.
const NEWS_DAYS: i64 = 2;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const XML_DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The sitemap files, the news sitemap and `robots.txt`, each a job with its inputs hashed:
/// `sitemap.xml` alone when every URL fits in one file, else a `sitemap-N.xml` for each part
/// and `sitemap.xml` as their index. `corrections`: whether the site has corrections pages.
pub(super) fn jobs(site: &Site, articles: &ArticleHashes, corrections: bool) -> Vec<Job> {
    let mut h = super::input_hasher();
    articles.seen.iter().for_each(|s| s.1.hash(&mut h));
    hash_sitemap_lists(&mut h, site);
    corrections.hash(&mut h);
    let all = std::hash::Hasher::finish(&h);
    // The URLs' sizes are read from the same inputs, and from the configuration's paths.
    site.config.base_url.hash(&mut h);
    for l in &site.config.languages {
        (
            editions_path(&site.config, &l.code),
            super::corrections::path(&site.config, &l.code),
        )
            .hash(&mut h);
    }
    let parts = articles.sitemap.parts(std::hash::Hasher::finish(&h), || {
        split(&url_bounds(site, corrections), MAX_URLS, MAX_BYTES)
    });
    let mut jobs: Vec<Job> = match parts.len() {
        0 | 1 => vec![hashed(Renders::Sitemap(None), "sitemap.xml".into(), &|h| {
            all.hash(h)
        })],
        n => {
            let parts = parts.into_iter().enumerate().map(|(k, range)| {
                let path = part_path(k);
                let what = Renders::Sitemap(Some((k, range.start, range.end)));
                hashed(what, path, &|h| (all, &range).hash(h))
            });
            let index = hashed(Renders::SitemapIndex(n), "sitemap.xml".into(), &|h| n.hash(h));
            parts.chain(std::iter::once(index)).collect()
        }
    };
    jobs.push(hashed(Renders::NewsSitemap, NEWS_SITEMAP.into(), &|h| {
        for &i in &news_entries(site) {
            let a = &site.articles[i];
            (&a.path, &a.page.file.lang, &a.page.title, a.page.date.as_str()).hash(h);
        }
    }));
    jobs.push(Job {
        what: Renders::Robots,
        path: "robots.txt".into(),
        inputs: 0,
    });
    jobs
}

/// The sitemap's split into files as last worked out, with the hash of what it was worked out
/// from: a watch rebuild that moved no URL takes it from here instead of sizing all of them
/// again, which was a fifth of a save's wait at 20,000 articles.
#[derive(Debug, Default)]
pub struct Split(Mutex<Option<(u64, Vec<Range<usize>>)>>);

impl Split {
    /// The parts for inputs that hash to `key`: remembered, or made by `make` and remembered.
    fn parts(&self, key: u64, make: impl FnOnce() -> Vec<Range<usize>>) -> Vec<Range<usize>> {
        let mut last = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match &*last {
            Some((made_from, parts)) if *made_from == key => parts.clone(),
            _ => last.insert((key, make())).1.clone(),
        }
    }
}

/// Where the news sitemap is written.
const NEWS_SITEMAP: &str = "news-sitemap.xml";

/// The name of the `k`th (0-based) part of a split sitemap.
fn part_path(k: usize) -> String {
    format!("sitemap-{}.xml", k + 1)
}

/// Consecutive runs of URLs, each of at most `max_urls` URLs whose `sizes` (bytes, an upper
/// bound each) add up to at most `max_bytes` with the file's own opening and closing: the
/// sitemap files. No URL is left out: one larger than `max_bytes` alone is a part of its own.
pub fn split(sizes: &[usize], max_urls: usize, max_bytes: usize) -> Vec<Range<usize>> {
    // The XML declaration and the `<urlset …>` element around the URLs.
    const FRAME: usize = 200;
    let mut parts = Vec::new();
    let (mut start, mut bytes) = (0, FRAME);
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && (i - start >= max_urls || bytes + size > max_bytes) {
            parts.push(start..i);
            (start, bytes) = (i, FRAME);
        }
        bytes += size;
    }
    if start < sizes.len() {
        parts.push(start..sizes.len());
    }
    parts
}

/// An upper bound of the bytes of each `<url>` of the sitemap, in its order: a URL is the base
/// URL (its `&`, `<`, `>` and quotes escaped) and a path percent-encoded, each byte of which
/// takes at most three.
fn url_bounds(site: &Site, corrections: bool) -> Vec<usize> {
    let base = &site.config.base_url;
    let escapes = base.chars().filter(|c| "&<>\"'".contains(*c)).count();
    let url = |path: &str| base.len() + 5 * escapes + 3 * path.len();
    sitemap_urls(site, corrections)
        .iter()
        .map(|u| {
            // `<url><loc></loc><lastmod></lastmod></url>` and, per alternate,
            // `<xhtml:link rel="alternate" hreflang="" href=""/>`.
            let own = 64 + url(&u.path) + u.lastmod.map_or(0, str::len);
            let alternates: usize = u.alternates.iter().map(|(l, p)| 64 + l.len() + url(p)).sum();
            // `x-default` repeats the default language's.
            own + 2 * alternates
        })
        .collect()
}

/// The articles the news sitemap lists: those dated in the two days up to the build's clock,
/// newest first (ties in article order), at most [`MAX_NEWS`].
fn news_entries(site: &Site) -> Vec<usize> {
    let since = site.now - chrono::Duration::days(NEWS_DAYS);
    let mut fresh: Vec<usize> = (0..site.articles.len())
        .filter(|&i| {
            let date = site.articles[i].page.date.utc();
            since <= date && date <= site.now
        })
        .collect();
    fresh.sort_by(|&a, &b| site.articles[b].page.date.cmp(&site.articles[a].page.date));
    fresh.truncate(MAX_NEWS);
    fresh
}

/// A date as W3C Datetime wants it: a day as it is, a time with its offset (UTC when the
/// article gives none).
fn w3c_datetime(date: &crate::content::Date) -> String {
    match date.as_str().len() {
        10 => date.as_str().to_string(),
        _ => date
            .instant()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    }
}

/// The ISO 639 code Google News wants for a language: its primary subtag, lowercase, but for
/// Chinese, whose two scripts it tells apart as `zh-cn` and `zh-tw`.
fn news_language(code: &str) -> String {
    let code = code.to_ascii_lowercase();
    match code.as_str() {
        "zh-cn" | "zh-hans" => "zh-cn".into(),
        "zh-tw" | "zh-hant" => "zh-tw".into(),
        _ => code.split('-').next().unwrap_or_default().to_string(),
    }
}

impl Renderer<'_> {
    /// `sitemap.xml` (`part`: `None`), or one part of it: every page (in `part`), each with
    /// its versions in the other languages.
    pub(super) fn sitemap(&self, part: Option<(usize, Range<usize>)>) -> Output {
        let mut urls = sitemap_urls(self.site, self.has_corrections_page());
        let path = match part {
            Some((k, range)) => {
                urls.truncate(range.end);
                urls.drain(..range.start);
                part_path(k)
            }
            None => "sitemap.xml".into(),
        };
        let default = &self.site.config.default_language;
        let body = |w: &mut Writer<&mut Vec<u8>>| -> std::io::Result<()> {
            for u in &urls {
                w.create_element("url").write_inner_content(|w| {
                    text_element(w, "loc", &self.urls.url(&u.path))?;
                    if let Some(date) = u.lastmod {
                        text_element(w, "lastmod", date)?;
                    }
                    let defaults = u.alternates.iter().filter(|(l, _)| l == default);
                    let named = u.alternates.iter().map(|(l, p)| (*l, p));
                    let all = named.chain(defaults.map(|(_, p)| ("x-default", p)));
                    for (lang, path) in all {
                        w.create_element("xhtml:link")
                            .with_attributes([
                                ("rel", "alternate"),
                                ("hreflang", lang),
                                ("href", &self.urls.url(path)),
                            ])
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        };
        xml(
            path,
            "urlset",
            ("xmlns:xhtml", "http://www.w3.org/1999/xhtml"),
            body,
        )
    }

    /// `sitemap.xml` as the index of its `parts` files.
    pub(super) fn sitemap_index(&self, parts: usize) -> Output {
        let body = |w: &mut Writer<&mut Vec<u8>>| -> std::io::Result<()> {
            for k in 0..parts {
                w.create_element("sitemap")
                    .write_inner_content(|w| text_element(w, "loc", &self.urls.url(&part_path(k))))?;
            }
            Ok(())
        };
        xml("sitemap.xml".into(), "sitemapindex", None, body)
    }

    /// `news-sitemap.xml`: the articles of the last two days, in every language, for Google
    /// News. Written when there are none too (a valid `urlset` with no URL, which Google takes
    /// as intended), so the URL `robots.txt` names is never missing.
    pub(super) fn news_sitemap(&self) -> Output {
        let site = self.site;
        let body = |w: &mut Writer<&mut Vec<u8>>| -> std::io::Result<()> {
            for &i in &news_entries(site) {
                let a = &site.articles[i];
                let lang = site.config.language(&a.page.file.lang);
                w.create_element("url").write_inner_content(|w| {
                    text_element(w, "loc", &self.urls.url(&a.path))?;
                    w.create_element("news:news").write_inner_content(|w| {
                        w.create_element("news:publication").write_inner_content(|w| {
                            text_element(w, "news:name", lang.map_or("", |l| l.title.as_str()))?;
                            text_element(w, "news:language", &news_language(&a.page.file.lang))
                        })?;
                        text_element(w, "news:publication_date", &w3c_datetime(&a.page.date))?;
                        text_element(w, "news:title", &a.page.title)
                    })?;
                    Ok(())
                })?;
            }
            Ok(())
        };
        xml(NEWS_SITEMAP.into(), "urlset", ("xmlns:news", NEWS_NS), body)
    }

    /// `robots.txt`: everything may be crawled; the sitemap and the news sitemap are named.
    pub(super) fn robots(&self) -> Output {
        Output {
            path: "robots.txt".into(),
            content: Content::Bytes(
                format!(
                    "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
                    self.urls.url("sitemap.xml"),
                    self.urls.url(NEWS_SITEMAP)
                )
                .into_bytes(),
            ),
        }
    }
}

/// An XML file at `path` of one `root` element in the sitemaps.org namespace (and `also`, a
/// namespace its content uses), holding what `body` writes.
fn xml(
    path: String,
    root: &str,
    also: impl Into<Option<(&'static str, &'static str)>>,
    body: impl FnOnce(&mut Writer<&mut Vec<u8>>) -> std::io::Result<()>,
) -> Output {
    let mut out = XML_DECLARATION.to_vec();
    let attributes = std::iter::once(("xmlns", SITEMAP_NS)).chain(also.into());
    // Writing into memory cannot fail: the result carries no information.
    let _ = Writer::new(&mut out)
        .create_element(root)
        .with_attributes(attributes)
        .write_inner_content(body);
    Output {
        path,
        content: Content::Bytes(out),
    }
}

fn text_element(w: &mut Writer<&mut Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))
        .map(|_| ())
}

/// One `<url>` of the sitemap, by site path.
struct SitemapUrl<'s> {
    path: Cow<'s, str>,
    lastmod: Option<&'s str>,
    /// Every language version, this one included: (language, site path).
    alternates: Vec<(&'s str, Cow<'s, str>)>,
}

/// Hashes what an article's `<url>` in `sitemap.xml` is made from (what [`sitemap_urls`]
/// reads), so a rebuild need not build the sitemap's 20,000 entries to know it is unchanged.
pub(super) fn hash_sitemap_entry<'s>(
    h: &mut InputHasher,
    a: &Article,
    versions: impl Iterator<Item = &'s Article>,
) {
    (&a.path, &a.page.file.lang, lastmod(a)).hash(h);
    for v in versions {
        (&v.page.file.lang, &v.path).hash(h);
    }
}

/// What the sitemap reads of the lists; with every article's [`hash_sitemap_entry`], all it
/// reads.
fn hash_sitemap_lists(h: &mut InputHasher, site: &Site) {
    for list in site.lists() {
        let info = site.list(list);
        (info.path, info.articles.len(), info.per_page).hash(h);
        for other in site.list_translations(list).into_iter().map(|o| site.list(o)) {
            (other.lang, other.path).hash(h);
        }
    }
    for t in &site.taxonomies {
        (&t.lang, &t.name, &t.path).hash(h);
    }
}

/// The date a sitemap gives as an article's last change.
fn lastmod(a: &Article) -> &str {
    a.page.modified().as_str()
}

fn sitemap_urls(site: &Site, corrections: bool) -> Vec<SitemapUrl<'_>> {
    let mut urls: Vec<SitemapUrl> = site
        .articles
        .iter()
        .map(|a| SitemapUrl {
            path: Cow::Borrowed(&a.path),
            lastmod: Some(lastmod(a)),
            alternates: std::iter::once(a)
                .chain(a.translations.iter().map(|&t| &site.articles[t]))
                .map(|v| (v.page.file.lang.as_str(), Cow::Borrowed(v.path.as_str())))
                .collect(),
        })
        .collect();
    for list in site.lists() {
        let versions = |list: List| {
            let info = site.list(list);
            (info.lang, Cow::Borrowed(info.path))
        };
        urls.extend(site.list(list).pagers().map(|p| SitemapUrl {
            path: Cow::Owned(p.path),
            lastmod: None,
            alternates: if p.number == 1 {
                std::iter::once(list)
                    .chain(site.list_translations(list))
                    .map(versions)
                    .collect()
            } else {
                Vec::new()
            },
        }));
    }
    for t in &site.taxonomies {
        urls.push(SitemapUrl {
            path: Cow::Borrowed(&t.path),
            lastmod: None,
            alternates: site
                .taxonomy_versions(&t.name)
                .map(|o| (o.lang.as_str(), Cow::Borrowed(o.path.as_str())))
                .collect(),
        });
    }
    let archives: Vec<(&str, Cow<str>)> = site
        .config
        .languages
        .iter()
        .map(|l| (l.code.as_str(), Cow::Owned(editions_path(&site.config, &l.code))))
        .collect();
    urls.extend(archives.iter().map(|(_, path)| SitemapUrl {
        path: path.clone(),
        lastmod: None,
        alternates: archives.clone(),
    }));
    if corrections {
        let pages: Vec<(&str, Cow<str>)> = site
            .config
            .languages
            .iter()
            .map(|l| {
                (
                    l.code.as_str(),
                    Cow::Owned(super::corrections::path(&site.config, &l.code)),
                )
            })
            .collect();
        urls.extend(pages.iter().map(|(_, path)| SitemapUrl {
            path: path.clone(),
            lastmod: None,
            alternates: pages.clone(),
        }));
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_is_worked_out_again_only_when_what_it_is_made_from_changes() {
        let split = Split::default();
        let made = std::cell::Cell::new(0);
        // Two parts, the first of `urls` URLs.
        let make = |urls: usize| {
            made.set(made.get() + 1);
            vec![0..urls, urls..urls + 1]
        };
        assert_eq!(split.parts(1, || make(3)), [0..3, 3..4]);
        assert_eq!(split.parts(1, || make(4)), [0..3, 3..4]);
        assert_eq!(made.get(), 1);
        assert_eq!(split.parts(2, || make(4)), [0..4, 4..5]);
        assert_eq!(split.parts(1, || make(5)), [0..5, 5..6]);
        assert_eq!(made.get(), 3);
    }

    #[test]
    fn a_sitemap_is_split_at_the_url_limit_and_the_byte_limit() {
        // Under both limits: one file.
        let whole = split(&[10; 5], 5, 1000);
        assert_eq!((whole.len(), &whole[0]), (1, &(0..5)));
        assert_eq!(split(&[], 5, 1000), Vec::<Range<usize>>::new());
        // By count: 5 to a file.
        assert_eq!(split(&[10; 12], 5, 1000), [0..5, 5..10, 10..12]);
        // By bytes: the frame (200) and three of 100 fill 500.
        assert_eq!(split(&[100; 7], 50, 500), [0..3, 3..6, 6..7]);
        // One URL larger than a file can hold still gets one.
        assert_eq!(split(&[10, 900, 10], 50, 500), [0..1, 1..2, 2..3]);
        // The real limits hold whole sitemaps of ordinary URLs.
        assert_eq!(split(&[500; MAX_URLS], MAX_URLS, MAX_BYTES).len(), 1);
        assert_eq!(split(&[500; MAX_URLS + 1], MAX_URLS, MAX_BYTES).len(), 2);
    }

    #[test]
    fn news_languages_are_iso_639_codes() {
        assert_eq!(news_language("ar"), "ar");
        assert_eq!(news_language("pt-BR"), "pt");
        assert_eq!(news_language("zh-TW"), "zh-tw");
    }
}
