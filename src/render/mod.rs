//! [`Site`] → outputs (path → bytes): every page through the theme's Tera templates, in
//! parallel, plus the static files. Nothing here reads content or writes to disk.

mod array;
pub mod assets;
mod cards;
mod clashes;
mod corrections;
pub mod email;
mod feed;
pub mod images;
mod kept;
mod redirects;
mod refs;
mod sitemap;

pub mod theme;

pub use cards::card;
pub use clashes::check_clashes;
pub use corrections::TEMPLATE as CORRECTIONS_TEMPLATE;
pub use kept::Caches;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::cache::pages;
use crate::config::{Config, FeedContent, FeedFormat};
use crate::content::markdown::Heading;
use crate::error::{collect_all, Diagnostic, Result};
use crate::media::library::Library;
use crate::output::{Content, Output, Stage};
use crate::search;
use crate::site::paginate;
use crate::site::{editions_path, Article, Edition, List, Section, Site};
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

/// What [`render`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The paths of all the files of the site.
    pub paths: Vec<String>,
    /// How many of its pages were carried over from the previous output, not rendered.
    pub kept: usize,
    /// The photos' files.
    pub photos: crate::media::library::Made,
    /// What the desk should know of the photos (one that records where it was taken).
    pub warnings: Vec<Diagnostic>,
}

/// Renders every page of `site` with the theme at `root`, and makes its search bundle and
/// lists its static files. Each file goes to `stage` on the thread that made it as soon as
/// it is made, so pages are written while others render, and no page is held after: an
/// article page is read for the search index on the same thread first (or its record taken
/// from the cache). A page, or the search bundle, that the cache says the previous output
/// has as this build would make it is carried over from there instead ([`kept`]).
pub fn render(root: &Path, site: &Site, cache: &Caches, stage: &Stage) -> Result<Rendered> {
    let theme = Theme::load(root, &site.config, theme::Names::Fingerprinted, site.now)?;
    let media = images::plan(root, site, &theme.static_files, None)?;
    // A page shows its photos' published names: any change to them renders pages again.
    let digest = crate::cache::key(&[&theme.digest.to_le_bytes(), &media.digest().to_le_bytes()]);
    let jobs = jobs(
        site,
        &ArticleHashes::new(site),
        theme.cards.as_deref().map(|c| (c, &media)),
        ThemePages::of(&theme),
    );
    clashes::check_clashes(site, &jobs, &theme, &media)?;
    let search = site.config.search;
    // Photos first: a card drawn over one reads its published file from the cache.
    let photos = media.publish(&cache.images, stage)?;
    let kept = AtomicUsize::new(0);
    let photos_in = Photos {
        library: &media,
        cache: &cache.images,
    };
    let indexed = render_each(site, &theme, photos_in, jobs.iter(), |n, job, render| {
        let indexed = search && job.is_article();
        let key = cache
            .pages
            .is_on()
            .then(|| pages::key(digest, &job.path, job.inputs));
        if let Some(page) = key
            .map(|k| kept::page(&job.path, k, indexed, cache, stage))
            .transpose()?
            .flatten()
        {
            kept.fetch_add(1, Ordering::Relaxed);
            return Ok(page.search.filter(|_| indexed).map(|(key, lang)| kept::Indexed {
                job: n,
                path: job.path.clone(),
                key,
                lang,
                record: None,
            }));
        }
        let page = render()?;
        let digest = stage.put(&page)?;
        let indexed = match (indexed, article_html(&page)) {
            (true, Some((path, html))) => {
                let record = search::read(path, html, &cache.search)?;
                Some(kept::Indexed {
                    job: n,
                    path: path.to_string(),
                    key: search::key(path, html),
                    lang: record.as_ref().map(|r| r.lang.clone()),
                    // The cache has it now: read back when its language's index is made,
                    // it is not held through the rendering of every other page.
                    record: (!cache.search.is_on()).then_some(record),
                })
            }
            _ => None,
        };
        if let (Some(key), Some(digest)) = (key, digest) {
            kept::remember(cache, key, digest, indexed.as_ref());
        }
        Ok(indexed)
    })?;
    let mut paths: Vec<String> = jobs.iter().map(|j| j.path.clone()).collect();
    paths.extend(stage.put_all_unless_same(static_files(&theme, &media).collect())?);
    cache.images.prune();
    paths.extend(media.paths().map(String::from));
    if search {
        let reread = |lost: &[usize]| {
            let pages = render_jobs(site, &theme, photos_in, lost.iter().map(|&n| &jobs[n]))?;
            let pages = pages.iter().filter_map(article_html);
            pages
                .map(|(path, html)| Ok((path.to_string(), search::read(path, html, &cache.search)?)))
                .collect()
        };
        paths.extend(kept::bundle(indexed, cache, stage, reread)?);
    }
    Ok(Rendered {
        paths,
        kept: kept.into_inner(),
        photos,
        warnings: media.location_warnings(),
    })
}

/// Renders every page of `site` with the theme at `root` and keeps none: what `nashra check`
/// needs to know that every template renders every page, every photo can be read, and every
/// static image can be published without its metadata. Returns how many pages rendered, and
/// the photos' and social cards' warnings.
pub fn check(root: &Path, site: &Site) -> Result<(usize, Vec<Diagnostic>)> {
    let theme = Theme::load(root, &site.config, theme::Names::Fingerprinted, site.now)?;
    let media = images::plan(root, site, &theme.static_files, None)?;
    // Cards are laid out for their warnings below, not drawn: check writes no file.
    let jobs = jobs(site, &ArticleHashes::new(site), None, ThemePages::of(&theme));
    clashes::check_clashes(site, &jobs, &theme, &media)?;
    render_each(
        site,
        &theme,
        Photos::uncached(&media),
        jobs.iter(),
        |_, _, render| render().map(|_| None::<()>),
    )?;
    let images: Vec<Output> = static_files(&theme, &media)
        .filter(|o| matches!(o.content, Content::Stripped(_)))
        .collect();
    collect_all(
        images
            .par_iter()
            .map(|o| crate::output::final_bytes(o, false).map(drop))
            .collect::<Vec<_>>(),
    )?;
    let pages = jobs.iter().filter(|j| email::is_web_page(&j.path)).count();
    let mut warnings = media.location_warnings();
    if let Some(style) = &theme.cards {
        warnings.extend(cards::warnings(site, style, &theme.dates));
    }
    Ok((pages, warnings))
}

