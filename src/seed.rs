//! A raw seed (plain text or Markdown, front matter optional) → an article document. `build`
//! loads that document in memory and `import` writes it to `content/`: one derivation, so a
//! seed reads the same on the site before and after it is imported.

use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;
use unicode_normalization::char::is_combining_mark;
use unicode_script::{Script, UnicodeScript};

use crate::config::Config;
use crate::content::front_matter;
use crate::content::{looks_like_language, nfc_owned, slugify, Date};
use crate::error::{decode_utf8, Diagnostic, Result};

/// The longest a derived headline may be, in characters.
const TITLE_MAX: usize = 90;
/// The longest a first line may be and still be taken as the headline.
const HEADLINE_MAX: usize = 120;

/// File endings a seed may have.
pub const EXTENSIONS: [&str; 3] = ["txt", "md", "markdown"];

/// A seed turned into an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// The file name without language and ending: the article's name and slug source.
    pub name: String,
    /// Language code, from the file name or the script of the text.
    pub lang: String,
    /// The article as a Markdown document with TOML front matter.
    pub document: String,
    /// Whether the seed brought front matter of its own.
    pub had_front_matter: bool,
    /// What an editor should review (a derived headline, an unreproducible date).
    pub warnings: Vec<Diagnostic>,
}

/// What a seed is derived from.
pub struct SeedFile<'a> {
    /// How diagnostics name it, and what the article records as `seed` (e.g. `seeds/x.ar.txt`).
    pub shown: &'a Path,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// Its modification time, the date of last resort.
    pub modified: Option<SystemTime>,
    /// A date given on the command line (`import --date`).
    pub date: Option<&'a str>,
}

