//! One content file → a [`Page`] (an article) or a [`SectionFile`] (`_index.<lang>.md`).
//! Loading a file does not know about other files: linking is the site's job.
//!
//! Names enter the model here, and in Unicode normalization form C ([`nfc`]): the file's
//! section folders and name ([`FileName::parse`], which also reads an `@/` link's target),
//! and `translation_key` and taxonomy terms as read from front matter; slugs are normalized by
//! [`slug`] itself. So every later comparison, map key and URL sees one form, and a file named
//! in decomposed form (NFD, as some macOS tools write names) is the same name as its composed
//! twin. Only [`Page::source`] keeps the path as it is on disk, for diagnostics.

mod alias;
pub mod bidi;
mod body;
mod cached;
pub mod front_matter;
pub mod markdown;
mod notes;

pub use alias::Alias;
pub use body::Body;
pub use cached::{Articles, CACHE};
pub use notes::Note;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::config::{Config, Direction, Quotes, Slugify};
use crate::error::{did_you_mean, Diagnostic, Result};
use front_matter::Format;
use markdown::Heading;

/// Where a file of `content/` sits: its section folder, base name and language.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct FileName {
    /// Section folder relative to `content/`, `/`-separated; empty for the root.
    #[n(0)]
    pub section: String,
    /// The name without language and extension (`_index` for section files).
    #[n(1)]
    pub name: String,
    /// Language code, from `name.<lang>.md` or the default language.
    #[n(2)]
    pub lang: String,
}

