//! Splits `+++` TOML or `---` YAML front matter from the body and parses it into plain data.
//! Both formats end up as one JSON value so the rest of the pipeline has one shape to check,
//! and every error carries the file's own line and column. Reading goes on past a wrong key,
//! so a file's every problem is reported in one run.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Map;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use crate::config::{find_key, toml_diagnostic, unknown_key};
use crate::error::{Diagnostic, Result};

/// Which syntax the front matter is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

/// A file split into its front matter and body; the slices borrow the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// `None` when the file has no front matter.
    pub front: Option<(Format, &'a str)>,
    /// 1-based line of the file where the front matter text starts.
    pub front_line: usize,
    /// The Markdown body.
    pub body: &'a str,
}

/// Splits `text` (BOM already removed) into front matter and body.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>> {
    let first_len = text.find('\n').map_or(text.len(), |i| i + 1);
    let fence = text[..first_len].trim_end();
    let format = match fence {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => {
            return Ok(Split {
                front: None,
                front_line: 1,
                body: text,
            })
        }
    };
    let mut offset = first_len;
    for line in text[first_len..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Ok(Split {
                front: Some((format, &text[first_len..offset])),
                front_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::new(
        path,
        format!("the front matter opened with `{fence}` is never closed"),
    )
    .at(1, 1)
    .help(format!(
        "add a line with only `{fence}` after the last front matter key"
    ))
    .into())
}

/// Front matter read as far as it goes: the keys that are right, and a diagnostic for each
/// that is not, so one run names every problem of the file.
pub struct Front<'a, T> {
    /// What the right keys say; a wrong key is left out, its field at its default.
    pub fields: T,
    /// Where the keys are written, to place the diagnostics of later checks.
    pub keys: Keys<'a>,
    /// One diagnostic per wrong key.
    pub problems: Vec<Diagnostic>,
}

impl<T> Front<'_, T> {
    /// The fields when every key was right, else every problem.
    pub fn into_result(self) -> Result<T> {
        if self.problems.is_empty() {
            Ok(self.fields)
        } else {
            Err(self.problems.into())
        }
    }
}

/// Where the top-level keys of one front matter are written, and which were reported wrong.
pub struct Keys<'a> {
    path: &'a Path,
    format: Format,
    text: &'a str,
    first_line: usize,
    places: Vec<Place>,
    /// Keys already reported, so a check for a missing key stays quiet about them.
    bad: Vec<String>,
}

/// Where one top-level key is written, in bytes of the front matter text.
struct Place {
    key: String,
    /// Where its name starts.
    name: usize,
    /// Its value as written (the first line of a longer one; empty for a YAML block below).
    value: Range<usize>,
    /// Where each item of a list value starts, when the syntax tells: to place a problem of
    /// one entry (a correction without a date) at that entry.
    items: Vec<usize>,
}

