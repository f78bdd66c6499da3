//! The pages written at old URLs (`aliases`): each a minimal HTML page that sends the reader
//! on at once (`<meta http-equiv="refresh">`, which every static host serves as it is), tells
//! search engines the new URL is the one to index (`canonical`, `noindex`), and shows a link
//! for a browser that does not follow the refresh.

use std::hash::Hash;

use super::{hashed, Job, Renderer, Renders};
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
