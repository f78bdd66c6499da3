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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// xxh3-128 of the file's bytes, as written (minified).
    pub digest: u128,
    /// The key of its search record in the search store, for an article page of a site
    /// with search.
    pub search: Option<Key>,
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
    /// The entry's bytes: the digest, then the search key if there is one.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.digest.to_le_bytes().to_vec();
        if let Some(search) = self.search {
            bytes.extend_from_slice(&search.to_le_bytes());
        }
        bytes
    }

    /// An entry read back; `None` if it is not one [`Self::encode`] makes.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let word = |at: usize| bytes.get(at..at + 16)?.try_into().ok().map(u128::from_le_bytes);
        match bytes.len() {
            16 => Some(Page {
                digest: word(0)?,
                search: None,
            }),
            32 => Some(Page {
                digest: word(0)?,
                search: Some(word(16)?),
            }),
            _ => None,
        }
    }
}

/// The key of the search bundle made from `pages`: each indexed page's output path and the
/// key of its search record, in the order the build indexed them.
pub fn bundle_key<'a>(pages: impl IntoIterator<Item = (&'a str, Key)>) -> Key {
    let keys: Vec<(&str, [u8; 16])> = pages.into_iter().map(|(p, k)| (p, k.to_le_bytes())).collect();
    let parts = keys.iter().flat_map(|(p, k)| [p.as_bytes(), k.as_slice()]);
    super::key_of(std::iter::once(&b"bundle"[..]).chain(parts))
}

/// The files a build wrote as one whole (the search bundle): each one's output path and the
/// xxh3-128 of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files(pub Vec<(String, u128)>);

impl Files {
    /// The entry's bytes: per file, the path's length (u32), the path, the digest.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for (path, digest) in &self.0 {
            bytes.extend_from_slice(&(path.len() as u32).to_le_bytes());
            bytes.extend_from_slice(path.as_bytes());
            bytes.extend_from_slice(&digest.to_le_bytes());
        }
        bytes
    }

    /// An entry read back; `None` if it is not one [`Self::encode`] makes.
    pub fn decode(mut bytes: &[u8]) -> Option<Self> {
        let mut files = Vec::new();
        while !bytes.is_empty() {
            let (len, rest) = bytes.split_first_chunk::<4>()?;
            let (path, rest) = rest.split_at_checked(u32::from_le_bytes(*len) as usize)?;
            let (digest, rest) = rest.split_first_chunk::<16>()?;
            files.push((
                String::from_utf8(path.to_vec()).ok()?,
                u128::from_le_bytes(*digest),
            ));
            bytes = rest;
        }
        Some(Files(files))
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
                search: Some(3),
            },
        ] {
            assert_eq!(Page::decode(&page.encode()), Some(page));
        }
        assert_eq!(Page::decode(&[0; 20]), None);
        let files = Files(vec![("pagefind/a".into(), 1), ("ب".into(), u128::MAX)]);
        assert_eq!(Files::decode(&files.encode()), Some(files.clone()));
        // Cut inside the second file's digest.
        assert_eq!(Files::decode(&files.encode()[..40]), None);
    }
}
