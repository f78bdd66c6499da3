//! The build cache: `.nashra/cache/` under the site root, never inside the output. A store is
//! one file of entries, each keyed by a hash of everything that determines it, so an entry
//! can only be found again by the same input and the output is the same with or without it.
//!
//! A store's file is read through once when a build starts, to check it, and its entries are
//! read again as the build asks for them. The build writes the next file as it goes, with
//! just the entries it used or made (so a store never grows past one site), and renames it
//! over the previous one once the build has succeeded: a failed or killed build leaves the
//! previous file. Its header names the nashra binary that wrote it (its version and a hash of
//! the executable, as the data's meaning can change between builds of one version) and a
//! checksum of its entries. A file that is corrupt, cut short or written by another nashra is
//! ignored with a warning and written again.

pub mod pages;

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use tempfile::NamedTempFile;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

use crate::error::Diagnostic;

/// The cache's folder under the site root.
pub const DIR: &str = ".nashra/cache";

/// What a store file starts with; the number after it is the layout below, raised when it
/// changes.
const MAGIC: &[u8; 12] = b"nashra-cache";
const LAYOUT: u32 = 1;

/// An entry's key: a hash of everything that determines the entry.
pub type Key = u128;

/// The key of the inputs `parts`, each length-prefixed so that no two lists of parts share
/// a key by their concatenation.
pub fn key(parts: &[&[u8]]) -> Key {
    key_of(parts.iter().copied())
}

/// [`key`] of parts that come one by one.
pub fn key_of<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Key {
    let mut hasher = Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.digest128()
}

/// One store of the cache. Entries are read from the previous file as they are asked for,
/// and each one this build uses or makes is appended to the next file at once, so neither
/// file is held in memory (a 10,000-story site's search store is 160 MB).
pub struct Store {
    /// The previous file, opened (a file renamed over it later leaves this one readable),
    /// and where each entry's bytes are in it.
    previous: Option<File>,
    found: Found,
    /// The next file, while this build writes it; `None` when the cache is off.
    next: Option<Mutex<Next>>,
    /// The next file through a handle of its own, to read back what this build wrote without
    /// holding the lock (the index's merge reads every record's words back, on every core).
    next_read: Option<File>,
    path: PathBuf,
}

/// The file a build writes for the next build, and what its header will say.
struct Next {
    file: BufWriter<NamedTempFile>,
    count: u64,
    sum: Xxh3,
    /// The keys written, each once however often it is asked for or made, where their bytes
    /// are in the file, and the hash of those bytes.
    written: HashMap<Key, (u64, usize, u64)>,
    /// How many bytes the file has, written or still buffered, and how many are written.
    len: u64,
    flushed: u64,
    /// The keys looked up, and how many of them the previous file had.
    asked: HashSet<Key>,
    hits: usize,
    failed: Option<io::Error>,
}

/// How much of a build a store served, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Use {
    pub asked: usize,
    pub hits: usize,
}

/// Where the entries' count and checksum are in a store file, after the fixed header.
fn counts_at() -> u64 {
    (MAGIC.len() + 4 + 4 + writer().len()) as u64
}

impl Store {
    /// A store that keeps nothing: every lookup misses and nothing is written.
    pub fn off() -> Self {
        Store {
            previous: None,
            found: HashMap::new(),
            next: None,
            next_read: None,
            path: PathBuf::new(),
        }
    }

