//! Splits `+++` TOML or `---` YAML front matter from the body and parses it into plain data.
//! Both formats end up as one JSON value so the rest of the pipeline has one shape to check,
//! and every error carries the file's own line and column.

use std::path::Path;

use serde::de::DeserializeOwned;

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

/// Parses front matter text into `T`, placing every error at its line in the file.
pub fn parse<T: DeserializeOwned>(path: &Path, format: Format, text: &str, first_line: usize) -> Result<T> {
    let value = to_json(path, format, text, first_line)?;
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let key = err.path().to_string();
        let inner = err.into_inner().to_string();
        let (message, help, place) = match unknown_key(&inner) {
            Some((field, help)) => (format!("unknown front matter key `{field}`"), help, field),
            None if inner.starts_with("missing field") => {
                let field = inner.split('`').nth(1).unwrap_or_default().to_string();
                (
                    format!("front matter has no `{field}`"),
                    format!("add `{field}` to the front matter"),
                    String::new(),
                )
            }
            None => (
                format!("front matter key `{key}`: {inner}"),
                "give the key a value of the expected type".to_string(),
                key.clone(),
            ),
        };
        let d = Diagnostic::new(path, message).help(help);
        match find_key(text, &place).filter(|_| !place.is_empty()) {
            Some(offset) => d.at_offset(text, offset, first_line),
            None => d.at(first_line.saturating_sub(1).max(1), 1),
        }
        .into()
    })
}

/// Parses front matter of either syntax into one JSON object. TOML dates become their
/// RFC 3339 text, as YAML dates already are.
fn to_json(path: &Path, format: Format, text: &str, first_line: usize) -> Result<serde_json::Value> {
    let value = match format {
        Format::Toml => {
            let table: toml::Table =
                toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e, first_line))?;
            toml_to_json(toml::Value::Table(table))
        }
        Format::Yaml if text.trim().is_empty() => serde_json::Value::Object(Default::default()),
        Format::Yaml => serde_norway::from_str(text).map_err(|e| {
            let d = Diagnostic::new(path, format!("invalid YAML front matter: {}", yaml_message(&e)))
                .help("fix the YAML syntax (`key: value`, one per line; quote values with `:` or `#`)");
            match e.location() {
                Some(loc) => d.at(loc.line() + first_line - 1, loc.column()),
                None => d,
            }
        })?,
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(
            Diagnostic::new(path, "front matter is not a table of `key = value` pairs")
                .at(first_line, 1)
                .help("write one `key = value` (TOML) or `key: value` (YAML) per line")
                .into(),
        )
    }
}

/// serde_norway's message without its trailing " at line X column Y" (we print our own place).
fn yaml_message(e: &serde_norway::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Fm {
        title: String,
        #[serde(default)]
        date: Option<String>,
    }

    fn p() -> &'static Path {
        Path::new("a.md")
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
        let e = parse::<Fm>(p(), Format::Toml, "title = \"x\"\ndate = = 3\n", 2).unwrap_err();
        assert_eq!(e.diagnostics[0].line, Some(3));
        let e = parse::<Fm>(p(), Format::Toml, "title = \"x\"\ntitel = 3\n", 2).unwrap_err();
        assert_eq!(e.diagnostics[0].message, "unknown front matter key `titel`");
        assert_eq!(e.diagnostics[0].line, Some(3));
        assert_eq!(e.diagnostics[0].help.as_deref(), Some("did you mean `title`?"));
        let e = parse::<Fm>(p(), Format::Yaml, "title: x\ndate: [1\n", 2).unwrap_err();
        assert!(e.diagnostics[0].line.unwrap() >= 3);
        let e = parse::<Fm>(p(), Format::Yaml, "title: [1]\n", 2).unwrap_err();
        assert!(e.diagnostics[0].message.contains("`title`"), "{e}");
        assert_eq!(e.diagnostics[0].line, Some(2));
    }

    #[test]
    fn toml_dates_become_text() {
        let f: Fm = parse(p(), Format::Toml, "title = \"x\"\ndate = 2024-11-20\n", 2).unwrap();
        assert_eq!(f.date.as_deref(), Some("2024-11-20"));
        assert_eq!(f.title, "x");
    }
}
