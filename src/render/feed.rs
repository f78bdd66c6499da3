//! The feeds of every section (a home page's: its whole language) and every term, each in
//! the formats `feeds` lists (Atom 1.0, RFC 4287; RSS 2.0; JSON Feed 1.1). Written by XML
//! and JSON crates, not templates, so they are always well-formed whatever the titles hold.
//! A feed is gathered once into [`FeedData`], which each format only writes out, so the
//! three files of one list always carry the same entries.

mod json;
mod rss;

use std::borrow::Cow;

use atom_syndication::{Content as AtomContent, Entry, Feed, Generator, Link, Person, Text};
use chrono::{DateTime, FixedOffset};

use super::Renderer;
use crate::config::{FeedContent, FeedFormat};
use crate::error::{Diagnostic, Result};
use crate::output::{Content, Output};
use crate::site::{Article, List, Site};

/// The articles a list's feed carries: the newest, up to the configured limit.
pub(super) fn entries(site: &Site, list: List) -> Cow<'_, [usize]> {
    let info = site.list(list);
    let limit = match site.config.feed_limit {
        0 => info.articles.len(),
        n => n.min(info.articles.len()),
    };
    if info.sort_by == crate::content::SortBy::Date {
        return Cow::Borrowed(&info.articles[..limit]);
    }
    let mut list = info.articles.to_vec();
    list.sort_by(|&a, &b| site.articles[b].page.date.cmp(&site.articles[a].page.date));
    list.truncate(limit);
    Cow::Owned(list)
}

/// Whether a list has feeds: every section (the home page's is the whole language's) and
/// every term do; an edition is one day of its language's feed, so it has none.
pub(super) fn has_feeds(list: List) -> bool {
    !matches!(list, List::Edition(_))
}

/// The site path of the feed in `format` of the list at `list_path`: beside its first page.
pub(super) fn feed_path(list_path: &str, format: FeedFormat) -> String {
    format!("{list_path}{}", format.file_name())
}

/// One feed, whatever its format: what the site says of a list and its newest articles, with
/// URLs absolute (feed readers do not all resolve relative ones).
struct FeedData {
    lang: String,
    title: String,
    subtitle: Option<String>,
    /// This file's own URL.
    url: String,
    /// The list's first page.
    page_url: String,
    /// The language's home page, and the site's title in it: the author of record for
    /// articles that name none.
    home_url: String,
    site_title: String,
    /// The newest entry's update; the epoch for an empty feed, since the clock is not an input.
    updated: DateTime<FixedOffset>,
    /// Where relative links in the entries' HTML resolve: the site.
    base_url: String,
    entries: Vec<EntryData>,
}

/// One article of a feed.
struct EntryData {
    title: String,
    url: String,
    lang: String,
    published: DateTime<FixedOffset>,
    updated: DateTime<FixedOffset>,
    authors: Vec<String>,
    categories: Vec<CategoryData>,
    /// The summary as HTML, none when the article has none.
    summary_html: Option<String>,
    /// The summary as plain text.
    description: String,
    /// The whole article as HTML, with `feed_content = "full"`.
    content_html: Option<String>,
}

/// A term an article is filed under.
struct CategoryData {
    slug: String,
    /// The URL of the taxonomy's page, which names the vocabulary.
    scheme: String,
    name: String,
}

