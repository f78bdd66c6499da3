//! `nashra.toml` → [`Config`]: defaults, validation, and errors that point at the line.
//!
//! The names it gives content (`seed_section`, term slugs and their display names) are
//! read in Unicode normalization form C, as content names are (see [`crate::content`]), so
//! one typed or pasted in decomposed form is the same name and is shown composed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::content::nfc_owned;
use crate::error::{Diagnostic, Result};
use crate::i18n::{DateFormatter, DateStyle, Digits};

/// The file every site has at its root.
pub const CONFIG_FILE: &str = "nashra.toml";

/// A folder with no `nashra.toml`: what a command run outside a site says, with the command
/// that makes one there, since on a fresh machine that is the usual reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSite {
    /// The folder, as shown: as the user gave it, the current folder by its full path (a
    /// bare "." says nothing to someone who is in the wrong place).
    dir: PathBuf,
}

impl NoSite {
    /// `Some` when `root` holds no `nashra.toml`.
    pub fn at(root: &Path) -> Option<Self> {
        if root.join(CONFIG_FILE).is_file() {
            return None;
        }
        let dir = match root.as_os_str().is_empty() || root == Path::new(".") {
            true => std::env::current_dir().unwrap_or_else(|_| root.to_path_buf()),
            false => root.to_path_buf(),
        };
        Some(Self { dir })
    }

    /// `no nashra.toml in DIR`.
    pub fn message(&self) -> String {
        format!("no {CONFIG_FILE} in {}", self.dir.display())
    }

    /// ``create a site with `nashra init DIR` ``, the folder quoted where a shell would split it.
    pub fn help(&self) -> String {
        format!("create a site with `nashra init {}`", shell_word(&self.dir))
    }
}

impl std::fmt::Display for NoSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}", self.message(), self.help())
    }
}

/// `path` as one shell word to paste: as it is when a shell reads it so (letters of any
/// script, digits, `/._-+,:@%=`), else in single quotes.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| {
        c.is_alphanumeric()
            || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
            || "/._-+,:@%=".contains(c)
    };
    match !text.is_empty() && text.chars().all(plain) {
        true => text,
        false => format!("'{}'", text.replace('\'', r"'\''")),
    }
}

/// Which way a language is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Right to left (Arabic, Persian, Hebrew, Urdu, …).
    Rtl,
    /// Left to right.
    Ltr,
}

impl Direction {
    /// The direction a language code implies when the config does not say.
    pub fn of_code(code: &str) -> Self {
        const RTL: &[&str] = &[
            "ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku-arab", "ps", "sd", "ug", "ur", "yi",
        ];
        let primary = code.to_ascii_lowercase();
        let base = primary.split('-').next().unwrap_or_default();
        if RTL.contains(&primary.as_str()) || RTL.contains(&base) {
            Self::Rtl
        } else {
            Self::Ltr
        }
    }

    /// `"rtl"` or `"ltr"`, as HTML's `dir` wants it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rtl => "rtl",
            Self::Ltr => "ltr",
        }
    }
}

/// One language the site publishes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// BCP 47 code, e.g. `ar`, `en`.
    pub code: String,
    /// The language's name in itself, e.g. `العربية`, shown in the language switcher.
    pub name: String,
    /// Writing direction.
    pub dir: Direction,
    /// The site's title in this language.
    pub title: String,
    /// The site's description in this language.
    pub description: String,
    /// How dates are written: month names, digits, the Hijri date beside the Gregorian.
    pub dates: DateStyle,
    /// How the Markdown's straight quotes are written out.
    pub quotes: Quotes,
    /// The breaking-news banner its pages show, while it lasts (`[languages.<code>.banner]`).
    pub banner: Option<crate::data::Banner>,
}

/// How a language writes the quotes its authors type straight (`quotes` in its table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotes {
    /// As typed: `"` and `'` stay, and so do `--` and `...`.
    AsWritten,
    /// Typographic, by pulldown-cmark's smart punctuation (which pairs quotes as CommonMark
    /// pairs emphasis): a quotation in `"` gets `open` and `close`, `'` gets ‘ ’ (an
    /// apostrophe ’), and `--`, `---`, `...` become –, —, …, the same typing habit.
    Typographic {
        /// What opens a quotation.
        open: char,
        /// What closes it.
        close: char,
    },
}

