//! [`Site`] → outputs (path → bytes): every page through the theme's Tera templates, in
//! parallel, plus the static files. Nothing here reads content or writes to disk.

pub mod theme;

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::content::markdown::Heading;
use crate::error::{collect_all, Result};
use crate::output::{Content, Output};
use crate::site::{Article, Section, Site};
use theme::{tera_diagnostic, Theme, ThemeMeta};

/// Characters a URL path must not carry raw (the URL standard's path set); non-ASCII is
/// always encoded, so Arabic slugs stay Arabic on disk and percent-encoded on the wire.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Percent-encodes a `/`-separated path for use in a URL.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Renders every page of `site` with the theme at `root`, and lists the static files.
pub fn render(root: &Path, site: &Site) -> Result<Vec<Output>> {
    let theme = Theme::load(root, &site.config)?;
    let jobs = jobs(site);
    let mut outputs = render_jobs(site, &theme, jobs.iter())?;
    outputs.extend(static_files(&theme));
    Ok(outputs)
}

/// The theme's and the site's static files, copied as they are.
pub fn static_files(theme: &Theme) -> impl Iterator<Item = Output> + '_ {
    theme.static_files.iter().map(|(path, src)| Output {
        path: path.clone(),
        content: Content::Copy(src.clone()),
    })
}

/// One rendered file of the site, and a hash of everything it reads from the [`Site`] (not
/// the config or the theme: a change to those re-renders everything). A rebuild re-renders
/// only the jobs whose `inputs` differ from the last build's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    what: Renders,
    /// The output file, `/`-separated under the output folder.
    pub path: String,
    /// Hash of the job's inputs.
    pub inputs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renders {
    Article(usize),
    Section(usize),
    NotFound(usize),
}

/// Every file rendered from `site`, with its inputs hashed. The hashes must cover exactly
/// what [`Renderer`] reads for that file; the rebuild property test holds them to it.
pub fn jobs(site: &Site) -> Vec<Job> {
    let sections = (0..site.sections.len()).into_par_iter().map(|i| {
        let s = &site.sections[i];
        let mut h = DefaultHasher::new();
        (
            &s.lang,
            &s.folder,
            &s.path,
            &s.title,
            &s.description,
            &s.content_html,
        )
            .hash(&mut h);
        serde_json::to_string(&s.extra).unwrap_or_default().hash(&mut h);
        for v in s.translations.iter().map(|&t| &site.sections[t]) {
            (&v.lang, &v.path, &v.title).hash(&mut h);
        }
        for &a in &s.articles {
            hash_page(&mut h, site, &site.articles[a], false);
        }
        if s.folder.is_empty() {
            for o in site
                .sections
                .iter()
                .filter(|o| o.lang == s.lang && !o.folder.is_empty())
            {
                (&o.title, &o.path, o.articles.len()).hash(&mut h);
            }
        }
        Job {
            what: Renders::Section(i),
            path: format!("{}index.html", s.path),
            inputs: h.finish(),
        }
    });
    let articles = (0..site.articles.len()).into_par_iter().map(|i| {
        let a = &site.articles[i];
        let mut h = DefaultHasher::new();
        hash_page(&mut h, site, a, true);
        for v in a.translations.iter().map(|&t| &site.articles[t]) {
            (&v.page.file.lang, &v.path, &v.page.title).hash(&mut h);
        }
        Job {
            what: Renders::Article(i),
            path: format!("{}index.html", a.path),
            inputs: h.finish(),
        }
    });
    let not_found = site.config.languages.iter().enumerate().map(|(i, l)| Job {
        what: Renders::NotFound(i),
        path: format!("{}404.html", site.config.language_prefix(&l.code)),
        inputs: 0,
    });
    let mut jobs: Vec<Job> = sections.collect();
    jobs.par_extend(articles);
    jobs.extend(not_found);
    jobs
}

/// What [`Renderer::page_ctx`] reads: the page (whole, or only what lists show of it), its
/// path and its section.
fn hash_page(h: &mut DefaultHasher, site: &Site, a: &Article, whole: bool) {
    let section = &site.sections[a.section];
    let page = if whole { a.page.fingerprint } else { a.page.listing };
    (page, &a.path, &section.folder, &section.title, &section.path).hash(h);
}

/// Renders `jobs` in parallel; every job's error is reported, each broken template once.
pub fn render_jobs<'j>(
    site: &Site,
    theme: &Theme,
    jobs: impl Iterator<Item = &'j Job>,
) -> Result<Vec<Output>> {
    let r = Renderer {
        site,
        theme,
        urls: Urls::new(&site.config),
    };
    let jobs: Vec<&Job> = jobs.collect();
    let pages = jobs
        .par_iter()
        .map(|job| match job.what {
            Renders::Article(i) => r.article(&site.articles[i]),
            Renders::Section(i) => r.section(&site.sections[i]),
            Renders::NotFound(i) => r.not_found(&site.config.languages[i].code),
        })
        .collect::<Vec<_>>();
    collect_all(pages).map_err(merge_repeats)
}

