//! The theme on disk → a ready Tera instance per language, the UI strings and the static files.
//! A theme may extend another (`extends = "default"` in `theme.toml`) and override its
//! templates, static files and UI strings file by file (strings key by key); the site's own
//! `templates/` and `static/` override both.

use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use tera::Tera;

pub use super::assets::Names;
use super::assets::Processed;
use crate::config::{key_diagnostic, toml_diagnostic, Config, Direction, CONFIG_FILE};
use crate::content::bidi::push_isolated;
use crate::content::nfc;
use crate::error::{collect_all, read_text, Diagnostic, Result};
use crate::i18n::{DateFilter, DateFormatter, NumberFilter};
use crate::media::card::{CardToml, Style};

/// Templates every theme must provide.
const REQUIRED: [&str; 7] = [
    "base.html",
    "index.html",
    "section.html",
    "page.html",
    "404.html",
    "taxonomy.html",
    "term.html",
];

/// Templates a theme must provide when the site turns their pages on.
fn required_for(config: &Config) -> impl Iterator<Item = &'static str> {
    let (with_editions, with_search) = (config.editions, config.search);
    let editions = ["edition.html", "editions.html"]
        .into_iter()
        .filter(move |_| with_editions);
    let search = ["search.html"].into_iter().filter(move |_| with_search);
    REQUIRED.into_iter().chain(editions).chain(search)
}

/// A loaded theme, ready to render.
pub struct Theme {
    /// One Tera per language code, each with `t()` bound to its language.
    pub tera: HashMap<String, Tera>,
    /// Files to copy: path in the output → source file.
    pub static_files: BTreeMap<String, PathBuf>,
    /// The stylesheets and scripts among them, as published.
    pub assets: BTreeMap<String, Processed>,
    /// Template name → file, to name the file in render errors.
    pub sources: HashMap<String, PathBuf>,
    /// What `theme.toml` says; templates see it as `theme`.
    pub meta: ThemeMeta,
    /// The social cards' style, fonts read, when the theme draws cards.
    pub cards: Option<Arc<Style>>,
    /// Each language's date formatter, as the `date` filter writes dates.
    pub dates: Dates,
    /// The site's `data/*.toml` by name (`site.data`): loaded with the theme, since a
    /// change to them, like one to a template, may change every page.
    pub data: Arc<BTreeMap<String, serde_json::Value>>,
    /// The languages whose banner shows, judged by the clock when the theme was loaded, and
    /// the moment the first of them ends, when the theme must be loaded again.
    pub banners: (Vec<String>, Option<chrono::NaiveDateTime>),
    /// A hash of all that rendering reads besides the site: templates, UI strings, static
    /// files' names (fingerprinted ones too), `theme.toml`, the config, the site's data and
    /// which banners show. The build cache
    /// keeps a page only under the same digest (templates cannot read the clock or a random number: nashra is built
    /// without Tera's `now()` and `get_random()`).
    pub digest: u128,
}

/// Each language's date formatter, by language code.
pub type Dates = HashMap<String, Arc<DateFormatter>>;

/// `theme.toml`: what the theme is.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeMeta {
    /// The theme's name.
    pub name: String,
    /// One line about it.
    #[serde(default)]
    pub description: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// The theme it restyles: its files are used wherever this one has none.
    #[serde(default)]
    pub extends: Option<String>,
    /// The social cards it draws for articles and lists; a theme without inherits the
    /// table of the theme it extends.
    #[serde(default)]
    pub card: Option<CardToml>,
}

impl Theme {
    /// Whether the theme (or the site's own templates) has template `name`: for pages a
    /// theme may leave out.
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Loads the configured theme from `root/themes/<theme>` plus the site's overrides, with
    /// the banners that show at `now` (the build's clock, [`crate::site::Visibility::now`]).
    pub fn load(root: &Path, config: &Config, names: Names, now: chrono::NaiveDateTime) -> Result<Self> {
        let (chain, meta, card) = theme_chain(root, config)?;
        let shown_dir = Path::new("themes").join(&config.theme);
        // Every theme of the chain, the one it extends first, then the site's own folders.
        let layers = |sub: &'static str| {
            let themes = chain.iter().map(move |(d, shown)| (d.join(sub), shown.join(sub)));
            themes.chain(std::iter::once((root.join(sub), PathBuf::from(sub))))
        };