impl Quotes {
    /// “…”, as English sets them.
    pub const CURLY: Self = Self::Typographic {
        open: '\u{201C}',
        close: '\u{201D}',
    };

    /// The default of a language: curly in English, as written elsewhere (Arabic writers and
    /// their editors choose between «…», ”…“ and straight quotes, so nashra does not guess).
    pub fn of_code(code: &str) -> Self {
        match code.split('-').next() {
            Some(primary) if primary.eq_ignore_ascii_case("en") => Self::CURLY,
            _ => Self::AsWritten,
        }
    }

    /// `"curly"`, `"as-written"`, or the two marks that open and close a quotation (`"«»"`).
    fn parse(value: &str) -> Option<Self> {
        match value {
            "curly" => return Some(Self::CURLY),
            "as-written" => return Some(Self::AsWritten),
            _ => {}
        }
        let mark = |c: &char| !(c.is_alphanumeric() || c.is_whitespace() || c.is_control());
        let mut chars = value.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some(open), Some(close), None) if mark(&open) && mark(&close) => {
                Some(Self::Typographic { open, close })
            }
            _ => None,
        }
    }
}

/// The validated site configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Absolute URL of the site, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or e.g. `/briefing/`), prefixed to every link.
    pub base_path: String,
    /// Code of the language served at the site root.
    pub default_language: String,
    /// Every language, the default first, then by code.
    pub languages: Vec<Language>,
    /// Name of the theme folder under `themes/`.
    pub theme: String,
    /// Whether HTML pages, stylesheets and scripts are minified.
    pub minify: bool,
    /// Taxonomy names that front matter may use (`tags`, `regions`, …).
    pub taxonomies: Vec<String>,
    /// The section seeds are built and imported into.
    pub seed_section: String,
    /// Known terms: taxonomy → term slug → language code → names (the first is the display
    /// name, the rest other spellings); seeds are tagged by finding these names in the text.
    pub terms: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>>,
    /// Articles per list page (home, sections, terms, editions); 0 puts every article on one page.
    pub paginate_by: usize,
    /// The formats every feed is written in (`feeds`), as listed, each once; never empty.
    /// The first is the one `lang.feed_url` names.
    pub feeds: Vec<FeedFormat>,
    /// What feed entries carry.
    pub feed_content: FeedContent,
    /// How many of the newest articles a feed lists; 0 lists all.
    pub feed_limit: usize,
    /// Whether the build writes a search index (Pagefind) with the site. Off unless asked
    /// for: indexing is whole-language work (about 17 s per 10,000 articles, again on a
    /// watch save that changes an article), so a site opts in.
    pub search: bool,
    /// Whether each day's articles get an edition page, and each language an archive of them.
    pub editions: bool,
    /// Whether the build writes `sitemap.xml` and the `robots.txt` that points to it.
    pub sitemap: bool,
    /// How slugs and heading anchors are made from text.
    pub slugify: Slugify,
    /// Whether the authors' raw HTML in Markdown goes into pages as they wrote it (the
    /// trusted-author model: an embed's `<script>` runs), else it is escaped and shown as text.
    pub raw_html: bool,
    /// How photos are published (`[images]`): widths, formats, quality, the size limit.
    pub images: crate::media::Settings,
    /// The `[extra]` table, for templates (`site.extra`): whatever a theme wants configured.
    pub extra: serde_json::Value,
    /// `[email]`: what the day's edition by e-mail needs of the service that sends it.
    pub email: Email,
}

/// `[email]` in `nashra.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// The unsubscribe link as the mailing service writes it in a message: its placeholder
    /// (Mailchimp's `*|UNSUB|*`, listmonk's `{{ UnsubscribeURL }}`), which it replaces with
    /// each reader's own link when it sends. Kept as written: not made absolute.
    pub unsubscribe: Option<String>,
}

/// How text becomes a URL segment or an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slugify {
    /// Letters of every script kept (Arabic stays Arabic), lower-cased, tashkeel dropped.
    #[default]
    Unicode,
    /// Transliterated to ASCII, for hosts and tools that mangle non-ASCII paths.
    Ascii,
}

