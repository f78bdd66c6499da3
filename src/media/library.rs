//! The site's photos: which file each image a page names is, what is published of it (its
//! widths and formats, under names that carry a hash of its bytes, so a changed photo is a
//! new URL no browser or CDN has cached), and the encoded files, made once per source and
//! kept in the build cache. Pages read the [`Library`]; only [`Library::publish`] encodes.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

use super::{Format, Probe, Settings, Variant};
use crate::cache;
use crate::error::{collect_all, Diagnostic, Error, Result};

/// Where a page's image is, found by the renderer (which knows the page's URL and the static
/// files): the file on disk, how diagnostics name it, and the output folder its published
/// files go to (`images/` for `static/images/a.jpg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub disk: PathBuf,
    pub shown: PathBuf,
    pub folder: String,
    /// The static file's output path, when the photo is one: the original is not copied
    /// there, as it carries its metadata; a processed copy is published in its place.
    pub original: Option<String>,
}

/// An image a page asks for: the page's source, the image as written there, and where.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub page: PathBuf,
    pub dest: String,
    pub line: usize,
    pub column: usize,
    pub found: Found,
}

/// One source photo and the files published of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub found: Found,
    /// The file's length and modification time when it was read: a watch session reads
    /// again only a photo whose stamp changed.
    stamp: (u64, Option<SystemTime>),
    /// Hash of the bytes and the settings; each published name carries a part of it.
    pub key: u128,
    pub probe: Probe,
    /// Every file a `srcset` offers, in `<source>` order: each modern format, then the
    /// source's own as the fallback; narrowest first within each.
    pub files: Vec<Published>,
    /// A static photo is also published at its own path, at its own size (oriented, without
    /// its metadata), so links to the file still lead somewhere.
    pub original: Option<Published>,
}

/// How many photo files a build published, and how many of them it had to encode (the rest
/// came from the build cache).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Made {
    pub files: usize,
    pub encoded: usize,
}

/// One published file of a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub variant: Variant,
    pub height: u32,
    /// Its output path.
    pub path: String,
}

impl Photo {
    /// Every file published of the photo.
    pub fn published(&self) -> impl Iterator<Item = &Published> {
        self.files.iter().chain(&self.original)
    }

    /// The files of format `format`, narrowest first.
    pub fn files_in(&self, format: Format) -> impl Iterator<Item = &Published> {
        self.files.iter().filter(move |f| f.variant.format == format)
    }

    /// The formats published, in the order a `<picture>` offers them (the fallback last).
    pub fn formats(&self) -> Vec<Format> {
        let mut formats: Vec<Format> = Vec::new();
        for f in &self.files {
            if !formats.contains(&f.variant.format) {
                formats.push(f.variant.format);
            }
        }
        formats
    }

    /// The fallback file nearest `width` from below (else the narrowest): what `<img src>`,
    /// `og:image` and other single-URL uses get.
    pub fn fallback_near(&self, width: u32) -> Option<&Published> {
        let fallback: Vec<&Published> = self.files_in(self.probe.format).collect();
        fallback
            .iter()
            .rev()
            .find(|f| f.variant.width <= width)
            .or(fallback.first())
            .copied()
    }
}

/// Every photo the pages of a site show, planned: read and measured, not yet encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Library {
    photos: Vec<Photo>,
    /// (page source, image as written) → photo.
    refs: HashMap<(PathBuf, String), usize>,
    settings: Settings,
}