impl Keys<'_> {
    fn place_of(&self, key: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.key == key)
    }

    /// A diagnostic at `offset` of the front matter, or at its opening fence.
    fn at(&self, offset: Option<usize>, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(self.path, message);
        match offset {
            Some(offset) => d.at_offset(self.text, offset, self.first_line),
            None => d.at(self.first_line.saturating_sub(1).max(1), 1),
        }
    }

    /// A diagnostic at the name of `key`: the key itself is wrong.
    pub fn at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        self.at(self.place_of(key).map(|p| p.name), message)
    }

    /// A diagnostic at the value of `key`: the key is right, what it says is not.
    pub fn at_value(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        self.at(self.place_of(key).map(|p| p.value.start), message)
    }

    /// A diagnostic at item `index` (0-based) of the list that is `key`'s value, or at the
    /// value when the item's place is not known.
    pub fn at_item(&self, key: &str, index: usize, message: impl Into<String>) -> Diagnostic {
        let place = self.place_of(key);
        let item = place.and_then(|p| p.items.get(index).copied());
        self.at(item.or(place.map(|p| p.value.start)), message)
    }

    /// The line and column of item `index` of `key`'s list, for what the item refers to.
    pub fn item_place(&self, key: &str, index: usize) -> (usize, usize) {
        let d = self.at_item(key, index, "");
        (d.line.unwrap_or(1), d.column.unwrap_or(1))
    }

    /// The line and column of the name of `key`, for what its value refers to.
    pub fn place(&self, key: &str) -> (usize, usize) {
        let d = self.at_key(key, "");
        (d.line.unwrap_or(1), d.column.unwrap_or(1))
    }

    /// The line and column of the value of `key`, for what the value itself names.
    pub fn value_place(&self, key: &str) -> (usize, usize) {
        let d = self.at_value(key, "");
        (d.line.unwrap_or(1), d.column.unwrap_or(1))
    }

    /// Whether `key` is written but was reported wrong.
    pub fn is_bad(&self, key: &str) -> bool {
        self.bad.iter().any(|k| k == key)
    }

    /// The value of `key` as the file writes it (quotes and all), else `value` quoted.
    fn written(&self, key: &str, value: &str) -> String {
        self.place_of(key)
            .and_then(|p| self.text.get(p.value.clone()))
            .filter(|w| !w.is_empty())
            .map_or_else(|| format!("{value:?}"), str::to_string)
    }

    /// `key` set to an inline table of `pairs`, as this front matter's syntax writes it.
    pub fn table_example(&self, key: &str, pairs: &[(&str, &str)]) -> String {
        let sep = match self.format {
            Format::Toml => " = ",
            Format::Yaml => ": ",
        };
        let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}{sep}{v:?}")).collect();
        self.example(key, &format!("{{ {} }}", pairs.join(", ")))
    }

    /// `key` set to `value`, as this front matter's syntax writes it, for hints.
    pub fn example(&self, key: &str, value: &str) -> String {
        match self.format {
            Format::Toml => format!("{key} = {value}"),
            Format::Yaml => format!("{key}: {value}"),
        }
    }

    /// The date `value` of `key` does not parse: at the value, naming the part out of range
    /// when one is (a TOML date such as 2024-02-30 never reaches the date parser).
    pub fn not_a_date(&self, key: &str, value: &str) -> Diagnostic {
        const FORM: &str = "YYYY-MM-DD, e.g. 2024-11-20, or with a time 2024-11-20T08:30:00+03:00";
        let help = match out_of_range(value) {
            Some(why) => format!("{why}: dates are {FORM}"),
            None => format!("write a date as {FORM}"),
        };
        let written = self.written(key, value);
        self.at_value(key, format!("`{key}` = {written} is not a date"))
            .help(help)
    }

    /// The diagnostic for a value the TOML parser could not read, which spoils its key only.
    fn unreadable(&self, key: &str, value: &Spanned<DeValue>, err: &toml::de::Error) -> Diagnostic {
        let written = self.text.get(value.span()).unwrap_or_default();
        match value.get_ref() {
            DeValue::Datetime(_) => self.not_a_date(key, written),
            // A bare word: the parser asks for quotes, but yes/no words meant a boolean.
            DeValue::String(_) if !written.starts_with(['"', '\'']) => {
                let quoted = format!("put text in quotes: {key} = \"{written}\"");
                let yes_no = ["yes", "no", "on", "off", "true", "false"]
                    .contains(&written.to_ascii_lowercase().as_str());
                self.at_value(key, format!("`{key}` = {written}: text must be in quotes"))
                    .help(if yes_no {
                        format!("for yes or no, write true or false (without quotes); or {quoted}")
                    } else {
                        quoted
                    })
            }
            _ => toml_diagnostic(self.path, self.text, err, self.first_line),
        }
    }

    /// The front matter is written in the other syntax than its fences say.
    fn fences_mixed_up(&self, written: Format) -> Diagnostic {
        let (fence, fits, read, name, shape) = match written {
            Format::Toml => ("---", "+++", "YAML", "TOML", "key = value"),
            Format::Yaml => ("+++", "---", "TOML", "YAML", "key: value"),
        };
        self.at(
            None,
            format!(
                "the front matter between `{fence}` lines is read as {read}, but it is written in {name} (`{shape}`)"
            ),
        )
        .help(format!(
            "this is {name}: fence it with `{fits}` lines instead of `{fence}`"
        ))
    }
}