/// What a feed entry carries of its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    /// The summary only: readers come to the site for the rest.
    #[default]
    Summary,
    /// The whole article.
    Full,
}

/// A format feeds are written in; each feed's formats sit side by side in its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedFormat {
    /// Atom 1.0 (RFC 4287), `atom.xml`.
    Atom,
    /// RSS 2.0, `rss.xml`.
    Rss,
    /// JSON Feed 1.1, `feed.json`.
    Json,
}

impl FeedFormat {
    /// Every format, in the order `feeds` is documented.
    pub const ALL: [Self; 3] = [Self::Atom, Self::Rss, Self::Json];

    /// The name `feeds` lists it by.
    pub fn key(self) -> &'static str {
        match self {
            Self::Atom => "atom",
            Self::Rss => "rss",
            Self::Json => "json",
        }
    }

    /// The file a feed in this format is written to, in its list's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Atom => "atom.xml",
            Self::Rss => "rss.xml",
            Self::Json => "feed.json",
        }
    }

    /// Its media type, for `<link rel="alternate" type>`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Atom => "application/atom+xml",
            Self::Rss => "application/rss+xml",
            Self::Json => "application/feed+json",
        }
    }

    /// Its name as readers know it, shown on links.
    pub fn name(self) -> &'static str {
        match self {
            Self::Atom => "Atom",
            Self::Rss => "RSS",
            Self::Json => "JSON Feed",
        }
    }
}

/// One name or several, as `nashra.toml` allows for term names.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: String,
    #[serde(default = "default_language")]
    default_language: String,
    languages: BTreeMap<String, RawLanguage>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "yes")]
    minify: bool,
    #[serde(default = "default_taxonomies")]
    taxonomies: Vec<String>,
    #[serde(default = "default_seed_section")]
    seed_section: String,
    #[serde(default)]
    terms: BTreeMap<String, BTreeMap<String, BTreeMap<String, OneOrMany>>>,
    #[serde(default = "default_paginate_by")]
    paginate_by: usize,
    /// Read as names and checked in [`feed_formats`], so a wrong one is named with the key.
    #[serde(default = "default_feeds")]
    feeds: Vec<String>,
    #[serde(default)]
    feed_content: FeedContent,
    #[serde(default = "default_feed_limit")]
    feed_limit: usize,
    #[serde(default)]
    search: bool,
    #[serde(default = "yes")]
    editions: bool,
    #[serde(default = "yes")]
    sitemap: bool,
    #[serde(default)]
    slugify: Slugify,
    #[serde(default = "yes")]
    raw_html: bool,
    #[serde(default)]
    images: crate::media::Settings,
    #[serde(default)]
    extra: toml::Table,
    #[serde(default)]
    email: Email,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    name: String,
    title: String,
    #[serde(default)]
    description: String,
    direction: Option<Direction>,
    /// The CLDR locale whose month names dates use (default: the language code).
    date_locale: Option<String>,
    digits: Option<Digits>,
    #[serde(default)]
    hijri: bool,
    /// `"curly"`, `"as-written"` or a pair such as `"«»"` (default: [`Quotes::of_code`]).
    quotes: Option<String>,
    banner: Option<crate::data::RawBanner>,
}

fn default_language() -> String {
    "ar".into()
}
fn default_theme() -> String {
    "default".into()
}
fn yes() -> bool {
    true
}
fn default_seed_section() -> String {
    "briefings".into()
}
fn default_paginate_by() -> usize {
    20
}
fn default_feed_limit() -> usize {
    50
}
/// Atom alone, as before RSS and JSON Feed were written: a site that does not ask for them
/// publishes the files it always did.
fn default_feeds() -> Vec<String> {
    vec!["atom".into()]
}
fn default_taxonomies() -> Vec<String> {
    vec!["tags".into(), "regions".into()]
}

