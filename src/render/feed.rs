//! Atom feeds (RFC 4287). Written by an XML crate, not templates, so they are always
//! well-formed whatever the titles hold.

use std::borrow::Cow;

use atom_syndication::{Content as AtomContent, Entry, Feed, Generator, Link, Person, Text};

use super::Renderer;
use crate::config::FeedContent;
use crate::error::{Diagnostic, Result};
use crate::output::{Content, Output};
use crate::site::{Section, Site};

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
