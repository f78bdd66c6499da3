//! The pipeline, one way: load (parse every file in parallel) → [`Site`] → render → write.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache;
use crate::config::Config;
use crate::content::{self, Loaded};
use crate::error::{collect_all, Diagnostic, Error, Result};
use crate::output::{self, Output};
use crate::render;
use crate::search;
use crate::seed;
use crate::site::{Site, Visibility};

/// The folders of a site that it is built from (besides `nashra.toml`).
pub const SOURCE_DIRS: [&str; 6] = ["content", "seeds", "themes", "templates", "static", "data"];

/// What `nashra build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holds `nashra.toml`).
    pub root: PathBuf,
    /// Where to write; `<root>/public` when `None`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    /// Include articles marked `draft = true`.
    pub drafts: bool,
    /// Include articles dated in the future (scheduled).
    pub future: bool,
    /// Whether to wait when another nashra is writing the output folder (`--no-wait`: fail).
    pub wait: output::Wait,
    /// Where messages go that the user must see while the build runs.
    pub notices: output::Notices,
    /// Whether to use the build cache in `.nashra/cache/` (`build --no-cache`: not).
    pub cache: bool,
    /// How stylesheets and scripts are named: fingerprinted, but plain in `serve`'s preview.
    pub assets: crate::render::theme::Names,
}

/// What a build did, for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// HTML pages written per language code, in the config's language order.
    pub pages: Vec<(String, usize)>,
    /// Files written in all (pages and static files).
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Where the site was written.
    pub output: PathBuf,
    /// Wall time of the whole build.
    pub elapsed: Duration,
    /// Seeds built straight from `seeds/`, and warnings for the editor.
    pub loaded: LoadReport,
    /// How many article pages' search records the build cache had.
    pub cached: cache::Use,
    /// How many pages were carried over from the previous output (the build cache knew them
    /// to be what this build would render).
    pub kept: usize,
    /// The photos' files, and how many were encoded.
    pub photos: crate::media::library::Made,
}

impl BuildOptions {
    /// The output folder: `--output`, else `<root>/public`.
    pub fn out_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }

    /// Which articles this build publishes, and the clock read once for the whole build.
    pub fn visibility(&self) -> Visibility {
        Visibility {
            drafts: self.drafts,
            future: self.future,
            now: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).naive_utc(),
        }
    }

    /// The site's config, with `--base-url` in place of its own.
    pub(crate) fn config(&self) -> Result<Config> {
        let config = Config::load(&self.root)?;
        match &self.base_url {
            Some(url) => config.with_base_url(url),
            None => Ok(config),
        }
    }
}

/// Builds the site at `opts.root` into its output folder.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let start = Instant::now();
    let root = &opts.root;
    let out_dir = opts.out_dir();
    check_output_dir(root, &out_dir)?;
    // Held to the end: a second build waits for this one, then builds from the sources as
    // they are then.
    let _lock = output::lock(&out_dir, opts.wait, &opts.notices)?;
    let mut unusable = Vec::new();
    let mut open = |name, on: bool| match opts.cache && on {
        true => {
            let (store, why) = cache::Store::open(root, name);
            unusable.extend(why);
            store
        }
        false => cache::Store::off(),
    };
    let config = opts.config()?;
    let articles = content::Articles::new(open(content::CACHE, true), &config);
    let (site, mut loaded) = load(root, config, opts.visibility(), BrokenLinks::Fail, &articles)?;
    let cache = render::Caches {
        pages: open(cache::pages::NAME, true),
        search: open(search::CACHE, site.config.search),
        images: match opts.cache {
            true => crate::media::library::Cache::open(root),
            false => crate::media::library::Cache::off(),
        },
    };
    let mut rendered = render::Rendered::default();
    let whole = output::Whole::Swap;
    let written = output::write_with(&out_dir, site.config.minify, whole, &opts.notices, |stage| {
        rendered = render::render(root, &site, &cache, stage)?;
        Ok(())
    })?;
    let cached = cache.search.usage();
    unusable.extend(articles.save());
    for store in [cache.pages, cache.search] {
        unusable.extend(store.save());
    }
    loaded.warnings.extend(unusable);
    loaded.warnings.append(&mut rendered.warnings);
    let mut report = report(&site, &rendered.paths, written, &out_dir, start, loaded);
    report.cached = cached;
    report.kept = rendered.kept;
    report.photos = rendered.photos;
    // Freeing every article and page one by one takes a tenth of a second at 20,000 articles,
    // and nothing waits on it.
    std::thread::spawn(move || drop((site, rendered)));
    Ok(report)
}

/// Writes the whole output folder and reports it.
pub(crate) fn write_whole(
    site: &Site,
    outputs: &[Output],
    (out_dir, whole, notices): (&Path, output::Whole, &output::Notices),
    start: Instant,
    loaded: LoadReport,
) -> Result<BuildReport> {
    let written = output::write(outputs, out_dir, site.config.minify, whole, notices)?;
    let paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    Ok(report(site, &paths, written, out_dir, start, loaded))
}

