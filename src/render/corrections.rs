//! Corrections and updates as pages show them: the dated box on an article
//! ([`NoteCtx`]), its JSON-LD `correction`, and each language's corrections page, every
//! correction of its articles newest first. Updates are not on that page: they add news, they
//! do not own up to an error.

use std::borrow::Cow;
use std::hash::Hash;

use serde::Serialize;

use super::{hashed, images, Job, Renderer, Renders};
use crate::config::Config;
use crate::content::{Note, Page};
use crate::error::Result;
use crate::output::Output;
use crate::site::{Article, Site};

/// The corrections page's template. A theme may leave it out: its site then has no
/// corrections page, and `lang.corrections_path` is empty so no link leads to one.
pub const TEMPLATE: &str = "corrections.html";

/// The anchor of an article's box of corrections and updates.
const ANCHOR: &str = "corrections";

/// The site path of a language's corrections page.
pub(super) fn path(config: &Config, lang: &str) -> String {
    format!("{}corrections/", config.language_prefix(lang))
}

/// Every language's corrections page, its inputs being every correction in the language.
pub(super) fn jobs(site: &Site) -> impl Iterator<Item = Job> + '_ {
    site.config.languages.iter().enumerate().map(|(i, l)| {
        let path = format!("{}index.html", path(&site.config, &l.code));
        hashed(Renders::Corrections(i), path, &|h| {
            for (a, note) in entries(site, &l.code) {
                let a = &site.articles[a];
                (&a.path, &a.page.title, note.date.as_str(), &note.html).hash(h);
                a.links.hash(h);
            }
        })
    })
}

/// The corrections of language `lang`'s articles, newest first (equal dates in the site's
/// order of articles, then as written): (article, correction).
fn entries<'s>(site: &'s Site, lang: &str) -> Vec<(usize, &'s Note)> {
    let mut all: Vec<(usize, &Note)> = site
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| a.page.file.lang == lang)
        .flat_map(|(i, a)| a.page.corrections.iter().map(move |n| (i, n)))
        .collect();
    all.sort_by(|x, y| y.1.date.cmp(&x.1.date));
    all
}

/// A correction or update in an article's box.
#[derive(Serialize)]
pub(super) struct NoteCtx<'a> {
    /// `correction` or `update`.
    kind: &'static str,
    /// ISO 8601, for `<time datetime>` and the `date` filter.
    date: &'a str,
    /// Inline HTML.
    text: Cow<'a, str>,
}

/// A correction on the corrections page.
#[derive(Serialize)]
struct CorrectionCtx<'a> {
    /// The corrected article's title.
    title: &'a str,
    /// The article's box of corrections: root-relative, and absolute.
    path: String,
    url: String,
    date: &'a str,
    text: Cow<'a, str>,
}

/// Schema.org `CorrectionComment`s of an article, for its JSON-LD; none when it has none.
pub(super) fn json_ld(p: &Page) -> Option<serde_json::Value> {
    let comments: Vec<serde_json::Value> = p
        .corrections
        .iter()
        .map(|n| {
            serde_json::json!({
                "@type": "CorrectionComment",
                "text": n.text,
                "datePublished": n.date.instant().to_rfc3339(),
            })
        })
        .collect();
    (!comments.is_empty()).then(|| comments.into())
}

impl<'a> Renderer<'a> {
    /// Whether the theme has the corrections page.
    pub(super) fn has_corrections_page(&self) -> bool {
        self.theme.has(TEMPLATE)
    }

    /// The box of article `a`: its corrections and updates, oldest first, as a story is read
    /// from its first version on.
    pub(super) fn notes<'s>(&'s self, a: &'s Article) -> Vec<NoteCtx<'s>> {
        let p = &a.page;
        let kinds = [("correction", &p.corrections), ("update", &p.updates)];
        let mut notes: Vec<(&Note, &'static str)> = kinds
            .iter()
            .flat_map(|&(kind, notes)| notes.iter().map(move |n| (n, kind)))
            .collect();
        notes.sort_by(|x, y| x.0.date.cmp(&y.0.date));
        notes
            .into_iter()
            .map(|(n, kind)| NoteCtx {
                kind,
                date: n.date.as_str(),
                text: self.body(&p.source, &n.html, &a.links, images::Target::Page),
            })
            .collect()
    }

    /// Language `lang`'s corrections page; written when there are none too, so the link to it
    /// never breaks.
    pub(super) fn corrections(&self, lang: &'a str) -> Result<Output> {
        let (mut ctx, site_path) = self.language_page("corrections", lang, path);
        let list: Vec<CorrectionCtx> = entries(self.site, lang)
            .into_iter()
            .map(|(i, n)| {
                let a = &self.site.articles[i];
                let href = self.article_href(i);
                CorrectionCtx {
                    title: &a.page.title,
                    path: format!("{}#{ANCHOR}", href.path),
                    url: format!("{}#{ANCHOR}", href.url),
                    date: n.date.as_str(),
                    text: self.body(&a.page.source, &n.html, &a.links, images::Target::Page),
                }
            })
            .collect();
        ctx.insert("corrections", &list);
        self.render_to(TEMPLATE, lang, &ctx, &site_path)
    }
}