impl Library {
    /// Plans the photos `wanted`, reading each source once, in parallel. Reuses the photos of
    /// `previous` whose file has not changed since. Every unreadable, corrupt, unsupported or
    /// oversized image is an error at the place a page names it.
    pub fn plan(wanted: Vec<Wanted>, settings: &Settings, previous: Option<&Library>) -> Result<Self> {
        let mut sources: BTreeMap<&Path, Vec<&Wanted>> = BTreeMap::new();
        for w in &wanted {
            sources.entry(&w.found.disk).or_default().push(w);
        }
        let reuse = |disk: &Path, stamp: &(u64, Option<SystemTime>)| {
            let previous = previous.filter(|p| p.settings == *settings)?;
            previous
                .photos
                .iter()
                .find(|p| p.found.disk == disk && p.stamp == *stamp)
                .cloned()
        };
        let photos: Vec<Result<Photo>> = sources
            .par_iter()
            .map(|(disk, asked)| {
                let first = asked[0];
                let at = |message: String, help: &str| -> Error {
                    let all = asked.iter().map(|w| {
                        Diagnostic::new(&w.page, message.clone())
                            .at(w.line, w.column)
                            .help(help)
                    });
                    Error::from(all.collect::<Vec<_>>())
                };
                let meta = fs::metadata(disk);
                let stamp = meta
                    .as_ref()
                    .map(|m| (m.len(), m.modified().ok()))
                    .unwrap_or_default();
                if let Some(photo) = reuse(disk, &stamp) {
                    return Ok(photo);
                }
                let shown = first.found.shown.display();
                let bytes = fs::read(disk).map_err(|e| {
                    at(
                        format!("the image {shown} cannot be read: {e}"),
                        "check that the file is there and readable",
                    )
                })?;
                let probe = super::probe(&bytes, settings)
                    .map_err(|e| at(format!("the image {shown}: {}", e.message), &e.help))?;
                Ok(plan_photo(first.found.clone(), stamp, &bytes, probe, settings))
            })
            .collect();
        let photos = collect_all(photos)?;
        let mut refs = HashMap::new();
        for (n, (_, asked)) in sources.iter().enumerate() {
            for w in asked {
                refs.insert((w.page.clone(), w.dest.clone()), n);
            }
        }
        Ok(Library {
            photos,
            refs,
            settings: settings.clone(),
        })
    }

    /// The photo the page from `page` names `dest`, when it is one of the site's.
    pub fn photo(&self, page: &Path, dest: &str) -> Option<&Photo> {
        let n = self.refs.get(&(page.to_path_buf(), dest.to_string()))?;
        self.photos.get(*n)
    }

    /// Whether the page from `page` shows any photo.
    pub fn shows_photos(&self, page: &Path) -> bool {
        self.refs.keys().any(|(p, _)| p == page)
    }

    /// The photos the page from `page` shows, with the image as the page writes it.
    pub fn photos_of<'l>(&'l self, page: &'l Path) -> impl Iterator<Item = (&'l str, &'l Photo)> + 'l {
        self.refs
            .iter()
            .filter(move |((p, _), _)| p == page)
            .filter_map(|((_, dest), &n)| Some((dest.as_str(), self.photos.get(n)?)))
    }

    /// A hash of every photo's key and the pages that show it: pages are rendered again
    /// when it changes.
    pub fn digest(&self) -> u128 {
        let mut refs: Vec<(&PathBuf, &String, [u8; 16])> = self
            .refs
            .iter()
            .map(|((page, dest), &n)| (page, dest, self.photos[n].key.to_le_bytes()))
            .collect();
        refs.sort();
        let parts = refs.iter().flat_map(|(page, dest, key)| {
            [
                page.as_os_str().as_encoded_bytes(),
                dest.as_bytes(),
                key.as_slice(),
            ]
        });
        cache::key_of(parts)
    }

    /// Whether the static file at `path` is a photo published only in processed form.
    pub fn is_original(&self, path: &str) -> bool {
        self.photos
            .iter()
            .any(|p| p.found.original.as_deref() == Some(path))
    }

