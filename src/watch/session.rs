//! What watch mode keeps between rebuilds, so one saved article costs one file's parse and a
//! few pages' render instead of the whole site: every source file's parse, the theme, and
//! for every file in the output folder the hash of the inputs it was rendered from.
//!
//! The rule it keeps: after any rebuild that succeeds, the output folder holds exactly what a
//! clean `nashra build` of the same sources writes (the property test in `tests/rebuild.rs`),
//! but for the search bundle, which may lag: indexing a language takes tens of seconds at
//! 10,000 articles, so a rebuild writes its pages and hands the indexing to threads of their
//! own. The bundle is written once they are all done ([`Session::index_ready`]), and then the
//! output equals a clean build's again, bundle included ([`Session::settle`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{
    self, assemble, check_output_dir, has_extension, imported_seeds, is_hidden, load_content, load_seed,
    seed_key, source_files, BrokenLinks, BuildOptions, BuildReport, LoadReport, Seeded,
};
use crate::config::{Config, CONFIG_FILE};
use crate::content::{Articles, Loaded, Page};
use crate::error::Result;
use crate::media::library::Library;
use crate::output;
use crate::render::{self, images, theme::Theme, ArticleHashes, Job};
use crate::search;
use crate::seed;
use crate::site::Site;

/// What one rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The output folder was written whole (the first build, or after a failed write).
    Full(BuildReport),
    /// Only what changed was rendered and written.
    Incremental(Rebuilt),
    /// A search index made in the background was written.
    Search(Indexed),
}

/// Search indexes swapped in, for their summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    /// The languages whose index is now up to date, sorted.
    pub languages: Vec<String>,
    /// From the start of the rebuild that asked for them to the bundle written.
    pub elapsed: Duration,
    /// Bundle files whose bytes changed, sorted.
    pub written: Vec<String>,
    /// Bundle files removed, sorted.
    pub removed: Vec<String>,
}

/// A language's index made in the background, and when the rebuild that asked for it began.
type Made = (search::Made, Instant);

/// An incremental rebuild, for its summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// Pages rendered (some may have come out the same as before).
    pub rendered: usize,
    /// Output files whose bytes changed, sorted.
    pub written: Vec<String>,
    /// Output files removed, sorted.
    pub removed: Vec<String>,
    /// From the first changed file read to the last file written.
    pub elapsed: Duration,
    /// Seeds and warnings, as for a full build.
    pub loaded: LoadReport,
}

/// The state of a site between rebuilds.
pub struct Session {
    /// What to build; its root made absolute.
    opts: BuildOptions,
    /// `None` until loaded, and after `nashra.toml` changes or fails to load.
    config: Option<Config>,
    /// `None` until loaded, and after a template, UI string or static file changes.
    theme: Option<Theme>,
    /// The photos the last rebuild published: planned again on every rebuild, but a photo
    /// whose file is unchanged is not read again.
    media: Option<Library>,
    /// Every file of `content/`, parsed (or its error), by absolute path.
    content: BTreeMap<PathBuf, Result<Loaded>>,
    /// Every seed, derived (or its error), by absolute path; imported ones are skipped later.
    seeds: BTreeMap<PathBuf, Result<Seeded>>,
    /// The last site linked from the loaded files, what loading reported, and its articles'
    /// hashes; `None` after an error.
    site: Option<(Site, LoadReport, ArticleHashes)>,
    /// What the output folder holds; `None` when unknown, and the next build writes it whole.
    on_disk: Option<OnDisk>,
    /// Templates or the config changed since the last write: every page is rendered again.
    rerender_all: bool,
    /// Static files changed since the last write: compare and copy them all.
    statics_changed: bool,
    /// The last rendered HTML of every article page and the search bundle made from them.
    search: search::Index,
    /// Where indexing threads send what they made, and where it is taken in.
    indexed: (Sender<Made>, Receiver<Made>),
    /// Called by an indexing thread once it has sent what it made.
    wake: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Languages whose index was made but not written yet, and since when the first waits.
    swapped: Option<(BTreeSet<String>, Instant)>,
    /// The token this session left in the output's lock file: another one found there means
    /// another writer changed the folder, and what [`Self::on_disk`] says is out of date.
    token: Option<String>,
    /// A whole write has succeeded before: later ones update in place, needing room for the
    /// changes alone (a disk with no room for a second copy must not stop a watch for good).
    wrote: bool,
}

