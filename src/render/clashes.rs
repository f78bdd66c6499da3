//! Two things written to one place in the output. Pages, lists, taxonomies, edition archives
//! and aliases among themselves are checked when the site is put together
//! ([`crate::site::Site`]); what is only known once the theme is loaded (nashra's own pages,
//! which a theme may leave out, static files, photos) is checked here, before anything is
//! written, in build, check and watch alike.

use std::collections::HashMap;

use super::{Job, Renders, Theme};
use crate::error::{Diagnostic, Result};
use crate::media::library::Library;
use crate::site::{List, Site};

/// Every clash of `jobs` with each other or with the theme's static files and the photos'
/// files that the site's own check cannot see: an error for each, at the file whose fix it is.
pub fn check_clashes(site: &Site, jobs: &[Job], theme: &Theme, media: &Library) -> Result<()> {
    let mut errors = Vec::new();
    own_pages_clash(site, jobs, &mut errors);
    aliases_clash(site, jobs, theme, media, &mut errors);
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.into()),
    }
}

/// An article or a list at the URL of one of nashra's own pages (the search page, the 404
/// page, the corrections page, the sitemap, robots.txt): an error at the article's or list's
/// file. Those pages are a handful, so each article's and list's path is one lookup.
fn own_pages_clash(site: &Site, jobs: &[Job], errors: &mut Vec<Diagnostic>) {
    let own: foldhash::HashMap<&str, Renders> = jobs
        .iter()
        .filter(|j| {
            matches!(
                j.what,
                Renders::Search(_)
                    | Renders::NotFound(_)
                    | Renders::Corrections(_)
                    | Renders::Sitemap(_)
                    | Renders::SitemapIndex(_)
                    | Renders::NewsSitemap
                    | Renders::Robots
            )
        })
        .map(|j| (j.path.as_str(), j.what))
        .collect();
    for job in jobs {
        // The path is looked up first: copying every article's file name, to keep the one
        // that clashes, was most of what this check cost a watch rebuild.
        let Some(&theirs) = own.get(job.path.as_str()) else {
            continue;
        };
        let (source, mine) = match job.what {
            Renders::Article(i) => (Some(site.articles[i].page.source.clone()), "this article"),
            Renders::List(List::Section(i), _) => (site.sections[i].source.clone(), "this section"),
            _ => continue,
        };
        let url = format!(
            "{}{}",
            site.config.base_path,
            job.path.trim_end_matches("index.html")
        );
        let shown = source.unwrap_or_else(|| std::path::PathBuf::from(crate::config::CONFIG_FILE));
        errors.push(
            Diagnostic::new(
                shown,
                format!(
                    "{mine} and {} would both be written to {url}",
                    what_is_written(theirs)
                ),
            )
            .help("give it another `slug` or folder name: nashra writes its own page at that URL"),
        );
    }
}

/// An alias written where another file of the output is (the search page, the 404 page, a
/// feed, the sitemap, a static file, a photo), or as a folder where such a file is (or a file
/// where it is a folder): an error at the alias, naming the other file. Pages, lists and other
/// aliases are checked when the site is put together; these files are only known here.
fn aliases_clash(site: &Site, jobs: &[Job], theme: &Theme, media: &Library, errors: &mut Vec<Diagnostic>) {
    if site.redirects.is_empty() {
        return;
    }
    let mut written: HashMap<&str, String> = HashMap::new();
    for path in theme.static_files.keys() {
        let what = format!("the static file {path}");
        let fingerprinted = theme.assets.get(path).and_then(|p| p.fingerprinted.as_deref());
        written.extend(fingerprinted.map(|f| (f, what.clone())));
        written.insert(path, what);
    }
    written.extend(media.paths().map(|p| (p, "a photo's published file".to_string())));
    for job in jobs.iter().filter(|j| !matches!(j.what, Renders::Redirect(_))) {
        written.insert(&job.path, what_is_written(job.what));
    }
    // Each folder some file is written in, with that file's description.
    let mut folders: HashMap<&str, &String> = HashMap::new();
    for (path, what) in &written {
        let parents = path.match_indices('/').map(|(at, _)| &path[..at]);
        for parent in parents {
            folders.entry(parent).or_insert(what);
        }
    }
    for job in jobs {
        let Renders::Redirect(i) = job.what else {
            continue;
        };
        let folder = job.path.strip_suffix("/index.html");
        // The file itself, its folder written as a file, or the file a folder elsewhere.
        let clash = written
            .get(job.path.as_str())
            .or_else(|| written.get(folder?))
            .or_else(|| folders.get(job.path.as_str()).copied());
        if let Some(other) = clash {
            let t = site.target(&site.redirects[i]);
            let url = format!("{}{}", site.config.base_path, t.alias.path);
            errors.push(
                Diagnostic::new(
                    t.source,
                    format!(
                        "the alias {:?} would be written over {other} ({url})",
                        t.alias.path
                    ),
                )
                .at(t.alias.line, t.alias.column)
                .help("take the alias out, or give it another path: that URL is already in use"),
            );
        }
    }
}

/// What a job writes, as an editor knows it.
fn what_is_written(what: Renders) -> String {
    match what {
        Renders::Search(_) => "the search page",
        Renders::NotFound(_) => "the 404 page",
        Renders::Feed(..) => "a feed",
        Renders::Sitemap(_) | Renders::SitemapIndex(_) | Renders::NewsSitemap => "the sitemap",
        Renders::Robots => "robots.txt",
        Renders::Card(_) => "a social card",
        Renders::Corrections(_) => "the corrections page",
        Renders::Email(..) => "an edition's e-mail",
        _ => "a page",
    }
    .to_string()
}