/// The site of `opts` (with `config`) loaded as a build loads it, and its theme: what the
/// commands that show one output of a build (`card`, `email`) start from.
fn site_and_theme(opts: &crate::BuildOptions, config: Config) -> Result<(Site, Theme)> {
    let articles = crate::content::Articles::off();
    let visibility = opts.visibility();
    let loaded = crate::build::load(
        &opts.root,
        config,
        visibility,
        crate::build::BrokenLinks::Report,
        &articles,
    );
    let (site, _) = loaded?;
    let theme = Theme::load(&opts.root, &site.config, theme::Names::Fingerprinted, site.now)?;
    Ok((site, theme))
}

/// A rendered page as the search indexer takes it: (output path, HTML).
pub fn article_html(page: &Output) -> Option<(&str, &[u8])> {
    match &page.content {
        Content::Bytes(html) => Some((page.path.as_str(), html.as_slice())),
        Content::Copy(_) | Content::Stripped(_) => None,
    }
}

/// Whether a static file is an image published without its metadata.
fn is_image(path: &str) -> bool {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    extension.is_some_and(|e| crate::media::strip::EXTENSIONS.contains(&e.as_str()))
}

/// The site path of a language's search page.
fn search_path(config: &Config, lang: &str) -> String {
    format!("{}search/", config.language_prefix(lang))
}

impl Job {
    /// Whether this job renders an article page (what the search index is made from).
    pub fn is_article(&self) -> bool {
        matches!(self.what, Renders::Article(_))
    }
}

/// The theme's and the site's static files: stylesheets and scripts as
/// [`assets`] publishes them (also under their fingerprinted names), images without their
/// metadata (the photos pages show are published by the [`Library`] instead), the others
/// copied as they are.
pub fn static_files<'t>(theme: &'t Theme, media: &'t Library) -> impl Iterator<Item = Output> + 't {
    let published = theme
        .static_files
        .iter()
        .filter(|(path, _)| !media.is_original(path));
    published.flat_map(|(path, src)| {
        let (content, fingerprinted) = match theme.assets.get(path) {
            Some(p) => (Content::Bytes(p.bytes.clone()), p.fingerprinted.clone()),
            None if is_image(path) => (Content::Stripped(src.clone()), None),
            None => (Content::Copy(src.clone()), None),
        };
        let also = fingerprinted.map(|path| Output {
            path,
            content: content.clone(),
        });
        std::iter::once(Output {
            path: path.clone(),
            content,
        })
        .chain(also)
    })
}

/// The paths in the output of [`static_files`], and the photos' published files.
pub fn static_paths<'t>(theme: &'t Theme, media: &'t Library) -> impl Iterator<Item = &'t str> + 't {
    let published = theme.static_files.keys().filter(|path| !media.is_original(path));
    let files = published.flat_map(|path| {
        let also = theme.assets.get(path).and_then(|p| p.fingerprinted.as_deref());
        std::iter::once(path.as_str()).chain(also)
    });
    files.chain(media.paths())
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
    /// One page (1-based) of a list.
    List(List, usize),
    Taxonomy(usize),
    /// The edition archive of a language (index into the config's languages).
    Editions(usize),
    NotFound(usize),
    /// The search page of a language (when the site has search).
    Search(usize),
    /// The feed of a section (the home page's: the whole language) or a term, in one format.
    Feed(List, FeedFormat),
    /// `sitemap.xml`, or (its number from 0 and the range of its URLs) one of the files it is
    /// split into.
    Sitemap(Option<(usize, usize, usize)>),
    /// `sitemap.xml` as the index of that many files.
    SitemapIndex(usize),
    NewsSitemap,
    Robots,
    /// The page at an old URL (index into [`Site::redirects`]).
    Redirect(usize),
    /// A social card (when the theme draws them).
    Card(cards::CardOf),
    /// The corrections page of a language (when the theme has its template).
    Corrections(usize),
    /// The e-mail of an edition (index into [`Site::editions`]), when the theme has its templates.
    Email(usize, email::Format),
}

/// Hashes job inputs: foldhash's quality variant with a fixed seed, several times faster than
/// SipHash on the many short strings a rebuild hashes (20,000 articles, each on several
/// lists), still a well-mixed 64 bits, and the same in every run.
type InputHasher = foldhash::quality::FoldHasher<'static>;

fn input_hasher() -> InputHasher {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6e61_7368_7261).build_hasher()
}

fn hashed(what: Renders, path: String, hash: &dyn Fn(&mut InputHasher)) -> Job {
    let mut h = input_hasher();
    hash(&mut h);
    Job {
        what,
        path,
        inputs: h.finish(),
    }
}

/// All that each article contributes to the jobs: its page's job, and hashes of what lists
/// show of it and of its sitemap entry. An article is on several lists (home, section,
/// terms, edition); visiting it once for all of them, and on a rebuild only if an edit
/// touched it, is what keeps a rebuild at 20,000 articles within a few milliseconds.
#[derive(Debug)]
pub struct ArticleHashes {
    jobs: Vec<Job>,
    /// (listed, sitemap entry) per article.
    seen: Vec<(u64, u64)>,
    sitemap: sitemap::Split,
}

impl ArticleHashes {
    /// Hashes every article of `site`.
    pub fn new(site: &Site) -> Self {
        let (jobs, seen) = (0..site.articles.len())
            .into_par_iter()
            .map(|i| Self::article(site, i))
            .unzip();
        Self {
            jobs,
            seen,
            sitemap: sitemap::Split::default(),
        }
    }

    /// Hashes again the `touched` articles of a site that is otherwise as it was hashed:
    /// one patched by [`Site::replace_page`], which names them.
    pub fn update(&mut self, site: &Site, touched: &[usize]) {
        for &i in touched {
            (self.jobs[i], self.seen[i]) = Self::article(site, i);
        }
    }