/// The files of the output folder and what they were made from.
struct OnDisk {
    /// Rendered page paths and the hashes of their inputs, in the order of [`render::jobs`].
    pages: Vec<(String, u64)>,
    /// Static file paths.
    statics: BTreeSet<String>,
    /// The search bundle's files, with a hash of their bytes (`None`: not known): a bundle
    /// write passes on only the files that changed, instead of reading back 20,000
    /// fragments to find the one that did.
    search: BTreeMap<String, Option<u128>>,
}

impl OnDisk {
    /// Which of `jobs` were made from other inputs than their file on disk, and the files on
    /// disk that nothing makes any more. After an edit that moved nothing, the old and new
    /// lists line up one to one and are compared without hashing a single path.
    fn compare(&self, jobs: &[Job], statics: &BTreeSet<String>) -> (Vec<bool>, Vec<String>) {
        let aligned =
            self.pages.len() == jobs.len() && self.pages.iter().zip(jobs).all(|(o, j)| o.0 == j.path);
        let old_statics = self.statics.iter().filter(|p| !statics.contains(*p));
        if aligned {
            let dirty = self
                .pages
                .iter()
                .zip(jobs)
                .map(|(o, j)| o.1 != j.inputs)
                .collect();
            let gone = old_statics
                .filter(|p| !jobs.iter().any(|j| j.path == **p))
                .cloned()
                .collect();
            return (dirty, gone);
        }
        let old: HashMap<&str, u64> = self.pages.iter().map(|(p, h)| (p.as_str(), *h)).collect();
        let dirty = jobs
            .iter()
            .map(|j| old.get(j.path.as_str()) != Some(&j.inputs))
            .collect();
        let new: HashSet<&str> = jobs.iter().map(|j| j.path.as_str()).collect();
        let gone = self
            .pages
            .iter()
            .map(|(p, _)| p)
            .chain(old_statics)
            .filter(|p| !new.contains(p.as_str()) && !statics.contains(*p))
            .cloned()
            .collect();
        (dirty, gone)
    }
}

/// Where a changed path belongs.
#[derive(Default)]
struct Changes {
    config: bool,
    templates: bool,
    statics: bool,
    content: Vec<PathBuf>,
    seeds: Vec<PathBuf>,
}

impl Session {
    /// A session for the site at `opts.root`; nothing is read until the first [`Self::rebuild`].
    pub fn new(opts: &BuildOptions) -> Self {
        let root = std::path::absolute(&opts.root).unwrap_or_else(|_| opts.root.clone());
        Self {
            opts: BuildOptions { root, ..opts.clone() },
            config: None,
            theme: None,
            media: None,
            content: BTreeMap::new(),
            seeds: BTreeMap::new(),
            site: None,
            on_disk: None,
            rerender_all: true,
            statics_changed: true,
            search: search::Index::default(),
            indexed: mpsc::channel(),
            wake: None,
            swapped: None,
            token: None,
            wrote: false,
        }
    }