/// What a build that wrote `paths` reports.
fn report(
    site: &Site,
    paths: &[impl AsRef<str>],
    written: output::Written,
    out_dir: &Path,
    start: Instant,
    mut loaded: LoadReport,
) -> BuildReport {
    loaded.warnings.extend(written.warnings);
    BuildReport {
        pages: pages_per_language(site, paths),
        files: written.files,
        bytes: written.bytes,
        output: out_dir.to_path_buf(),
        elapsed: start.elapsed(),
        loaded,
        cached: cache::Use::default(),
        kept: 0,
        photos: Default::default(),
    }
}

/// What loading found besides the site: seeds built straight from `seeds/`, and warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Seeds built as articles (not yet imported).
    pub seeds: usize,
    /// Of those, the ones with no front matter of their own (everything derived).
    pub seeds_without_front_matter: usize,
    /// What an editor should review.
    pub warnings: Vec<Diagnostic>,
    /// Links between articles that lead nowhere, when loading was asked to report them
    /// ([`BrokenLinks::Report`]) rather than fail.
    pub broken_links: Vec<Diagnostic>,
    /// A warning for each draft with `aliases`, for `check`: its old URLs lead to a page
    /// that is not published (or, with `--drafts`, that production will not have).
    pub draft_aliases: Vec<Diagnostic>,
}

/// What a link between articles that leads nowhere does to loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokenLinks {
    /// Loading fails: nothing may be built with a link that leads nowhere.
    Fail,
    /// Loading goes on and lists them in [`LoadReport::broken_links`] (for `check`, which
    /// writes nothing and reports every error together).
    Report,
}

/// Reads and parses every file of `content/` and every seed not yet imported, in parallel,
/// then links them into a [`Site`]. All files' errors are reported together; symbolic links
/// there and in the theme are warned of.
pub fn load(
    root: &Path,
    config: Config,
    visible: Visibility,
    broken: BrokenLinks,
    articles: &content::Articles,
) -> Result<(Site, LoadReport)> {
    let (content_files, mut links) = source_tree(&root.join("content"), &["md"])?;
    let content = content_files
        .par_iter()
        .map(|path| load_content(&config, root, path, articles))
        .collect::<Vec<_>>();
    let imported = imported_seeds(&content);
    let (seed_files, seed_links) = source_tree(&root.join("seeds"), &seed::EXTENSIONS)?;
    links.extend(seed_links);
    let seeds = seed_files
        .into_par_iter()
        .filter(|p| !imported.contains(&seed_key(root, p)))
        .map(|path| load_seed(&config, root, &path))
        .collect::<Vec<_>>();
    // Themes (the one a theme extends too) and the site's overrides are not followed either.
    for dir in [root.join("themes"), root.join("templates"), root.join("static")] {
        links.extend(source_tree(&dir, &[])?.1);
    }
    let (site, mut report) = assemble(config, visible, content, seeds, broken)?;
    report.warnings.extend(links.into_iter().map(|link| {
        let shown = link.strip_prefix(root).unwrap_or(&link).to_path_buf();
        Diagnostic::new(
            shown,
            "a symbolic link: left out, as nashra does not follow links",
        )
        .warning()
        .help("a link could lead outside the site or back into itself; copy the file in instead")
    }));
    Ok((site, report))
}

/// Loads one file of `content/` (`path` under `root`), or takes it from `articles`.
pub(crate) fn load_content(
    config: &Config,
    root: &Path,
    path: &Path,
    articles: &content::Articles,
) -> Result<Loaded> {
    let content_dir = root.join("content");
    let relative = path.strip_prefix(&content_dir).unwrap_or(path);
    let shown = Path::new("content").join(relative);
    let bytes = std::fs::read(path).map_err(|e| Error::io(&shown, "read the file", &e))?;
    articles.load(config, relative, &shown, &bytes)
}

/// A seed built as an article, with what its derivation found.
#[derive(Debug, Clone)]
pub(crate) struct Seeded {
    page: Loaded,
    /// It had no front matter of its own: everything was derived.
    bare: bool,
    warnings: Vec<Diagnostic>,
}

/// Derives the article of the seed at `path` (under `root/seeds`).
pub(crate) fn load_seed(config: &Config, root: &Path, path: &Path) -> Result<Seeded> {
    let d = seed::read(config, root, path, None)?;
    let relative = Path::new(&config.seed_section).join(d.file_name());
    let shown = path.strip_prefix(root).unwrap_or(path);
    let page = content::load(config, &relative, shown, d.document.as_bytes())?;
    Ok(Seeded {
        page,
        bare: !d.had_front_matter,
        warnings: d.warnings,
    })
}

/// How content files name the seed they were imported from.
pub(crate) fn seed_key(root: &Path, seed: &Path) -> String {
    seed::seed_reference(seed.strip_prefix(root).unwrap_or(seed))
}

/// The seeds that content files were imported from: those are built from the content file.
pub(crate) fn imported_seeds(content: &[Result<Loaded>]) -> HashSet<String> {
    content
        .iter()
        .flatten()
        .filter_map(|l| match l {
            Loaded::Page(p) => p.seed.as_deref().map(seed::normalize_reference),
            Loaded::Section(_) => None,
        })
        .collect()
}

