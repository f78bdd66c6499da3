//! The machine-read outputs: Atom feeds (RFC 4287), `sitemap.xml` with `hreflang`
//! alternates, and `robots.txt`. Written by XML crates, not templates, so they are always
//! well-formed whatever the titles hold.

use std::borrow::Cow;
use std::hash::Hash;

use atom_syndication::{Content as AtomContent, Entry, Feed, Generator, Link, Person, Text};
use quick_xml::events::BytesText;
use quick_xml::Writer;

use super::Renderer;
use crate::config::FeedContent;
use crate::error::{Diagnostic, Result};
use crate::output::{Content, Output};
use crate::site::{editions_path, Article, List, Section, Site};

/// The articles a section's feed lists: the newest, up to the configured limit.
pub(super) fn entries<'s>(site: &Site, s: &'s Section) -> Cow<'s, [usize]> {
    let limit = match site.config.feed_limit {
        0 => s.articles.len(),
        n => n.min(s.articles.len()),
    };
    if s.sort_by == crate::content::SortBy::Date {
        return Cow::Borrowed(&s.articles[..limit]);
    }
    let mut list = s.articles.clone();
    list.sort_by(|&a, &b| site.articles[b].page.date.cmp(&site.articles[a].page.date));
    list.truncate(limit);
    Cow::Owned(list)
}

impl Renderer<'_> {
    /// The Atom feed of a section; a home page's feed is the whole language's.
    pub(super) fn feed(&self, s: &Section) -> Result<Output> {
        let site = self.site;
        let config = &site.config;
        let lang = config.language(&s.lang).unwrap_or(&config.languages[0]);
        let path = format!("{}atom.xml", s.path);
        let title = if s.folder.is_empty() {
            lang.title.clone()
        } else {
            format!("{} — {}", s.title, lang.title)
        };
        let entries: Vec<Entry> = entries(site, s)
            .iter()
            .map(|&i| -> Result<Entry> {
                let a = &site.articles[i];
                let p = &a.page;
                let url = self.urls.url(&a.path);
                let body = match config.feed_content {
                    FeedContent::Full => Some(AtomContent {
                        value: Some(
                            self.body(&p.source, &p.body.html()?, &a.links, super::images::Target::Feed)
                                .into_owned(),
                        ),
                        content_type: Some("html".into()),
                        ..Default::default()
                    }),
                    FeedContent::Summary => None,
                };
                Ok(Entry {
                    title: Text::plain(p.title.clone()),
                    id: url.clone(),
                    updated: p.updated.as_ref().unwrap_or(&p.date).instant(),
                    published: Some(p.date.instant()),
                    authors: p.authors.iter().map(|name| person(name, None)).collect(),
                    categories: a
                        .terms
                        .iter()
                        .map(|r| {
                            let term = &site.taxonomies[r.taxonomy].terms[r.term];
                            atom_syndication::Category {
                                term: term.slug.clone(),
                                scheme: Some(self.urls.url(&site.taxonomies[r.taxonomy].path)),
                                label: Some(term.name.clone()),
                            }
                        })
                        .collect(),
                    links: vec![link(url, "alternate", &p.file.lang)],
                    summary: (!p.summary_html.is_empty()).then(|| {
                        Text::html(
                            self.body(&p.source, &p.summary_html, &a.links, super::images::Target::Feed)
                                .into_owned(),
                        )
                    }),
                    content: body,
                    ..Default::default()
                })
            })
            .collect::<Result<_>>()?;
        // An empty feed still says when: the epoch, since the clock is not an input.
        let updated = entries.iter().map(|e| e.updated).max().unwrap_or_default();
        let home = self.urls.url(&config.language_prefix(&lang.code));
        let feed = Feed {
            title: Text::plain(title),
            id: self.urls.url(&path),
            updated,
            // The site itself is the author of record when an article names none (RFC 4287
            // requires one for every entry).
            authors: vec![person(&lang.title, Some(home.clone()))],
            generator: Some(Generator {
                value: "nashra".into(),
                uri: None,
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            links: vec![
                link(self.urls.url(&path), "self", &lang.code),
                link(self.urls.url(&s.path), "alternate", &lang.code),
            ],
            subtitle: (!lang.description.is_empty() || !s.description.is_empty()).then(|| {
                Text::plain(if s.description.is_empty() {
                    &lang.description
                } else {
                    &s.description
                })
            }),
            entries,
            // Relative links inside article HTML resolve against the site.
            base: Some(config.base_url.clone()),
            lang: Some(lang.code.clone()),
            ..Default::default()
        };
        let bytes = feed
            .write_to(Vec::new())
            .map_err(|e| Diagnostic::new(&path, format!("cannot write the feed: {e}")))?;
        Ok(Output {
            path,
            content: Content::Bytes(bytes),
        })
    }

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

fn person(name: &str, uri: Option<String>) -> Person {
    Person {
        name: name.to_string(),
        uri,
        ..Default::default()
    }
}

fn link(href: String, rel: &str, lang: &str) -> Link {
    Link {
        href,
        rel: rel.into(),
        hreflang: Some(lang.into()),
        mime_type: Some(
            if rel == "self" {
                "application/atom+xml"
            } else {
                "text/html"
            }
            .into(),
        ),
        ..Default::default()
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