    fn article(site: &Site, i: usize) -> (Job, (u64, u64)) {
        let a = &site.articles[i];
        let versions = || a.translations.iter().map(|&t| &site.articles[t]);
        let job = hashed(Renders::Article(i), format!("{}index.html", a.path), &|h| {
            hash_page(h, site, a, true);
            for v in versions() {
                (&v.page.file.lang, &v.path, &v.page.title).hash(h);
            }
        });
        let mut listed = input_hasher();
        hash_page(&mut listed, site, a, false);
        let mut mapped = input_hasher();
        sitemap::hash_sitemap_entry(&mut mapped, a, versions());
        (job, (listed.finish(), mapped.finish()))
    }
}

/// Which of the pages a theme may leave out it has templates for: only those are rendered,
/// listed and linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThemePages {
    /// `corrections.html`: each language's corrections page.
    pub corrections: bool,
    /// `email.html` and `email.txt`: each edition as an e-mail.
    pub emails: bool,
}

impl ThemePages {
    pub fn of(theme: &Theme) -> Self {
        Self {
            corrections: theme.has(corrections::TEMPLATE),
            emails: email::theme_has_email(theme),
        }
    }
}

/// Every file rendered from `site`, with its inputs hashed; `articles` are the site's
/// [`ArticleHashes`]; `cards`: the theme's social cards, when it draws them, and the site's
/// photos (which a card may be drawn over); `pages`: which of the pages a theme may leave out
/// it has. The hashes must cover
/// exactly what [`Renderer`] reads for that file; the rebuild property test holds them to it.
pub fn jobs(
    site: &Site,
    articles: &ArticleHashes,
    cards: Option<(&crate::media::card::Style, &Library)>,
    pages: ThemePages,
) -> Vec<Job> {
    let listed: Vec<u64> = articles.seen.iter().map(|s| s.0).collect();
    let listed = &listed;
    let lists: Vec<List> = site.lists().collect();
    let list_pages = lists.par_iter().flat_map_iter(|&list| {
        let info = site.list(list);
        let mut h = input_hasher();
        hash_list(&mut h, site, list);
        let list_hash = h.finish();
        info.pagers().map(move |p| {
            hashed(
                Renders::List(list, p.number),
                format!("{}index.html", p.path),
                &|h| {
                    (list_hash, p.number, p.count).hash(h);
                    for &a in &info.articles[p.items.clone()] {
                        listed[a].hash(h);
                    }
                    if let (List::Section(i), 1) = (list, p.number) {
                        if let Some(e) = latest_edition(site, &site.sections[i]) {
                            (&e.date, &e.path).hash(h);
                            e.articles.iter().for_each(|&a| listed[a].hash(h));
                        }
                    }
                },
            )
        })
    });
    let taxonomies = site.taxonomies.iter().enumerate().map(|(t, tax)| {
        hashed(Renders::Taxonomy(t), format!("{}index.html", tax.path), &|h| {
            (&tax.lang, &tax.name, &tax.path).hash(h);
            for term in &tax.terms {
                (&term.name, &term.path, term.articles.len()).hash(h);
            }
            for o in site.taxonomy_versions(&tax.name) {
                (&o.lang, &o.path).hash(h);
            }
        })
    });
    let languages = site.config.languages.iter().enumerate();
    let archives = languages.clone().filter(|_| site.config.editions).map(|(i, l)| {
        let path = format!("{}index.html", editions_path(&site.config, &l.code));
        hashed(Renders::Editions(i), path, &|h| {
            for e in site.editions.iter().filter(|e| e.lang == l.code) {
                (&e.date, &e.path, e.articles.len()).hash(h);
            }
        })
    });
    // A list's feeds in every format are made from the same inputs: hashed once.
    let feeds = lists.iter().filter(|&&l| feed::has_feeds(l)).flat_map(|&list| {
        let mut h = input_hasher();
        hash_feed(&mut h, site, list, listed);
        let inputs = h.finish();
        site.config.feeds.iter().map(move |&format| Job {
            what: Renders::Feed(list, format),
            path: feed::feed_path(site.list(list).path, format),
            inputs,
        })
    });
    let not_found = languages.clone().map(|(i, l)| Job {
        what: Renders::NotFound(i),
        path: format!("{}404.html", site.config.language_prefix(&l.code)),
        inputs: 0,
    });
    let search_pages = languages
        .clone()
        .filter(|_| site.config.search)
        .map(|(i, l)| Job {
            what: Renders::Search(i),
            path: format!("{}index.html", search_path(&site.config, &l.code)),
            inputs: 0,
        });
    // The lists' pages, the cards, the corrections and the sitemap each go through every
    // article: made side by side, they were the most of a watch rebuild's wait.
    let ((mut jobs, cards), (corrections, sitemap)) = rayon::join(
        || {
            rayon::join(
                || list_pages.collect::<Vec<Job>>(),
                || cards.map(|(style, media)| cards::jobs(site, style, media)),
            )
        },
        || {
            rayon::join(
                || {
                    pages
                        .corrections
                        .then(|| corrections::jobs(site).collect::<Vec<_>>())
                },
                || {
                    site.config
                        .sitemap
                        .then(|| sitemap::jobs(site, articles, pages.corrections))
                },
            )
        },
    );
    let (cards, corrections, sitemap) = (
        cards.unwrap_or_default(),
        corrections.unwrap_or_default(),
        sitemap.unwrap_or_default(),
    );
    // Room for all of them at once (at most this many): grown step by step, the list was
    // copied over and over.
    let made = articles.jobs.len() + cards.len() + corrections.len() + sitemap.len();
    let per_language = 3 * site.config.languages.len() + site.taxonomies.len();
    let feeds_at_most = lists.len() * site.config.feeds.len();
    jobs.reserve(made + per_language + feeds_at_most + site.redirects.len() + 2 * site.editions.len());
    jobs.extend_from_slice(&articles.jobs);
    jobs.extend(taxonomies);
    jobs.extend(archives);
    jobs.extend(feeds);
    jobs.extend(not_found);
    jobs.extend(search_pages);
    jobs.extend(cards);
    jobs.extend(redirects::jobs(site));
    jobs.extend(corrections);
    if pages.emails && site.config.editions {
        jobs.extend(email::jobs(site, listed));
    }
    jobs.extend(sitemap);
    jobs
}