/// Links loaded content files and seed articles (not yet imported) into a [`Site`]; the
/// errors of all of them are reported together.
pub(crate) fn assemble(
    config: Config,
    visible: Visibility,
    content: Vec<Result<Loaded>>,
    seeds: Vec<Result<Seeded>>,
    links: BrokenLinks,
) -> Result<(Site, LoadReport)> {
    let content = collect_all(content);
    let mut report = LoadReport::default();
    let seeds = collect_all(seeds).map(|items| {
        items
            .into_iter()
            .map(|s| {
                report.seeds += 1;
                report.seeds_without_front_matter += usize::from(s.bare);
                report.warnings.extend(s.warnings);
                s.page
            })
            .collect::<Vec<_>>()
    });
    let all: Vec<Loaded> = collect_all([content, seeds])?.into_iter().flatten().collect();
    report.draft_aliases = all.iter().filter_map(draft_aliases).collect();
    let site = match links {
        BrokenLinks::Fail => Site::new(config, all, visible)?,
        BrokenLinks::Report => {
            let (site, broken) = Site::assemble(config, all, visible)?;
            report.broken_links = broken;
            site
        }
    };
    Ok((site, report))
}

/// The warning for a draft that has `aliases`.
fn draft_aliases(loaded: &Loaded) -> Option<Diagnostic> {
    let Loaded::Page(p) = loaded else { return None };
    let first = p.aliases.first().filter(|_| p.draft)?;
    let urls: Vec<String> = p.aliases.iter().map(|a| format!("/{}", a.path)).collect();
    Some(
        Diagnostic::new(
            &p.source,
            format!(
                "this draft has `aliases`: its old URLs ({}) redirect to a page that is not published",
                urls.join(", ")
            ),
        )
        .at(first.line, first.column)
        .warning()
        .help("publish it (draft = false), or give the aliases to the published article that replaces the old page"),
    )
}

/// The files with one of `extensions` under `dir`, sorted; editor backups and hidden files
/// are skipped.
pub(crate) fn source_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    source_tree(dir, extensions).map(|(files, _)| files)
}

/// [`source_files`], and the symbolic links found among them, which are never followed.
pub(crate) fn source_tree(dir: &Path, extensions: &[&str]) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    if !dir.is_dir() {
        return Ok((Vec::new(), Vec::new()));
    }
    let entries = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()))
        .map(|e| {
            e.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Diagnostic::new(path, format!("cannot read: {e}")).into()
            })
        });
    let (links, entries): (Vec<_>, Vec<_>) = collect_all(entries)?
        .into_iter()
        .partition(|e| e.path_is_symlink());
    let files = entries
        .into_iter()
        .filter(|e| e.file_type().is_file() && has_extension(e.path(), extensions))
        .map(|e| e.into_path())
        .collect();
    Ok((files, links.into_iter().map(|e| e.into_path()).collect()))
}

/// Whether `path` ends in one of the source `extensions`.
pub(crate) fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .is_some_and(|x| extensions.iter().any(|e| x == *e))
}

pub(crate) fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('#') || name.ends_with('~')
}

/// Refuses output folders that would replace the site itself or its sources, as named or
/// behind a symbolic link.
pub(crate) fn check_output_dir(root: &Path, out_dir: &Path) -> Result<()> {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|p| normalize(&p))
            .map_err(|e| Error::io(p, "resolve the path", &e))
    };
    let roots = [
        absolute(root)?,
        root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
    ];
    let outs = [absolute(out_dir)?, output::real_path(out_dir)?];
    let clash = roots.iter().any(|root| {
        outs.iter()
            .any(|out| root.starts_with(out) || SOURCE_DIRS.iter().any(|s| out.starts_with(root.join(s))))
    });
    if clash {
        return Err(Diagnostic::new(
            out_dir,
            "the output folder would replace the site or its sources: a build replaces the whole output folder",
        )
        .help("choose a folder of its own, e.g. --output public")
        .into());
    }
    Ok(())
}

/// Removes `.` and `..` lexically, so `site/../site/public` compares equal to `site/public`.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// HTML pages per language: the default language owns the root, others their `<code>/` prefix.
/// The pages at old URLs only redirect, and the editions' e-mails are sent, not visited: neither
/// is counted.
fn pages_per_language(site: &Site, paths: &[impl AsRef<str>]) -> Vec<(String, usize)> {
    let langs = &site.config.languages;
    let mut counts: Vec<(String, usize)> = langs.iter().map(|l| (l.code.clone(), 0)).collect();
    let redirects: HashSet<String> = site
        .redirects
        .iter()
        .map(|r| site.target(r).alias.output_path())
        .collect();
    let pages = paths.iter().map(|p| p.as_ref());
    let counted = |p: &&str| crate::render::email::is_web_page(p) && !redirects.contains(*p);
    for path in pages.filter(counted) {
        let i = langs
            .iter()
            .position(|l| {
                let prefix = site.config.language_prefix(&l.code);
                !prefix.is_empty() && path.starts_with(&prefix)
            })
            .unwrap_or(0);
        counts[i].1 += 1;
    }
    counts
}