impl Config {
    /// Reads and validates `nashra.toml` in `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let path = root.join(CONFIG_FILE);
        if let Some(no) = NoSite::at(root) {
            return Err(Diagnostic::new(&path, no.message()).help(no.help()).into());
        }
        let text = crate::error::read_text(&path, Path::new(CONFIG_FILE))?;
        Self::parse(&text, Path::new(CONFIG_FILE))
    }

    /// Parses config text; `path` is only used in diagnostics.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e, 1))?;
        let key_at = |key: &str| key_diagnostic(path, text, key, 1);

        let (base_url, base_path) = normalize_base_url(&raw.base_url).ok_or_else(|| {
            key_at("base_url")(format!(
                "`base_url` = {:?} is not an absolute http(s) URL",
                raw.base_url
            ))
            .help(BASE_URL_HELP)
        })?;

        let mut languages = Vec::new();
        for (code, lang) in raw.languages {
            if !valid_language_code(&code) {
                return Err(
                    key_at(&format!("languages.{code}"))(format!("`{code}` is not a language code"))
                        .help("use a BCP 47 code such as `ar`, `en` or `fr`")
                        .into(),
                );
            }
            let dir = lang.direction.unwrap_or_else(|| Direction::of_code(&code));
            // Point at the language's own `date_locale`, or at its table when it has none.
            let at = match lang.date_locale {
                Some(_) => format!("languages.{code}.date_locale"),
                None => format!("languages.{code}"),
            };
            let dates = DateStyle {
                locale: lang.date_locale.unwrap_or_else(|| code.clone()),
                digits: lang.digits,
                hijri: lang.hijri,
            };
            if let Err(e) = DateFormatter::new(&dates) {
                return Err(key_at(&at)(format!("dates in `{code}` cannot be written: {e}"))
                    .help("set date_locale to a locale CLDR knows, e.g. \"ar\", \"ar-SY\" or \"en-GB\"")
                    .into());
            }
            let quotes = match &lang.quotes {
                None => Quotes::of_code(&code),
                Some(value) => Quotes::parse(value).ok_or_else(|| {
                    key_at(&format!("languages.{code}.quotes"))(format!(
                        "`quotes` = {value:?} is not a way of writing quotes"
                    ))
                    .help(
                        "write \"curly\" (“…”), \"as-written\" (\"…\" as typed), or the two marks that \
                         open and close a quotation, e.g. \"«»\" or \"”“\"",
                    )
                })?,
            };
            let banner = lang
                .banner
                .map(|b| b.check())
                .transpose()
                .map_err(|e| key_at(&format!("languages.{code}.banner"))(e))?;
            languages.push(Language {
                code,
                name: lang.name,
                dir,
                title: lang.title,
                description: lang.description,
                dates,
                quotes,
                banner,
            });
        }
        let Some(pos) = languages.iter().position(|l| l.code == raw.default_language) else {
            let declared: Vec<_> = languages.iter().map(|l| l.code.as_str()).collect();
            return Err(key_at("default_language")(format!(
                "the default language `{}` is not declared",
                raw.default_language
            ))
            .help(format!(
                "add a [languages.{}] table, or set default_language to one of: {}",
                raw.default_language,
                declared.join(", ")
            ))
            .into());
        };
        let default = languages.remove(pos);
        languages.insert(0, default);

        if raw.theme.is_empty() || raw.theme.contains(['/', '\\']) || raw.theme.starts_with('.') {
            return Err(
                key_at("theme")(format!("`theme` = {:?} is not a theme folder name", raw.theme))
                    .help("name a folder under themes/, e.g. theme = \"default\"")
                    .into(),
            );
        }
        for t in &raw.taxonomies {
            if crate::content::slug(t, raw.slugify) != *t {
                return Err(
                    key_at("taxonomies")(format!("taxonomy name {t:?} is not usable in a URL"))
                        .help("use lowercase letters, digits and hyphens, e.g. \"regions\"")
                        .into(),
                );
            }
        }

        let feeds =
            feed_formats(&raw.feeds).map_err(|(message, help)| key_at("feeds")(message).help(help))?;
        if let Err(e) = raw.images.validate() {
            return Err(key_at("images")(format!("[images]: {e}")).into());
        }
        let seed_section = nfc_owned(raw.seed_section);
        if seed_section
            .split('/')
            .any(|part| crate::content::slug(part, raw.slugify) != part)
        {
            return Err(key_at("seed_section")(format!(
                "`seed_section` = {seed_section:?} is not a folder name under content/"
            ))
            .help("use lowercase letters, digits and hyphens, e.g. seed_section = \"briefings\"")
            .into());
        }
        let mut terms = BTreeMap::new();
        for (taxonomy, entries) in raw.terms {
            if !raw.taxonomies.contains(&taxonomy) {
                return Err(key_at(&format!("terms.{taxonomy}"))(format!(
                    "[terms.{taxonomy}] names a taxonomy that `taxonomies` does not declare"
                ))
                .help(format!(
                    "add \"{taxonomy}\" to taxonomies, or correct the table name"
                ))
                .into());
            }
            let mut checked = BTreeMap::new();
            for (written, names) in entries {
                let term = nfc_owned(written.clone());
                if crate::content::slug(&term, raw.slugify) != term {
                    return Err(key_at(&written)(format!("term {term:?} is not usable in a URL"))
                        .help("use lowercase letters, digits and hyphens, e.g. burkina-faso")
                        .into());
                }
                let mut by_lang = BTreeMap::new();
                for (code, names) in names {
                    if !languages.iter().any(|l| l.code == code) {
                        return Err(key_at(&format!("terms.{taxonomy}.{written}"))(format!(
                            "term `{term}` has names in `{code}`, which is not a language of this site"
                        ))
                        .help("declare the language under [languages], or remove those names")
                        .into());
                    }
                    let names = match names {
                        OneOrMany::One(n) => vec![n],
                        OneOrMany::Many(n) => n,
                    };
                    by_lang.insert(code, names.into_iter().map(nfc_owned).collect());
                }
                if checked.contains_key(&term) {
                    return Err(key_at(&written)(format!(
                        "[terms.{taxonomy}] has two entries for the term {term:?}: their names \
                         differ only in Unicode normalization"
                    ))
                    .help("merge the two entries into one")
                    .into());
                }
                checked.insert(term, by_lang);
            }
            terms.insert(taxonomy, checked);
        }

        Ok(Self {
            base_url,
            base_path,
            default_language: raw.default_language,
            languages,
            theme: raw.theme,
            minify: raw.minify,
            taxonomies: raw.taxonomies,
            seed_section,
            terms,
            paginate_by: raw.paginate_by,
            feeds,
            feed_content: raw.feed_content,
            feed_limit: raw.feed_limit,
            search: raw.search,
            editions: raw.editions,
            sitemap: raw.sitemap,
            slugify: raw.slugify,
            raw_html: raw.raw_html,
            images: raw.images,
            extra: crate::data::json(toml::Value::Table(raw.extra)),
            email: raw.email,
        })
    }

    /// The language with this code, if the site declares it.
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The URL path prefix of a language: empty for the default, `en/` for English.
    pub fn language_prefix(&self, code: &str) -> String {
        if code == self.default_language {
            String::new()
        } else {
            format!("{code}/")
        }
    }

    /// Replaces the base URL (from `--base-url`), validated as the config's own.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self> {
        let (url, path) = normalize_base_url(base_url).ok_or_else(|| {
            Diagnostic::new(
                "--base-url",
                format!("{base_url:?} is not an absolute http(s) URL"),
            )
            .help(BASE_URL_HELP)
        })?;
        self.base_url = url;
        self.base_path = path;
        Ok(self)
    }
}

