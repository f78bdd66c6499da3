//! Diagnostics: every failure the user can fix names the file, the place in it, what is wrong
//! and what to do. Library code returns these; only `main.rs` prints them.

use std::fmt;
use std::path::{Path, PathBuf};

/// Whether a diagnostic stops the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The run fails.
    #[default]
    Error,
    /// The run goes on; an editor should look.
    Warning,
}

impl Severity {
    /// How diagnostics name it, in text and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in one file, with the place and a hint when we know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file at fault, as the user names it (relative to the site root where possible).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with a whole file (no known position).
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
        }
    }

    /// Makes this a warning: reported, but the run goes on.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Places the problem at a 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Places the problem at a byte offset of `text`, which starts at `first_line` of the file.
    pub fn at_offset(self, text: &str, offset: usize, first_line: usize) -> Self {
        let (line, column) = line_col(text, offset);
        self.at(line + first_line - 1, column)
    }

    /// Adds what the user should do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// This diagnostic for editors and CI (`--format json`): severity, file, line, column,
    /// message and help, the place and help `null` when unknown.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "severity": self.severity.as_str(),
            "file": self.path.to_string_lossy(),
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "help": self.help,
        })
    }
}

/// 1-based line and column (counted in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

/// How much of a long source line a snippet shows, in terminal columns (Arabic paragraphs
/// are often one line of hundreds of words).
const SNIPPET_WIDTH: usize = 100;

impl Diagnostic {
    /// This diagnostic as a terminal shows it: the `file:line:col: error: message` line (the
    /// form gcc and clang print, which editors and CI parse), then the source line with a
    /// caret under the column, then the help. `file` is the text of the file it names; without
    /// it (the file cannot be read) the line is left out.
    pub fn with_source(&self, file: Option<&str>) -> String {
        let line = self.line.and_then(|n| {
            let line = file?.split('\n').nth(n.checked_sub(1)?)?;
            Some(line.trim_end_matches('\r'))
        });
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write(&mut out, line);
        out
    }

    fn write(&self, f: &mut impl fmt::Write, source: Option<&str>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}: {}", self.severity.as_str(), self.message)?;
        if let (Some(source), Some(line)) = (source, self.line) {
            let (shown, caret) = snippet(source, self.column.unwrap_or(1));
            let gutter = " ".repeat(line.to_string().len());
            write!(f, "\n {line} | {shown}")?;
            if self.column.is_some() {
                write!(f, "\n {gutter} | {caret}^")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// A source line made safe to print, cut to [`SNIPPET_WIDTH`] around `column`, and the
/// white space that puts a caret under that column (tabs kept, so they align; marks that take
/// no room, like Arabic vowel signs, counted as none).
fn snippet(line: &str, column: usize) -> (String, String) {
    use unicode_width::UnicodeWidthChar;
    // Control characters could drive the terminal, and bidi overrides reorder what follows.
    let safe = |c: char| match c {
        '\t' => '\t',
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    };
    let width = |c: char| if c == '\t' { 4 } else { c.width().unwrap_or(0) };
    let chars: Vec<char> = line.chars().map(safe).collect();
    let at = column.saturating_sub(1).min(chars.len());
    // Start far enough left that the caret sits within the first 40 columns shown.
    let mut start = at;
    let mut before = 0;
    while start > 0 && before + width(chars[start - 1]) <= 40 {
        start -= 1;
        before += width(chars[start]);
    }
    let mut shown: String = if start > 0 { "…".into() } else { String::new() };
    let mut caret: String = if start > 0 { " ".into() } else { String::new() };
    let mut used = 0;
    for (i, &c) in chars.iter().enumerate().skip(start) {
        if used + width(c) > SNIPPET_WIDTH {
            shown.push('…');
            break;
        }
        used += width(c);
        shown.push(c);
        if i < at {
            match c {
                '\t' => caret.push('\t'),
                c => caret.extend(std::iter::repeat_n(' ', width(c))),
            }
        }
    }
    (shown, caret)
}

/// All the problems of one run, reported together so the user can fix them in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Never empty.
    pub diagnostics: Vec<Diagnostic>,
    /// The output folder was changed before the run failed (part of an update in place is
    /// in it), so it is no longer the last good site as it was.
    pub output_changed: bool,
}

impl Error {
    /// Reads or writes of `path` failed.
    pub fn io(path: &Path, action: &str, err: &std::io::Error) -> Self {
        use std::io::ErrorKind;
        let help = match err.kind() {
            ErrorKind::PermissionDenied => {
                "the user running nashra may not do this: change the file's permissions (ls -l shows them) or its owner"
            }
            ErrorKind::NotFound => "check the path: it does not exist (any more)",
            _ => "check the disk: that it is mounted, has room and the path is right",
        };
        Diagnostic::new(path, format!("cannot {action}: {err}"))
            .help(help)
            .into()
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Self {
            diagnostics: vec![d],
            output_changed: false,
        }
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        diagnostics.dedup();
        Self {
            diagnostics,
            output_changed: false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The result of anything that reads user input.
pub type Result<T> = std::result::Result<T, Error>;

/// Collects per-item results, keeping every error rather than stopping at the first.
pub fn collect_all<T>(results: impl IntoIterator<Item = Result<T>>) -> Result<Vec<T>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    let mut output_changed = false;
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => {
                errors.extend(e.diagnostics);
                output_changed |= e.output_changed;
            }
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(Error {
            output_changed,
            ..errors.into()
        })
    }
}

/// Checks that a user's file is UTF-8, pointing at the first bad byte, and drops a BOM.
pub fn decode_utf8<'a>(bytes: &'a [u8], shown: &Path) -> Result<&'a str> {
    // simdutf8 checks Arabic text several times faster; std's check says where it fails.
    let text = simdutf8::basic::from_utf8(bytes)
        .or_else(|_| std::str::from_utf8(bytes))
        .map_err(|e| {
            let valid = e.valid_up_to();
            let (line, col) = line_col(&String::from_utf8_lossy(&bytes[..valid]), valid);
            Diagnostic::new(shown, format!("the file is not valid UTF-8 (byte {valid})"))
                .at(line, col)
                .help("save the file as UTF-8 (most editors: \"Save with encoding\" → UTF-8)")
        })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match invisible_control(text) {
        None => Ok(text),
        Some((at, c)) => {
            let (line, col) = line_col(text, at);
            let message = format!(
                "the file has an invisible control character, U+{:04X}, which no page or feed may carry",
                u32::from(c)
            );
            Err(Diagnostic::new(shown, message)
                .at(line, col)
                .help("delete it (it often comes with text pasted from Word or a PDF); a line break is a new line")
                .into())
        }
    }
}

/// The first character of `text` that HTML calls a control character and XML 1.0 does not
/// allow (C0 but tab and line ends, DEL, C1, U+FFFE and U+FFFF), with its byte offset: one in
/// a title makes every feed that carries it unreadable. Read as bytes, since Arabic text has
/// nothing for this to stop at.
pub fn invisible_control(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let at = bytes.iter().enumerate().position(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1f | 0x7f => true,
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        0xef => bytes.get(i + 1) == Some(&0xbf) && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)),
        _ => false,
    })?;
    Some((at, text[at..].chars().next()?))
}