/// Derives the article a seed stands for.
pub fn derive(config: &Config, seed: &SeedFile) -> Result<Derived> {
    let shown = seed.shown;
    if seed.bytes.contains(&0) {
        return Err(
            Diagnostic::new(shown, "this looks like a binary file, not a seed article")
                .help("seeds are UTF-8 text (.txt) or Markdown (.md); move other files out of seeds/")
                .into(),
        );
    }
    let text = decode_utf8(seed.bytes, shown)?.replace("\r\n", "\n");
    // In NFC, as names enter the model: the article's name, its slug and the content file
    // `import` writes are then the same whatever form the seed's name has on disk.
    let file_name = shown
        .file_name()
        .map(|n| nfc_owned(n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let (stem, ext) = file_name.rsplit_once('.').unwrap_or((&file_name, ""));
    let markdown = ext != "txt";

    let split = front_matter::split(shown, &text)?;
    let mut front: serde_json::Map<String, Value> = match split.front {
        Some((format, fm)) => front_matter::parse(shown, format, fm, split.front_line)?.into_result()?,
        None => serde_json::Map::new(),
    };
    let had_front_matter = split.front.is_some();
    let body = split.body.trim();
    if body.is_empty() {
        return Err(Diagnostic::new(shown, "the seed has no text")
            .help("write the story into the file, or remove the empty file")
            .into());
    }

    let (name, lang) = name_and_language(config, shown, stem, body)?;
    let slug = slugify(&name);
    if slug.is_empty() {
        return Err(Diagnostic::new(shown, "the file name gives no usable URL")
            .help("rename the seed with letters or digits, e.g. mali-equipment.ar.txt")
            .into());
    }

    let mut warnings = Vec::new();
    let (headline, paragraphs) = headline_and_paragraphs(body, markdown);
    // The first paragraph with words: the headline when there is none. No summary is
    // written: the article's own is its first paragraph, for lists, feeds and `<meta>`, and
    // one written here would be shown again above the body it repeats.
    let lead = paragraphs
        .iter()
        .map(|p| plain(p))
        .find(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            Diagnostic::new(shown, "no headline can be taken from the seed: it has no words")
                .help("put a headline on the first line, then a blank line, then the story")
        })?;
    let title = match headline {
        Some(h) => h,
        None => {
            let t = cut_at_word(first_sentence(&lead), TITLE_MAX);
            warnings.push(
                Diagnostic::new(
                    shown,
                    format!("no headline: derived \"{t}\" from the first sentence"),
                )
                .warning()
                .help("review it; put a short headline on the first line, then a blank line"),
            );
            t
        }
    };
    let date = match (front.contains_key("date"), seed.date, date_prefix(stem)) {
        (true, _, _) => None,
        (false, Some(d), _) | (false, None, Some(d)) => Some(d.to_string()),
        (false, None, None) => {
            warnings.push(
                Diagnostic::new(shown, "no date: using the file's modification time")
                    .warning()
                    .help(
                        "give the seed a date (front matter `date`, or a name like 2024-11-20-story.ar.txt)",
                    ),
            );
            seed.modified.map(|m| {
                chrono::DateTime::<chrono::Utc>::from(m)
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            })
        }
    };

    let mut fm = toml::Table::new();
    fm.insert("title".into(), toml::Value::String(title));
    if let Some(d) = date {
        fm.insert("date".into(), date_value(shown, &d)?);
    }
    if slug != name {
        fm.insert("slug".into(), toml::Value::String(slug));
    }
    for (taxonomy, terms) in suggest_terms(config, &paragraphs.join("\n")) {
        if !front.contains_key(&taxonomy) {
            fm.insert(
                taxonomy,
                toml::Value::Array(terms.into_iter().map(toml::Value::String).collect()),
            );
        }
    }
    fm.insert("seed".into(), toml::Value::String(seed_reference(shown)));
    for (key, value) in std::mem::take(&mut front) {
        if let Some(v) = json_to_toml(&key, value) {
            fm.insert(key, v);
        }
    }

    let body = if markdown {
        escape_raw_html(&paragraphs.join("\n\n"))
    } else {
        paragraphs
            .iter()
            .map(|p| escape_markdown(p))
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let fm = toml::to_string(&fm).map_err(|e| {
        Diagnostic::new(shown, format!("cannot write the front matter: {e}"))
            .help("check the seed's front matter")
    })?;
    let document = format!("+++\n{fm}+++\n\n{body}\n");
    Ok(Derived {
        name,
        lang,
        document,
        had_front_matter,
        warnings,
    })
}

/// Reads the seed at `path` (under `root`) and derives its article; `date` is `import --date`.
pub fn read(config: &Config, root: &Path, path: &Path, date: Option<&str>) -> Result<Derived> {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let bytes = std::fs::read(path).map_err(|e| crate::error::Error::io(shown, "read the seed", &e))?;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    derive(
        config,
        &SeedFile {
            shown,
            bytes: &bytes,
            modified,
            date,
        },
    )
}

impl Derived {
    /// The content file the article is, or would be once imported: `<name>.<lang>.md`.
    pub fn file_name(&self) -> String {
        format!("{}.{}.md", self.name, self.lang)
    }
}

/// A `seed` value as recorded, in the form [`seed_reference`] gives (`./seeds/x` = `seeds/x`,
/// in NFC).
pub fn normalize_reference(recorded: &str) -> String {
    nfc_owned(recorded.trim_start_matches("./").to_string())
}

/// What an imported article records as its `seed`: the path under the site root, in NFC like
/// every name nashra compares, so a seed named in another form on disk is still found.
pub fn seed_reference(shown: &Path) -> String {
    let path = shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    nfc_owned(path)
}

/// The name and language: `name.ar.txt` says it; otherwise the script of the text tells.
fn name_and_language(config: &Config, shown: &Path, stem: &str, body: &str) -> Result<(String, String)> {
    if let Some((name, code)) = stem.rsplit_once('.').filter(|(_, c)| looks_like_language(c)) {
        if config.language(code).is_none() {
            return Err(Diagnostic::new(
                shown,
                format!("the file name says language `{code}`, which nashra.toml does not declare"),
            )
            .help(format!(
                "rename the seed, or add [languages.{code}] to nashra.toml"
            ))
            .into());
        }
        return Ok((name.to_string(), code.to_string()));
    }
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in body.chars().filter(|c| c.is_alphabetic()) {
        match c.script() {
            Script::Arabic => arabic += 1,
            Script::Latin => latin += 1,
            _ => {}
        }
    }
    let code = match arabic.cmp(&latin) {
        std::cmp::Ordering::Greater => "ar",
        std::cmp::Ordering::Less => "en",
        std::cmp::Ordering::Equal => {
            return Err(
                Diagnostic::new(shown, "cannot tell the seed's language from its text")
                    .help("name the file with its language, e.g. story.ar.txt or story.en.txt")
                    .into(),
            )
        }
    };
    if config.language(code).is_none() {
        return Err(Diagnostic::new(
            shown,
            format!("the text reads as `{code}`, which nashra.toml does not declare"),
        )
        .help("name the file with one of the site's languages, e.g. story.ar.txt")
        .into());
    }
    Ok((stem.to_string(), code.to_string()))
}

/// A short first line followed by a blank line is the headline; the rest are paragraphs. In
/// plain text every line is a paragraph (wire copy puts one per line); in Markdown, blank
/// lines separate them and a leading `# ` heading is the headline.
fn headline_and_paragraphs(body: &str, markdown: bool) -> (Option<String>, Vec<String>) {
    let mut headline = None;
    let mut rest = body;
    if let Some((first, after)) = body.split_once('\n') {
        let first = first.trim();
        let heading = markdown.then(|| first.strip_prefix("# ")).flatten();
        let short = first.chars().count() <= HEADLINE_MAX && after.starts_with('\n');
        let found = match heading {
            Some(h) => Some(h.trim().to_string()),
            None if short && !first.is_empty() => {
                Some(if markdown { plain(first) } else { first.to_string() })
            }
            None => None,
        };
        // A first line with no visible text (a lone `*`, `# `) is no headline.
        if let Some(h) = found.filter(|h| !h.trim().is_empty()) {
            headline = Some(h);
            rest = after;
        }
    }
    let paragraphs: Vec<String> = if markdown {
        rest.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        rest.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    if paragraphs.is_empty() {
        // A seed of one line: that line is both the headline and the story.
        let only = headline.clone().unwrap_or_else(|| body.to_string());
        return (None, vec![only]);
    }
    (headline, paragraphs)
}

/// Markdown source → its visible text (for headlines and summaries taken from Markdown).
fn plain(markdown: &str) -> String {
    crate::content::markdown::visible_text(markdown)
}

/// Up to and including the first sentence end (`.`, `!`, `?`, `؟`, `۔`) followed by a space.
fn first_sentence(text: &str) -> &str {
    let mut prev_end = None;
    for (i, c) in text.char_indices() {
        if let Some(end) = prev_end {
            if c.is_whitespace() {
                return &text[..end];
            }
            prev_end = None;
        }
        if matches!(c, '.' | '!' | '?' | '؟' | '۔') {
            prev_end = Some(i + c.len_utf8());
        }
    }
    text
}

/// Cuts `text` at a word boundary so that it has at most `max` characters, marking a cut
/// with `…`.
fn cut_at_word(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        let len = out.chars().count() + usize::from(!out.is_empty()) + word.chars().count();
        if len + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = text.chars().take(max - 1).collect();
    }
    let out = out.trim_end_matches(|c: char| c.is_ascii_punctuation() || "،؛".contains(c));
    format!("{out}…")
}

/// `2024-11-20` from a name like `2024-11-20-story.ar`.
fn date_prefix(stem: &str) -> Option<&str> {
    let prefix = stem.get(..10)?;
    Date::parse(prefix).map(|_| prefix)
}

fn date_value(shown: &Path, date: &str) -> Result<toml::Value> {
    match (Date::parse(date), date.parse::<toml::value::Datetime>()) {
        (Some(_), Ok(d)) => Ok(toml::Value::Datetime(d)),
        _ => Err(Diagnostic::new(shown, format!("{date:?} is not a date"))
            .help("write a date as 2024-11-20 or 2024-11-20T08:30:00+03:00")
            .into()),
    }
}

/// A front matter value as TOML; dates stay dates, YAML's nulls are dropped.
fn json_to_toml(key: &str, v: Value) -> Option<toml::Value> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) if matches!(key, "date" | "updated") => s
            .parse()
            .map(toml::Value::Datetime)
            .unwrap_or(toml::Value::String(s)),
        Value::String(s) => toml::Value::String(s),
        Value::Array(a) => toml::Value::Array(a.into_iter().filter_map(|v| json_to_toml("", v)).collect()),
        Value::Object(o) => toml::Value::Table(
            o.into_iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(&k, v)?)))
                .collect(),
        ),
    })
}