/// What every page of a list shows besides its articles: the list itself, its versions in
/// the other languages, and on a home page the links to its sections.
fn hash_list(h: &mut InputHasher, site: &Site, list: List) {
    let info = site.list(list);
    (info.lang, info.title, info.path, info.articles.len()).hash(h);
    for other in site.list_translations(list).into_iter().map(|o| site.list(o)) {
        (other.lang, other.title, other.path).hash(h);
    }
    match list {
        List::Section(i) => {
            let s = &site.sections[i];
            (&s.folder, &s.description, &s.content_html, &s.links).hash(h);
            serde_json::to_string(&s.extra).unwrap_or_default().hash(h);
            if s.folder.is_empty() {
                for o in site.subsections(s) {
                    (&o.title, &o.path, o.articles.len()).hash(h);
                }
            }
        }
        List::Term(t, _) => (&site.taxonomies[t].name, &site.taxonomies[t].path).hash(h),
        List::Edition(_) => {}
    }
}

/// What [`Renderer::feed`] reads of `list` and its articles (`listed`: each article's hash of
/// what lists show of it).
fn hash_feed(h: &mut InputHasher, site: &Site, list: List, listed: &[u64]) {
    let info = site.list(list);
    (info.lang, info.path, info.title).hash(h);
    if let List::Section(i) = list {
        site.sections[i].description.hash(h);
    }
    for &a in feed::entries(site, list).iter() {
        match site.config.feed_content {
            FeedContent::Full => hash_page(h, site, &site.articles[a], true),
            FeedContent::Summary => listed[a].hash(h),
        }
    }
}

/// A home page's newest edition; none for a section.
fn latest_edition<'s>(site: &'s Site, s: &Section) -> Option<&'s Edition> {
    if !s.folder.is_empty() {
        return None;
    }
    site.editions.iter().find(|e| e.lang == s.lang)
}

/// What [`Renderer::page_ctx`] reads: the page (whole, or only what lists show of it), its
/// path, its section and its terms.
fn hash_page(h: &mut InputHasher, site: &Site, a: &Article, whole: bool) {
    let section = &site.sections[a.section];
    let page = if whole { a.page.fingerprint } else { a.page.listing };
    (page, &a.path, &section.folder, &section.title, &section.path).hash(h);
    a.links.hash(h);
    for r in &a.terms {
        let term = &site.taxonomies[r.taxonomy].terms[r.term];
        (&term.name, &term.path).hash(h);
    }
}

/// The photos pages show, and the cache their published files are kept in: a card drawn
/// over a photo reads one of them from there.
#[derive(Clone, Copy)]
pub struct Photos<'a> {
    pub library: &'a Library,
    pub cache: &'a crate::media::library::Cache,
}

impl<'a> Photos<'a> {
    /// `library`'s photos with no cache: what renders that draw no card over a photo use.
    pub fn uncached(library: &'a Library) -> Self {
        static OFF: crate::media::library::Cache = crate::media::library::Cache::off();
        Photos { library, cache: &OFF }
    }
}

/// Renders `jobs` in parallel; every job's error is reported, each broken template once.
pub fn render_jobs<'j>(
    site: &Site,
    theme: &Theme,
    photos: Photos,
    jobs: impl Iterator<Item = &'j Job>,
) -> Result<Vec<Output>> {
    render_each(site, theme, photos, jobs, |_, _, render| render().map(Some))
}

/// Hands each of `jobs`, in parallel, to `each` with its position and a function that
/// renders it (which `each` may not need to call), and returns what `each` keeps, in the
/// jobs' order; every job's error is reported, each broken template once.
fn render_each<'j, T: Send>(
    site: &Site,
    theme: &Theme,
    photos: Photos,
    jobs: impl Iterator<Item = &'j Job>,
    each: impl Fn(usize, &Job, &dyn Fn() -> Result<Output>) -> Result<Option<T>> + Sync,
) -> Result<Vec<T>> {
    let r = Renderer::new(site, theme, photos);
    let jobs: Vec<&Job> = jobs.collect();
    let pages = jobs
        .par_iter()
        .enumerate()
        .map(|(n, job)| {
            each(n, job, &|| match job.what {
                Renders::Article(i) => r.article(i),
                Renders::List(list, number) => r.list(list, number),
                Renders::Taxonomy(t) => r.taxonomy(t),
                Renders::Editions(i) => r.editions(&site.config.languages[i].code),
                Renders::NotFound(i) => r.not_found(&site.config.languages[i].code),
                Renders::Search(i) => r.search(&site.config.languages[i].code),
                Renders::Feed(list, format) => r.feed(list, format),
                Renders::Sitemap(part) => Ok(r.sitemap(part.map(|(k, from, to)| (k, from..to)))),
                Renders::SitemapIndex(parts) => Ok(r.sitemap_index(parts)),
                Renders::NewsSitemap => Ok(r.news_sitemap()),
                Renders::Robots => Ok(r.robots()),
                Renders::Redirect(i) => Ok(r.redirect(&site.redirects[i])),
                Renders::Card(of) => r.card(of, &job.path),
                Renders::Corrections(i) => r.corrections(&site.config.languages[i].code),
                Renders::Email(e, format) => r.email(e, format),
            })
        })
        .collect::<Vec<_>>();
    collect_all(pages)
        .map(|pages| pages.into_iter().flatten().collect())
        .map_err(merge_repeats)
}

/// One broken template fails every page that uses it: report it once, with the page count.
/// (A diagnostic that names no page, as writing a file's does, is kept as it is.)
fn merge_repeats(err: crate::error::Error) -> crate::error::Error {
    let mut merged: Vec<(crate::error::Diagnostic, Vec<String>)> = Vec::new();
    let mut others = Vec::new();
    for d in err.diagnostics {
        let Some((page, message)) = d.message.split_once('\n') else {
            others.push(d);
            continue;
        };
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
        .chain(others)
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
        joined(&self.base_path, site_path)
    }

    /// Absolute URL.
    fn url(&self, site_path: &str) -> String {
        joined(&self.base_url, site_path)
    }

    /// A link as written on the page at `site_path` (relative, root-relative or absolute),
    /// made absolute the way a browser would.
    fn absolute(&self, site_path: &str, link: &str) -> Option<String> {
        let page = url::Url::parse(&self.url(site_path)).ok()?;
        page.join(link).ok().map(String::from)
    }
}