/// One broken template fails every page that uses it: report it once, with the page count.
fn merge_repeats(err: crate::error::Error) -> crate::error::Error {
    let mut merged: Vec<(crate::error::Diagnostic, Vec<String>)> = Vec::new();
    for d in err.diagnostics {
        let (page, message) = d.message.split_once('\n').unwrap_or(("", &d.message));
        let key = crate::error::Diagnostic {
            message: message.to_string(),
            ..d.clone()
        };
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some((_, pages)) => pages.push(page.to_string()),
            None => merged.push((key, vec![page.to_string()])),
        }
    }
    merged
        .into_iter()
        .map(|(mut d, pages)| {
            d.message = match pages.len() {
                1 => format!("{}:\n    {}", pages[0], d.message),
                2 => format!("{} (and 1 other page):\n    {}", pages[0], d.message),
                n => format!("{} (and {} other pages):\n    {}", pages[0], n - 1, d.message),
            };
            d
        })
        .collect::<Vec<_>>()
        .into()
}

/// Builds URLs from site paths.
struct Urls {
    base_url: String,
    base_path: String,
}

impl Urls {
    fn new(config: &Config) -> Self {
        Self {
            base_url: config.base_url.clone(),
            base_path: config.base_path.clone(),
        }
    }

    /// Root-relative link, with the base path.
    fn path(&self, site_path: &str) -> String {
        format!("{}{}", self.base_path, encode_path(site_path))
    }

    /// Absolute URL.
    fn url(&self, site_path: &str) -> String {
        format!("{}{}", self.base_url, encode_path(site_path))
    }
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    urls: Urls,
}

#[derive(Serialize)]
struct LangCtx<'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    title: &'a str,
    description: &'a str,
    home_path: String,
    home_url: String,
}

#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    default_language: &'a str,
    languages: Vec<LangCtx<'a>>,
}

/// One language version of the current page.
#[derive(Serialize)]
struct Alternate<'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    url: String,
    path: String,
    title: &'a str,
    /// In `switcher`: whether this leads to a translation (else to that language's home).
    is_translation: bool,
}

#[derive(Serialize)]
struct PageCtx<'a> {
    title: &'a str,
    date: &'a str,
    updated: Option<&'a str>,
    summary: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    path: String,
    url: String,
    slug: &'a str,
    section: &'a str,
    section_title: &'a str,
    section_path: String,
    authors: &'a [String],
    image: Option<&'a str>,
    terms: &'a BTreeMap<String, Vec<String>>,
    toc: &'a [Heading],
    extra: &'a serde_json::Map<String, serde_json::Value>,
    lang: &'a str,
}

#[derive(Serialize)]
struct SectionCtx<'a> {
    title: &'a str,
    description: &'a str,
    content: &'a str,
    path: String,
    url: String,
    pages: Vec<PageCtx<'a>>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct SectionLink<'a> {
    title: &'a str,
    path: String,
    count: usize,
}