/// Terms of `nashra.toml`'s dictionary whose names (in any language) occur in the text, as
/// whole words; an Arabic word may carry a one-letter prefix (و ف ب ل ك: and, so, with, for,
/// like), as in وروسيا "and Russia".
pub fn suggest_terms(config: &Config, text: &str) -> Vec<(String, Vec<String>)> {
    let words: Vec<String> = words(text);
    let mut out = Vec::new();
    for (taxonomy, terms) in &config.terms {
        let found: Vec<String> = terms
            .iter()
            .filter(|(_, names)| {
                names.values().flatten().any(|name| {
                    let name = self::words(name);
                    !name.is_empty() && words.windows(name.len()).any(|w| matches_name(w, &name))
                })
            })
            .map(|(term, _)| term.clone())
            .collect();
        if !found.is_empty() {
            out.push((taxonomy.clone(), found));
        }
    }
    out
}

fn matches_name(window: &[String], name: &[String]) -> bool {
    window.iter().zip(name).enumerate().all(|(i, (w, n))| {
        w == n
            || (i == 0
                && w.strip_suffix(n.as_str())
                    .is_some_and(|prefix| ["و", "ف", "ب", "ل", "ك"].contains(&prefix)))
    })
}

/// Words for matching: lowercase, without tashkeel or tatweel, alef forms folded.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c) || c == '\u{0640}'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|c| !is_combining_mark(*c) && *c != '\u{0640}')
                .map(|c| match c {
                    'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
                    _ => c,
                })
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect()
}