/// `base` followed by `site_path` percent-encoded, in one allocation: lists make a link for
/// every article they show.
fn joined(base: &str, site_path: &str) -> String {
    let mut out = String::with_capacity(base.len() + site_path.len() + 8);
    out.push_str(base);
    out.extend(utf8_percent_encode(site_path, PATH));
    out
}

/// The feeds, in every format the config lists, of the list at `list_path`.
fn feed_links(urls: &Urls, config: &Config, list_path: &str) -> Vec<FeedLink> {
    let link = |format: &FeedFormat| {
        let path = feed::feed_path(list_path, *format);
        FeedLink {
            format: format.key(),
            media_type: format.media_type(),
            name: format.name(),
            url: urls.url(&path),
            path: urls.path(&path),
        }
    };
    config.feeds.iter().map(link).collect()
}

/// The Open Graph locale of a language code: `pt-BR` → `pt_BR`; a bare code gets the
/// region most of its readers are assumed in (`ar` → `ar_AR`, Facebook's pan-Arabic locale).
fn og_locale(code: &str) -> String {
    match code.split_once('-') {
        Some((lang, region)) => format!("{lang}_{}", region.to_ascii_uppercase()),
        None => match code {
            "en" => "en_US".into(),
            "fa" => "fa_IR".into(),
            "he" => "he_IL".into(),
            "ur" => "ur_PK".into(),
            _ => format!("{code}_{}", code.to_ascii_uppercase()),
        },
    }
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// The photos pages show.
    media: &'a Library,
    /// Where their published files are kept.
    images: &'a crate::media::library::Cache,
    urls: Urls,
    /// Every language's `lang` context, in the config's order: made once, as every page shows
    /// them all (`site.languages`, the switcher).
    languages: Vec<LangCtx<'a>>,
    /// Links made once, not for every list that shows them: each article's (made when first
    /// needed, as a rebuild in watch mode needs few), each section's, taxonomy's and term's.
    articles: Vec<OnceLock<Href>>,
    sections: Vec<String>,
    taxonomies: Vec<Href>,
    terms: Vec<Vec<Href>>,
}

/// A page's link: root-relative and absolute.
struct Href {
    path: String,
    url: String,
}

impl Href {
    fn new(urls: &Urls, site_path: &str) -> Self {
        Self {
            path: urls.path(site_path),
            url: urls.url(site_path),
        }
    }
}

#[derive(Serialize)]
struct LangCtx<'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    title: &'a str,
    description: &'a str,
    /// The Open Graph locale, e.g. `ar_AR`.
    locale: String,
    /// Whether dates show the Hijri date beside the Gregorian one.
    hijri: bool,
    home_path: String,
    home_url: String,
    /// The language's feed in the first format `feeds` lists: absolute (for `<link
    /// rel="alternate">` and feed readers) and root-relative (for links on the page).
    feed_url: String,
    feed_path: String,
    /// The language's feed in every format.
    feeds: Vec<FeedLink>,
    /// The language's edition archive, when the site has editions.
    editions_path: Option<String>,
    /// The language's search page, when the site has search.
    search_path: Option<String>,
    /// The language's corrections page, when the theme has one.
    corrections_path: Option<String>,
}

#[derive(Serialize)]
struct SiteCtx<'r, 'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    default_language: &'a str,
    languages: &'r [LangCtx<'a>],
    /// The language's social card, when the theme draws cards: what its home and lists share.
    card: Option<cards::CardCtx>,
    /// `[extra]` of `nashra.toml`.
    extra: &'a serde_json::Value,
    /// `data/*.toml` by name.
    data: &'a BTreeMap<String, serde_json::Value>,
    /// The language's breaking-news banner, while it shows.
    banner: Option<BannerCtx<'a>>,
}

/// A banner as templates see it: its text, and its link made a URL.
#[derive(Serialize)]
struct BannerCtx<'a> {
    text: &'a str,
    link: Option<String>,
}

/// One language version of the current page.
#[derive(Serialize)]
struct Alternate<'r, 'a> {
    code: &'a str,
    name: &'a str,
    dir: &'a str,
    locale: &'r str,
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
    /// The latest of `date`, `updated` and the corrections' and updates' dates.
    modified: &'a str,
    /// Its corrections and updates, oldest first: on the article's own page only.
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<Vec<corrections::NoteCtx<'a>>>,
    summary: Cow<'a, str>,
    /// The summary when it says something the body does not open with, else empty: what an
    /// article page shows above its body (see [`crate::content::Page::standfirst`]).
    standfirst: Cow<'a, str>,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Cow<'a, str>>,
    path: &'a str,
    url: &'a str,
    slug: &'a str,
    section: &'a str,
    section_title: &'a str,
    section_path: &'a str,
    authors: &'a [String],
    /// The lead image (see [`images::ImageCtx`]).
    image: Option<images::ImageCtx<'a>>,
    /// The article's social card, on its own page, when the theme draws cards.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<cards::CardCtx>,
    terms: Vec<TermGroup<'a>>,
    /// The edition of the article's day, when the site has editions.
    edition_path: Option<String>,
    toc: &'a [Heading],
    /// Words in the body and minutes to read it: on the article's own page only, so a body
    /// edit does not change the lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    word_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reading_minutes: Option<usize>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    lang: &'a str,
}

/// An article's terms of one taxonomy.
#[derive(Serialize)]
struct TermGroup<'a> {
    taxonomy: &'a str,
    path: &'a str,
    terms: Vec<TermLink<'a>>,
}

#[derive(Serialize)]
struct TermLink<'a> {
    name: &'a str,
    slug: &'a str,
    path: &'a str,
    url: &'a str,
    count: usize,
}