/// Reads a user's text file; `shown` is how diagnostics name it.
pub fn read_text(path: &Path, shown: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(shown, "read the file", &e))?;
    decode_utf8(&bytes, shown).map(str::to_string)
}

/// The closest of `candidates` to `word`, for "did you mean" hints.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "أ\nبت x";
        let offset = text.find('x').unwrap();
        assert_eq!(line_col(text, offset), (2, 4));
    }

    #[test]
    fn snippets_put_the_caret_under_the_column() {
        let d = Diagnostic::new("x.md", "bad").at(2, 4).help("fix it");
        assert_eq!(
            d.with_source(Some("one\n\tab\u{1b}[2Jc\r\n")),
            "x.md:2:4: error: bad\n 2 | \tab\u{fffd}[2Jc\n   | \t  ^\n  help: fix it"
        );
        // Tashkeel takes no room; a long line is cut around the column.
        let (shown, caret) = snippet("مُعَدّات x", 10);
        assert_eq!((shown.as_str(), caret.len()), ("مُعَدّات x", 6));
        let long = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, caret) = snippet(&long, 501);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().nth(caret.chars().count()), Some('X'));
        // Unreadable: the message alone.
        assert_eq!(d.with_source(None), d.to_string());
    }

    #[test]
    fn an_invisible_control_character_is_found_where_it_is() {
        assert_eq!(invisible_control("ok\tأ\r\n\u{a0}ﻻ\u{fffd}"), None);
        for c in [
            '\u{0}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{fffe}', '\u{ffff}',
        ] {
            let text = format!("أب\n{c}x");
            assert_eq!(invisible_control(&text), Some((5, c)), "{c:?}");
        }
        let err = decode_utf8("title\nمالي \u{b}T-72".as_bytes(), Path::new("a.md")).expect_err("U+000B");
        let said = err.diagnostics[0].to_string();
        assert!(
            said.starts_with("a.md:2:6: error: the file has an invisible control character, U+000B"),
            "{said}"
        );
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(did_you_mean("titel", ["title", "date"]), Some("title"));
        assert_eq!(did_you_mean("zzzzzz", ["title", "date"]), None);
    }
}