    /// The store `name` of the site at `root`, with a warning when its file was there but
    /// could not be used (this build then writes it anew) or a new one cannot be written.
    pub fn open(root: &Path, name: &str) -> (Self, Option<Diagnostic>) {
        let path = root.join(DIR).join(format!("{name}.bin"));
        let next = match Next::create(&path) {
            Ok(next) => next,
            Err(e) => return (Store::off(), Some(unwritable(&path, &e))),
        };
        let mut store = Store {
            next_read: next.file.get_ref().as_file().try_clone().ok(),
            next: Some(Mutex::new(next)),
            path: path.clone(),
            ..Store::off()
        };
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (store, None),
            Err(e) => return (store, Some(ignored(&path, &format!("it cannot be read ({e})")))),
        };
        match entries(&mut file) {
            Ok(Ok(found)) => {
                store.found = found;
                store.previous = Some(file);
                (store, None)
            }
            Ok(Err(why)) => (store, Some(ignored(&path, why))),
            Err(e) => (store, Some(ignored(&path, &format!("it cannot be read ({e})")))),
        }
    }

    /// Whether entries are looked up and kept at all (not under `--no-cache`).
    pub fn is_on(&self) -> bool {
        self.next.is_some()
    }

    /// The entry at `key`, if the previous file had it (it is kept for the next build) or
    /// this build put it: a build can let go of what it put and read it back when needed.
    pub fn get(&self, key: Key) -> Option<Vec<u8>> {
        self.get_own(key).map(|(bytes, _)| bytes)
    }

    /// [`Store::get`], and whether the bytes are the very ones this build put at `key`, read
    /// back whole (their hash is checked): the form of what this nashra made itself need not
    /// be checked again, as that of a file a user could have edited must.
    pub fn get_own(&self, key: Key) -> Option<(Vec<u8>, bool)> {
        let next = self.next.as_ref()?;
        let found = self.found.get(&key).and_then(|&(at, len)| {
            let mut bytes = vec![0; len];
            let file = self.previous.as_ref()?;
            file.read_exact_at(&mut bytes, at).ok().map(|()| bytes)
        });
        let mut next = next.lock().ok()?;
        if next.asked.insert(key) && found.is_some() {
            next.hits += 1;
        }
        let Some(bytes) = found else {
            let (at, len, sum) = next.flushed(key)?;
            drop(next);
            let mut bytes = vec![0; len];
            self.next_read.as_ref()?.read_exact_at(&mut bytes, at).ok()?;
            return (xxh3_64(&bytes) == sum).then_some((bytes, true));
        };
        next.add(key, &bytes);
        Some((bytes, false))
    }

    /// Keeps `bytes` at `key` for the next build.
    pub fn put(&self, key: Key, bytes: &[u8]) {
        if let Some(Ok(mut next)) = self.next.as_ref().map(Mutex::lock) {
            next.add(key, bytes);
        }
    }

    /// How many lookups this build made and how many the previous file answered.
    pub fn usage(&self) -> Use {
        self.next
            .as_ref()
            .and_then(|n| {
                n.lock().ok().map(|n| Use {
                    asked: n.asked.len(),
                    hits: n.hits,
                })
            })
            .unwrap_or_default()
    }

    /// Puts the next file, with the entries this build used or made, in place of the
    /// previous one. A cache that cannot be written costs the next build its speed, not its
    /// output: the failure is a warning.
    pub fn save(self) -> Option<Diagnostic> {
        let next = self.next?.into_inner().ok()?;
        next.finish(&self.path).err().map(|e| unwritable(&self.path, &e))
    }
}

impl Next {
    fn create(path: &Path) -> io::Result<Self> {
        let folder = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(folder)?;
        let mut file = BufWriter::with_capacity(1 << 20, NamedTempFile::new_in(folder)?);
        file.write_all(MAGIC)?;
        file.write_all(&LAYOUT.to_le_bytes())?;
        file.write_all(&(writer().len() as u32).to_le_bytes())?;
        file.write_all(writer())?;
        // The entries' count and checksum, known at the end.
        file.write_all(&[0; 24])?;
        Ok(Next {
            file,
            count: 0,
            sum: Xxh3::new(),
            written: HashMap::new(),
            len: counts_at() + 24,
            flushed: 0,
            asked: HashSet::new(),
            hits: 0,
            failed: None,
        })
    }

    fn add(&mut self, key: Key, bytes: &[u8]) {
        if self.written.contains_key(&key) {
            return;
        }
        let head = [key.to_le_bytes().as_slice(), &(bytes.len() as u64).to_le_bytes()].concat();
        for part in [&head[..], bytes] {
            self.sum.update(part);
            if self.failed.is_none() {
                self.failed = self.file.write_all(part).err();
            }
        }
        let at = self.len + head.len() as u64;
        self.written.insert(key, (at, bytes.len(), xxh3_64(bytes)));
        self.len = at + bytes.len() as u64;
        self.count += 1;
    }

