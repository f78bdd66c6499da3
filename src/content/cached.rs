//! Articles as loaded, kept in the build cache by the bytes they were loaded from: parsing
//! the front matter and rendering the Markdown of every article was a quarter of the CPU of
//! a rebuild with one article added (20,000 articles), and a rebuild's articles are nearly
//! all unchanged. An entry's key holds the config, the file's path and its bytes, so an entry
//! is found again only by an article that would load the same.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::DateTime;
use minicbor::decode::{Decoder, Error as DecodeError};
use minicbor::encode::{Encoder, Error as EncodeError, Write};
use minicbor::{data::Type, Decode, Encode};

use super::{load, Date, Loaded, Page};
use crate::cache::{self, Store};
use crate::config::Config;

/// The build cache's store of loaded articles.
pub const CACHE: &str = "articles";

/// The store of loaded articles, with the config they are loaded under.
pub struct Articles {
    store: Store,
    /// What of the config loading reads, as a key part: all of it, so a change to any
    /// setting loads every article again rather than risk missing one that matters.
    config: cache::Key,
}

impl Articles {
    /// The store, for articles loaded under `config`.
    pub fn new(store: Store, config: &Config) -> Self {
        let config = cache::key(&[b"articles", format!("{config:?}").as_bytes()]);
        Articles { store, config }
    }

    /// No store: every article is loaded.
    pub fn off() -> Self {
        Articles {
            store: Store::off(),
            config: 0,
        }
    }

    /// [`load`], or the article the store has for these bytes at this path under this config.
    /// Section files are loaded each time: a site has a handful.
    pub fn load(
        &self,
        config: &Config,
        relative: &Path,
        shown: &Path,
        bytes: &[u8],
    ) -> crate::error::Result<Loaded> {
        if !self.store.is_on() {
            return load(config, relative, shown, bytes);
        }
        let key = cache::key(&[
            &self.config.to_le_bytes(),
            relative.as_os_str().as_encoded_bytes(),
            shown.as_os_str().as_encoded_bytes(),
            bytes,
        ]);
        let cached = self
            .store
            .get(key)
            .and_then(|b| minicbor::decode::<Page>(&b).ok());
        if let Some(page) = cached {
            return Ok(Loaded::Page(Arc::new(page)));
        }
        let loaded = load(config, relative, shown, bytes)?;
        if let Loaded::Page(page) = &loaded {
            if let Ok(bytes) = minicbor::to_vec(page.as_ref()) {
                self.store.put(key, &bytes);
            }
        }
        Ok(loaded)
    }

    /// Keeps the articles this build loaded for the next: see [`Store::save`].
    pub fn save(self) -> Option<crate::error::Diagnostic> {
        self.store.save()
    }
}

/// A date as its text and its instant (seconds and nanoseconds, UTC), so it comes back
/// exactly without being parsed again.
impl<C> Encode<C> for Date {
    fn encode<W: Write>(&self, e: &mut Encoder<W>, _: &mut C) -> Result<(), EncodeError<W::Error>> {
        let at = self.sort.and_utc();
        e.array(3)?
            .str(&self.iso)?
            .i64(at.timestamp())?
            .u32(at.timestamp_subsec_nanos())?;
        Ok(())
    }
}

impl<'b, C> Decode<'b, C> for Date {
    fn decode(d: &mut Decoder<'b>, _: &mut C) -> Result<Self, DecodeError> {
        d.array()?;
        let iso = d.str()?.to_string();
        let sort = DateTime::from_timestamp(d.i64()?, d.u32()?)
            .ok_or_else(|| DecodeError::message("a date out of range"))?;
        Ok(Date {
            sort: sort.naive_utc(),
            iso,
        })
    }
}

/// A path as its text; a path that is not UTF-8 is not kept (its article is loaded again).
pub mod path {
    use super::*;

    pub fn encode<C, W: Write>(
        path: &Path,
        e: &mut Encoder<W>,
        _: &mut C,
    ) -> Result<(), EncodeError<W::Error>> {
        let text = path
            .to_str()
            .ok_or_else(|| EncodeError::message("a path not in UTF-8"))?;
        e.str(text)?;
        Ok(())
    }

    pub fn decode<C>(d: &mut Decoder<'_>, _: &mut C) -> Result<PathBuf, DecodeError> {
        Ok(PathBuf::from(d.str()?))
    }
}