    /// The site folder, absolute.
    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    /// Brings the output up to date after `changed` paths (absolute, files or folders, created,
    /// changed or gone) changed. On an error the output folder is left as it was and the next
    /// rebuild picks up from the same state. The folders of `changed` are read for sources
    /// that came or went unnamed: file watchers can merge and drop events.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Report> {
        self.rebuild_after(changed, true)
    }

    /// [`Self::rebuild`] for `changed` paths that name every source that changed: from a
    /// watcher that reports both ends of every rename and says when it lost events (inotify).
    /// Their folders are not read, which at 20,000 articles in one folder was a third of a
    /// save's rebuild.
    pub fn rebuild_named(&mut self, changed: &[PathBuf]) -> Result<Report> {
        self.rebuild_after(changed, false)
    }

    fn rebuild_after(&mut self, changed: &[PathBuf], unnamed: bool) -> Result<Report> {
        let start = Instant::now();
        let out_dir = self.opts.out_dir();
        let (_lock, ours) = self.lock_output()?;
        if !ours {
            self.on_disk = None;
        }
        let changes = self.classify(changed, unnamed);
        // The clock is read once for the whole rebuild, as for a build: the banners, the
        // scheduled articles and the news sitemap all judge by the same instant.
        let visibility = self.opts.visibility();
        // Content edits that move nothing (same URL, translations, list order) patch the
        // last site instead of linking every file again. The site is taken out until this
        // rebuild has brought it up to date, so an error on the way cannot leave a stale one.
        let mut last_site = self.site.take();
        let patchable = !changes.config
            && !changes.templates
            && !changes.statics
            && changes.seeds.is_empty()
            && self.config.is_some()
            && last_site.is_some();
        let before: Vec<Option<Arc<Page>>> = match patchable {
            true => changes.content.iter().map(|p| self.page_at(p)).collect(),
            false => Vec::new(),
        };
        if changes.config || self.config.is_none() {
            self.reload_all()?;
        } else {
            self.rerender_all |= changes.templates;
            self.statics_changed |= changes.statics;
            // A banner that has ended since the theme was loaded: pages lose it, as in a
            // new build.
            let ended = self
                .theme
                .as_ref()
                .is_some_and(|t| t.banner_ended(visibility.now));
            self.rerender_all |= ended;
            if changes.templates || changes.statics || ended {
                self.theme = None;
            }
            for path in &changes.content {
                self.reload_content(path);
            }
            for path in &changes.seeds {
                self.reload_seed(path);
            }
        }
        let Some(config) = self.config.clone() else {
            unreachable!("reload_all sets the config or fails")
        };
        if self.theme.is_none() {
            self.theme = Some(Theme::load(
                &self.opts.root,
                &config,
                self.opts.assets,
                visibility.now,
            )?);
        }
        // The articles a patch touched, if every change could be patched in.
        let mut touched = Vec::new();
        let patched = patchable
            && changes.content.iter().zip(&before).all(|(path, old)| {
                match (old, self.page_at(path), &mut last_site) {
                    (Some(old), Some(new), Some((site, ..))) => {
                        site.replace_page(old, &new).map(|t| touched.extend(t)).is_some()
                    }
                    _ => false,
                }
            });
        match last_site {
            Some((mut site, loaded, mut hashes)) if patched => {
                hashes.update(&site, &touched);
                // The clock is read for every rebuild, as for every build: the news sitemap
                // lists the two days up to it.
                site.now = visibility.now;
                self.site = Some((site, loaded, hashes));
            }
            _ => {
                let content: Vec<Result<Loaded>> = self.content.values().cloned().collect();
                let imported = imported_seeds(&content);
                let seeds = self
                    .seeds
                    .iter()
                    .filter(|(path, _)| !imported.contains(&seed_key(&self.opts.root, path)))
                    .map(|(_, s)| s.clone())
                    .collect();
                let (site, loaded) = assemble(config, visibility, content, seeds, BrokenLinks::Fail)?;
                let hashes = ArticleHashes::new(&site);
                self.site = Some((site, loaded, hashes));
            }
        }
        let (Some(theme), Some((site, loaded, hashes))) = (&self.theme, &self.site) else {
            unreachable!("loaded above")
        };
        let mut loaded = loaded.clone();
        let media = images::plan(&self.opts.root, site, &theme.static_files, self.media.as_ref())?;
        // A photo that records where it was taken is said once, when it comes or changes.
        let told = self
            .media
            .as_ref()
            .map(Library::location_warnings)
            .unwrap_or_default();
        let new = media
            .location_warnings()
            .into_iter()
            .filter(|w| !told.contains(w));
        loaded.warnings.extend(new);
        let statics: BTreeSet<String> = render::static_paths(theme, &media).map(String::from).collect();
        // `asset()` checks that a file exists, and links a stylesheet by the hash of its
        // bytes; pages name their photos' files: a new, removed or edited one can change pages.
        // Compared with what the output was written with, not only when the theme was loaded
        // again: a rebuild that failed after loading it wrote nothing.
        let same_files = self.on_disk.as_ref().is_some_and(|d| d.statics == statics);
        let same_media = self.media.as_ref().is_some_and(|m| m.digest() == media.digest());
        self.rerender_all |= !same_files || !same_media;
        let cards = theme.cards.as_deref().map(|c| (c, &media));
        let jobs = render::jobs(site, hashes, cards, render::ThemePages::of(theme));
        render::check_clashes(site, &jobs, theme, &media)?;
        let (mut dirty, mut stale) = match &self.on_disk {
            Some(old) => old.compare(&jobs, &statics),
            None => (Vec::new(), Vec::new()),
        };
        if self.rerender_all || self.on_disk.is_none() {
            dirty = vec![true; jobs.len()];
        }
        let dirty: Vec<&Job> = jobs
            .iter()
            .zip(&dirty)
            .filter(|(_, d)| **d)
            .map(|(j, _)| j)
            .collect();
        // The photos' files that are not on disk yet (a name changes with the bytes), made
        // first: a card drawn over a photo reads one from the cache.
        let cache = match self.opts.cache {
            true => crate::media::library::Cache::open(&self.opts.root),
            false => crate::media::library::Cache::off(),
        };
        let published = Missing {
            on_disk: self.on_disk.as_ref().map(|d| &d.statics),
            outputs: std::sync::Mutex::new(Vec::new()),
            root: &self.opts.root,
        };
        media.publish(&cache, &published)?;
        let photos = render::Photos {
            library: &media,
            cache: &cache,
        };
        let mut outputs = render::render_jobs(site, theme, photos, dirty.iter().copied())?;
        let photo_files = published.outputs.into_inner().unwrap_or_default();
        let rendered = outputs.len();
        // Taken, not copied (20,000 fragments' paths): the new record of the disk gets it
        // back, and an error on the way forgets what is on disk anyway.
        let old_search = self
            .on_disk
            .as_mut()
            .map(|d| std::mem::take(&mut d.search))
            .unwrap_or_default();
        let whole = self.on_disk.is_none();
        let everything = whole || self.rerender_all;
        // A patch moves no article: none can have gone from the index.
        let moved = (!patched).then_some(jobs.as_slice());
        let search = reindex(&mut self.search, whole, everything, site, moved, &dirty, &outputs)
            .inspect_err(|_| self.on_disk = None)?;
        let search_paths = match search {
            Some(bundle) => {
                let hashes = hashed(&bundle);
                stale.extend(old_search.keys().filter(|p| !hashes.contains_key(*p)).cloned());
                outputs.extend(bundle);
                hashes
            }
            None => old_search,
        };
        let new_disk = OnDisk {
            pages: jobs.into_iter().map(|j| (j.path, j.inputs)).collect(),
            statics,
            search: search_paths,
        };

        outputs.extend(photo_files);
        if self.on_disk.take().is_none() {
            // Nothing known of the output folder: write it whole.
            outputs.extend(render::static_files(theme, &media));
            check_output_dir(&self.opts.root, &out_dir)?;
            let whole = match self.wrote {
                true => output::Whole::InPlace,
                false => output::Whole::Swap,
            };
            let to = (out_dir.as_path(), whole, &self.opts.notices);
            let report = build::write_whole(site, &outputs, to, start, loaded)?;
            // Its bundle has every index made so far.
            self.swapped = None;
            self.wrote = true;
            self.on_disk = Some(new_disk);
            self.media = Some(media);
            self.rerender_all = false;
            self.statics_changed = false;
            return Ok(Report::Full(report));
        }
        if self.statics_changed {
            outputs.extend(render::static_files(theme, &media));
        }
        // If writing fails part way, what is on disk is unknown: the next build writes it whole.
        let updated = output::update(&outputs, &stale, &out_dir, site.config.minify)?;
        self.on_disk = Some(new_disk);
        self.media = Some(media);
        self.rerender_all = false;
        self.statics_changed = false;
        self.start_indexing(start);
        loaded.warnings.extend(updated.warnings);
        Ok(Report::Incremental(Rebuilt {
            rendered,
            written: updated.written,
            removed: updated.removed,
            elapsed: start.elapsed(),
            loaded,
        }))
    }

    /// Calls `wake` (on another thread) whenever a language's index made in the background is
    /// ready for [`Self::index_ready`].
    pub fn wake_on_index(&mut self, wake: impl Fn() + Send + Sync + 'static) {
        self.wake = Some(Arc::new(wake));
    }

    /// Swaps in the search indexes made in the background since the last call, and writes the
    /// bundle. `None` when none came back, or none is wanted any more (a later rebuild changed
    /// its language's pages again, and started new work).
    pub fn index_ready(&mut self) -> Option<Result<Report>> {
        let made: Vec<Made> = self.indexed.1.try_iter().collect();
        let taken = made.into_iter().filter_map(|m| self.take(m)).collect();
        self.swap_in(taken)
    }

    /// Waits for every search index still being made, then does what [`Self::index_ready`]
    /// does: afterwards the output equals a clean build's, bundle included.
    pub fn settle(&mut self) -> Option<Result<Report>> {
        let mut taken = Vec::new();
        while self.search.pending() {
            // The session holds a sender, so this cannot be disconnected.
            let Ok(made) = self.indexed.1.recv() else { break };
            taken.extend(self.take(made));
        }
        self.swap_in(taken)
    }

    /// Hands the languages whose pages changed to indexing threads.
    fn start_indexing(&mut self, start: Instant) {
        for work in self.search.start() {
            let sender = self.indexed.0.clone();
            let wake = self.wake.clone();
            std::thread::spawn(move || {
                if sender.send((work.run(), start)).is_ok() {
                    if let Some(wake) = wake {
                        wake();
                    }
                }
            });
        }
    }

    /// Takes `made` into the index: its language, when its rebuild began, and whether it was
    /// made; `None` when it was superseded.
    fn take(&mut self, (made, start): Made) -> Option<(String, Instant, Result<()>)> {
        let lang = made.lang.clone();
        match self.search.finish(made) {
            Ok(true) => Some((lang, start, Ok(()))),
            Ok(false) => None,
            Err(e) => Some((lang, start, Err(e))),
        }
    }

    /// Takes the languages `taken` in and, once no other work is out, writes the bundle: the
    /// index is swapped in whole, so one language's index is never written beside another's
    /// still being made for the same save. `None` when nothing is written. A language that
    /// failed is handed out again by the next rebuild.
    fn swap_in(&mut self, taken: Vec<(String, Instant, Result<()>)>) -> Option<Result<Report>> {
        let mut failed = None;
        for (lang, start, made) in taken {
            match made {
                Ok(()) => {
                    let (languages, since) = self.swapped.get_or_insert_with(|| (BTreeSet::new(), start));
                    languages.insert(lang);
                    *since = start.min(*since);
                }
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        let written = match self.search.pending() {
            true => None,
            false => self
                .swapped
                .take()
                .map(|(languages, since)| self.write_bundle(languages.into_iter().collect(), since)),
        };
        match failed {
            Some(e) => Some(Err(e)),
            None => written,
        }
    }

    /// Writes the search bundle as the index now makes it, removing the files it no longer
    /// has, under the output's lock like a rebuild.
    fn write_bundle(&mut self, languages: Vec<String>, start: Instant) -> Result<Report> {
        let out_dir = self.opts.out_dir();
        let (lock, ours) = self.lock_output()?;
        let on_disk = match &mut self.on_disk {
            Some(on_disk) if ours => on_disk,
            // Another writer changed the folder, or a write failed: write it whole.
            _ => {
                drop(lock);
                self.on_disk = None;
                return self.rebuild(&[]);
            }
        };
        // Only the files whose bytes changed are copied out of the index.
        let hashes = self.search.hashes()?;
        let stale: Vec<String> = on_disk
            .search
            .keys()
            .filter(|p| !hashes.contains_key(*p))
            .cloned()
            .collect();
        let changed = self
            .search
            .files_where(|path| on_disk.search.get(path).copied().flatten() != hashes.get(path).copied())?;
        on_disk.search = hashes
            .into_iter()
            .map(|(path, hash)| (path, Some(hash)))
            .collect();
        let minify = self.config.as_ref().is_some_and(|c| c.minify);
        let updated =
            output::update(&changed, &stale, &out_dir, minify).inspect_err(|_| self.on_disk = None)?;
        Ok(Report::Search(Indexed {
            languages,
            elapsed: start.elapsed(),
            written: updated.written,
            removed: updated.removed,
        }))
    }

    /// Takes the output folder's lock, and whether the folder is still as this session left
    /// it (no other writer has taken the lock since).
    fn lock_output(&mut self) -> Result<(output::Lock, bool)> {
        let lock = output::lock(&self.opts.out_dir(), self.opts.wait, &self.opts.notices)?;
        let ours = lock.previous == self.token;
        self.token = Some(lock.token.clone());
        Ok((lock, ours))
    }

    /// The article loaded from `path`, if it loaded as one.
    fn page_at(&self, path: &Path) -> Option<Arc<Page>> {
        match self.content.get(path) {
            Some(Ok(Loaded::Page(p))) => Some(Arc::clone(p)),
            _ => None,
        }
    }

    /// Reads the config and every source file again.
    fn reload_all(&mut self) -> Result<()> {
        self.config = None;
        self.theme = None;
        self.rerender_all = true;
        self.statics_changed = true;
        let root = &self.opts.root;
        let config = self.opts.config()?;
        self.content = source_files(&root.join("content"), &["md"])?
            .into_par_iter()
            .map(|p| {
                let loaded = load_content(&config, root, &p, &Articles::off());
                (p, loaded)
            })
            .collect();
        self.seeds = source_files(&root.join("seeds"), &seed::EXTENSIONS)?
            .into_par_iter()
            .map(|p| {
                let seeded = load_seed(&config, root, &p);
                (p, seeded)
            })
            .collect();
        self.config = Some(config);
        Ok(())
    }

    /// Forgets what was loaded from `path` and under it, and loads what is there now.
    fn reload_content(&mut self, path: &Path) {
        let (root, Some(config)) = (&self.opts.root, &self.config) else {
            return;
        };
        let base = root.join("content");
        reload(&mut self.content, &base, path, &["md"], |p| {
            load_content(config, root, p, &Articles::off())
        });
    }

    /// [`Self::reload_content`] for `seeds/`.
    fn reload_seed(&mut self, path: &Path) {
        let (root, Some(config)) = (&self.opts.root, &self.config) else {
            return;
        };
        let base = root.join("seeds");
        reload(&mut self.seeds, &base, path, &seed::EXTENSIONS, |p| {
            load_seed(config, root, p)
        });
    }

    /// Where each changed path belongs, and what else must be loaded again: when `unnamed`
    /// changes are looked for, the paths in the same folders where what is held and what is
    /// on disk disagree (see [`strays`]).
    fn classify(&self, changed: &[PathBuf], unnamed: bool) -> Changes {
        let root = &self.opts.root;
        let mut changes = Changes::default();
        for path in changed {
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let mut parts = rel.iter().map(|p| p.to_string_lossy());
            let top = parts.next().unwrap_or_default();
            match top.as_ref() {
                CONFIG_FILE => changes.config = true,
                "content" => changes.content.push(path.clone()),
                "seeds" => changes.seeds.push(path.clone()),
                "static" => changes.statics = true,
                // themes/<name>/static/…
                "themes" if parts.nth(1).is_some_and(|p| p == "static") => changes.statics = true,
                // The site's data is loaded with the theme: every page may show it.
                "themes" | "templates" | "data" => changes.templates = true,
                _ => {}
            }
        }
        if !unnamed {
            return changes;
        }
        let content = strays(&self.content, &root.join("content"), &changes.content, &["md"]);
        changes.content.extend(content);
        let seeds = strays(
            &self.seeds,
            &root.join("seeds"),
            &changes.seeds,
            &seed::EXTENSIONS,
        );
        changes.seeds.extend(seeds);
        changes
    }
}

/// Where a rebuild puts the photos' files: only those the output folder does not have yet,
/// held to be written with the rest of the changes.
struct Missing<'a> {
    on_disk: Option<&'a BTreeSet<String>>,
    outputs: std::sync::Mutex<Vec<output::Output>>,
    root: &'a Path,
}