    /// Where the bytes this build wrote at `key` are in the file, their length and hash,
    /// once they are in the file and not only in its buffer.
    fn flushed(&mut self, key: Key) -> Option<(u64, usize, u64)> {
        let &(at, len, sum) = self.written.get(&key)?;
        if self.failed.is_none() && at + len as u64 > self.flushed {
            self.failed = self.file.flush().err();
            self.flushed = self.len;
        }
        self.failed.is_none().then_some((at, len, sum))
    }

    fn finish(self, path: &Path) -> io::Result<()> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(counts_at()))?;
        file.write_all(&self.count.to_le_bytes())?;
        file.write_all(&self.sum.digest128().to_le_bytes())?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Who wrote a store file: nashra's version and a hash of its executable.
fn writer() -> &'static [u8] {
    static WRITER: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let exe = std::env::current_exe().and_then(fs::read).unwrap_or_default();
        format!("{} {:032x}", env!("CARGO_PKG_VERSION"), xxh3_128(&exe)).into_bytes()
    });
    &WRITER
}

/// Each entry's key, and the offset and length of its bytes in the file.
type Found = HashMap<Key, (u64, usize)>;

/// Where each entry is in a store `file` (read through once, to check its checksum), or why
/// the file cannot be used. Layout, little-endian: MAGIC, LAYOUT (u32), the writer's length
/// (u32) and bytes, the entries' count (u64) and checksum (u128), then each entry's key
/// (u128), length (u64) and bytes.
fn entries(file: &mut File) -> io::Result<std::result::Result<Found, &'static str>> {
    const CORRUPT: &str = "it is corrupt or cut short";
    let mut file = io::BufReader::with_capacity(1 << 20, file);
    let mut head = Vec::new();
    (&mut file).take(counts_at() + 24).read_to_end(&mut head)?;
    let mut at = Cursor { bytes: &head, at: 0 };
    if at.take(MAGIC.len()) != Some(&MAGIC[..]) || at.u32() != Some(LAYOUT) {
        return Ok(Err("it is not a nashra cache file of this layout"));
    }
    let len = at.u32().unwrap_or_default() as usize;
    if at.take(len) != Some(writer()) {
        return Ok(Err("it was written by another nashra"));
    }
    let (Some(count), Some(sum)) = (at.u64(), at.u128()) else {
        return Ok(Err(CORRUPT));
    };
    let mut found = HashMap::new();
    let mut hasher = Xxh3::new();
    let mut offset = head.len() as u64;
    let mut bytes = Vec::new();
    for _ in 0..count {
        let mut entry = [0; 24];
        if file.read_exact(&mut entry).is_err() {
            return Ok(Err(CORRUPT));
        }
        let mut at = Cursor { bytes: &entry, at: 0 };
        let (key, len) = (at.u128().unwrap_or_default(), at.u64().unwrap_or_default());
        let Ok(len) = usize::try_from(len) else {
            return Ok(Err(CORRUPT));
        };
        bytes.clear();
        if (&mut file).take(len as u64).read_to_end(&mut bytes)? != len {
            return Ok(Err(CORRUPT));
        }
        hasher.update(&entry);
        hasher.update(&bytes);
        found.insert(key, (offset + 24, len));
        offset += 24 + len as u64;
    }
    let rest = file.read(&mut [0])?;
    match rest == 0 && hasher.digest128() == sum {
        true => Ok(Ok(found)),
        false => Ok(Err(CORRUPT)),
    }
}

fn unwritable(path: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::new(path, format!("the build cache could not be written: {e}"))
        .warning()
        .help("the next build will not be faster; check that the site folder can be written")
}

fn ignored(path: &Path, why: &str) -> Diagnostic {
    Diagnostic::new(path, format!("the build cache was ignored: {why}"))
        .warning()
        .help("nothing to do: this build writes it again (delete .nashra/cache/ to drop it)")
}

