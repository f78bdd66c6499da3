//! Links between content files by their source path (`[text](@/briefings/name.ar.md#heading)`):
//! an author names the file, which does not change when a slug or a section's URL does, and
//! the site, which knows every URL, resolves it, or reports where it leads nowhere.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use percent_encoding::percent_decode_str;

use super::Site;
use crate::content::markdown::Heading;
use crate::content::markdown::INTERNAL;
use crate::content::{nfc, nfc_owned, FileName, SourceRef};
use crate::error::{did_you_mean, Diagnostic, Result};

/// A link resolved: the destination as the page's HTML has it, and where it leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolved {
    /// The `href` value in the rendered Markdown (`@/…`, escaped as pulldown-cmark escapes it).
    pub from: String,
    /// The site path of the page it leads to (no base path).
    pub path: String,
    /// The element on that page, if the link names one.
    pub anchor: Option<String>,
}

/// An article the build leaves out, and why, so a link to it is explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Where it sits.
    pub file: FileName,
    /// `true` for a draft, `false` for an article scheduled later.
    pub draft: bool,
}

/// What a link can lead to.
#[derive(Clone, Copy)]
enum Target {
    Article(usize),
    Section(usize),
}

/// Each page's resolved links, in page order.
type PerPage = Vec<Vec<Resolved>>;

/// Every article's and every section's links, resolved (in [`Site::articles`] and
/// [`Site::sections`] order); every link that leads nowhere is an error at its place.
pub(super) fn resolve(site: &Site, left_out: &[LeftOut]) -> Result<(PerPage, PerPage)> {
    let internal = |refs: &[SourceRef]| refs.iter().any(SourceRef::is_internal_link);
    let linking = site.articles.iter().any(|a| internal(&a.page.refs))
        || site.sections.iter().any(|s| internal(&s.refs));
    if !linking {
        // Most sites: no link to resolve, no table of every page to make.
        return Ok((
            vec![Vec::new(); site.articles.len()],
            vec![Vec::new(); site.sections.len()],
        ));
    }
    let mut targets: HashMap<(&str, &str, &str), Target> = HashMap::new();
    for (i, a) in site.articles.iter().enumerate() {
        let f = &a.page.file;
        targets.insert((&f.lang, &f.section, &f.name), Target::Article(i));
    }
    for (i, s) in site.sections.iter().enumerate() {
        targets.insert((&s.lang, &s.folder, "_index"), Target::Section(i));
    }
    let resolver = Resolver {
        site,
        targets,
        left_out,
    };
    let mut errors = Vec::new();
    let mut each = |source: &Path, refs: &[SourceRef]| -> Vec<Resolved> {
        refs.iter()
            .filter(|r| r.is_internal_link())
            .filter_map(|r| {
                resolver
                    .resolve(&r.dest)
                    .map_err(|(message, help)| {
                        errors.push(Diagnostic::new(source, message).at(r.line, r.column).help(help))
                    })
                    .ok()
            })
            .collect()
    };
    let articles = site
        .articles
        .iter()
        .map(|a| each(&a.page.source, &a.page.refs))
        .collect();
    let sections = site
        .sections
        .iter()
        .map(|s| match &s.source {
            Some(source) => each(source, &s.refs),
            None => Vec::new(),
        })
        .collect();
    if errors.is_empty() {
        Ok((articles, sections))
    } else {
        Err(errors.into())
    }
}

struct Resolver<'s> {
    site: &'s Site,
    targets: HashMap<(&'s str, &'s str, &'s str), Target>,
    left_out: &'s [LeftOut],
}