impl crate::media::library::Sink for Missing<'_> {
    fn wants(&self, path: &str) -> bool {
        self.on_disk.is_none_or(|d| !d.contains(path))
    }

    fn take(&self, path: String, bytes: Vec<u8>) -> Result<()> {
        let content = output::Content::Bytes(bytes);
        let mut outputs = self
            .outputs
            .lock()
            .map_err(|_| crate::error::Diagnostic::new(self.root, "a photo could not be published"))?;
        outputs.push(output::Output { path, content });
        Ok(())
    }
}

/// Keeps the article pages just rendered (`dirty` jobs, `outputs` in the same order) and
/// says which search bundle to write with them: when the output is written `whole`, one made
/// here and now; otherwise the languages whose pages changed are left for
/// [`Session::start_indexing`] (a language's index is made again whole from its pages'
/// records), and the bundle is written now only if nothing is left to index but
/// it changed anyway (a language gone) or `everything` is rewritten. `None` when the bundle
/// on disk stays. Pages no longer among the article jobs `moved` are dropped (`None` when no
/// article can have gone). Without search nothing is kept: search is switched only in the
/// config, whose change renders everything.
fn reindex(
    search: &mut search::Index,
    whole: bool,
    everything: bool,
    site: &Site,
    moved: Option<&[Job]>,
    dirty: &[&Job],
    outputs: &[output::Output],
) -> Result<Option<Vec<output::Output>>> {
    if !site.config.search {
        *search = search::Index::default();
        return Ok(everything.then(Vec::new));
    }
    let articles = dirty.iter().zip(outputs).filter(|(j, _)| j.is_article());
    let pages: Vec<(&str, &[u8])> = articles
        .filter_map(|(_, page)| render::article_html(page))
        .collect();
    let off = crate::cache::Store::off();
    let records = pages
        .into_par_iter()
        .map(|(path, html)| Ok((path.to_string(), search::read(path, html, &off)?)));
    let mut changed = search.insert(records.collect::<Result<Vec<_>>>()?);
    if let Some(jobs) = moved {
        let live: HashSet<&str> = jobs
            .iter()
            .filter(|j| j.is_article())
            .map(|j| j.path.as_str())
            .collect();
        changed |= search.retain(|path| live.contains(path));
    }
    if whole {
        return search.bundle().map(Some);
    }
    if (changed || everything) && !search.stale() {
        return search.files().map(Some);
    }
    Ok(None)
}

