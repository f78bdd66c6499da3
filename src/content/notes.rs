//! `corrections` and `updates` in an article's front matter: dated notes a newsroom adds
//! to a published story, each `{ date, text }`. Corrections own up to an error; updates add
//! news. Both move the article's modified date ([`super::Page::modified`]); only corrections
//! are listed on the language's corrections page.

use minicbor::{Decode, Encode};
use serde_json::Value;

use super::front_matter::Keys;
use super::markdown::{self, Reference, Style};
use super::{nfc_owned, Date};
use crate::error::Diagnostic;

/// One correction or update: when, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Note {
    /// When it was made, as an article's `date` is written.
    #[n(0)]
    pub date: Date,
    /// Its text as inline HTML (Markdown rendered, left-to-right runs isolated in RTL).
    #[n(1)]
    pub html: String,
    /// Its text as plain text, for JSON-LD.
    #[n(2)]
    pub text: String,
}

/// A note's text and its links, found where its entry is written.
pub(super) struct Read {
    pub notes: Vec<Note>,
    /// Its links and images, with the line and column of their entry.
    pub refs: Vec<(Reference, (usize, usize))>,
}

/// Reads the list `value` of front matter key `key` (`corrections` or `updates`); each entry
/// that is wrong is a problem pushed, placed at that entry. `published` is the article's
/// date, when it has a good one: no note can come before it.
pub(super) fn read(
    key: &str,
    value: Option<Value>,
    keys: &Keys,
    style: &Style,
    published: Option<&Date>,
    problems: &mut Vec<Diagnostic>,
) -> Read {
    let mut read = Read {
        notes: Vec::new(),
        refs: Vec::new(),
    };
    let shape = format!(
        "[{{ {}, {} }}]",
        keys.example("date", "2024-11-21"),
        keys.example("text", "\"…\"")
    );
    let example = keys.example(key, &shape);
    let items = match value {
        None => return read,
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(
                keys.at_value(key, format!("`{key}` must be a list of {{ date, text }} entries"))
                    .help(format!("write e.g. {example}")),
            );
            return read;
        }
    };
    let what = match key {
        "corrections" => "correction",
        _ => "update",
    };
    for (i, item) in items.into_iter().enumerate() {
        let nth = ordinal(i + 1);
        let at = |message: String| keys.at_item(key, i, message);
        let Value::Object(mut entry) = item else {
            problems.push(
                at(format!("the {nth} {what} is not a table of `date` and `text`"))
                    .help(format!("write each entry as a table, e.g. {example}")),
            );
            continue;
        };
        if let Some(other) = entry.keys().find(|k| !["date", "text"].contains(&k.as_str())) {
            problems.push(
                at(format!("the {nth} {what} has an unknown key `{other}`"))
                    .help(format!("an entry has only `date` and `text`, e.g. {example}")),
            );
            continue;
        }
        let text = match entry.remove("text") {
            Some(Value::String(t)) if !t.trim().is_empty() => Some(nfc_owned(t.trim().to_string())),
            _ => {
                problems.push(at(format!("the {nth} {what} has no `text`")).help(format!(
                    "say in a sentence what was wrong and what is right, e.g. {example}"
                )));
                None
            }
        };
        let date = match entry.remove("date") {
            Some(Value::String(d)) => match Date::parse(&d) {
                Some(date) => Some(date),
                None => {
                    problems.push(at(format!("the {nth} {what}'s date {d:?} is not a date")).help(
                        "write a date as YYYY-MM-DD, e.g. 2024-11-20, or with a time 2024-11-20T08:30:00+03:00",
                    ));
                    None
                }
            },
            _ => {
                problems.push(
                    at(format!("the {nth} {what} has no `date`"))
                        .help(format!("give the day (and time) it was made, e.g. {example}")),
                );
                None
            }
        };
        let (Some(text), Some(date)) = (text, date) else {
            continue;
        };
        if let Some(published) = published.filter(|p| before(&date, p)) {
            problems.push(
                at(format!(
                    "the {nth} {what} is dated {}, before the article itself ({})",
                    date.as_str(),
                    published.as_str()
                ))
                .help(format!(
                    "a {what} comes after publication: check its date and the article's `date`"
                )),
            );
            continue;
        }
        let Ok(rendered) = markdown::render_summary(&text, *style) else {
            problems.push(
                at(format!("the {nth} {what}'s text nests too deep"))
                    .help("write it as a sentence or two of plain text"),
            );
            continue;
        };
        let place = keys.item_place(key, i);
        read.refs.extend(rendered.refs.into_iter().map(|r| (r, place)));
        read.notes.push(Note {
            date,
            html: inline(rendered.html),
            text: rendered.text,
        });
    }
    read
}

/// Whether `note` is dated before `published`: by the day when either gives no time (a
/// correction dated the day a story went out at noon is not before it), else by the moment.
fn before(note: &Date, published: &Date) -> bool {
    let day_only = |d: &Date| d.as_str().len() == 10;
    match day_only(note) || day_only(published) {
        true => note.day() < published.day(),
        false => note.utc() < published.utc(),
    }
}

/// A one-paragraph text without its `<p>`, so it reads inline in a box's entry.
fn inline(html: String) -> String {
    let trimmed = html.trim_end();
    match trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// `1st`, `2nd`, `3rd`, `4th`…, for naming an entry in a diagnostic.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_on_the_day_of_publication_is_not_before_it() {
        let d = |s| Date::parse(s).unwrap();
        assert!(!before(&d("2024-11-20"), &d("2024-11-20T12:00:00+03:00")));
        assert!(before(&d("2024-11-19"), &d("2024-11-20")));
        assert!(before(
            &d("2024-11-20T08:00:00+03:00"),
            &d("2024-11-20T10:00:00+03:00")
        ));
        assert!(!before(
            &d("2024-11-20T08:00:00Z"),
            &d("2024-11-20T10:00:00+03:00")
        ));
        assert_eq!(inline("<p>a <em>b</em></p>\n".into()), "a <em>b</em>");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(12), "12th");
    }
}