impl Resolver<'_> {
    /// Where `dest` leads, or what is wrong with it and what to do.
    fn resolve(&self, dest: &str) -> std::result::Result<Resolved, (String, String)> {
        let written = dest.strip_prefix(INTERNAL).unwrap_or(dest);
        let (file, anchor) = match written.split_once('#') {
            Some((file, anchor)) => (file, Some(decoded(anchor)).filter(|a| !a.is_empty())),
            None => (written, None),
        };
        let file = decoded(file);
        if !file.ends_with(".md") {
            return Err((
                format!("the link `{dest}` does not name a Markdown file"),
                example_help(),
            ));
        }
        let parsed = FileName::parse(Path::new(&file), &self.site.config, Path::new(&file)).ok();
        let Some(target) = parsed.as_ref().and_then(|f| self.target(f)) else {
            return Err(self.nowhere(dest, &file, parsed.as_ref()));
        };
        // Where it leads, the file that has it, and its headings (a section's text has none
        // listed).
        let (path, source, toc): (&str, &Path, &[Heading]) = match target {
            Target::Article(i) => {
                let a = &self.site.articles[i];
                (&a.path, &a.page.source, &a.page.toc)
            }
            Target::Section(i) => {
                let s = &self.site.sections[i];
                (&s.path, s.source.as_deref().unwrap_or(Path::new(&file)), &[])
            }
        };
        // Its HTML, read only for an anchor that is not one of its headings: an article's
        // body is held compressed.
        let in_toc = |id: &str| toc.iter().any(|h| h.id == id);
        let html: Cow<str> = match (&anchor, target) {
            (Some(a), _) if in_toc(a) || in_toc(&nfc(a)) => Cow::Borrowed(""),
            (None, _) => Cow::Borrowed(""),
            (Some(_), Target::Article(i)) => Cow::Owned(
                self.site.articles[i]
                    .page
                    .body
                    .html()
                    .map_err(|e| (e.to_string(), String::new()))?,
            ),
            (Some(_), Target::Section(i)) => Cow::Borrowed(self.site.sections[i].content_html.as_str()),
        };
        // Heading ids are NFC, as names are; an id in raw HTML is found as written too, as a
        // browser would find it.
        let has_id = |id: &str| {
            let escaped = crate::content::markdown::escape_html(id);
            in_toc(id) || html.contains(&format!("id=\"{escaped}\""))
        };
        let anchor = anchor.map(|written| match has_id(&written) {
            true => written,
            false => nfc_owned(written),
        });
        if let Some(anchor) = &anchor {
            let headings: Vec<&str> = toc.iter().map(|h| h.id.as_str()).collect();
            if !has_id(anchor) {
                let help = match did_you_mean(anchor, headings.iter().copied()) {
                    Some(id) => format!("did you mean `#{id}`?"),
                    None if headings.is_empty() => "it has no headings: link to the file alone".into(),
                    None => format!(
                        "link to one of its headings: {}",
                        headings
                            .iter()
                            .map(|h| format!("`#{h}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Err((
                    format!(
                        "the link `{dest}` names `#{anchor}`, which `{}` has no heading or element for",
                        source.display()
                    ),
                    help,
                ));
            }
        }
        Ok(Resolved {
            from: escaped_href(dest),
            path: path.to_string(),
            anchor,
        })
    }

    fn target(&self, f: &FileName) -> Option<Target> {
        self.targets
            .get(&(f.lang.as_str(), f.section.as_str(), f.name.as_str()))
            .copied()
    }

    /// Why `file` (placed as `parsed`, when its name is one) leads to no page: a draft, a
    /// scheduled article, or no such file.
    fn nowhere(&self, dest: &str, file: &str, parsed: Option<&FileName>) -> (String, String) {
        if let Some(out) = self.left_out.iter().find(|o| parsed == Some(&o.file)) {
            return match out.draft {
                true => (
                    format!("the link `{dest}` leads to a draft, which this build leaves out"),
                    "publish it (remove `draft = true`), or preview with --drafts".into(),
                ),
                false => (
                    format!("the link `{dest}` leads to an article dated later, which this build leaves out"),
                    "link to it once it is published, or preview with --future".into(),
                ),
            };
        }
        // Named as the author would: the file's path in content/ (a seed's, once imported),
        // in NFC as `file` was looked up, so a guess is never `file` in another form.
        let known: Vec<String> = self
            .site
            .articles
            .iter()
            .map(|a| match a.page.source.strip_prefix("content") {
                Ok(path) => nfc_owned(path.to_string_lossy().replace('\\', "/")),
                Err(_) => {
                    let f = &a.page.file;
                    let folder = if f.section.is_empty() {
                        String::new()
                    } else {
                        format!("{}/", f.section)
                    };
                    format!("{folder}{}.{}.md", f.name, f.lang)
                }
            })
            .collect();
        let help = match did_you_mean(&nfc(file), known.iter().map(String::as_str)) {
            Some(guess) => format!("did you mean `@/{guess}`?"),
            None => example_help(),
        };
        (
            format!("the link `{dest}` leads to no file: there is no content/{file}"),
            help,
        )
    }
}

fn example_help() -> String {
    "name a file of content/ by its path, e.g. `@/briefings/name.ar.md#heading`".into()
}

/// Percent-escapes undone, so `@/briefings/%D9%85.md` names the file `م.md`.
fn decoded(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// A destination as pulldown-cmark writes it into `href`.
fn escaped_href(dest: &str) -> String {
    let mut out = String::with_capacity(dest.len());
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut out, dest);
    out
}