/// Each bundle file's path and a hash of its bytes (`None` for a file copied from elsewhere).
fn hashed(bundle: &[output::Output]) -> BTreeMap<String, Option<u128>> {
    bundle
        .par_iter()
        .map(|o| {
            let hash = match &o.content {
                output::Content::Bytes(bytes) => Some(xxhash_rust::xxh3::xxh3_128(bytes)),
                output::Content::Copy(_) | output::Content::Stripped(_) => None,
            };
            (o.path.clone(), hash)
        })
        .collect()
}

/// Brings the entries of `cache` at and under `path` in line with the disk: a file is loaded,
/// a folder (new, or moved in) has each of its files loaded, and what is gone is dropped.
/// What counts as a source is what a clean build lists under `base`: no hidden files or
/// folders, no other extensions, no symbolic links.
fn reload<T: Send>(
    cache: &mut BTreeMap<PathBuf, Result<T>>,
    base: &Path,
    path: &Path,
    extensions: &[&str],
    load: impl Fn(&Path) -> Result<T> + Sync,
) {
    let under: Vec<PathBuf> = cache
        .range(path.to_path_buf()..)
        .map(|(p, _)| p)
        .take_while(|p| p.starts_with(path))
        .cloned()
        .collect();
    for p in under {
        cache.remove(&p);
    }
    let Ok(rel) = path.strip_prefix(base) else { return };
    if rel.iter().any(is_hidden) {
        return;
    }
    let files = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && has_extension(path, extensions) => vec![path.to_path_buf()],
        Ok(m) if m.is_file() => Vec::new(),
        // An unreadable folder is reported by the next full build; here it holds nothing.
        Ok(m) if m.is_dir() => source_files(path, extensions).unwrap_or_default(),
        _ => Vec::new(),
    };
    let fresh: Vec<(PathBuf, Result<T>)> = files
        .into_par_iter()
        .map(|p| {
            let loaded = load(&p);
            (p, loaded)
        })
        .collect();
    cache.extend(fresh);
}