/// A taxonomy: on its own page with its terms, on a term's page without.
#[derive(Serialize)]
struct TaxonomyCtx<'a> {
    name: &'a str,
    path: &'a str,
    url: &'a str,
    terms: Vec<TermLink<'a>>,
}

/// A feed of a language or a list in one format, for `<link rel="alternate">` and links.
#[derive(Serialize)]
struct FeedLink {
    /// `atom`, `rss` or `json`, as `feeds` names it.
    format: &'static str,
    /// Its media type, for `type` attributes.
    #[serde(rename = "type")]
    media_type: &'static str,
    /// The format's own name, the same in every language: `Atom`, `RSS`, `JSON Feed`.
    name: &'static str,
    url: String,
    path: String,
}

/// A list's name and links: a section, a term, an edition.
#[derive(Serialize)]
struct ListCtx<'a> {
    title: &'a str,
    description: &'a str,
    content: Cow<'a, str>,
    path: String,
    url: String,
    /// Articles on this page of the list.
    pages: Vec<PageCtx<'a>>,
    /// Articles on all pages.
    count: usize,
    extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
    /// The list's feeds, one per format: a section's and a term's; none for an edition.
    feeds: Vec<FeedLink>,
}

/// Where a page of a list is among the others.
#[derive(Serialize)]
struct PaginatorCtx {
    number: usize,
    count: usize,
    first: String,
    last: String,
    prev: Option<String>,
    next: Option<String>,
    /// Links to pages near this one and to the first and last; `gap_before` marks a jump.
    links: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    path: String,
    current: bool,
    gap_before: bool,
}

#[derive(Serialize)]
struct SectionLink<'a> {
    title: &'a str,
    path: String,
    count: usize,
    /// The section's feeds, one per format `feeds` lists.
    feeds: Vec<FeedLink>,
}

#[derive(Serialize)]
struct EditionLink<'a> {
    date: &'a str,
    path: String,
    url: String,
    count: usize,
}

impl<'a> Renderer<'a> {
    fn new(site: &'a Site, theme: &'a Theme, photos: Photos<'a>) -> Self {
        let config = &site.config;
        let urls = Urls::new(config);
        let languages = config
            .languages
            .iter()
            .map(|lang| {
                let home = config.language_prefix(&lang.code);
                let feeds = feed_links(&urls, config, &home);
                LangCtx {
                    code: &lang.code,
                    name: &lang.name,
                    dir: lang.dir.as_str(),
                    title: &lang.title,
                    description: &lang.description,
                    home_path: urls.path(&home),
                    home_url: urls.url(&home),
                    locale: og_locale(&lang.code),
                    hijri: lang.dates.hijri,
                    feed_url: feeds.first().map(|f| f.url.clone()).unwrap_or_default(),
                    feed_path: feeds.first().map(|f| f.path.clone()).unwrap_or_default(),
                    feeds,
                    editions_path: config
                        .editions
                        .then(|| urls.path(&editions_path(config, &lang.code))),
                    search_path: config.search.then(|| urls.path(&search_path(config, &lang.code))),
                    corrections_path: theme
                        .has(corrections::TEMPLATE)
                        .then(|| urls.path(&corrections::path(config, &lang.code))),
                }
            })
            .collect();
        Self {
            site,
            theme,
            media: photos.library,
            images: photos.cache,
            articles: site.articles.iter().map(|_| OnceLock::new()).collect(),
            sections: site.sections.iter().map(|s| urls.path(&s.path)).collect(),
            taxonomies: site
                .taxonomies
                .iter()
                .map(|t| Href::new(&urls, &t.path))
                .collect(),
            terms: site
                .taxonomies
                .iter()
                .map(|t| t.terms.iter().map(|term| Href::new(&urls, &term.path)).collect())
                .collect(),
            urls,
            languages,
        }
    }

    fn article_href(&self, i: usize) -> &Href {
        self.articles[i].get_or_init(|| Href::new(&self.urls, &self.site.articles[i].path))
    }