        let mut templates: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        for (base, shown) in layers("templates") {
            for (name, file) in files_under(&base)? {
                let shown_file = shown.join(&name);
                let text = read_text(&file, &shown_file)?;
                templates.insert(name, (shown_file, text));
            }
        }
        let missing: Vec<Diagnostic> = required_for(config)
            .filter(|n| !templates.contains_key(*n))
            .map(|n| {
                Diagnostic::new(
                    shown_dir.join("templates").join(n),
                    format!("the theme has no `{n}` template"),
                )
                .help("add it to the theme, or to the site's own templates/ folder")
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing.into());
        }
        let sources: HashMap<String, PathBuf> = templates
            .iter()
            .map(|(n, (p, _))| (n.clone(), p.clone()))
            .collect();

        let mut base = Tera::default();
        // Tera's own escaping also turns `/` into `&#x2F;`, which makes every URL unreadable.
        base.set_escape_fn(crate::content::markdown::escape_html);
        super::array::register(&mut base);
        base.add_raw_templates(templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())))
            .map_err(|e| tera_diagnostic(&e, &sources))?;
        if let Some(cycle) = include_cycle(&base) {
            let shown = sources
                .get(&cycle[0])
                .cloned()
                .unwrap_or_else(|| cycle[0].clone().into());
            return Err(Diagnostic::new(
                shown,
                format!("`{}` includes itself: {}", cycle[0], cycle.join(" → ")),
            )
            .help(
                "a template cannot include (or extend) one that leads back to it: rendering would never end",
            )
            .into());
        }

        let mut static_files = BTreeMap::new();
        for (base_dir, shown) in layers("static") {
            static_files.extend(static_layer(&base_dir, &shown)?);
        }
        let processed = super::assets::process(&static_files, config.minify, names)?;
        // What `asset()` links for each static file: its fingerprinted name, if it has one.
        let urls: BTreeMap<String, String> = static_files
            .keys()
            .map(|path| {
                let published = processed.get(path).and_then(|p| p.fingerprinted.as_ref());
                (path.clone(), published.unwrap_or(path).clone())
            })
            .collect();
        let assets = Arc::new(urls);

        let strings = Arc::new(load_strings(&chain, &shown_dir, config)?);
        let cards = card
            .map(|(toml, dir, shown)| card_style(&toml, &dir, &shown))
            .transpose()?;
        let fonts = cards.iter().flat_map(|c| c.fonts.iter().map(|f| &*f.data));
        let fonts = crate::cache::key_of(fonts);
        let data = crate::data::load(root)?;
        let banners = banners(config, now);
        let site_data = format!("{data:?}\n{banners:?}");
        let digest = digest(&templates, &assets, &strings, &meta, fonts, config, &site_data);
        let mut dates = HashMap::new();
        for lang in &config.languages {
            let formatter = DateFormatter::new(&lang.dates).map_err(|e| {
                Diagnostic::new(
                    CONFIG_FILE,
                    format!("dates in `{}` cannot be written: {e}", lang.code),
                )
            })?;
            dates.insert(lang.code.clone(), Arc::new(formatter));
        }
        let mut tera = HashMap::new();
        for lang in &config.languages {
            let mut t = base.clone();
            t.register_function(
                "t",
                Translate {
                    strings: Arc::clone(&strings),
                    lang: lang.code.clone(),
                },
            );
            let filter = DateFilter::new(dates.clone(), lang.code.clone());
            t.register_filter("number", NumberFilter(filter.clone()));
            t.register_filter("date", filter);
            t.register_filter("bidi", Isolate(lang.dir));
            t.register_function(
                "asset",
                Asset {
                    base_path: config.base_path.clone(),
                    files: Arc::clone(&assets),
                },
            );
            t.register_function("has_asset", HasAsset(Arc::clone(&assets)));
            tera.insert(lang.code.clone(), t);
        }
        Ok(Self {
            tera,
            static_files,
            assets: processed,
            sources,
            meta,
            cards: cards.map(Arc::new),
            dates,
            data: Arc::new(data),
            banners,
            digest,
        })
    }

    /// Whether a banner that showed when the theme was loaded has ended by `now`: a watch
    /// session then loads the theme again, as a new build would.
    pub fn banner_ended(&self, now: chrono::NaiveDateTime) -> bool {
        self.banners.1.is_some_and(|end| now >= end)
    }
}