/// Reads front matter text into `T`, going on past wrong keys (see [`Front`]). It is an error
/// only when the text cannot be read as a table (a syntax error stops the parser), or `T`
/// cannot be made at all.
pub fn parse<'a, T: DeserializeOwned>(
    path: &'a Path,
    format: Format,
    text: &'a str,
    first_line: usize,
) -> Result<Front<'a, T>> {
    let mut keys = Keys {
        path,
        format,
        text,
        first_line,
        places: Vec::new(),
        bad: Vec::new(),
    };
    let mut problems = Vec::new();
    let object = match format {
        Format::Toml => read_toml(&mut keys, &mut problems)?,
        Format::Yaml => read_yaml(&mut keys)?,
    };
    // The file itself has none (it is checked as it is read), but a string can write one as
    // an escape (`"\u0001"`), which would make every feed that carries it unreadable.
    for (key, value) in &object {
        if let Some(c) = first_control(value) {
            problems.push(
                keys.at_value(
                    key,
                    format!(
                        "`{key}` has an invisible control character, U+{:04X}",
                        u32::from(c)
                    ),
                )
                .help("remove its escape from the text: no page or feed may carry it"),
            );
        }
    }
    // serde stops at the first wrong key: report it, leave it out, and read the rest again.
    let mut value = serde_json::Value::Object(object);
    let fields = loop {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(fields) => break fields,
            Err(err) => err,
        };
        let inner = err.inner().to_string();
        let key = match err.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
            _ => String::new(),
        };
        let (d, key) = if let Some((field, help)) = unknown_key(&inner) {
            let d = keys.at_key(&field, format!("unknown front matter key `{field}`"));
            (d.help(help), field)
        } else if inner.starts_with("missing field") {
            let field = inner.split('`').nth(1).unwrap_or_default();
            let d = keys.at(None, format!("front matter has no `{field}`"));
            (d.help(format!("add `{field}` to the front matter")), key)
        } else if inner.contains("expected a boolean") {
            let written = keys.written(&key, &value.get(&key).map(|v| v.to_string()).unwrap_or_default());
            let d = keys.at_value(&key, format!("`{key}` = {written} is not true or false"));
            let help = format!(
                "write true or false (without quotes): {}",
                keys.example(&key, "true")
            );
            (d.help(help), key)
        } else {
            let d = keys.at_value(&key, format!("front matter key `{key}`: {inner}"));
            let help = if inner.contains("expected a string") {
                format!("write text in quotes: {}", keys.example(&key, "\"…\""))
            } else if inner.contains("expected a sequence") {
                format!("write a list: {}", keys.example(&key, "[\"…\", \"…\"]"))
            } else {
                "give the key a value of the expected type".to_string()
            };
            (d.help(help), key)
        };
        problems.push(d);
        match value.as_object_mut().and_then(|o| o.remove(&key)) {
            Some(_) => keys.bad.push(key),
            None => return Err(problems.into()),
        }
    };
    Ok(Front {
        fields,
        keys,
        problems,
    })
}

/// The first control character in a string anywhere in `value`
/// ([`crate::error::invisible_control`]).
fn first_control(value: &serde_json::Value) -> Option<char> {
    use serde_json::Value;
    match value {
        Value::String(s) => crate::error::invisible_control(s).map(|(_, c)| c),
        Value::Array(items) => items.iter().find_map(first_control),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            crate::error::invisible_control(k)
                .map(|(_, c)| c)
                .or_else(|| first_control(v))
        }),
        _ => None,
    }
}