/// Reads a store file front to back.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len)?;
        let taken = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(taken)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|b| b.try_into().ok())
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    fn u128(&mut self) -> Option<u128> {
        self.array().map(u128::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(entries: &[(Key, &[u8])]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), "t").0;
        for (k, b) in entries {
            store.put(*k, b);
        }
        assert!(store.save().is_none());
        let path = dir.path().join(DIR).join("t.bin");
        (dir, path)
    }

    #[test]
    fn what_a_build_made_is_found_by_the_next() {
        let (dir, _) = store_with(&[(1, b"one"), (2, b"two")]);
        let (store, warning) = Store::open(dir.path(), "t");
        assert!(warning.is_none());
        assert_eq!(store.get(2).as_deref(), Some(&b"two"[..]));
        assert_eq!(store.get(3).as_deref(), None);
        // Asked again, an entry is counted and kept once.
        assert_eq!(store.get(2).as_deref(), Some(&b"two"[..]));
        assert_eq!(store.usage(), Use { asked: 2, hits: 1 });
        // Only what was used is kept.
        assert!(store.save().is_none());
        let file = dir.path().join(DIR).join("t.bin");
        let one_entry = counts_at() + 24 + 24 + 3;
        assert_eq!(fs::metadata(file).expect("store").len(), one_entry);
        let store = Store::open(dir.path(), "t").0;
        assert_eq!(store.get(1).as_deref(), None);
        assert_eq!(store.get(2).as_deref(), Some(&b"two"[..]));
    }

    #[test]
    fn a_damaged_file_is_ignored_with_a_warning() {
        let (dir, path) = store_with(&[(1, b"one"), (2, b"two")]);
        let good = fs::read(&path).expect("store");
        for (how, bytes) in [
            ("byte flipped", {
                let mut b = good.clone();
                let last = b.len() - 1;
                b[last] ^= 1;
                b
            }),
            ("cut short", good[..good.len() - 2].to_vec()),
            ("another writer", {
                let mut b = good.clone();
                b[20] ^= 1;
                b
            }),
            ("not a cache", b"garbage".to_vec()),
        ] {
            fs::write(&path, bytes).expect("write");
            let (store, warning) = Store::open(dir.path(), "t");
            let warning = warning.unwrap_or_else(|| panic!("{how}: no warning"));
            assert!(warning.message.contains("ignored"), "{how}: {}", warning.message);
            assert_eq!(store.get(1).as_deref(), None, "{how}");
        }
    }

    #[test]
    fn what_a_build_put_it_reads_back_and_the_next_finds() {
        let (dir, _) = store_with(&[(1, b"one")]);
        let (store, _) = Store::open(dir.path(), "t");
        // Put among entries found in the previous file, and read back after more were put
        // (some still in the write buffer, some not).
        assert_eq!(store.get(1).as_deref(), Some(&b"one"[..]));
        let big = vec![7; 3 << 20];
        store.put(2, b"two");
        store.put(3, &big);
        store.put(4, b"four");
        assert_eq!(store.get(2).as_deref(), Some(&b"two"[..]));
        assert_eq!(store.get(3), Some(big.clone()));
        assert_eq!(store.get(4).as_deref(), Some(&b"four"[..]));
        store.put(5, b"five");
        assert_eq!(store.get(5).as_deref(), Some(&b"five"[..]));
        // Only the previous file's entries count as hits.
        assert_eq!(store.usage().hits, 1);
        assert!(store.save().is_none());
        let (store, _) = Store::open(dir.path(), "t");
        for (key, bytes) in [
            (1, &b"one"[..]),
            (2, b"two"),
            (3, &big),
            (4, b"four"),
            (5, b"five"),
        ] {
            assert_eq!(store.get(key).as_deref(), Some(bytes));
        }
        assert_eq!(store.usage().hits, 5);
    }

    #[test]
    fn what_a_build_reads_back_is_what_it_put_or_nothing() {
        let (dir, _) = store_with(&[(1, b"one")]);
        let (store, _) = Store::open(dir.path(), "t");
        store.put(2, b"two");
        // From the previous file, which a user could have edited, or this build's own bytes.
        assert_eq!(store.get_own(1), Some((b"one".to_vec(), false)));
        assert_eq!(store.get_own(2), Some((b"two".to_vec(), true)));
        // Bytes changed in the file after they were put are not handed back at all.
        let next = store.next.as_ref().expect("on").lock().expect("lock");
        let at = next.written[&2].0;
        drop(next);
        let file = store.next_read.as_ref().expect("the file again");
        file.write_all_at(b"TWO", at).expect("write");
        assert_eq!(store.get_own(2), None);
        assert_eq!(store.get(2), None);
    }

    #[test]
    fn keys_tell_apart_inputs_that_concatenate_alike() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[b"ab", b"c"]), key(&[b"ab", b"c"]));
    }
}