/// The languages of `config` whose banner shows at `now`, and when the first of them ends.
fn banners(config: &Config, now: chrono::NaiveDateTime) -> (Vec<String>, Option<chrono::NaiveDateTime>) {
    let shown: Vec<&crate::config::Language> = config
        .languages
        .iter()
        .filter(|l| l.banner.as_ref().is_some_and(|b| b.shows_at(now)))
        .collect();
    let end = shown.iter().filter_map(|l| l.banner.as_ref()?.until).min();
    (shown.iter().map(|l| l.code.clone()).collect(), end)
}

/// The card style `toml` gives, its fonts read from `dir`, the folder of the theme whose
/// `theme.toml` has it (`shown` in diagnostics).
fn card_style(toml: &CardToml, dir: &Path, shown: &Path) -> Result<Style> {
    let meta = shown.join("theme.toml");
    let read = |file: &str| {
        let relative = Path::new(file);
        let inside = relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err(format!(
                "the card font `{file}` must be a path inside the theme's folder, as `fonts/Name.ttf`"
            ));
        }
        std::fs::read(dir.join(relative)).map_err(|e| {
            format!(
                "the card font `{file}` cannot be read from {}: {e}",
                shown.join(relative).display()
            )
        })
    };
    Style::new(toml, read).map_err(|message| {
        Diagnostic::new(&meta, message)
            .help("see \"Social cards\" in themes/README.md for the `[card]` table")
            .into()
    })
}

/// [`Theme::digest`]: every input named, length-prefixed, in a fixed order.
fn digest(
    templates: &BTreeMap<String, (PathBuf, String)>,
    static_files: &BTreeMap<String, String>,
    strings: &HashMap<String, BTreeMap<String, String>>,
    meta: &ThemeMeta,
    fonts: u128,
    config: &Config,
    site_data: &str,
) -> u128 {
    let described = format!("{meta:?}\n{config:?}\n{site_data}");
    let fonts = fonts.to_le_bytes();
    let mut parts: Vec<&[u8]> = vec![described.as_bytes(), &fonts];
    for (name, (_, text)) in templates {
        parts.extend([name.as_bytes(), text.as_bytes()]);
    }
    parts.extend(
        static_files
            .iter()
            .flat_map(|(p, url)| [p.as_bytes(), url.as_bytes()]),
    );
    for lang in &config.languages {
        for (key, text) in strings.get(&lang.code).into_iter().flatten() {
            parts.extend([lang.code.as_bytes(), key.as_bytes(), text.as_bytes()]);
        }
    }
    crate::cache::key(&parts)
}