    /// Every published file's path.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.photos
            .iter()
            .flat_map(|p| p.published().map(|f| f.path.as_str()))
    }

    /// A warning for each photo that carries its GPS position: its processed files do not,
    /// but the desk should know the source does.
    pub fn location_warnings(&self) -> Vec<Diagnostic> {
        self.photos
            .iter()
            .filter(|p| p.probe.gps)
            .map(|p| {
                Diagnostic::new(&p.found.shown, "the photo records where it was taken (GPS)")
                    .warning()
                    .help("nashra publishes it without; strip it from the source too (e.g. `exiftool -gps:all= FILE`) before sharing the file elsewhere")
            })
            .collect()
    }

    /// `photo` scaled to cover `width` × `height` (see [`super::cover`]): a social card's
    /// background. It is scaled from the narrowest published fallback file that covers that
    /// size, not from the source: a 1200 px file decodes in a tenth of the time of a
    /// 12-megapixel photo, and the card's scrim hides what its encoding lost. That file's
    /// bytes come from `cache`, where publishing the photo left them, else are made as
    /// publishing makes them, so the pixels are the same either way. A photo no published
    /// file covers is scaled from its source. `None`: the photo cannot be read or decoded
    /// (publishing it reports why).
    pub fn backdrop(&self, photo: &Photo, cache: &Cache, width: u32, height: u32) -> Option<Vec<u8>> {
        let covering = photo
            .files_in(photo.probe.format)
            .find(|f| f.variant.width >= width && f.height >= height);
        let bytes = match covering {
            Some(file) => {
                let key = file_key(photo.key, file.variant);
                match cache.get(key) {
                    Some(bytes) => bytes,
                    None => {
                        let bytes = photo.encode(&[file.variant], &self.settings).ok()?.pop()?;
                        cache.put(key, &bytes);
                        bytes
                    }
                }
            }
            None => fs::read(&photo.found.disk).ok()?,
        };
        super::cover(&bytes, width, height, &self.settings).ok()
    }

    /// Publishes the files `sink` wants into it, the photos in parallel: each carried over
    /// or linked from `cache` where the sink can, else read from it, else encoded (each photo
    /// decoded at most once, and what is made kept in `cache`).
    pub fn publish(&self, cache: &Cache, sink: &impl Sink) -> Result<Made> {
        let done: Vec<Result<Made>> = self
            .photos
            .par_iter()
            .map(|photo| {
                let mut made = Made::default();
                let mut pending = Vec::new();
                for file in photo.published().filter(|f| sink.wants(&f.path)) {
                    made.files += 1;
                    let key = file_key(photo.key, file.variant);
                    if let Some(entry) = cache.entry(key) {
                        if sink.take_cached(&file.path, &entry)? {
                            Cache::used(&entry);
                            continue;
                        }
                    }
                    pending.push((file, key, cache.get(key)));
                }
                let missing: Vec<Variant> = pending
                    .iter()
                    .filter(|(_, _, b)| b.is_none())
                    .map(|(f, _, _)| f.variant)
                    .collect();
                made.encoded = missing.len();
                if !missing.is_empty() {
                    let mut encoded = photo.encode(&missing, &self.settings)?.into_iter();
                    for (_, key, slot) in pending.iter_mut().filter(|(_, _, b)| b.is_none()) {
                        *slot = encoded.next();
                        if let Some(b) = slot {
                            cache.put(*key, b);
                        }
                    }
                }
                for (file, _, b) in pending {
                    sink.take(file.path.clone(), b.unwrap_or_default())?;
                }
                Ok(made)
            })
            .collect();
        let made = collect_all(done)?;
        Ok(Made {
            files: made.iter().map(|m| m.files).sum(),
            encoded: made.iter().map(|m| m.encoded).sum(),
        })
    }
}

/// Where [`Library::publish`] puts a photo's files.
pub trait Sink: Sync {
    /// Whether the file at `path` is to be published.
    fn wants(&self, _path: &str) -> bool {
        true
    }

    /// Publishes the file at `path` as the cache's `entry` holds it, without holding its
    /// bytes, where the sink can (and the entry is whole); whether it did.
    fn take_cached(&self, _path: &str, _entry: &Entry) -> Result<bool> {
        Ok(false)
    }

    /// Publishes `bytes` as the file at `path`.
    fn take(&self, path: String, bytes: Vec<u8>) -> Result<()>;
}

/// A build's photos go straight into its output: carried over from the previous output when
/// it has the file, else linked from the cache, so a rebuild reads each file once and writes
/// none.
impl Sink for crate::output::Stage {
    fn take_cached(&self, path: &str, entry: &Entry) -> Result<bool> {
        Ok(self.keep(path, entry.sum)? || self.link(path, &entry.path, entry.sum)?)
    }