/// The formats `feeds` names, each once in the order written; or what is wrong and what to
/// write instead.
fn feed_formats(names: &[String]) -> std::result::Result<Vec<FeedFormat>, (String, String)> {
    let help = || {
        "list one or more of \"atom\", \"rss\" and \"json\", e.g. feeds = [\"atom\", \"rss\", \"json\"]"
            .to_string()
    };
    let mut formats = Vec::new();
    for name in names {
        let Some(format) = FeedFormat::ALL.into_iter().find(|f| f.key() == name) else {
            return Err((
                format!("`feeds` lists {name:?}, which is not a feed format"),
                help(),
            ));
        };
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    if formats.is_empty() {
        return Err((
            "`feeds` is empty: every list's feed needs a format".into(),
            help(),
        ));
    }
    Ok(formats)
}

const BASE_URL_HELP: &str =
    "write the address the site is published at, e.g. base_url = \"https://example.org/briefing/\"";

/// The base URL ending in `/`, and its path, or `None` if it is not an absolute http(s) URL.
fn normalize_base_url(raw: &str) -> Option<(String, String)> {
    let mut url = url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().to_string();
    Some((url.to_string(), path))
}

fn valid_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A diagnostic for a TOML parse or type error, placed at its span. `first_line` is the line of
/// the file where `text` starts (front matter starts after its fence).
pub fn toml_diagnostic(path: &Path, text: &str, err: &toml::de::Error, first_line: usize) -> Diagnostic {
    let mut message = err.message().trim().to_string();
    let mut help = "fix the TOML syntax (strings in \"quotes\", one key = value per line)".to_string();
    if let Some((field, hint)) = unknown_key(&message) {
        help = hint;
        message = format!("unknown key `{field}`");
    } else if message.starts_with("invalid type") || message.starts_with("missing field") {
        help = "give the key a value of the expected type".into();
    }
    let d = Diagnostic::new(path, message).help(help);
    match err.span() {
        Some(span) => d.at_offset(text, span.start, first_line),
        None => d,
    }
}

/// From serde's "unknown field `name`, expected `a` or `b`" (or "expected one of …"): the
/// name, and a hint suggesting the closest expected key.
pub fn unknown_key(message: &str) -> Option<(String, String)> {
    let mut quoted = message
        .strip_prefix("unknown field ")?
        .split('`')
        .skip(1)
        .step_by(2);
    let field = quoted.next()?;
    let help = match crate::error::did_you_mean(field, quoted) {
        Some(guess) => format!("did you mean `{guess}`?"),
        None => "remove the key, or correct its spelling".to_string(),
    };
    Some((field.to_string(), help))
}

/// A constructor of diagnostics placed at the line where `key` (dotted for tables) is written.
pub fn key_diagnostic<'a>(
    path: &'a Path,
    text: &'a str,
    key: &str,
    first_line: usize,
) -> impl Fn(String) -> Diagnostic + 'a {
    let place = find_key(text, key).map(|off| line_col_in(text, off, first_line));
    move |message| {
        let d = Diagnostic::new(path, message);
        match place {
            Some((l, c)) => d.at(l, c),
            None => d,
        }
    }
}