/// The folders of the configured theme and of the themes it extends, the one extended
/// first, each with the name diagnostics give it; and the configured theme's `theme.toml`.
fn theme_chain(root: &Path, config: &Config) -> Result<Chain> {
    let mut chain: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut configured = None;
    let mut card = None;
    let mut name = config.theme.clone();
    // Who named the theme: nashra.toml for the first, then each theme.toml's `extends`.
    let mut named_by = (PathBuf::from(CONFIG_FILE), root.join(CONFIG_FILE), "theme");
    loop {
        let dir = root.join("themes").join(&name);
        let shown_dir = Path::new("themes").join(&name);
        let (shown_by, by_file, key) = &named_by;
        let at_key = |message: String| {
            key_diagnostic(
                shown_by,
                &std::fs::read_to_string(by_file).unwrap_or_default(),
                key,
                1,
            )(message)
        };
        if chain.iter().any(|(_, shown)| *shown == shown_dir) {
            // Named by folder, as `theme` and `extends` name them.
            let names: Vec<String> = chain
                .iter()
                .filter_map(|(d, _)| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            return Err(at_key(format!(
                "themes extend each other in a circle: {} → {name}",
                names.join(" → ")
            ))
            .help("a theme can extend another only if that one does not lead back to it")
            .into());
        }
        if !dir.is_dir() {
            let mut found: Vec<String> = std::fs::read_dir(root.join("themes"))
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .filter(|e| e.path().is_dir())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            return Err(at_key(format!(
                "theme `{name}` not found: there is no folder themes/{name}"
            ))
            .help(if found.is_empty() {
                "add the theme folder under themes/".to_string()
            } else {
                format!("themes found: {}", found.join(", "))
            })
            .into());
        }
        let meta_path = shown_dir.join("theme.toml");
        let meta_text = read_text(&dir.join("theme.toml"), &meta_path)?;
        let meta: ThemeMeta =
            toml::from_str(&meta_text).map_err(|e| toml_diagnostic(&meta_path, &meta_text, &e, 1))?;
        let parent = meta.extends.clone();
        if card.is_none() {
            card = meta.card.clone().map(|c| (c, dir.clone(), shown_dir.clone()));
        }
        chain.push((dir.clone(), shown_dir));
        configured.get_or_insert(meta);
        match parent {
            Some(parent) => {
                named_by = (meta_path, dir.join("theme.toml"), "extends");
                name = parent;
            }
            None => break,
        }
    }
    chain.reverse();
    // The loop runs at least once, so the configured theme's `theme.toml` was read.
    let meta = configured.ok_or_else(|| Diagnostic::new(CONFIG_FILE, "no theme is configured"))?;
    Ok((chain, meta, card))
}

/// The theme's folders (the one extended first, each with its name in diagnostics), the
/// configured theme's `theme.toml`, and the nearest `[card]` table with its theme's folders.
type Chain = (
    Vec<(PathBuf, PathBuf)>,
    ThemeMeta,
    Option<(CardToml, PathBuf, PathBuf)>,
);

/// A chain of templates that include or extend each other back to the first, if any: Tera
/// would recurse through it until the stack overflows.
fn include_cycle(tera: &Tera) -> Option<Vec<String>> {
    use tera::ast::Node;
    fn walk<'n>(nodes: &'n [Node], out: &mut Vec<&'n str>) {
        for node in nodes {
            match node {
                Node::Include(_, names, _) => out.extend(names.iter().map(String::as_str)),
                Node::Extends(_, name) => out.push(name),
                Node::Block(_, b, _) => walk(&b.body, out),
                Node::FilterSection(_, f, _) => walk(&f.body, out),
                Node::MacroDefinition(_, m, _) => walk(&m.body, out),
                Node::Forloop(_, f, _) => {
                    walk(&f.body, out);
                    walk(f.empty_body.as_deref().unwrap_or_default(), out);
                }
                Node::If(i, _) => {
                    for (_, _, body) in &i.conditions {
                        walk(body, out);
                    }
                    walk(i.otherwise.as_ref().map_or(&[][..], |(_, body)| body), out);
                }
                _ => {}
            }
        }
    }
    let mut names: Vec<&str> = tera.get_template_names().collect();
    names.sort_unstable();
    let edges: HashMap<&str, Vec<&str>> = names
        .iter()
        .filter_map(|&n| tera.get_template(n).ok().map(|t| (n, t)))
        .map(|(n, t)| {
            let mut out = Vec::new();
            walk(&t.ast, &mut out);
            for m in t.macros.values() {
                walk(&m.body, &mut out);
            }
            (n, out)
        })
        .collect();
    // Depth-first from each template in name order, the path so far on a stack.
    fn visit<'a>(
        n: &'a str,
        edges: &HashMap<&str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| *p == n) {
            let mut cycle: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if !done.insert(n) {
            return None;
        }
        path.push(n);
        let found = edges
            .get(n)
            .into_iter()
            .flatten()
            .find_map(|&next| visit(next, edges, path, done));
        path.pop();
        found
    }
    let mut done = BTreeSet::new();
    names
        .iter()
        .find_map(|n| visit(n, &edges, &mut Vec::new(), &mut done))
}

/// Every regular file under `dir` (none if it does not exist): `/`-separated relative name → path.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Diagnostic::new(path, format!("cannot read: {e}"))
            })?;
            Ok(entry)
        });
    Ok(collect_all(entries)?
        .into_iter()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some((name, e.path().to_path_buf()))
        })
        .collect())
}