    /// The context of language `code`, or of the first language when there is none such.
    fn language(&self, code: &str) -> &LangCtx<'a> {
        let config = &self.site.config;
        let i = config.languages.iter().position(|l| l.code == code).unwrap_or(0);
        &self.languages[i]
    }

    /// The banner of language `lang` when it shows: a link that is no URL is a path on the
    /// site (`/` or not), given the site's base path.
    fn banner(&self, lang: &str) -> Option<BannerCtx<'a>> {
        if !self.theme.banners.0.iter().any(|l| l == lang) {
            return None;
        }
        let banner = self.site.config.language(lang)?.banner.as_ref()?;
        let link = banner
            .link
            .as_deref()
            .map(|link| match crate::data::is_url(link) {
                true => link.to_string(),
                false => self.urls.path(link.trim_start_matches('/')),
            });
        Some(BannerCtx {
            text: &banner.text,
            link,
        })
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
                locale: &l.locale,
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
            languages: &self.languages,
            card: self.card_ctx(&config.language_prefix(lang), current.title, None),
            extra: &config.extra,
            data: &self.theme.data,
            banner: self.banner(lang),
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

    /// Article `i` as templates see it: on its own page with its body's `content`, else as a
    /// list's card.
    fn page_ctx<'s>(&'s self, i: usize, content: Option<&'s str>) -> PageCtx<'s> {
        let with_content = content.is_some();
        let a = &self.site.articles[i];
        let p = &a.page;
        let section = &self.site.sections[a.section];
        let href = self.article_href(i);
        let image = p.image.as_ref().map(|i| self.image_ctx(&p.source, &a.path, i));
        let summary = self.body(&p.source, &p.summary_html, &a.links, images::Target::Page);
        PageCtx {
            title: &p.title,
            date: p.date.as_str(),
            updated: p.updated.as_ref().map(|d| d.as_str()),
            modified: p.modified().as_str(),
            notes: with_content.then(|| self.notes(a)),
            standfirst: if p.standfirst {
                summary.clone()
            } else {
                Cow::Borrowed("")
            },
            summary,
            description: &p.description,
            content: content.map(|html| self.body(&p.source, html, &a.links, images::Target::Page)),
            path: &href.path,
            url: &href.url,
            slug: &p.slug,
            section: &section.folder,
            section_title: &section.title,
            section_path: &self.sections[a.section],
            authors: &p.authors,
            image,
            card: with_content
                .then(|| self.card_ctx(&a.path, &p.title, Some(i)))
                .flatten(),
            terms: self.term_groups(a),
            edition_path: self.site.config.editions.then(|| {
                let archive = editions_path(&self.site.config, &p.file.lang);
                self.urls.path(&format!("{archive}{}/", p.date.day()))
            }),
            // Lists leave the headings out, so a body edit does not change them.
            toc: if with_content { &p.toc } else { &[] },
            word_count: with_content.then_some(p.words),
            reading_minutes: with_content.then(|| crate::i18n::reading_minutes(p.words, &p.file.lang)),
            extra: &p.extra,
            lang: &p.file.lang,
        }
    }

    fn article(&self, i: usize) -> Result<Output> {
        let a = &self.site.articles[i];
        let versions: Vec<(&str, &str, &str)> = std::iter::once(a)
            .chain(a.translations.iter().map(|&i| &self.site.articles[i]))
            .map(|v| (v.page.file.lang.as_str(), v.path.as_str(), v.page.title.as_str()))
            .collect();
        self.images_exist(&a.page.source, &a.path, &a.page.refs)?;
        let mut ctx = self.common("page", &a.page.file.lang, &a.path, &versions);
        let body = a.page.body.html()?;
        let page = self.page_ctx(i, Some(&body));
        ctx.insert("json_ld", &self.json_ld(a, &page));
        ctx.insert("page", &page);
        self.render_to("page.html", &a.page.file.lang, &ctx, &a.path)
    }

    /// Schema.org `NewsArticle` as JSON, safe inside `<script>` (`<` escaped, so no text in it
    /// can close the element).
    fn json_ld(&self, a: &Article, page: &PageCtx) -> String {
        let p = &a.page;
        let lang = self.language(&p.file.lang);
        let publisher = serde_json::json!({
            "@type": "Organization",
            "name": lang.title,
            "url": lang.home_url,
        });
        let authors: Vec<serde_json::Value> = if p.authors.is_empty() {
            vec![publisher.clone()]
        } else {
            p.authors
                .iter()
                .map(|name| serde_json::json!({"@type": "Person", "name": name}))
                .collect()
        };
        let keywords: Vec<&str> = page
            .terms
            .iter()
            .flat_map(|g| g.terms.iter().map(|t| t.name))
            .collect();
        let mut ld = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": p.title,
            "description": p.description,
            "datePublished": p.date.instant().to_rfc3339(),
            "dateModified": p.modified().instant().to_rfc3339(),
            "inLanguage": p.file.lang,
            "author": authors,
            "publisher": publisher,
            "mainEntityOfPage": {"@type": "WebPage", "@id": page.url},
            "url": page.url,
            "articleSection": page.section_title,
            "keywords": keywords,
        });
        let image = page.image.as_ref().and_then(images::image_object);
        if let (Some(image), Some(obj)) = (image, ld.as_object_mut()) {
            obj.insert("image".into(), image);
        }
        if let (Some(comments), Some(obj)) = (corrections::json_ld(p), ld.as_object_mut()) {
            obj.insert("correction".into(), comments);
        }
        let ld = ld.to_string();
        match ld.contains('<') {
            true => ld.replace('<', "\\u003c"),
            false => ld,
        }
    }

    /// An article's terms, grouped by taxonomy in config order.
    fn term_groups(&self, a: &Article) -> Vec<TermGroup<'_>> {
        let mut groups: Vec<TermGroup> = Vec::new();
        for r in &a.terms {
            let tax = &self.site.taxonomies[r.taxonomy];
            if groups.last().is_none_or(|g| g.taxonomy != tax.name) {
                groups.push(TermGroup {
                    taxonomy: &tax.name,
                    path: &self.taxonomies[r.taxonomy].path,
                    terms: Vec::new(),
                });
            }
            if let Some(g) = groups.last_mut() {
                g.terms.push(self.term_link(r.taxonomy, r.term));
            }
        }
        groups
    }

    /// Term `term` of taxonomy `tax`.
    fn term_link(&self, tax: usize, term: usize) -> TermLink<'_> {
        let (t, href) = (&self.site.taxonomies[tax].terms[term], &self.terms[tax][term]);
        TermLink {
            name: &t.name,
            slug: &t.slug,
            path: &href.path,
            url: &href.url,
            count: t.articles.len(),
        }
    }

    fn list_ctx(&self, title: &'a str, path: &str, articles: &[usize], count: usize) -> ListCtx<'_> {
        ListCtx {
            title,
            description: "",
            content: Cow::Borrowed(""),
            path: self.urls.path(path),
            url: self.urls.url(path),
            pages: articles.iter().map(|&i| self.page_ctx(i, None)).collect(),
            count,
            extra: None,
            feeds: Vec::new(),
        }
    }

    /// Page `number` of a list: a section or home page, a term or an edition.
    fn list(&self, list: List, number: usize) -> Result<Output> {
        let site = self.site;
        let info = site.list(list);
        let pager = info
            .pager(number)
            .ok_or_else(|| crate::error::Diagnostic::new(info.path, "no such page of this list"))?;
        let lang = info.lang;
        // Only first pages are versions of each other: page 3 in one language lists other
        // stories than page 3 in another.
        let others = if number == 1 {
            site.list_translations(list)
        } else {
            Vec::new()
        };
        let versions: Vec<(&str, &str, &str)> = std::iter::once((lang, pager.path.as_str(), info.title))
            .chain(others.iter().map(|&o| {
                let v = site.list(o);
                (v.lang, v.path, v.title)
            }))
            .collect();
        let shown = &info.articles[pager.items.clone()];
        let mut ctx_list = self.list_ctx(info.title, info.path, shown, info.articles.len());
        if feed::has_feeds(list) {
            ctx_list.feeds = feed_links(&self.urls, &site.config, info.path);
        }
        let (kind, template, name) = match list {
            List::Section(i) if site.sections[i].folder.is_empty() => ("index", "index.html", "section"),
            List::Section(_) => ("section", "section.html", "section"),
            List::Term(..) => ("term", "term.html", "term"),
            List::Edition(_) => ("edition", "edition.html", "edition"),
        };
        let mut ctx = self.common(kind, lang, &pager.path, &versions);
        ctx.insert("paginator", &self.paginator(info.path, &pager));
        match list {
            List::Section(i) => {
                let s = &site.sections[i];
                // Every page of the list shows the text; its first checks the images once.
                if let (Some(source), 1) = (&s.source, number) {
                    self.images_exist(source, &s.path, &s.refs)?;
                }
                ctx_list.description = &s.description;
                ctx_list.content = match &s.source {
                    Some(source) => self.body(source, &s.content_html, &s.links, images::Target::Page),
                    None => self.linked(&s.content_html, &s.links, false),
                };
                ctx_list.extra = Some(&s.extra);
                if s.folder.is_empty() {
                    let sections: Vec<SectionLink> = site
                        .subsections(s)
                        .map(|o| SectionLink {
                            title: &o.title,
                            path: self.urls.path(&o.path),
                            count: o.articles.len(),
                            feeds: feed_links(&self.urls, &site.config, &o.path),
                        })
                        .collect();
                    ctx.insert("sections", &sections);
                }
                if let Some(e) = latest_edition(site, s).filter(|_| number == 1) {
                    ctx.insert(
                        "edition",
                        &self.list_ctx(&e.date, &e.path, &e.articles, e.articles.len()),
                    );
                }
            }
            List::Term(t, _) => ctx.insert("taxonomy", &self.taxonomy_ctx(t, false)),
            List::Edition(_) => ctx.insert(
                "archive_path",
                &self.urls.path(&editions_path(&site.config, lang)),
            ),
        }
        ctx.insert(name, &ctx_list);
        self.render_to(template, lang, &ctx, &pager.path)
    }

    fn paginator(&self, path: &str, pager: &paginate::Pager) -> PaginatorCtx {
        let link = |n: usize| self.urls.path(&paginate::page_path(path, n));
        let near = pager.number.saturating_sub(2)..=pager.number + 2;
        let shown: Vec<usize> = (1..=pager.count)
            .filter(|n| *n == 1 || *n == pager.count || near.contains(n))
            .collect();
        PaginatorCtx {
            number: pager.number,
            count: pager.count,
            first: link(1),
            last: link(pager.count),
            prev: (pager.number > 1).then(|| link(pager.number - 1)),
            next: (pager.number < pager.count).then(|| link(pager.number + 1)),
            links: shown
                .iter()
                .enumerate()
                .map(|(i, &n)| PageLink {
                    number: n,
                    path: link(n),
                    current: n == pager.number,
                    gap_before: i > 0 && shown[i - 1] + 1 != n,
                })
                .collect(),
        }
    }

    /// Taxonomy `t`, `with_terms` on its own page.
    fn taxonomy_ctx(&self, t: usize, with_terms: bool) -> TaxonomyCtx<'_> {
        let tax = &self.site.taxonomies[t];
        TaxonomyCtx {
            name: &tax.name,
            path: &self.taxonomies[t].path,
            url: &self.taxonomies[t].url,
            terms: match with_terms {
                true => (0..tax.terms.len()).map(|i| self.term_link(t, i)).collect(),
                false => Vec::new(),
            },
        }
    }

    /// The page listing every term of taxonomy `t`.
    fn taxonomy(&self, t: usize) -> Result<Output> {
        let tax = &self.site.taxonomies[t];
        let versions: Vec<(&str, &str, &str)> = self
            .site
            .taxonomy_versions(&tax.name)
            .map(|o| (o.lang.as_str(), o.path.as_str(), o.name.as_str()))
            .collect();
        let mut ctx = self.common("taxonomy", &tax.lang, &tax.path, &versions);
        ctx.insert("taxonomy", &self.taxonomy_ctx(t, true));
        self.render_to("taxonomy.html", &tax.lang, &ctx, &tax.path)
    }

    /// The archive of a language's editions, newest first.
    fn editions(&self, lang: &'a str) -> Result<Output> {
        let site = self.site;
        let (mut ctx, path) = self.language_page("editions", lang, editions_path);
        let editions: Vec<EditionLink> = site
            .editions
            .iter()
            .filter(|e| e.lang == lang)
            .map(|e| EditionLink {
                date: &e.date,
                path: self.urls.path(&e.path),
                url: self.urls.url(&e.path),
                count: e.articles.len(),
            })
            .collect();
        ctx.insert("editions", &editions);
        self.render_to("editions.html", lang, &ctx, &path)
    }

    /// The common context of a page every language has, at `path_of` its code (the edition
    /// archive, the search page), its versions being the other languages' pages; and its path.
    fn language_page(
        &self,
        kind: &str,
        lang: &'a str,
        path_of: fn(&Config, &str) -> String,
    ) -> (Context, String) {
        let config = &self.site.config;
        let paths: Vec<(String, &str)> = config
            .languages
            .iter()
            .map(|l| (path_of(config, &l.code), l.code.as_str()))
            .collect();
        let versions: Vec<(&str, &str, &str)> = paths.iter().map(|(p, l)| (*l, p.as_str(), "")).collect();
        let path = path_of(config, lang);
        (self.common(kind, lang, &path, &versions), path)
    }

    fn not_found(&self, lang: &'a str) -> Result<Output> {
        let prefix = self.site.config.language_prefix(lang);
        let path = format!("{prefix}404.html");
        let ctx = self.common("404", lang, &path, &[(lang, &path, "")]);
        self.render_file("404.html", lang, &ctx, path)
    }

    /// A language's search page; its script loads the Pagefind bundle from `pagefind_js`.
    fn search(&self, lang: &'a str) -> Result<Output> {
        let (mut ctx, path) = self.language_page("search", lang, search_path);
        ctx.insert(
            "pagefind_js",
            &self.urls.path(&format!("{}pagefind.js", search::BUNDLE)),
        );
        self.render_to("search.html", lang, &ctx, &path)
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