/// TOML front matter as one JSON object, dates as their RFC 3339 text (as YAML dates already
/// are). A value the parser cannot read (a date out of range, a bare word) is a problem of its
/// key only; any other syntax error stops here, reported once, where it can be fixed.
fn read_toml(keys: &mut Keys, problems: &mut Vec<Diagnostic>) -> Result<Map<String, serde_json::Value>> {
    let (table, errors) = DeTable::parse_recoverable(keys.text);
    let table = table.into_inner();
    keys.places = table
        .iter()
        .map(|(k, v)| Place {
            key: k.get_ref().to_string(),
            name: k.span().start,
            value: v.span(),
            items: match v.get_ref() {
                DeValue::Array(items) => items.iter().map(|i| i.span().start).collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    let spoiled = |e: &toml::de::Error| {
        table.iter().find(|(_, v)| {
            Some(v.span()) == e.span() && !matches!(v.get_ref(), DeValue::Array(_) | DeValue::Table(_))
        })
    };
    let syntax = errors
        .iter()
        .filter(|e| spoiled(e).is_none())
        .min_by_key(|e| e.span().map_or(usize::MAX, |s| s.start));
    if let Some(first) = syntax {
        return Err(syntax_error(keys, &table, &errors, first).into());
    }
    for (e, (key, value)) in errors.iter().filter_map(|e| Some((e, spoiled(e)?))) {
        problems.push(keys.unreadable(key.get_ref(), value, e));
        keys.bad.push(key.get_ref().to_string());
    }
    let mut object = Map::new();
    for (key, value) in table {
        let key = key.into_inner().into_owned();
        if keys.is_bad(&key) {
            continue;
        }
        match toml::Value::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => {
                object.insert(key, crate::data::json(v));
            }
            Err(e) => {
                problems.push(toml_diagnostic(keys.path, keys.text, &e, keys.first_line));
                keys.bad.push(key);
            }
        }
    }
    Ok(object)
}

/// The one diagnostic for TOML the parser could not follow, `first` its first error.
fn syntax_error(
    keys: &Keys,
    table: &DeTable,
    errors: &[toml::de::Error],
    first: &toml::de::Error,
) -> Diagnostic {
    if looks_like(keys.text) == Some(Format::Yaml) {
        return keys.fences_mixed_up(Format::Yaml);
    }
    // An array or inline table left open makes the parser read the keys after it as its
    // items: their errors follow from it, and the fix is where it opened.
    let open = errors
        .iter()
        .filter(|e| e.message().starts_with("unclosed"))
        .find_map(|e| left_open(keys.text, table, e.span()?.start));
    match open {
        Some((key, at, DeValue::Array(_))) => keys
            .at(
                Some(at),
                format!("the array of `{key}` opened here is never closed"),
            )
            .help(format!(
                "add `]` after its last item, e.g. {key} = [\"a\", \"b\"]"
            )),
        Some((key, at, _)) => keys
            .at(
                Some(at),
                format!("the inline table of `{key}` opened here is never closed"),
            )
            .help("add `}` after its last `key = value`"),
        None => toml_diagnostic(keys.path, keys.text, first, keys.first_line),
    }
}

/// The key whose array or inline table runs, unclosed, up to byte `end`: its name, where the
/// value opens, and the value. The outermost such key, looking into tables.
fn left_open<'t>(text: &str, table: &'t DeTable, end: usize) -> Option<(&'t str, usize, &'t DeValue<'t>)> {
    table.iter().find_map(|(key, value)| {
        let span = value.span();
        let inline = text.as_bytes().get(span.start) == Some(&b'{');
        match value.get_ref() {
            v @ DeValue::Array(_) if span.end == end => Some((key.get_ref().as_ref(), span.start, v)),
            v @ DeValue::Table(_) if inline && span.end == end => {
                Some((key.get_ref().as_ref(), span.start, v))
            }
            DeValue::Table(t) => left_open(text, t, end),
            _ => None,
        }
    })
}

/// YAML front matter as one JSON object.
fn read_yaml(keys: &mut Keys) -> Result<Map<String, serde_json::Value>> {
    let text = keys.text;
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let object = match serde_norway::from_str(text) {
        Ok(serde_json::Value::Object(object)) => object,
        // YAML reads `key = value` lines as one long string, or fails on them.
        _ if looks_like(text) == Some(Format::Toml) => return Err(keys.fences_mixed_up(Format::Toml).into()),
        Ok(_) => {
            return Err(keys
                .at(Some(0), "front matter is not a table of `key: value` pairs")
                .help("write one `key: value` per line (YAML), or fence TOML (`key = value`) with `+++`")
                .into())
        }
        Err(e) => {
            let d = Diagnostic::new(
                keys.path,
                format!("invalid YAML front matter: {}", yaml_message(&e)),
            )
            .help("fix the YAML syntax (`key: value`, one per line; quote values with `:` or `#`)");
            return Err(match e.location() {
                Some(loc) => d.at(loc.line() + keys.first_line - 1, loc.column()),
                None => d,
            }
            .into());
        }
    };
    keys.places = object
        .keys()
        .filter_map(|key| {
            let name = find_key(text, key)?;
            // The value follows `key:` on its line (up to a comment), unless it is a block below.
            let line = text[name..].split(['\n', '\r']).next().unwrap_or_default();
            let line = line.split(" #").next().unwrap_or_default().trim_end();
            let value = match line.find(':').map(|colon| line[colon + 1..].trim_start()) {
                Some(value) if !value.is_empty() => name + line.len() - value.len()..name + line.len(),
                _ => name..name,
            };
            Some(Place {
                key: key.clone(),
                name,
                items: yaml_items(text, name + line.len()),
                value,
            })
        })
        .collect();
    Ok(object)
}

/// Where each `- ` item of a YAML block list starts, the list's lines following byte `from`
/// (the end of its key's line); none for a list written inline or any other value.
fn yaml_items(text: &str, from: usize) -> Vec<usize> {
    let mut items = Vec::new();
    let mut indent = None;
    let mut lines = text[from..].split_inclusive('\n');
    let mut offset = from + lines.next().map_or(0, str::len);
    for line in lines {
        let start = offset;
        offset += line.len();
        let body = line.trim_start_matches(' ');
        let depth = line.len() - body.len();
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let item = body.starts_with("- ") || body.trim_end() == "-";
        if item && indent.is_none_or(|i| i == depth) {
            indent = Some(depth);
            items.push(start + depth);
        } else if indent.is_none_or(|i| depth < i) || (depth == 0 && !item) {
            // The next key: the list has ended.
            break;
        }
    }
    items
}

/// Which syntax the first line with a key is written in, when that is plain: `key = …` is
/// TOML, `key: …` YAML. For a hint only; the parsers decide what is valid.
fn looks_like(text: &str) -> Option<Format> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let key_before = |sep: char| {
        line.split_once(sep).is_some_and(|(key, _)| {
            let key = key.trim();
            !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || "_-.\"' ".contains(c))
        })
    };
    match (key_before('='), key_before(':')) {
        (true, false) => Some(Format::Toml),
        (false, true) => Some(Format::Yaml),
        _ => None,
    }
}