/// The files of one `static/` folder (`dir`, named `shown` in errors) by their path in the
/// output, which is in NFC as every name the site writes (see [`crate::content`]): a file
/// named decomposed on disk is written, and found by `asset()` and image checks, under its
/// composed name. Two files of one folder whose names differ only in normalization would be
/// the same file: an error naming both. Across folders that is intended, and compared in NFC
/// too: the caller lets a later layer's file replace an earlier one's of the same name, in
/// either form, as a site or theme overrides the theme it builds on.
fn static_layer(dir: &Path, shown: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut files: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    let mut clashes = Vec::new();
    for (name, file) in files_under(dir)? {
        match files.entry(nfc(&name).into_owned()) {
            Entry::Vacant(slot) => {
                slot.insert((name, file));
            }
            Entry::Occupied(slot) => clashes.push(
                Diagnostic::new(
                    shown.join(&name),
                    format!(
                        "this file and `{}` would both be the static file `{}`: their names \
                         differ only in Unicode normalization (the same letters, encoded differently)",
                        shown.join(&slot.get().0).display(),
                        slot.key()
                    ),
                )
                .help("if one file is a copy, remove it, else rename one of them"),
            ),
        }
    }
    if !clashes.is_empty() {
        return Err(clashes.into());
    }
    Ok(files.into_iter().map(|(path, (_, file))| (path, file)).collect())
}

/// `i18n/<lang>.toml` for every language, from every theme of the chain (`themes`: folder
/// and shown name, the one extended first), a later theme's keys over an earlier's; each key
/// must exist in every language. Problems are named in the configured theme's own folder
/// (`own`): that is where its author adds a file or a key.
fn load_strings(
    themes: &[(PathBuf, PathBuf)],
    own: &Path,
    config: &Config,
) -> Result<HashMap<String, BTreeMap<String, String>>> {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for lang in &config.languages {
        let name = format!("{}.toml", lang.code);
        let mut strings: BTreeMap<String, String> = BTreeMap::new();
        let mut found = false;
        for (dir, shown_dir) in themes {
            let file = dir.join("i18n").join(&name);
            if !file.is_file() {
                continue;
            }
            let shown = shown_dir.join("i18n").join(&name);
            let text = read_text(&file, &shown)?;
            let layer: BTreeMap<String, String> =
                toml::from_str(&text).map_err(|e| toml_diagnostic(&shown, &text, &e, 1))?;
            strings.extend(layer);
            found = true;
        }
        let shown = own.join("i18n").join(&name);
        if !found {
            errors.push(
                Diagnostic::new(
                    &shown,
                    format!("the theme has no UI strings for `{}` ({})", lang.code, lang.name),
                )
                .help(format!(
                    "copy another language's file to {} and translate it",
                    shown.display()
                )),
            );
            continue;
        }
        all.push((lang.code.clone(), shown, strings));
    }
    let keys: BTreeSet<&String> = all.iter().flat_map(|(_, _, s)| s.keys()).collect();
    for (code, shown, strings) in &all {
        for key in keys.iter().filter(|k| !strings.contains_key(**k)) {
            let has = all
                .iter()
                .find(|(_, _, s)| s.contains_key(*key))
                .map(|(c, _, _)| c.as_str())
                .unwrap_or("");
            errors.push(
                Diagnostic::new(
                    shown,
                    format!("missing translation of `{key}` into `{code}` (the `{has}` file has it)"),
                )
                .help(format!("add `{key} = \"…\"` to {}", shown.display())),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(all.into_iter().map(|(c, _, s)| (c, s)).collect())
}

/// `t(key="…", lang="…"?, default="…"?)`: a UI string in the page's language (or `lang`);
/// `default` stands in for keys a theme may leave out, such as a site's own taxonomy names.
struct Translate {
    strings: Arc<HashMap<String, BTreeMap<String, String>>>,
    lang: String,
}

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let key = args
            .get("key")
            .and_then(|k| k.as_str())
            .ok_or_else(|| tera::Error::msg("t() needs a string `key`, e.g. t(key=\"read_more\")"))?;
        let lang = args.get("lang").and_then(|l| l.as_str()).unwrap_or(&self.lang);
        let strings = self
            .strings
            .get(lang)
            .ok_or_else(|| tera::Error::msg(format!("t(): `{lang}` is not a language of this site")))?;
        strings
            .get(key)
            .map(|s| tera::Value::String(s.clone()))
            .or_else(|| args.get("default").cloned())
            .ok_or_else(|| {
                tera::Error::msg(format!(
                    "t(): no UI string `{key}` in the theme's i18n/{lang}.toml"
                ))
            })
    }

    fn is_safe(&self) -> bool {
        false
    }
}

/// Tera filter `bidi`: `{{ page.title | bidi }}` escapes a plain-text value and wraps each
/// run written in the other direction than the page's in `<bdi>` (see
/// [`crate::content::bidi`]). For text shown in an element: never in `<title>` or an attribute.
struct Isolate(Direction);

impl tera::Filter for Isolate {
    fn filter(&self, value: &tera::Value, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        if let Some(unknown) = args.keys().next() {
            return Err(tera::Error::msg(format!(
                "bidi filter: unknown argument `{unknown}`; it takes none"
            )));
        }
        let text = match value {
            tera::Value::String(s) => s.clone(),
            tera::Value::Null => String::new(),
            other => other.to_string(),
        };
        let mut out = String::with_capacity(text.len() + 16);
        push_isolated(&mut out, &text, self.0);
        Ok(tera::Value::String(out))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `asset(path="style.css")`: the site-relative URL of a static file, checked to exist; a
/// stylesheet's or script's fingerprinted name (see [`super::assets`]).
struct Asset {
    base_path: String,
    /// Static file → the name it is linked by.
    files: Arc<BTreeMap<String, String>>,
}

impl tera::Function for Asset {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let path = path_arg(args, "asset")?;
        let Some(published) = self.files.get(path.as_ref()) else {
            return Err(tera::Error::msg(format!(
                "asset(): there is no static file `{path}` in the theme's or the site's static/ folder"
            )));
        };
        Ok(tera::Value::String(format!(
            "{}{}",
            self.base_path,
            super::encode_path(published)
        )))
    }
}

/// The `path` argument of `asset()` and `has_asset()`: a static file's path, with or without
/// a leading `/`, in NFC as static files are named.
fn path_arg<'a>(args: &'a HashMap<String, tera::Value>, function: &str) -> tera::Result<Cow<'a, str>> {
    let path = args.get("path").and_then(|p| p.as_str()).ok_or_else(|| {
        tera::Error::msg(format!(
            "{function}() needs a string `path`, e.g. {function}(path=\"style.css\")"
        ))
    })?;
    Ok(nfc(path.trim_start_matches('/')))
}

