//! The page store: for each page a build wrote, a hash of the bytes it wrote (and, for an
//! article, the key of its search record), under a key of everything its rendering read. A
//! later build that finds a page's key carries the previous output's file over, once its
//! bytes are checked to hash the same, instead of rendering and minifying the page again:
//! the output folder itself is the cache of pages, and this store only says which files in
//! it can be trusted.

use super::Key;

/// The store's name under `.nashra/cache/`.
pub const NAME: &str = "pages";

/// What a build remembers of one page it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// xxh3-128 of the file's bytes, as written (minified).
    pub digest: u128,
    /// For an article page of a site with search: the key of its search record in the search
    /// store, and the language the record is indexed in (`None` when it has nothing to index).
    pub search: Option<(Key, Option<String>)>,
}

/// The key of the page at output `path` rendered with the theme and config that hash to
/// `theme` from inputs that hash to `inputs` (a render job's).
pub fn key(theme: u128, path: &str, inputs: u64) -> Key {
    super::key(&[
        b"page",
        &theme.to_le_bytes(),
        path.as_bytes(),
        &inputs.to_le_bytes(),
    ])
}

impl Page {
    /// The entry's bytes: the digest, then the search key and the language if there is one.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.digest.to_le_bytes().to_vec();
        if let Some((key, lang)) = &self.search {
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(lang.as_deref().unwrap_or_default().as_bytes());
        }
        bytes
    }

    /// An entry read back; `None` if it is not one [`Self::encode`] makes.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (digest, rest) = bytes.split_first_chunk::<16>()?;
        let search = match rest.split_first_chunk::<16>() {
            None if rest.is_empty() => None,
            None => return None,
            Some((key, lang)) => {
                let lang = std::str::from_utf8(lang).ok()?;
                Some((
                    u128::from_le_bytes(*key),
                    (!lang.is_empty()).then(|| lang.to_string()),
                ))
            }
        };
        Some(Page {
            digest: u128::from_le_bytes(*digest),
            search,
        })
    }
}

/// The key of one language's part of the search bundle made from `pages`: each page's output
/// path and the key of its search record, in the order the build indexed them.
pub fn bundle_key<'a>(lang: &str, pages: impl IntoIterator<Item = (&'a str, Key)>) -> Key {
    let keys: Vec<(&str, [u8; 16])> = pages.into_iter().map(|(p, k)| (p, k.to_le_bytes())).collect();
    let parts = keys.iter().flat_map(|(p, k)| [p.as_bytes(), k.as_slice()]);
    super::key_of([&b"bundle"[..], lang.as_bytes()].into_iter().chain(parts))
}

/// One language's part of the search bundle as a build wrote it: its line in the entry file
/// (the hash that names its metadata file, its page count) and its files, each one's output
/// path and the xxh3-128 of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    pub hash: String,
    pub page_count: u64,
    pub files: Vec<(String, u128)>,
}

impl Part {
    /// The entry's bytes: the hash (its length as a u32, then it), the page count (u64), then
    /// per file the path the same way and the digest.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        let string = |bytes: &mut Vec<u8>, s: &str| {
            bytes.extend_from_slice(&(s.len() as u32).to_le_bytes());
            bytes.extend_from_slice(s.as_bytes());
        };
        string(&mut bytes, &self.hash);
        bytes.extend_from_slice(&self.page_count.to_le_bytes());
        for (path, digest) in &self.files {
            string(&mut bytes, path);
            bytes.extend_from_slice(&digest.to_le_bytes());
        }
        bytes
    }

    /// An entry read back; `None` if it is not one [`Self::encode`] makes.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        fn string<'b>(bytes: &mut &'b [u8]) -> Option<&'b str> {
            let (len, rest) = bytes.split_first_chunk::<4>()?;
            let (s, rest) = rest.split_at_checked(u32::from_le_bytes(*len) as usize)?;
            *bytes = rest;
            std::str::from_utf8(s).ok()
        }
        let mut bytes = bytes;
        let hash = string(&mut bytes)?.to_string();
        let (count, rest) = bytes.split_first_chunk::<8>()?;
        bytes = rest;
        let mut files = Vec::new();
        while !bytes.is_empty() {
            let path = string(&mut bytes)?.to_string();
            let (digest, rest) = bytes.split_first_chunk::<16>()?;
            files.push((path, u128::from_le_bytes(*digest)));
            bytes = rest;
        }
        Some(Part {
            hash,
            page_count: u64::from_le_bytes(*count),
            files,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_as_written() {
        for page in [
            Page {
                digest: 7,
                search: None,
            },
            Page {
                digest: u128::MAX,
                search: Some((3, None)),
            },
            Page {
                digest: 1,
                search: Some((3, Some("ar".into()))),
            },
        ] {
            assert_eq!(Page::decode(&page.encode()), Some(page));
        }
        assert_eq!(Page::decode(&[0; 20]), None);
        let part = Part {
            hash: "ar_1234567".into(),
            page_count: 2,
            files: vec![("pagefind/a".into(), 1), ("ب".into(), u128::MAX)],
        };
        let bytes = part.encode();
        assert_eq!(Part::decode(&bytes), Some(part));
        // Cut inside the second file's digest.
        assert_eq!(Part::decode(&bytes[..bytes.len() - 3]), None);
    }
}