/// Turns the raw HTML of a Markdown seed into visible text: seeds come from outside, and
/// their Markdown may format but not inject markup or script.
fn escape_raw_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::with_capacity(markdown.len());
    let mut copied = 0;
    for (event, range) in Parser::new_ext(markdown, pulldown_cmark::Options::all()).into_offset_iter() {
        if matches!(event, Event::Html(_) | Event::InlineHtml(_)) && range.start >= copied {
            out.push_str(&markdown[copied..range.start]);
            out.push_str(&markdown[range.clone()].replace('<', "\\<"));
            copied = range.end;
        }
    }
    out.push_str(&markdown[copied..]);
    out
}

/// Escapes what Markdown or HTML would read as markup in one line of plain text, so a seed
/// shows exactly its characters and can inject nothing.
pub fn escape_markdown(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let trimmed = line.trim_start();
    // Line starts that open a block: headings, lists, quotes, rules, setext underlines.
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let list_number = digits > 0 && matches!(trimmed[digits..].chars().next(), Some('.' | ')'));
    // Leading white space is dropped: four spaces would open a code block.
    for (i, c) in trimmed.char_indices() {
        let at_start = i == 0;
        let escape = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!'
        ) || (at_start && matches!(c, '#' | '+' | '-' | '='))
            || (list_number && i == digits);
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/nashra.toml")).unwrap();
        Config::parse(&text, Path::new("nashra.toml")).unwrap()
    }

    fn derive_text(name: &str, text: &str) -> Result<Derived> {
        derive(
            &config(),
            &SeedFile {
                shown: &Path::new("seeds").join(name),
                bytes: text.as_bytes(),
                modified: None,
                date: Some("2024-11-20"),
            },
        )
    }

    #[test]
    fn the_sample_seed_gets_headline_and_regions_and_no_summary() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/seeds/mali-russia-equipment.ar.txt"
        ))
        .unwrap();
        let d = derive_text("mali-russia-equipment.ar.txt", &seed).unwrap();
        assert_eq!(d.lang, "ar");
        assert_eq!(d.name, "mali-russia-equipment");
        let fm: toml::Table = toml::from_str(d.document.split("+++").nth(1).unwrap()).unwrap();
        let title = fm["title"].as_str().unwrap();
        assert!(title.starts_with("يبدو أن منطقة الساحل الأفريقي"), "{title}");
        assert!(
            title.chars().count() <= TITLE_MAX && title.ends_with('…'),
            "{title}"
        );
        let regions: Vec<&str> = fm["regions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for r in ["mali", "russia", "burkina-faso", "niger"] {
            assert!(regions.contains(&r), "{r} not in {regions:?}");
        }
        assert_eq!(fm["date"].to_string(), "2024-11-20");
        assert_eq!(fm["seed"].as_str(), Some("seeds/mali-russia-equipment.ar.txt"));
        assert!(
            !fm.contains_key("summary"),
            "the lead is the body's, not a summary"
        );
        assert_eq!(d.warnings.len(), 1, "the derived headline is flagged for review");
        assert!(
            d.document.contains("\n\nويمثل هذا التعاون"),
            "plain-text lines become paragraphs"
        );
    }

    #[test]
    fn headline_line_language_detection_and_front_matter_win() {
        let d = derive_text("story.txt", "Short headline\n\nBody in English about Niger.\n").unwrap();
        assert_eq!(d.lang, "en");
        assert!(d.document.contains("title = \"Short headline\""));
        assert!(d.document.contains("regions = [\"niger\"]"));
        assert!(d.warnings.is_empty());
        let d = derive_text(
            "x.md",
            "+++\ntitle = \"Mine\"\nregions = [\"chad\"]\n+++\nنص عن مالي.\n",
        )
        .unwrap();
        assert!(d.document.contains("title = \"Mine\""));
        assert!(d.document.contains("regions = [\"chad\"]"));
        assert!(d.had_front_matter);
    }

    /// The derived article's body as the site renders it.
    fn body_html(d: &Derived) -> String {
        crate::content::markdown::render(
            d.document.split("+++").nth(2).unwrap(),
            crate::content::markdown::Style::plain(crate::config::Direction::Ltr),
            crate::config::Slugify::Unicode,
        )
        .unwrap()
        .html
    }

    #[test]
    fn hostile_text_is_escaped() {
        let d = derive_text(
            "x.en.txt",
            "<script>alert(1)</script> and [x](javascript:alert(1))\n# not a heading\n",
        )
        .unwrap();
        let html = body_html(&d);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href"), "{html}");
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    }

    #[test]
    fn markdown_seeds_keep_formatting_but_not_markup() {
        let d = derive_text(
            "x.en.md",
            "Title\n\nSome **bold** <script>alert(1)</script> text.\n\n<div onclick=\"x()\">block</div>\n\n[l](javascript:alert(1))\n",
        )
        .unwrap();
        let html = body_html(&d);
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn bad_seeds_are_errors() {
        assert!(derive_text("x.txt", "   \n")
            .unwrap_err()
            .to_string()
            .contains("no text"));
        assert!(derive_text("x.txt", "12345 !!!")
            .unwrap_err()
            .to_string()
            .contains("cannot tell"));
        assert!(derive_text("x.fr.txt", "Bonjour")
            .unwrap_err()
            .to_string()
            .contains("`fr`"));
        assert!(derive_text("---.txt", "Some text")
            .unwrap_err()
            .to_string()
            .contains("no usable URL"));
        // Found by `cargo fuzz run seed`: a lone `*` line gave the headline "", and the
        // derived article then failed to load for want of a title.
        let d = derive_text("x.en.md", "*\n\nDone deal.").unwrap();
        assert!(d.document.contains("title = \"Done deal.\""), "{}", d.document);
        assert!(derive_text("x.en.md", "*\n\n*")
            .unwrap_err()
            .to_string()
            .contains("no headline can be taken"));
    }

    #[test]
    fn cuts_at_words() {
        assert_eq!(cut_at_word("one two three", 9), "one two…");
        assert_eq!(cut_at_word("short", 9), "short");
        assert_eq!(first_sentence("First one. Second."), "First one.");
        assert_eq!(first_sentence("v1.2 is out! Yes"), "v1.2 is out!");
    }
}
