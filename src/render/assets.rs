//! Stylesheets and scripts as a site publishes them. They are minified with the `minifier`
//! crate, which Pagefind itself uses for its own scripts. A build also writes each under a
//! name that carries a hash of its bytes (`style.3f9a1c2b4d.css`), and `asset()` links that
//! name: a returning reader's browser fetches a restyled stylesheet at once instead of
//! keeping the one it cached. The plain name is written too, for whatever links it directly
//! (an `@import`, a page outside the theme). `watch` fingerprints too, so that what it
//! writes is what a build writes. `serve`, which writes only its own preview, keeps plain
//! names: it tells the browser not to cache, and an edit to a stylesheet then changes no page
//! but swaps the stylesheet in open pages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

/// Whether stylesheets and scripts are also published under fingerprinted names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// `build`, `watch` and `check`: `asset()` links the name with the hash.
    #[default]
    Fingerprinted,
    /// `serve`: plain names only.
    Plain,
}

/// A stylesheet or script as published.
#[derive(Debug, Clone)]
pub struct Processed {
    pub bytes: Vec<u8>,
    /// The name with the hash, which `asset()` links, when the build fingerprints.
    pub fingerprinted: Option<String>,
}

/// The stylesheets and scripts among `files` (output path → source file), read, minified
/// when `minify` is on, and named as `names` says. A file that is not UTF-8, or that the
/// minifier cannot read, is published as it is: a browser may still make sense of it.
pub fn process(
    files: &BTreeMap<String, PathBuf>,
    minify: bool,
    names: Names,
) -> Result<BTreeMap<String, Processed>> {
    let mut processed = BTreeMap::new();
    for (path, source) in files {
        let Some(kind) = Kind::of(path) else { continue };
        let bytes = std::fs::read(source).map_err(|e| Error::io(source, "read", &e))?;
        let bytes = match minify {
            true => kind.minify(&bytes).map_or(bytes, String::into_bytes),
            false => bytes,
        };
        let fingerprinted = (names == Names::Fingerprinted).then(|| fingerprinted(path, &bytes));
        processed.insert(path.clone(), Processed { bytes, fingerprinted });
    }
    Ok(processed)
}

#[derive(Clone, Copy)]
enum Kind {
    Css,
    Js,
}

impl Kind {
    fn of(path: &str) -> Option<Self> {
        match Path::new(path).extension()?.to_str()? {
            "css" => Some(Kind::Css),
            "js" | "mjs" => Some(Kind::Js),
            _ => None,
        }
    }

    fn minify(self, bytes: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(bytes).ok()?;
        let minified = match self {
            Kind::Css => minifier::css::minify(text).map(|m| m.to_string()),
            Kind::Js => minifier::js::minify(text).map(|m| m.to_string()),
        };
        // It leaves a space where a leading comment was.
        minified.ok().map(|m| m.trim().to_string())
    }
}

/// `path` with a hash of `bytes` before its extension: `css/style.css` →
/// `css/style.3f9a1c2b4d.css`. Ten hex digits tell apart any two versions a site will have.
fn fingerprinted(path: &str, bytes: &[u8]) -> String {
    let hash = format!("{:016x}", xxh3_64(bytes));
    let hash = &hash[..10];
    match path.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !stem.ends_with('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{path}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_goes_before_the_extension() {
        let name = fingerprinted("css/style.css", b"a{}");
        assert!(name.starts_with("css/style.") && name.ends_with(".css"), "{name}");
        assert_eq!(name.len(), "css/style..css".len() + 10);
        assert_ne!(
            name,
            fingerprinted("css/style.css", b"b{}"),
            "other bytes, other name"
        );
        assert_eq!(
            name,
            fingerprinted("css/style.css", b"a{}"),
            "the same bytes, the same name"
        );
    }
}