/// Free front-matter data, value by value: as JSON text its numbers would not all come back
/// bit for bit.
pub mod json {
    use super::*;
    use serde_json::{Map, Number, Value};

    pub fn encode<C, W: Write>(
        map: &Map<String, Value>,
        e: &mut Encoder<W>,
        _: &mut C,
    ) -> Result<(), EncodeError<W::Error>> {
        object(map, e)
    }

    fn object<W: Write>(map: &Map<String, Value>, e: &mut Encoder<W>) -> Result<(), EncodeError<W::Error>> {
        e.map(map.len() as u64)?;
        for (key, value) in map {
            e.str(key)?;
            put(value, e)?;
        }
        Ok(())
    }

    fn put<W: Write>(value: &Value, e: &mut Encoder<W>) -> Result<(), EncodeError<W::Error>> {
        match value {
            Value::Null => _ = e.null()?,
            Value::Bool(b) => _ = e.bool(*b)?,
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => _ = e.u64(u)?,
                (None, Some(i), _) => _ = e.i64(i)?,
                (None, None, Some(f)) => _ = e.f64(f)?,
                _ => return Err(EncodeError::message("a number neither integer nor float")),
            },
            Value::String(s) => _ = e.str(s)?,
            Value::Array(items) => {
                e.array(items.len() as u64)?;
                for item in items {
                    put(item, e)?;
                }
            }
            Value::Object(map) => object(map, e)?,
        }
        Ok(())
    }

    pub fn decode<C>(d: &mut Decoder<'_>, _: &mut C) -> Result<Map<String, Value>, DecodeError> {
        match take(d)? {
            Value::Object(map) => Ok(map),
            _ => Err(DecodeError::message("front-matter data that is not a table")),
        }
    }

    fn take(d: &mut Decoder<'_>) -> Result<Value, DecodeError> {
        let definite = |len: Option<u64>| len.ok_or_else(|| DecodeError::message("a length not given"));
        Ok(match d.datatype()? {
            Type::Null => {
                d.null()?;
                Value::Null
            }
            Type::Bool => Value::Bool(d.bool()?),
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::from(d.u64()?),
            Type::I8 | Type::I16 | Type::I32 | Type::I64 => Value::from(d.i64()?),
            Type::F16 | Type::F32 | Type::F64 => Number::from_f64(d.f64()?)
                .map(Value::Number)
                .ok_or_else(|| DecodeError::message("a number that is not finite"))?,
            Type::String => Value::String(d.str()?.to_string()),
            Type::Array => {
                let len = definite(d.array()?)?;
                Value::Array((0..len).map(|_| take(d)).collect::<Result<_, _>>()?)
            }
            Type::Map => {
                let len = definite(d.map()?)?;
                let mut map = Map::new();
                for _ in 0..len {
                    let key = d.str()?.to_string();
                    map.insert(key, take(d)?);
                }
                Value::Object(map)
            }
            other => return Err(DecodeError::type_mismatch(other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_comes_back_as_it_was_loaded() {
        let config = Config::parse(
            "base_url = \"https://example.org/\"\ndefault_language = \"ar\"\ntaxonomies = [\"tags\"]\n\
             [languages.ar]\nname = \"العربية\"\ntitle = \"نشرة\"\n",
            Path::new("nashra.toml"),
        )
        .unwrap();
        // Front-matter data of every kind, numbers that JSON text would not give back bit for
        // bit among them, and a date with an offset.
        let text = "+++\ntitle = \"مالي\"\ndate = 2024-11-20T23:30:00+03:00\ntags = [\"mali\"]\n\
                    [extra]\nratio = 0.1\nthird = 0.30000000000000004\nbig = 9223372036854775807\n\
                    low = -3\nnested = { list = [1.5, \"x\", true], empty = {} }\n+++\n\n## عنوان\n\nنص [رابط](https://example.org).\n";
        let relative = Path::new("posts/mali.md");
        let Loaded::Page(page) = load(
            &config,
            relative,
            Path::new("content/posts/mali.md"),
            text.as_bytes(),
        )
        .unwrap() else {
            panic!("not an article")
        };
        assert!(!page.extra.is_empty() && page.updated.is_none());
        let bytes = minicbor::to_vec(page.as_ref()).unwrap();
        assert_eq!(minicbor::decode::<Page>(&bytes).unwrap(), *page);
    }
}