impl FileName {
    /// Reads the section, name and language from a path relative to `content/`, in NFC
    /// whatever form the path has on disk.
    pub fn parse(relative: &Path, config: &Config, shown: &Path) -> Result<Self> {
        let section = relative
            .parent()
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .map(nfc_owned)
            .unwrap_or_default();
        let stem = relative
            .file_stem()
            .map(|s| nfc_owned(s.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let (name, lang) = match stem.rsplit_once('.') {
            Some((name, code)) if looks_like_language(code) => {
                if config.language(code).is_none() {
                    let declared: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                    return Err(Diagnostic::new(
                        shown,
                        format!("the file name says language `{code}`, which nashra.toml does not declare"),
                    )
                    .help(format!(
                        "rename the file to one of the declared languages ({}), or add [languages.{code}] to nashra.toml",
                        declared.join(", ")
                    ))
                    .into());
                }
                (name.to_string(), code.to_string())
            }
            _ => (stem, config.default_language.clone()),
        };
        Ok(Self { section, name, lang })
    }
}

/// `ar`, `en`, `pt-br`: two or three letters, optionally a region.
pub fn looks_like_language(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A date or date-time from front matter, kept as written for `<time datetime>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Date {
    /// For ordering: UTC when an offset was given, else as written.
    sort: NaiveDateTime,
    /// ISO 8601 as written (normalized by chrono).
    iso: String,
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.iso
    }
}

impl Date {
    /// Parses `2024-11-20`, `2024-11-20T10:00:00`, `2024-11-20 10:00` or RFC 3339 with an offset.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Some(Self {
                sort: d.and_hms_opt(0, 0, 0)?,
                iso: d.format("%Y-%m-%d").to_string(),
            });
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Self {
                sort: dt.naive_utc(),
                iso: dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            });
        }
        [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|dt| Self {
            sort: dt,
            iso: dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        })
    }

    /// The ISO 8601 text.
    pub fn as_str(&self) -> &str {
        &self.iso
    }

    /// The calendar day as written, `YYYY-MM-DD` (not moved to UTC: a story dated late on the
    /// 20th in Bamako belongs to the 20th's edition).
    pub fn day(&self) -> &str {
        self.iso.get(..10).unwrap_or(&self.iso)
    }

    /// The moment, for feeds and metadata that need an offset: a date or time written without
    /// one is taken as UTC.
    pub fn instant(&self) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&self.iso).unwrap_or_else(|_| self.sort.and_utc().fixed_offset())
    }

    /// The moment in UTC (a date or time written without an offset taken as UTC).
    pub fn utc(&self) -> NaiveDateTime {
        self.sort
    }

    /// Whether this date is later than `now` (UTC), i.e. the article is scheduled.
    pub fn is_after(&self, now: NaiveDateTime) -> bool {
        self.sort > now
    }
}

/// An article: one Markdown file in one language, rendered to HTML.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
pub struct Page {
    /// The source file relative to the site root (for diagnostics and links).
    #[cbor(n(0), with = "cached::path")]
    pub source: PathBuf,
    /// Where the file sits.
    #[n(1)]
    pub file: FileName,
    /// The URL segment: `slug` from front matter, else the file name, made URL-safe.
    #[n(2)]
    pub slug: String,
    /// Headline.
    #[n(3)]
    pub title: String,
    /// Publication date.
    #[n(4)]
    pub date: Date,
    /// Last update, if any.
    #[n(5)]
    pub updated: Option<Date>,
    /// Summary as HTML.
    #[n(6)]
    pub summary_html: String,
    /// Summary as plain text.
    #[n(7)]
    pub description: String,
    /// Body as HTML, compressed.
    #[n(8)]
    pub body: Body,
    /// Headings of the body.
    #[n(9)]
    pub toc: Vec<Heading>,
    /// Links to other content files and images, in the summary and the body.
    #[n(10)]
    pub refs: Vec<SourceRef>,
    /// Words in the body.
    #[n(11)]
    pub words: usize,
    /// Bylines.
    #[n(12)]
    pub authors: Vec<String>,
    /// Lead image.
    #[n(13)]
    pub image: Option<Image>,
    /// Taxonomy name → terms, only taxonomies the config declares.
    #[n(14)]
    pub terms: BTreeMap<String, Vec<String>>,
    /// Free data for themes.
    #[cbor(n(15), with = "cached::json")]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Drafts are left out unless `--drafts`.
    #[n(16)]
    pub draft: bool,
    /// What links translations: `translation_key`, else `<section>/<name>`.
    #[n(17)]
    pub translation_key: String,
    /// The file in `seeds/` this article was imported from, so the build skips that seed.
    #[n(18)]
    pub seed: Option<String>,
    /// A hash of everything the page was made from (its paths and bytes): equal fingerprints
    /// mean equal pages, so a rebuild knows what changed without comparing whole bodies.
    #[n(19)]
    pub fingerprint: u64,
    /// A hash of what lists show of the page (everything but the body and its headings), so
    /// an edit to the body alone re-renders the article and not every list it is on.
    #[n(20)]
    pub listing: u64,
    /// Whether the summary is a standfirst: the front matter's own and not a repeat of the
    /// body's opening. A summary taken from the body, shown above it, is read twice.
    #[n(21)]
    pub standfirst: bool,
    /// Its old URLs, each written as a page that redirects to it.
    #[n(22)]
    pub aliases: Vec<Alias>,
    /// Corrections made to it since it was published, in the order written.
    #[n(23)]
    pub corrections: Vec<Note>,
    /// Updates to it (news added, not errors), in the order written.
    #[n(24)]
    pub updates: Vec<Note>,
}

impl Page {
    /// When the article last changed: the latest of its date, `updated`, and every
    /// correction and update. What feeds, the sitemap and JSON-LD give as its modified date.
    pub fn modified(&self) -> &Date {
        let notes = self.corrections.iter().chain(&self.updates).map(|n| &n.date);
        let dates = std::iter::once(&self.date).chain(&self.updated).chain(notes);
        dates.max().unwrap_or(&self.date)
    }

    /// What a list page reads of this page; keep in step with the list context in `render`.
    fn listing_hash(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &self.title,
            self.date.as_str(),
            self.updated.as_ref().map(Date::as_str),
            self.modified().as_str(),
        )
            .hash(&mut h);
        (
            &self.summary_html,
            &self.description,
            self.standfirst,
            &self.slug,
            &self.authors,
            &self.image,
        )
            .hash(&mut h);
        (&self.terms, &self.file.lang).hash(&mut h);
        serde_json::to_string(&self.extra)
            .unwrap_or_default()
            .hash(&mut h);
        h.finish()
    }
}

/// A section's (or the home page's) own file, `_index.<lang>.md`.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionFile {
    /// The source file relative to the site root.
    pub source: PathBuf,
    /// Where the file sits (its `section` is the section it describes).
    pub file: FileName,
    /// The section's title.
    pub title: String,
    /// One line about the section.
    pub description: String,
    /// Text shown above the list, as HTML.
    pub content_html: String,
    /// Links to other content files and images in the text.
    pub refs: Vec<SourceRef>,
    /// How the list is ordered.
    pub sort_by: SortBy,
    /// Articles per list page, when the section sets its own.
    pub paginate_by: Option<usize>,
    /// Free data for themes.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The section's old URLs, each written as a page that redirects to it.
    pub aliases: Vec<Alias>,
}

/// A link to another content file (`@/…`) or an image, and where its file has it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode)]
pub struct SourceRef {
    /// The destination as written.
    #[n(0)]
    pub dest: String,
    /// An image (else a link).
    #[n(1)]
    pub image: bool,
    /// 1-based line in the file.
    #[n(2)]
    pub line: usize,
    /// 1-based column, in characters.
    #[n(3)]
    pub column: usize,
}

impl SourceRef {
    /// A reference the Markdown parser found, placed at a line and column of the file.
    fn placed(found: markdown::Reference, (line, column): (usize, usize)) -> Self {
        Self {
            dest: found.dest,
            image: found.image,
            line,
            column,
        }
    }

    /// A link to another content file, for the site to resolve (not an image, not a URL).
    pub fn is_internal_link(&self) -> bool {
        !self.image && self.dest.starts_with(markdown::INTERNAL)
    }
}

/// The order of a section's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    #[default]
    Date,
    /// Alphabetically by title.
    Title,
}

/// What one content file is.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    /// An article.
    Page(Arc<Page>),
    /// A section's `_index` file (boxed: it is much larger than a pointer).
    Section(Box<SectionFile>),
}

/// An article's lead image: `image = { src, alt, caption, credit, copyright }` in the front
/// matter. `src` is a file beside the article, a static file, or another host's URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize)]
pub struct Image {
    #[n(0)]
    pub src: String,
    /// What the photo shows, for readers who cannot see it: required, as a news photo
    /// carries the story.
    #[n(1)]
    pub alt: String,
    #[n(2)]
    pub caption: Option<String>,
    /// Who took it or the agency, e.g. "Photo: AFP".
    #[n(3)]
    pub credit: Option<String>,
    /// The copyright notice, when it says more than the credit.
    #[n(4)]
    pub copyright: Option<String>,
}

/// `image` as written: a table, or just the source (which then lacks its `alt`).
#[derive(Deserialize)]
#[serde(untagged)]
enum ImageFront {
    Src(String),
    Table(ImageTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageTable {
    src: String,
    alt: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    copyright: Option<String>,
}

/// Article front matter. Keys not named here land in `terms` and must be declared taxonomies
/// (serde cannot deny unknown fields beside a flattened map, so `load` checks them).
#[derive(Deserialize)]
struct PageFront {
    title: Option<String>,
    date: Option<String>,
    updated: Option<String>,
    summary: Option<String>,
    slug: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    draft: bool,
    image: Option<ImageFront>,
    translation_key: Option<String>,
    seed: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    /// Read entry by entry ([`notes::read`]), so each wrong entry is placed.
    corrections: Option<serde_json::Value>,
    updates: Option<serde_json::Value>,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(flatten)]
    terms: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFront {
    title: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sort_by: SortBy,
    paginate_by: Option<usize>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// The lead image `front` says, or `None` with a problem pushed: an image without its
/// `alt` text is published to no one who cannot see it.
fn lead_image(front: ImageFront, keys: &front_matter::Keys, problems: &mut Vec<Diagnostic>) -> Option<Image> {
    let (table, plain) = match front {
        ImageFront::Src(src) => (
            ImageTable {
                src,
                alt: None,
                caption: None,
                credit: None,
                copyright: None,
            },
            true,
        ),
        ImageFront::Table(table) => (table, false),
    };
    let text = |v: Option<String>| {
        v.map(|v| nfc_owned(v.trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    let Some(alt) = text(table.alt) else {
        let example = keys.table_example(
            "image",
            &[
                ("src", &table.src),
                ("alt", "what the photo shows"),
                ("credit", "Photo: …"),
            ],
        );
        let diagnostic = match plain {
            true => keys.at_value("image", "the lead image has no `alt` text"),
            false => keys.at_value("image", "the lead image's table has no `alt` text"),
        };
        problems.push(diagnostic.help(format!(
            "describe the photo for readers who cannot see it: {example}"
        )));
        return None;
    };
    Some(Image {
        src: table.src,
        alt,
        caption: text(table.caption),
        credit: text(table.credit),
        copyright: text(table.copyright),
    })
}

/// The site paths of the old URLs `written` in front matter `keys` of a file in language
/// `lang`; each that is not a path a redirect can be written at is a problem pushed.
fn aliases(
    written: &[String],
    config: &Config,
    lang: &str,
    keys: &front_matter::Keys,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Alias> {
    let prefix = config.language_prefix(lang);
    let (line, column) = keys.value_place("aliases");
    let mut out: Vec<Alias> = Vec::new();
    for w in written {
        match alias::site_path(w, &prefix) {
            // The same old URL twice in one file is one redirect.
            Ok(path) if out.iter().any(|a| a.path == path) => {}
            Ok(path) => out.push(Alias { path, line, column }),
            Err(why) => problems.push(
                keys.at_value("aliases", format!("the alias {w:?} {why}"))
                    .help(format!(
                        "an alias is an old URL's path on this site: relative to the language's root ({}), or to the site's root with a leading `/`, e.g. {}",
                        if prefix.is_empty() { "/" } else { &prefix },
                        keys.example("aliases", "[\"2019/05/old-story/\"]")
                    )),
            ),
        }
    }
    out
}

/// How Markdown in language `lang` is written out: the language's direction and quotes, and
/// the site's rule for raw HTML.
fn markdown_style(config: &Config, lang: &str) -> markdown::Style {
    let language = config.language(lang);
    markdown::Style {
        dir: language.map_or(Direction::Ltr, |l| l.dir),
        quotes: language.map_or(Quotes::AsWritten, |l| l.quotes),
        raw_html: config.raw_html,
    }
}

/// Loads one file of `content/`. `relative` is its path inside `content/`, `shown` how
/// diagnostics name it.
pub fn load(config: &Config, relative: &Path, shown: &Path, bytes: &[u8]) -> Result<Loaded> {
    let text = crate::error::decode_utf8(bytes, shown)?;
    let file = FileName::parse(relative, config, shown)?;
    let split = front_matter::split(shown, text)?;
    let (format, front) = split.front.unwrap_or((Format::Toml, ""));
    // FileName::parse accepts only configured languages.
    let style = markdown_style(config, &file.lang);
    // Offsets in the body are offsets in the file after the front matter.
    let body_at = split.body.as_ptr() as usize - text.as_ptr() as usize;
    let too_deep = |e: markdown::TooDeep| {
        Diagnostic::new(
            shown,
            format!(
                "the Markdown nests more than {} levels deep here (lists, quotes, emphasis)",
                markdown::MAX_NESTING
            ),
        )
        .at_offset(text, body_at + e.offset, 1)
        .help("nest less: no reader can follow this, and browsers flatten it")
    };
    let placed = |refs: Vec<markdown::Reference>| -> Vec<SourceRef> {
        refs.into_iter()
            .map(|r| {
                let at = crate::error::line_col(text, body_at + r.offset);
                SourceRef::placed(r, at)
            })
            .collect()
    };
    let missing = |what: &str| {
        Diagnostic::new(shown, format!("the front matter has no `{what}`"))
            .at(1, 1)
            .help("add front matter with at least title and date, e.g.\n+++\ntitle = \"…\"\ndate = 2024-11-20\n+++")
    };

    if file.name == "_index" {
        let front_matter::Front {
            fields: fm,
            keys,
            mut problems,
        } = front_matter::parse::<SectionFront>(shown, format, front, split.front_line)?;
        let aliases = aliases(&fm.aliases, config, &file.lang, &keys, &mut problems);
        if !problems.is_empty() {
            return Err(problems.into());
        }
        let rendered = markdown::render(split.body, style, config.slugify).map_err(too_deep)?;
        return Ok(Loaded::Section(Box::new(SectionFile {
            source: shown.to_path_buf(),
            title: fm.title.unwrap_or_default(),
            description: fm.description,
            content_html: rendered.html,
            refs: placed(rendered.refs),
            sort_by: fm.sort_by,
            paginate_by: fm.paginate_by,
            extra: fm.extra,
            aliases,
            file,
        })));
    }

    // Every check of the front matter runs, and its problems are reported together.
    let front_matter::Front {
        fields: fm,
        keys,
        mut problems,
    } = front_matter::parse::<PageFront>(shown, format, front, split.front_line)?;
    // A key written but already reported wrong is not reported missing as well.
    let mut required = |key: &str, value: Option<String>| {
        if value.is_none() && !keys.is_bad(key) {
            problems.push(missing(key));
        }
        value
    };
    let title = required("title", fm.title.filter(|t| !t.trim().is_empty()));
    let date = required("date", fm.date);
    let parse_date = |key: &str, value: &str| Date::parse(value).ok_or_else(|| keys.not_a_date(key, value));
    let date = date.and_then(|d| parse_date("date", &d).map_err(|e| problems.push(e)).ok());
    let updated = fm
        .updated
        .and_then(|u| parse_date("updated", &u).map_err(|e| problems.push(e)).ok());

    let slug = match &fm.slug {
        Some(s) => {
            let slug = slug(s, config.slugify);
            if s.contains(['/', '\\'])
                || s.split('.').all(str::is_empty)
                || s.contains("..")
                || slug.is_empty()
            {
                problems.push(
                    keys.at_value("slug", format!("`slug` = {s:?} would write outside the article's section"))
                        .help("a slug is one URL segment: letters, digits and hyphens, e.g. slug = \"mali-equipment\""),
                );
            }
            slug
        }
        None => {
            let slug = slug(&file.name, config.slugify);
            if slug.is_empty() {
                problems.push(
                    Diagnostic::new(shown, "the file name gives no usable URL")
                        .help("rename the file with letters or digits, or set `slug` in the front matter"),
                );
            }
            slug
        }
    };

    let mut terms = BTreeMap::new();
    for (key, value) in fm.terms {
        if !config.taxonomies.contains(&key) {
            let known = [
                "title",
                "date",
                "updated",
                "summary",
                "slug",
                "authors",
                "draft",
                "image",
                "translation_key",
                "seed",
                "aliases",
                "corrections",
                "updates",
                "extra",
            ];
            let guess = did_you_mean(
                &key,
                known
                    .into_iter()
                    .chain(config.taxonomies.iter().map(String::as_str)),
            );
            problems.push(keys.at_key(&key, format!("unknown front matter key `{key}`"))
                .help(match guess {
                    Some(g) => format!("did you mean `{g}`?"),
                    None => format!(
                        "remove it, put it under [extra], or declare it as a taxonomy in nashra.toml (taxonomies = [{}])",
                        config.taxonomies.iter().chain([&key]).map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
                    ),
                }));
            continue;
        }
        let Ok(list) = serde_json::from_value::<Vec<String>>(value) else {
            problems.push(
                keys.at_value(&key, format!("`{key}` must be a list of names"))
                    .help(format!(
                        "write e.g. {}",
                        keys.example(&key, "[\"mali\", \"niger\"]")
                    )),
            );
            continue;
        };
        let list: Vec<String> = list.into_iter().map(nfc_owned).collect();
        if let Some(bad) = list.iter().find(|t| self::slug(t, config.slugify).is_empty()) {
            problems.push(
                keys.at_value(&key, format!("the term {bad:?} in `{key}` gives no usable URL"))
                    .help("name a term with letters or digits, e.g. \"mali\""),
            );
        }
        terms.insert(key, list);
    }
    let summary = fm.summary.as_ref().and_then(|s| {
        let rendered = markdown::render_summary(s, style).map_err(|_| {
            let message = format!(
                "the summary nests more than {} levels deep",
                markdown::MAX_NESTING
            );
            problems.push(
                keys.at_value("summary", message)
                    .help("write the summary as plain text"),
            );
        });
        rendered.ok()
    });
    let image = fm.image.and_then(|front| lead_image(front, &keys, &mut problems));
    let aliases = aliases(&fm.aliases, config, &file.lang, &keys, &mut problems);
    let published = date.as_ref();
    let corrections = notes::read(
        "corrections",
        fm.corrections,
        &keys,
        &style,
        published,
        &mut problems,
    );
    let updates = notes::read("updates", fm.updates, &keys, &style, published, &mut problems);
    // Each of these is `None` only with a problem pushed for it.
    let (Some(title), Some(date), true) = (title, date, problems.is_empty()) else {
        return Err(problems.into());
    };

    let rendered = markdown::render(split.body, style, config.slugify).map_err(too_deep)?;
    let mut refs = Vec::new();
    let (summary_html, description, standfirst) = match summary {
        Some(summary) => {
            // The summary's links are placed at its key: its text may be quoted or folded.
            let at = keys.place("summary");
            refs.extend(summary.refs.into_iter().map(|r| SourceRef::placed(r, at)));
            let standfirst = !repeats_opening(&summary.text, &rendered.summary_text);
            (summary.html, summary.text, standfirst)
        }
        None => (rendered.summary_html, rendered.summary_text, false),
    };
    if let Some(image) = &image {
        let (line, column) = keys.value_place("image");
        refs.push(SourceRef {
            dest: image.src.clone(),
            image: true,
            line,
            column,
        });
    }
    refs.extend(placed(rendered.refs));
    let noted = corrections.refs.into_iter().chain(updates.refs);
    refs.extend(noted.map(|(r, at)| SourceRef::placed(r, at)));
    let translation_key = fm
        .translation_key
        .map(nfc_owned)
        .unwrap_or_else(|| format!("{}/{}", file.section, file.name));
    let mut fingerprint = std::collections::hash_map::DefaultHasher::new();
    (relative, shown, bytes).hash(&mut fingerprint);
    let mut page = Page {
        source: shown.to_path_buf(),
        slug,
        title,
        date,
        updated,
        summary_html,
        description,
        body: Body::new(&rendered.html)
            .map_err(|e| Diagnostic::new(shown, format!("could not hold the body: {e}")))?,
        toc: rendered.toc,
        refs,
        words: rendered.words,
        authors: fm.authors,
        image,
        terms,
        extra: fm.extra,
        draft: fm.draft,
        translation_key,
        seed: fm.seed,
        file,
        fingerprint: fingerprint.finish(),
        listing: 0,
        standfirst,
        aliases,
        corrections: corrections.notes,
        updates: updates.notes,
    };
    page.listing = page.listing_hash();
    Ok(Loaded::Page(Arc::new(page)))
}

/// Whether a front matter summary says again what the body opens with: `lead` is the body's
/// own summary (its first paragraph, or the text before `<!-- more -->`), both plain text with
/// white space folded. Either begins the other, ending at a word's end. A summary cut short
/// with `…`, as `import` once wrote the first paragraph, is compared without it.
fn repeats_opening(summary: &str, lead: &str) -> bool {
    let summary = summary.trim_end().trim_end_matches(['…', '.']).trim_end();
    let begins = |long: &str, short: &str| {
        !short.is_empty()
            && long
                .strip_prefix(short)
                .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
    };
    begins(lead, summary) || begins(summary, lead)
}

/// A URL- and anchor-safe form of a name that stays readable in any script: letters and digits
/// of every script are kept (Arabic stays Arabic), Latin is lowercased, diacritics (tashkeel),
/// tatweel and invisible format characters dropped, presentation forms folded to plain
/// letters (NFKC), everything else becomes single hyphens. So a slug can never hold `/`, `\`,
/// `.` or a control character.
pub fn slugify(s: &str) -> String {
    use unicode_bidi::BidiClass::*;
    let mut out = String::with_capacity(s.len());
    let mut pending_hyphen = false;
    // Most titles and terms are NFKC already; the quick check spares composing them again.
    let normal: std::borrow::Cow<str> = match is_nfkc_quick(s.chars()) {
        IsNormalized::Yes => s.into(),
        _ => s.nfkc().collect::<String>().into(),
    };
    for c in normal.chars() {
        let invisible = matches!(
            bidi::class(c),
            BN | LRE | RLE | LRO | RLO | PDF | LRI | RLI | FSI | PDI
        );
        if is_combining_mark(c) || c == '\u{0640}' || c.is_control() || invisible {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.extend(c.to_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    out
}

/// A slug in the site's chosen form: [`slugify`] as it is, or of an ASCII transliteration
/// (`slugify = "ascii"`), for hosts and tools that mangle non-ASCII paths.
pub fn slug(s: &str, form: Slugify) -> String {
    match form {
        Slugify::Unicode => slugify(s),
        Slugify::Ascii => slugify(&any_ascii::any_ascii(&nfc(s))),
    }
}

/// `s` in Unicode normalization form C, the one form names are compared, keyed and made into
/// URLs in (see the module doc). Nearly every name is NFC already: the quick check finds that
/// without allocating, and `s` is borrowed.
pub fn nfc(s: &str) -> Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => Cow::Borrowed(s),
        _ => Cow::Owned(s.nfc().collect()),
    }
}

/// [`nfc`] of an owned name, which is kept when it is NFC already.
pub fn nfc_owned(s: String) -> String {
    match nfc(&s) {
        Cow::Owned(normal) => normal,
        Cow::Borrowed(_) => s,
    }
}

/// Whether two names look the same but are not: equal once in NFC, unequal as written. A
/// diagnostic that shows both must say so, or the user sees one name twice.
pub fn differ_only_in_normalization(a: &str, b: &str) -> bool {
    a != b && nfc(a) == nfc(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_repeats_the_opening_when_one_begins_the_other_at_a_word() {
        let lead = "Mali receives tanks, says the army. More follows.";
        for summary in [
            lead,
            "Mali receives tanks",
            "Mali receives tanks…",
            "Mali receives tanks, says the army...",
            "Mali receives tanks, says the army. More follows. And a third sentence.",
        ] {
            assert!(repeats_opening(summary, lead), "{summary}");
        }
        for summary in ["Mali receive", "Tanks reach Bamako.", "", "…"] {
            assert!(!repeats_opening(summary, lead), "{summary}");
        }
        assert!(!repeats_opening("A standfirst.", ""));
        assert!(repeats_opening("وصلت الدبابات", "وصلت الدبابات، وقال الجيش"));
    }

    #[test]
    fn slugify_keeps_arabic_and_drops_tashkeel() {
        assert_eq!(slugify("مُعَدّات روسية — جديدة"), "معدات-روسية-جديدة");
        assert_eq!(slugify("T-72B3 و BMP-3"), "t-72b3-و-bmp-3");
        assert_eq!(slugify("../../x"), "x");
        assert_eq!(slugify("..."), "");
    }

    #[test]
    fn slugs_fold_presentation_forms_and_drop_invisible_marks() {
        // Arabic presentation forms (as pasted from old PDFs) are the letters they show.
        assert_eq!(slugify("ﻣﺎﻟﻲ"), "مالي");
        // Zero-width non-joiner, isolates and marks vanish; they never leave hyphens.
        assert_eq!(slugify("\u{2067}مالي\u{2069}\u{200c}\u{200f}"), "مالي");
        assert_eq!(slugify("a\u{0}b\\c/d..e"), "ab-c-d-e");
    }

    #[test]
    fn names_are_composed_and_borrowed_when_already_nfc() {
        // Alef with hamza above (U+0623) and with madda (U+0622), and é, decomposed.
        let (nfd, composed) = (
            "\u{627}\u{654}\u{627}\u{653}cafe\u{301}",
            "\u{623}\u{622}caf\u{e9}",
        );
        assert_eq!(nfc(nfd), composed);
        assert!(matches!(nfc(composed), Cow::Borrowed(_)));
        assert_eq!(nfc_owned(nfd.to_string()), composed);
        assert!(differ_only_in_normalization(nfd, composed));
        assert!(!differ_only_in_normalization(composed, composed));
        for form in [Slugify::Unicode, Slugify::Ascii] {
            assert_eq!(slug(nfd, form), slug(composed, form));
        }
    }

    #[test]
    fn ascii_slugs_transliterate() {
        let ascii = slug("مالي وروسيا: T-72B3", Slugify::Ascii);
        assert!(ascii.is_ascii() && ascii.ends_with("-t-72b3"), "{ascii}");
        assert!(!ascii.contains("--") && !ascii.starts_with('-'), "{ascii}");
        assert_eq!(slug("Ünïcödé ÉTÉ", Slugify::Ascii), "unicode-ete");
        assert_eq!(slug("مالي", Slugify::Unicode), "مالي");
    }

    #[test]
    fn dates_in_every_accepted_form() {
        assert_eq!(Date::parse("2024-11-20").unwrap().as_str(), "2024-11-20");
        assert_eq!(
            Date::parse("2024-11-20T08:30:00+03:00").unwrap().as_str(),
            "2024-11-20T08:30:00+03:00"
        );
        assert_eq!(
            Date::parse("2024-11-20 08:30").unwrap().as_str(),
            "2024-11-20T08:30:00"
        );
        assert!(Date::parse("2024-13-01").is_none());
        assert!(Date::parse("yesterday").is_none());
        assert!(
            Date::parse("2024-11-20T05:30:00Z").unwrap() < Date::parse("2024-11-20T08:30:00+02:00").unwrap()
        );
    }
}
