//! `sitemap.xml` with `hreflang` alternates, and `robots.txt`. Written by an XML crate, not
//! templates, so they are always well-formed whatever the titles hold.

use std::borrow::Cow;
use std::hash::Hash;

use quick_xml::events::BytesText;
use quick_xml::Writer;

use super::Renderer;
use crate::output::{Content, Output};
use crate::site::{editions_path, Article, List, Site};

impl Renderer<'_> {
    /// `sitemap.xml`: every page, each with its versions in the other languages.
    pub(super) fn sitemap(&self) -> Output {
        let urls = sitemap_urls(self.site);
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
        let mut out = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
        // Writing into memory cannot fail: the result carries no information.
        let _ = Writer::new(&mut out)
            .create_element("urlset")
            .with_attributes([
                ("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"),
                ("xmlns:xhtml", "http://www.w3.org/1999/xhtml"),
            ])
            .write_inner_content(body);
        Output {
            path: "sitemap.xml".into(),
            content: Content::Bytes(out),
        }
    }

    /// `robots.txt`: everything may be crawled; the sitemap is named.
    pub(super) fn robots(&self) -> Output {
        Output {
            path: "robots.txt".into(),
            content: Content::Bytes(
                format!(
                    "User-agent: *\nAllow: /\n\nSitemap: {}\n",
                    self.urls.url("sitemap.xml")
                )
                .into_bytes(),
            ),
        }
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
    h: &mut super::InputHasher,
    a: &Article,
    versions: impl Iterator<Item = &'s Article>,
) {
    (&a.path, lastmod(a)).hash(h);
    for v in versions {
        (&v.page.file.lang, &v.path).hash(h);
    }
}

/// What the sitemap reads of the lists; with every article's [`hash_sitemap_entry`], all it
/// reads.
pub(super) fn hash_sitemap_lists(h: &mut super::InputHasher, site: &Site) {
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
    a.page.updated.as_ref().unwrap_or(&a.page.date).as_str()
}

fn sitemap_urls(site: &Site) -> Vec<SitemapUrl<'_>> {
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
    urls
}
