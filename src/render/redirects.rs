//! The pages written at old URLs (`aliases`): each a minimal HTML page that sends the reader
//! on at once (`<meta http-equiv="refresh">`, which every static host serves as it is), tells
//! search engines the new URL is the one to index (`canonical`, `noindex`), and shows a link
//! for a browser that does not follow the refresh.

use std::collections::HashMap;
use std::hash::Hash;

use super::{hashed, Job, Renderer, Renders, Theme};
use crate::error::{Diagnostic, Result};
use crate::media::library::Library;
use crate::output::{Content, Output};
use crate::site::{Redirect, Site};

/// A job for every redirect of `site`, its inputs what its page shows.
pub(super) fn jobs(site: &Site) -> impl Iterator<Item = Job> + '_ {
    site.redirects.iter().enumerate().map(|(i, r)| {
        let t = site.target(r);
        hashed(Renders::Redirect(i), t.alias.output_path(), &|h| {
            (&t.alias.path, t.path, t.lang, t.title).hash(h)
        })
    })
}

/// An alias written where another file of the output is (the search page, the 404 page, a
/// feed, the sitemap, a static file, a photo), or as a folder where such a file is (or a file
/// where it is a folder): an error at the alias, naming the other file. Pages, lists and other
/// aliases are checked when the site is put together; these files are only known here.
pub fn check_clashes(site: &Site, jobs: &[Job], theme: &Theme, media: &Library) -> Result<()> {
    if site.redirects.is_empty() {
        return Ok(());
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
    let mut errors = Vec::new();
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
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.into()),
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
        _ => "a page",
    }
    .to_string()
}

impl Renderer<'_> {
    /// The page at a redirect's old URL.
    pub(super) fn redirect(&self, r: &Redirect) -> Output {
        let t = self.site.target(r);
        let url = tera::escape_html(&self.urls.url(t.path));
        let title = tera::escape_html(t.title);
        let dir = self
            .site
            .config
            .language(t.lang)
            .map_or("ltr", |l| l.dir.as_str());
        let lang = tera::escape_html(t.lang);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
             <link rel=\"canonical\" href=\"{url}\">\n\
             <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n\
             <body>\n<p><a href=\"{url}\">{title}</a></p>\n</body>\n</html>\n"
        );
        Output {
            path: t.alias.output_path(),
            content: Content::Bytes(html.into_bytes()),
        }
    }
}