    fn take(&self, path: String, bytes: Vec<u8>) -> Result<()> {
        use crate::output::{Content, Output};
        let content = Content::Bytes(bytes);
        self.put_unless_same(&Output { path, content })
    }
}

impl Photo {
    /// Reads the source again and encodes `variants` of it.
    fn encode(&self, variants: &[Variant], settings: &Settings) -> Result<Vec<Vec<u8>>> {
        let shown = &self.found.shown;
        let source = fs::read(&self.found.disk).map_err(|e| Error::io(shown, "read the image", &e))?;
        super::encode(&source, variants, settings).map_err(|e| e.at(shown, "image").into())
    }
}

/// What is published of the photo at `found` whose bytes are `bytes`.
fn plan_photo(
    found: Found,
    stamp: (u64, Option<SystemTime>),
    bytes: &[u8],
    probe: Probe,
    settings: &Settings,
) -> Photo {
    let key = cache::key(&[bytes, &settings.digest().to_le_bytes()]);
    let hash = format!("{key:032x}");
    let stem = found
        .disk
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    // Published names are in NFC, as every file the site writes.
    let stem: String = crate::content::nfc(&stem)
        .chars()
        .map(|c| match c.is_alphanumeric() || c == '-' || c == '_' {
            true => c,
            false => '-',
        })
        .collect();
    let widths = super::widths(probe.width, settings);
    let formats = settings
        .formats
        .iter()
        .copied()
        .filter(|f| *f != probe.format)
        .chain([probe.format]);
    let mut files = Vec::new();
    for format in formats {
        for &width in &widths {
            let height = super::scaled_height(width, probe.width, probe.height);
            files.push(Published {
                variant: Variant { width, format },
                height,
                path: format!(
                    "{}{stem}-{width}.{}.{}",
                    found.folder,
                    &hash[..10],
                    format.extension()
                ),
            });
        }
    }
    let original = found.original.clone().map(|path| Published {
        variant: Variant {
            width: probe.width,
            format: probe.format,
        },
        height: probe.height,
        path,
    });
    Photo {
        found,
        stamp,
        key,
        probe,
        files,
        original,
    }
}

/// The cache key of one published file of the photo `key`.
fn file_key(key: u128, variant: Variant) -> cache::Key {
    cache::key(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        &key.to_le_bytes(),
        &variant.width.to_le_bytes(),
        variant.format.extension().as_bytes(),
    ])
}

/// How long a cached file may go unused before [`Cache::prune`] removes it: long enough for
/// a photo taken out and put back, or a draft built only by `serve`, to stay.
const UNUSED_FOR: Duration = Duration::from_secs(30 * DAY.as_secs());
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Whether the file was last modified longer than `age` ago.
fn older_than(meta: &fs::Metadata, age: Duration) -> bool {
    meta.modified()
        .is_ok_and(|t| t.elapsed().is_ok_and(|elapsed| elapsed > age))
}

/// Encoded files kept between builds in `.nashra/cache/images/`, one file each, as published
/// (a photo's files are too large to copy into a new store file on every build, as the other
/// stores do), named by their key and the xxh3-128 of their bytes: a file cut short or changed
/// is found and made again, and a whole one can be linked into the output as it is, so a build
/// into an empty folder writes no photo bytes. Off under `--no-cache`. A file's modification
/// time says when a build last used it; [`Cache::prune`] removes those unused for
/// [`UNUSED_FOR`].
#[derive(Debug, Default)]
pub struct Cache {
    dir: Option<PathBuf>,
    /// Key → checksum of every file kept: listed once, when first asked, and added to as
    /// files are kept, so a file made earlier in the build (a photo's, read again by its
    /// social card) is found.
    kept: OnceLock<Mutex<HashMap<cache::Key, u128>>>,
}

/// A file in the [`Cache`]: where it is, and the xxh3-128 its bytes must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    pub sum: u128,
}

