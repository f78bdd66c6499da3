//! `nashra check`: everything a build checks (config, every front matter and body, every
//! template rendering every page), with nothing written, and a report of the translations.

use std::path::PathBuf;

use crate::build::{self, BrokenLinks, BuildOptions};
use crate::error::{Diagnostic, Result};
use crate::render;
use crate::site::Site;

/// What a clean check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Pages that rendered (none was written).
    pub pages: usize,
    /// Articles per language code, in the config's language order.
    pub articles: Vec<(String, usize)>,
    /// Per language code: the source files of articles with no version in it.
    pub untranslated: Vec<(String, Vec<PathBuf>)>,
    /// What an editor should look at; `--strict` makes these fail the check.
    pub warnings: Vec<Diagnostic>,
}

/// Checks the site at `opts.root` as `build` would build it, writing nothing.
pub fn check(opts: &BuildOptions) -> Result<CheckReport> {
    let config = opts.config()?;
    let (site, loaded) = build::load(
        &opts.root,
        config,
        opts.visibility(),
        BrokenLinks::Report,
        &crate::content::Articles::off(),
    )?;
    // Links that lead nowhere are reported with what rendering finds, not before it.
    let rendered = render::check(&opts.root, &site);
    let (pages, photos) = match (rendered, loaded.broken_links.is_empty()) {
        (Ok(rendered), true) => rendered,
        (Ok(_), false) => return Err(loaded.broken_links.into()),
        (Err(e), _) => {
            return Err(loaded
                .broken_links
                .into_iter()
                .chain(e.diagnostics)
                .collect::<Vec<_>>()
                .into())
        }
    };
    let mut warnings = loaded.warnings;
    warnings.extend(loaded.draft_aliases);
    warnings.extend(dates_that_disagree(&site));
    warnings.extend(photos);
    Ok(CheckReport {
        pages,
        articles: site
            .config
            .languages
            .iter()
            .map(|l| {
                let n = site
                    .articles
                    .iter()
                    .filter(|a| a.page.file.lang == l.code)
                    .count();
                (l.code.clone(), n)
            })
            .collect(),
        untranslated: untranslated(&site),
        warnings,
    })
}

/// Per language, the articles that have no version in it.
fn untranslated(site: &Site) -> Vec<(String, Vec<PathBuf>)> {
    site.config
        .languages
        .iter()
        .map(|l| {
            let missing = site
                .articles
                .iter()
                .filter(|a| {
                    a.page.file.lang != l.code
                        && a.translations
                            .iter()
                            .all(|&t| site.articles[t].page.file.lang != l.code)
                })
                .map(|a| a.page.source.clone())
                .collect();
            (l.code.clone(), missing)
        })
        .collect()
}

/// A warning for each pair of translations dated on different days: one of them is likely a
/// mistake, as a translation goes out with its original. (Hours may differ.)
fn dates_that_disagree(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, a) in site.articles.iter().enumerate() {
        for &t in a.translations.iter().filter(|&&t| t > i) {
            let b = &site.articles[t].page;
            if a.page.date.day() != b.date.day() {
                out.push(
                    Diagnostic::new(
                        &b.source,
                        format!(
                            "dated {} but its translation {} is dated {}",
                            b.date.day(),
                            a.page.source.display(),
                            a.page.date.day()
                        ),
                    )
                    .warning()
                    .help("give translations the date of the original, or check which date is right"),
                );
            }
        }
    }
    out
}