impl<'a> Renderer<'a> {
    fn language(&self, code: &str) -> LangCtx<'a> {
        let config = &self.site.config;
        let lang = config.language(code).unwrap_or(&config.languages[0]);
        let home = config.language_prefix(&lang.code);
        LangCtx {
            code: &lang.code,
            name: &lang.name,
            dir: lang.dir.as_str(),
            title: &lang.title,
            description: &lang.description,
            home_path: self.urls.path(&home),
            home_url: self.urls.url(&home),
        }
    }

    /// The variables every template gets. `versions` are (language, site path, title) of every
    /// language version of this page, the current one included.
    fn common(
        &self,
        kind: &str,
        lang: &str,
        site_path: &str,
        versions: &[(&'a str, &str, &'a str)],
    ) -> Context {
        let config = &self.site.config;
        let current = self.language(lang);
        let alternate = |code: &'a str, path: &str, title: &'a str, is_translation: bool| {
            let l = self.language(code);
            Alternate {
                code: l.code,
                name: l.name,
                dir: l.dir,
                url: self.urls.url(path),
                path: self.urls.path(path),
                title,
                is_translation,
            }
        };
        let alternates: Vec<Alternate> = versions
            .iter()
            .map(|&(c, p, t)| alternate(c, p, t, true))
            .collect();
        let switcher: Vec<Alternate> = config
            .languages
            .iter()
            .filter(|l| l.code != lang)
            .map(|l| match versions.iter().find(|(c, _, _)| *c == l.code) {
                Some(&(c, p, t)) => alternate(c, p, t, true),
                None => alternate(&l.code, &config.language_prefix(&l.code), &l.title, false),
            })
            .collect();
        let site = SiteCtx {
            title: current.title,
            description: current.description,
            base_url: &config.base_url,
            base_path: &config.base_path,
            default_language: &config.default_language,
            languages: config.languages.iter().map(|l| self.language(&l.code)).collect(),
        };
        let mut ctx = Context::new();
        ctx.insert("kind", kind);
        ctx.insert("site", &site);
        ctx.insert("lang", &current);
        ctx.insert("theme", &self.theme.meta as &ThemeMeta);
        ctx.insert("canonical", &self.urls.url(site_path));
        ctx.insert("path", &self.urls.path(site_path));
        ctx.insert("alternates", &alternates);
        ctx.insert("switcher", &switcher);
        ctx
    }

    fn page_ctx(&self, a: &'a Article, with_content: bool) -> PageCtx<'a> {
        let p = &a.page;
        let section = &self.site.sections[a.section];
        PageCtx {
            title: &p.title,
            date: p.date.as_str(),
            updated: p.updated.as_ref().map(|d| d.as_str()),
            summary: &p.summary_html,
            description: &p.description,
            content: with_content.then_some(p.content_html.as_str()),
            path: self.urls.path(&a.path),
            url: self.urls.url(&a.path),
            slug: &p.slug,
            section: &section.folder,
            section_title: &section.title,
            section_path: self.urls.path(&section.path),
            authors: &p.authors,
            image: p.image.as_deref(),
            terms: &p.terms,
            // Lists leave the headings out, so a body edit does not change them.
            toc: if with_content { &p.toc } else { &[] },
            extra: &p.extra,
            lang: &p.file.lang,
        }
    }

    fn article(&self, a: &'a Article) -> Result<Output> {
        let versions: Vec<(&str, &str, &str)> = std::iter::once(a)
            .chain(a.translations.iter().map(|&i| &self.site.articles[i]))
            .map(|v| (v.page.file.lang.as_str(), v.path.as_str(), v.page.title.as_str()))
            .collect();
        let mut ctx = self.common("page", &a.page.file.lang, &a.path, &versions);
        ctx.insert("page", &self.page_ctx(a, true));
        self.render_to("page.html", &a.page.file.lang, &ctx, &a.path)
    }

    fn section(&self, s: &'a Section) -> Result<Output> {
        let versions: Vec<(&str, &str, &str)> = std::iter::once(s)
            .chain(s.translations.iter().map(|&i| &self.site.sections[i]))
            .map(|v| (v.lang.as_str(), v.path.as_str(), v.title.as_str()))
            .collect();
        let is_home = s.folder.is_empty();
        let mut ctx = self.common(
            if is_home { "index" } else { "section" },
            &s.lang,
            &s.path,
            &versions,
        );
        let section = SectionCtx {
            title: &s.title,
            description: &s.description,
            content: &s.content_html,
            path: self.urls.path(&s.path),
            url: self.urls.url(&s.path),
            pages: s
                .articles
                .iter()
                .map(|&i| self.page_ctx(&self.site.articles[i], false))
                .collect(),
            extra: &s.extra,
        };
        ctx.insert("section", &section);
        if is_home {
            let sections: Vec<SectionLink> = self
                .site
                .sections
                .iter()
                .filter(|o| o.lang == s.lang && !o.folder.is_empty())
                .map(|o| SectionLink {
                    title: &o.title,
                    path: self.urls.path(&o.path),
                    count: o.articles.len(),
                })
                .collect();
            ctx.insert("sections", &sections);
        }
        self.render_to(
            if is_home { "index.html" } else { "section.html" },
            &s.lang,
            &ctx,
            &s.path,
        )
    }

    fn not_found(&self, lang: &'a str) -> Result<Output> {
        let prefix = self.site.config.language_prefix(lang);
        let path = format!("{prefix}404.html");
        let ctx = self.common("404", lang, &path, &[(lang, &path, "")]);
        self.render_file("404.html", lang, &ctx, path)
    }

    /// Renders `template` to `<site_path>index.html`.
    fn render_to(&self, template: &str, lang: &str, ctx: &Context, site_path: &str) -> Result<Output> {
        self.render_file(template, lang, ctx, format!("{site_path}index.html"))
    }

    /// Renders `template` to the output file `path`.
    fn render_file(&self, template: &str, lang: &str, ctx: &Context, path: String) -> Result<Output> {
        let tera = self
            .theme
            .tera
            .get(lang)
            .or_else(|| self.theme.tera.values().next())
            .ok_or_else(|| crate::error::Diagnostic::new("themes", "no language to render in"))?;
        let html = tera.render(template, ctx).map_err(|e| {
            let mut d = tera_diagnostic(&e, &self.theme.sources);
            d.message = format!("while rendering /{path}\n{}", d.message);
            let parents = tera
                .get_template(template)
                .map(|t| t.parents.join(", "))
                .unwrap_or_default();
            if !parents.is_empty() {
                // Tera names the page's own template even when the fault is in a parent.
                d.help = Some(format!("fix {template}, or the template it extends: {parents}"));
            }
            d
        })?;
        Ok(Output {
            path,
            content: Content::Bytes(html.into_bytes()),
        })
    }
}