/// Which part of a `YYYY-MM-DD…` date is out of range, if one is.
fn out_of_range(value: &str) -> Option<String> {
    let date = value.trim().get(..10)?;
    let shape = date.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    if !shape {
        return None;
    }
    let (year, month, day) = (&date[..4], &date[5..7], &date[8..]);
    let m: u8 = month.parse().ok()?;
    let Ok(name) = chrono::Month::try_from(m) else {
        return Some(format!("month {month} is out of range (01 to 12)"));
    };
    let y: i32 = year.parse().ok()?;
    let days = (28..=31)
        .rev()
        .find(|&d| chrono::NaiveDate::from_ymd_opt(y, m.into(), d).is_some())?;
    let d: u32 = day.parse().ok()?;
    (d == 0 || d > days).then(|| {
        format!(
            "day {day} is out of range ({} {year} has {days} days)",
            name.name()
        )
    })
}

/// serde_norway's message without its trailing " at line X column Y" (we print our own place).
fn yaml_message(e: &serde_norway::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Fm {
        title: Option<String>,
        date: Option<String>,
        #[serde(default)]
        draft: bool,
        #[serde(default)]
        tags: Vec<String>,
    }

    fn p() -> &'static Path {
        Path::new("a.md")
    }

    /// Every problem of `text` as `line:col message | help`, in the order of the file.
    fn problems(format: Format, text: &str) -> Vec<String> {
        let diagnostics = match parse::<Fm>(p(), format, text, 2) {
            Ok(front) => match front.into_result() {
                Ok(_) => return Vec::new(),
                Err(e) => e.diagnostics,
            },
            Err(e) => e.diagnostics,
        };
        diagnostics
            .iter()
            .map(|d| {
                let (line, column) = (d.line.unwrap_or(0), d.column.unwrap_or(0));
                format!(
                    "{line}:{column} {} | {}",
                    d.message,
                    d.help.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    #[test]
    fn splits_toml_and_yaml_with_crlf() {
        let s = split(p(), "+++\r\ntitle = \"x\"\r\n+++\r\nbody").unwrap();
        assert_eq!(s.front, Some((Format::Toml, "title = \"x\"\r\n")));
        assert_eq!(s.body, "body");
        let s = split(p(), "---\ntitle: x\n---\n").unwrap();
        assert_eq!(s.front, Some((Format::Yaml, "title: x\n")));
        assert_eq!(split(p(), "no front").unwrap().front, None);
    }

    #[test]
    fn unclosed_fence_is_reported_at_line_one() {
        let e = split(p(), "+++\ntitle = \"x\"\nbody\n").unwrap_err();
        assert!(e.diagnostics[0].message.contains("never closed"));
        assert_eq!(e.diagnostics[0].line, Some(1));
    }

    #[test]
    fn errors_point_into_the_file() {
        let e = problems(Format::Toml, "title = \"x\"\ndate = = 3\n");
        assert!(e[0].starts_with("3:"), "{e:?}");
        let e = problems(Format::Toml, "title = \"x\"\ntitel = 3\n");
        assert_eq!(
            e,
            ["3:1 unknown front matter key `titel` | did you mean `title`?"]
        );
        let e = problems(Format::Yaml, "title: x\ndate: [1\n");
        assert!(e[0].contains("invalid YAML"), "{e:?}");
        let e = problems(Format::Yaml, "title: [1]\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("2:8 front matter key `title`"), "{e:?}");
    }

    #[test]
    fn every_wrong_key_is_reported_and_the_right_ones_kept() {
        let text = "title = \"x\"\ntitel = 1\ndraft = \"yes\"\ntag = [\"a\"]\ndate = 2024-13-01\n";
        assert_eq!(
            problems(Format::Toml, text),
            [
                "3:1 unknown front matter key `titel` | did you mean `title`?",
                "4:9 `draft` = \"yes\" is not true or false | write true or false (without quotes): draft = true",
                "5:1 unknown front matter key `tag` | did you mean `tags`?",
                "6:8 `date` = 2024-13-01 is not a date | month 13 is out of range (01 to 12): dates are YYYY-MM-DD, e.g. 2024-11-20, or with a time 2024-11-20T08:30:00+03:00",
            ]
        );
        let front = parse::<Fm>(p(), Format::Toml, text, 2).unwrap();
        assert_eq!(front.fields.title.as_deref(), Some("x"));
        assert!(front.keys.is_bad("draft") && front.keys.is_bad("date"));
        assert!(!front.keys.is_bad("title"));
        // YAML the same, with its own syntax in the hints.
        let e = problems(Format::Yaml, "titel: x\ndraft: no\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(
            e[1],
            "3:8 `draft` = no is not true or false | write true or false (without quotes): draft: true"
        );
    }

    #[test]
    fn a_control_character_written_as_an_escape_is_a_problem_of_its_key() {
        let text = "title = \"Mali\\u000Bnews\"\ntags = [\"ok\", \"b\\u007F\"]\n";
        assert_eq!(
            problems(Format::Toml, text),
            [
                "2:9 `title` has an invisible control character, U+000B | remove its escape from the text: no page or feed may carry it",
                "3:8 `tags` has an invisible control character, U+007F | remove its escape from the text: no page or feed may carry it",
            ]
        );
        let e = problems(Format::Yaml, "title: \"a\\x01b\"\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("2:8 `title` has an invisible control character, U+0001"),
            "{e:?}"
        );
        assert!(
            problems(Format::Toml, "title = \"a\\tb\"\n").is_empty(),
            "a tab is text"
        );
    }

    #[test]
    fn a_day_out_of_range_says_how_long_the_month_is() {
        let e = problems(Format::Toml, "date = 2023-02-29\n");
        assert!(
            e[0].starts_with("2:8 `date` = 2023-02-29 is not a date | day 29 is out of range (February 2023 has 28 days): dates are YYYY-MM-DD"),
            "{e:?}"
        );
        for (value, why) in [
            ("2024-02-29", None),
            (
                "2024-04-31T10:00:00",
                Some("day 31 is out of range (April 2024 has 30 days)"),
            ),
            ("2024-00-10", Some("month 00 is out of range (01 to 12)")),
            ("soon", None),
            ("٢٠٢٤-١٣-٠١", None),
        ] {
            assert_eq!(out_of_range(value).as_deref(), why, "{value}");
        }
    }

    #[test]
    fn an_array_left_open_is_reported_where_it_opens() {
        let e = problems(
            Format::Toml,
            "title = \"x\"\ntags = [\"a\", \"b\"\ndate = 2024-01-01\ndraft = true\n",
        );
        assert_eq!(
            e,
            ["3:8 the array of `tags` opened here is never closed | add `]` after its last item, e.g. tags = [\"a\", \"b\"]"]
        );
        let e = problems(Format::Toml, "[extra]\nlist = [1, [2\n");
        assert!(e[0].starts_with("3:8 the array of `list` opened here"), "{e:?}");
        let e = problems(Format::Toml, "image = { src = \"a.jpg\"\ntitle = \"x\"\n");
        assert!(
            e[0].starts_with("2:9 the inline table of `image` opened here"),
            "{e:?}"
        );
    }

    #[test]
    fn a_bare_word_asks_for_quotes_or_a_boolean() {
        assert_eq!(
            problems(Format::Toml, "title = x\ndraft = yes\n"),
            [
                "2:9 `title` = x: text must be in quotes | put text in quotes: title = \"x\"",
                "3:9 `draft` = yes: text must be in quotes | for yes or no, write true or false (without quotes); or put text in quotes: draft = \"yes\"",
            ]
        );
    }

    #[test]
    fn front_matter_in_the_other_syntax_says_which_fence_it_needs() {
        let e = problems(Format::Yaml, "# a comment\ntitle = \"x\"\ndate = 2024-01-01\n");
        assert_eq!(
            e,
            ["1:1 the front matter between `---` lines is read as YAML, but it is written in TOML (`key = value`) | this is TOML: fence it with `+++` lines instead of `---`"]
        );
        let e = problems(Format::Toml, "title: x\ndate: 2024-01-01\n");
        assert_eq!(
            e,
            ["1:1 the front matter between `+++` lines is read as TOML, but it is written in YAML (`key: value`) | this is YAML: fence it with `---` lines instead of `+++`"]
        );
        // Plain syntax errors are not taken for the other syntax.
        assert_eq!(looks_like("title = \"a: b\""), Some(Format::Toml));
        assert_eq!(looks_like("title: a = b"), Some(Format::Yaml));
        assert_eq!(looks_like("date = 2024-01-01T08:30:00"), Some(Format::Toml));
        assert!(problems(Format::Toml, "title = \"x\n")[0].contains("invalid basic string"));
    }

    #[test]
    fn toml_dates_become_text() {
        let f: Fm = parse(p(), Format::Toml, "title = \"x\"\ndate = 2024-11-20\n", 2)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(f.date.as_deref(), Some("2024-11-20"));
        assert_eq!(f.title.as_deref(), Some("x"));
        assert!(!f.draft && f.tags.is_empty());
    }
}