impl Cache {
    /// The cache of the site at `root`.
    pub fn open(root: &Path) -> Self {
        Cache {
            dir: Some(root.join(cache::DIR).join("images")),
            kept: OnceLock::new(),
        }
    }

    /// A cache that keeps nothing.
    pub const fn off() -> Self {
        Cache {
            dir: None,
            kept: OnceLock::new(),
        }
    }

    /// The kept file at `key`, unread: it may yet be cut short or changed.
    pub fn entry(&self, key: cache::Key) -> Option<Entry> {
        let dir = self.dir.as_ref()?;
        let sum = *self.listed(dir).get(&key)?;
        Some(Entry {
            path: dir.join(entry_name(key, sum)),
            sum,
        })
    }

    /// Every file kept in `dir` (the cache's folder), listed when first asked.
    fn listed(&self, dir: &Path) -> std::sync::MutexGuard<'_, HashMap<cache::Key, u128>> {
        let kept = self.kept.get_or_init(|| {
            let Ok(files) = fs::read_dir(dir) else {
                return Mutex::default();
            };
            let names = files.flatten().map(|f| f.file_name());
            Mutex::new(names.filter_map(|n| parse_name(n.to_str()?)).collect())
        });
        kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The file at `key`, if kept and whole; marked used.
    pub fn get(&self, key: cache::Key) -> Option<Vec<u8>> {
        let entry = self.entry(key)?;
        let bytes = fs::read(&entry.path).ok()?;
        (xxh3_128(&bytes) == entry.sum).then(|| {
            Self::used(&entry);
            bytes
        })
    }

    /// Marks `entry` used by this build. To the day is precise enough for pruning, and spares
    /// a write on most builds.
    pub fn used(entry: &Entry) {
        let Ok(file) = fs::File::open(&entry.path) else {
            return;
        };
        if file.metadata().is_ok_and(|m| older_than(&m, DAY)) {
            let _ = file.set_modified(SystemTime::now());
        }
    }

    /// Removes the files no build has used for [`UNUSED_FOR`] (a photo taken out of the site,
    /// or made with other settings), and leftovers of interrupted writes. It looks at most
    /// once a day (`images.pruned` beside the folder says when it last did), so a rebuild does
    /// not list thousands of files each time.
    pub fn prune(&self) {
        let Some(dir) = &self.dir else { return };
        let stamp = dir.with_extension("pruned");
        if fs::metadata(&stamp).is_ok_and(|m| !older_than(&m, DAY)) {
            return;
        }
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let unused = entry.metadata().is_ok_and(|m| older_than(&m, UNUSED_FOR));
            if unused {
                let _ = fs::remove_file(entry.path());
            }
        }
        let _ = fs::write(stamp, b"");
    }

    /// Keeps `bytes` at `key`, written whole or not at all. A cache that cannot be written
    /// costs the next build time, not its output, so failures are not reported.
    pub fn put(&self, key: cache::Key, bytes: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let sum = xxh3_128(bytes);
        let write = || -> std::io::Result<()> {
            fs::create_dir_all(dir)?;
            let mut file = tempfile::NamedTempFile::new_in(dir)?;
            file.write_all(bytes)?;
            file.persist(dir.join(entry_name(key, sum)))
                .map_err(|e| e.error)?;
            Ok(())
        };
        if write().is_ok() {
            self.listed(dir).insert(key, sum);
        }
    }
}

/// The name of the kept file at `key` whose bytes hash to `sum`.
fn entry_name(key: cache::Key, sum: u128) -> String {
    format!("{key:032x}.{sum:032x}")
}

/// The key and checksum an [`entry_name`] holds; `None` for other files (a write under way).
fn parse_name(name: &str) -> Option<(cache::Key, u128)> {
    let (key, sum) = name.split_once('.')?;
    let hex = |s: &str| {
        (s.len() == 32)
            .then(|| u128::from_str_radix(s, 16).ok())
            .flatten()
    };
    Some((hex(key)?, hex(sum)?))
}