fn line_col_in(text: &str, offset: usize, first_line: usize) -> (usize, usize) {
    let (l, c) = crate::error::line_col(text, offset);
    (l + first_line - 1, c)
}

/// Byte offset of the line that sets `key` (a `[table]` header for dotted keys) in TOML or YAML.
/// A dotted key is looked for inside its table first (`languages.en.date_locale` after
/// `[languages.en]`), since the same name can be set in several tables.
pub fn find_key(text: &str, key: &str) -> Option<usize> {
    let (table, last) = match key.rsplit_once('.') {
        Some((table, last)) => (Some(table), last),
        None => (None, key),
    };
    let header = format!("[{key}]");
    let quoted = format!("\"{last}\"");
    let line_from = |start: usize| {
        let mut offset = start;
        for line in text.get(start..)?.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let sets = trimmed.strip_prefix(last).is_some_and(|rest| {
                let rest = rest.trim_start_matches(['"', '\'']).trim_start();
                rest.starts_with('=') || rest.starts_with(':')
            }) || trimmed.starts_with(&quoted);
            if trimmed.starts_with(&header) || sets {
                return Some(offset + line.len() - trimmed.len());
            }
            offset += line.len();
        }
        None
    };
    table
        .and_then(|t| find_key(text, t))
        .and_then(line_from)
        .or_else(|| line_from(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "base_url = \"https://example.org/briefing\"\n[languages.ar]\nname = \"العربية\"\ntitle = \"نشرة\"\n[languages.en]\nname = \"English\"\ntitle = \"Briefing\"\n";

    #[test]
    fn defaults_and_derived_direction() {
        let c = Config::parse(MINIMAL, Path::new("nashra.toml")).unwrap();
        assert_eq!(c.base_url, "https://example.org/briefing/");
        assert_eq!(c.base_path, "/briefing/");
        assert_eq!(c.languages[0].code, "ar");
        assert_eq!(c.languages[0].dir, Direction::Rtl);
        assert_eq!(c.languages[1].dir, Direction::Ltr);
        assert!(c.minify);
        assert_eq!(c.language_prefix("en"), "en/");
        assert_eq!(c.language_prefix("ar"), "");
    }

    #[test]
    fn unknown_key_is_an_error_with_a_hint() {
        let text = MINIMAL.replace("[languages.en]\n", "[languages.en]\ntitel = \"x\"\n");
        let err = Config::parse(&text, Path::new("nashra.toml")).unwrap_err();
        let d = &err.diagnostics[0];
        assert_eq!(d.message, "unknown key `titel`");
        assert_eq!(d.line, Some(6));
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn a_dotted_key_is_found_in_its_own_table() {
        let text =
            "[languages.ar]\ndate_locale = \"ar\"\n[languages.en]\nname = \"x\"\ndate_locale = \"en\"\n";
        assert_eq!(
            find_key(text, "languages.en.date_locale"),
            text.rfind("date_locale")
        );
        assert_eq!(
            find_key(text, "languages.ar.date_locale"),
            text.find("date_locale")
        );
        assert_eq!(find_key(text, "languages.en"), text.find("[languages.en]"));
    }

    #[test]
    fn names_are_read_in_nfc_and_two_forms_of_one_term_clash() {
        // "آراء" and "café" decomposed (alef + madda above, e + acute accent).
        let (section, cafe) = ("\u{627}\u{653}\u{631}\u{627}\u{621}", "cafe\u{301}");
        let text = format!(
            "seed_section = \"{section}\"\n{MINIMAL}[terms.tags]\n\"{cafe}\" = {{ ar = \"{section}\", en = [\"x\", \"{cafe}\"] }}\n"
        );
        let c = Config::parse(&text, Path::new("nashra.toml")).unwrap();
        assert_eq!(c.seed_section, "\u{622}\u{631}\u{627}\u{621}");
        let names = &c.terms["tags"]["caf\u{e9}"];
        assert_eq!(names["ar"], ["\u{622}\u{631}\u{627}\u{621}"]);
        assert_eq!(names["en"], ["x", "caf\u{e9}"]);
        let twice = format!("{text}\"caf\u{e9}\" = {{ en = \"Coffee\" }}\n");
        let err = Config::parse(&twice, Path::new("nashra.toml")).unwrap_err();
        assert!(err.diagnostics[0]
            .message
            .contains("differ only in Unicode normalization"));
    }

    #[test]
    fn undeclared_default_language_is_an_error() {
        let text = format!("default_language = \"fr\"\n{MINIMAL}");
        let err = Config::parse(&text, Path::new("nashra.toml")).unwrap_err();
        assert!(err.diagnostics[0].message.contains("`fr` is not declared"));
        assert_eq!(err.diagnostics[0].line, Some(1));
    }

    #[test]
    fn quotes_per_language_and_raw_html() {
        let c = Config::parse(MINIMAL, Path::new("nashra.toml")).unwrap();
        assert_eq!(c.languages[0].quotes, Quotes::AsWritten);
        assert_eq!(c.languages[1].quotes, Quotes::CURLY);
        assert!(c.raw_html);
        let text = format!("raw_html = false\n{MINIMAL}")
            .replace("[languages.ar]\n", "[languages.ar]\nquotes = \"«»\"\n")
            .replace("[languages.en]\n", "[languages.en]\nquotes = \"as-written\"\n");
        let c = Config::parse(&text, Path::new("nashra.toml")).unwrap();
        assert_eq!(
            c.languages[0].quotes,
            Quotes::Typographic {
                open: '«',
                close: '»'
            }
        );
        assert_eq!(c.languages[1].quotes, Quotes::AsWritten);
        assert!(!c.raw_html);
        for bad in ["smart", "«", "«»«", "a'", "« "] {
            let text = MINIMAL.replace("[languages.en]\n", &format!("[languages.en]\nquotes = {bad:?}\n"));
            let err = Config::parse(&text, Path::new("nashra.toml")).unwrap_err();
            let d = &err.diagnostics[0];
            assert!(
                d.message.contains("is not a way of writing quotes"),
                "{bad}: {}",
                d.message
            );
            assert_eq!(d.line, Some(6), "{bad}");
        }
    }
}