/// The paths in the folders of `changed` (under `base`) where `cache` and the disk disagree,
/// and that `changed` does not cover already: a source file gone that no event named, or one
/// come. File watchers merge and drop events (a save by rename then a move or a delete
/// within milliseconds can come as the temp file alone), so a folder's sources are read
/// from the disk rather than trusted to the events. It costs one listing of each folder,
/// compared with the entries held directly in it, and nothing is parsed but what came or
/// went: a save in a section of 10,000 articles stays cheap.
fn strays<T>(
    cache: &BTreeMap<PathBuf, T>,
    base: &Path,
    changed: &[PathBuf],
    extensions: &[&str],
) -> Vec<PathBuf> {
    let covered: HashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
    let folders: BTreeSet<&Path> = changed
        .iter()
        .filter_map(|p| p.parent())
        .filter(|f| f.starts_with(base))
        .collect();
    folders
        .into_iter()
        .flat_map(|folder| disagreements(cache, base, folder, extensions))
        .filter(|p| !p.ancestors().any(|a| covered.contains(a)))
        .collect()
}

/// The entries of `folder` where `cache` and the disk disagree: a file held that is no
/// longer a source file there, a folder held that is no longer a folder there, a source
/// file there that is not held. A folder on disk that nothing is held from is not walked:
/// a new folder comes with an event of its own, and walking every folder of images on each
/// save would not stay cheap.
fn disagreements<T>(
    cache: &BTreeMap<PathBuf, T>,
    base: &Path,
    folder: &Path,
    extensions: &[&str],
) -> Vec<PathBuf> {
    if folder
        .strip_prefix(base)
        .is_ok_and(|rel| rel.iter().any(is_hidden))
    {
        return Vec::new();
    }
    // Each source entry, and whether it is a folder. An unreadable folder holds nothing, as
    // in `reload`; symbolic links are no sources, as in a clean build.
    let on_disk: foldhash::HashMap<OsString, bool> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let (name, kind) = (entry.file_name(), entry.file_type().ok()?);
            let source = kind.is_dir() || kind.is_file() && has_extension(Path::new(&name), extensions);
            (source && !is_hidden(&name)).then_some((name, kind.is_dir()))
        })
        .collect();
    let mut held = foldhash::HashSet::default();
    let mut differ = Vec::new();
    // Compared as bytes: a component-wise `Path` comparison of each of 20,000 held paths
    // took 28 ms of a save's rebuild. Held paths are joined from listings, so `folder/` and
    // `/` between names are exactly where the components are.
    let prefix = [folder.as_os_str().as_bytes(), b"/"].concat();
    let under = cache
        .range(folder.to_path_buf()..)
        .map(|(p, _)| p.as_os_str().as_bytes())
        .skip_while(|p| *p == folder.as_os_str().as_bytes())
        .map_while(|p| p.strip_prefix(prefix.as_slice()));
    for rest in under {
        let (name, is_dir) = match memchr::memchr(b'/', rest) {
            Some(slash) => (&rest[..slash], true),
            None => (rest, false),
        };
        let name = OsStr::from_bytes(name);
        if held.insert(name) && on_disk.get(name) != Some(&is_dir) {
            differ.push(folder.join(name));
        }
    }
    let come = on_disk
        .iter()
        .filter(|(name, is_dir)| !**is_dir && !held.contains(name.as_os_str()));
    differ.extend(come.map(|(name, _)| folder.join(name)));
    differ
}