/// `has_asset(path="site.css")`: whether a static file exists, for what a theme links only
/// when a site provides it (its own stylesheet, a logo).
struct HasAsset(Arc<BTreeMap<String, String>>);

impl tera::Function for HasAsset {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        Ok(tera::Value::Bool(
            self.0.contains_key(path_arg(args, "has_asset")?.as_ref()),
        ))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// A Tera error as a diagnostic on the template file, with line and column when Tera gives them.
pub fn tera_diagnostic(err: &tera::Error, sources: &HashMap<String, PathBuf>) -> Diagnostic {
    let mut chain = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let template = chain
        .iter()
        .find_map(|m| m.split('\'').nth(1).filter(|n| sources.contains_key(*n)))
        .map(str::to_string);
    let place = chain.iter().find_map(|m| {
        let rest = m.split("--> ").nth(1)?;
        let mut nums = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        Some((nums.next()?.parse().ok()?, nums.next()?.parse().ok()?))
    });
    let path = template
        .as_ref()
        .and_then(|t| sources.get(t).cloned())
        .unwrap_or_else(|| PathBuf::from("templates"));
    let message = chain
        .iter()
        .map(|m| m.trim())
        .collect::<Vec<_>>()
        .join(": ")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n    ");
    let d = Diagnostic::new(path, message)
        .help("fix the template; Tera's syntax is at https://keats.github.io/tera/docs/");
    match place {
        Some((line, col)) => d.at(line, col),
        None => d,
    }
}