impl Renderer<'_> {
    /// The feed of `list` (a section or a term) in `format`.
    pub(super) fn feed(&self, list: List, format: FeedFormat) -> Result<Output> {
        let path = feed_path(self.site.list(list).path, format);
        let data = self.feed_data(list, &path)?;
        let bytes = match format {
            FeedFormat::Atom => atom(data).write_to(Vec::new()).map_err(|e| e.to_string()),
            FeedFormat::Rss => rss::write(data),
            FeedFormat::Json => json::write(data),
        }
        .map_err(|e| Diagnostic::new(&path, format!("cannot write the feed: {e}")))?;
        Ok(Output {
            path,
            content: Content::Bytes(bytes),
        })
    }

    /// What the feed of `list`, written to `path`, says in every format.
    fn feed_data(&self, list: List, path: &str) -> Result<FeedData> {
        let site = self.site;
        let config = &site.config;
        let info = site.list(list);
        let lang = config.language(info.lang).unwrap_or(&config.languages[0]);
        let (title, description) = match list {
            List::Section(i) if site.sections[i].folder.is_empty() => {
                (lang.title.clone(), site.sections[i].description.as_str())
            }
            List::Section(i) => (
                format!("{} — {}", info.title, lang.title),
                site.sections[i].description.as_str(),
            ),
            List::Term(..) | List::Edition(_) => (format!("{} — {}", info.title, lang.title), ""),
        };
        let subtitle = match description {
            "" => lang.description.as_str(),
            own => own,
        };
        let entries = entries(site, list)
            .iter()
            .map(|&i| self.entry_data(&site.articles[i]))
            .collect::<Result<Vec<_>>>()?;
        Ok(FeedData {
            lang: lang.code.clone(),
            title,
            subtitle: (!subtitle.is_empty()).then(|| subtitle.to_string()),
            url: self.urls.url(path),
            page_url: self.urls.url(info.path),
            home_url: self.urls.url(&config.language_prefix(&lang.code)),
            site_title: lang.title.clone(),
            updated: entries.iter().map(|e| e.updated).max().unwrap_or_default(),
            base_url: config.base_url.clone(),
            entries,
        })
    }

    /// Article `a` as a feed shows it.
    fn entry_data(&self, a: &Article) -> Result<EntryData> {
        let site = self.site;
        let p = &a.page;
        let html = |html: &str| {
            self.body(&p.source, html, &a.links, super::images::Target::Feed)
                .into_owned()
        };
        Ok(EntryData {
            title: p.title.clone(),
            url: self.urls.url(&a.path),
            lang: p.file.lang.clone(),
            published: p.date.instant(),
            updated: p.modified().instant(),
            authors: p.authors.clone(),
            categories: a
                .terms
                .iter()
                .map(|r| {
                    let term = &site.taxonomies[r.taxonomy].terms[r.term];
                    CategoryData {
                        slug: term.slug.clone(),
                        scheme: self.urls.url(&site.taxonomies[r.taxonomy].path),
                        name: term.name.clone(),
                    }
                })
                .collect(),
            summary_html: (!p.summary_html.is_empty()).then(|| html(&p.summary_html)),
            description: p.description.clone(),
            content_html: match site.config.feed_content {
                FeedContent::Full => Some(html(&p.body.html()?)),
                FeedContent::Summary => None,
            },
        })
    }
}

/// The Atom feed of `data`.
fn atom(data: FeedData) -> Feed {
    let lang = data.lang;
    let entries = data
        .entries
        .into_iter()
        .map(|e| Entry {
            title: Text::plain(e.title),
            id: e.url.clone(),
            updated: e.updated,
            published: Some(e.published),
            authors: e.authors.iter().map(|name| person(name, None)).collect(),
            categories: e
                .categories
                .into_iter()
                .map(|c| atom_syndication::Category {
                    term: c.slug,
                    scheme: Some(c.scheme),
                    label: Some(c.name),
                })
                .collect(),
            links: vec![link(e.url, "alternate", &e.lang)],
            summary: e.summary_html.map(Text::html),
            content: e.content_html.map(|html| AtomContent {
                value: Some(html),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    Feed {
        title: Text::plain(data.title),
        id: data.url.clone(),
        updated: data.updated,
        // The site itself is the author of record when an article names none (RFC 4287
        // requires one for every entry).
        authors: vec![person(&data.site_title, Some(data.home_url))],
        generator: Some(generator()),
        links: vec![
            link(data.url, "self", &lang),
            link(data.page_url, "alternate", &lang),
        ],
        subtitle: data.subtitle.map(Text::plain),
        entries,
        // Relative links inside article HTML resolve against the site.
        base: Some(data.base_url),
        lang: Some(lang),
        ..Default::default()
    }
}

/// nashra, as the program that wrote a feed.
fn generator() -> Generator {
    Generator {
        value: "nashra".into(),
        uri: None,
        version: Some(env!("CARGO_PKG_VERSION").into()),
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
