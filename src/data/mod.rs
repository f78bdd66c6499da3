//! What a site gives its templates besides its pages: the `[extra]` table of `nashra.toml`,
//! the tables of `data/*.toml` (a desk's list of correspondents, a partner's links), and each
//! language's breaking-news banner, shown until its `until`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::config::toml_diagnostic;
use crate::error::Result;

/// The folder of the site's data files.
pub const DIR: &str = "data";

/// TOML as templates read it: JSON values, a date or time written as TOML writes it
/// (`2026-11-30`, `2026-11-30T08:00:00Z`), which Tera's `date` filter reads.
pub fn json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        // A float JSON cannot hold (NaN, infinity) becomes null rather than an error: a
        // template has nothing to show of it either.
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(json).collect()),
        toml::Value::Table(t) => J::Object(t.into_iter().map(|(k, v)| (k, json(v))).collect()),
    }
}

/// Every `data/<name>.toml` of the site at `root` by `<name>`, as templates see it
/// (`site.data.<name>`); none when there is no `data/` folder. Other files there are left
/// alone (a README, a spreadsheet the TOML was made from).
pub fn load(root: &Path) -> Result<BTreeMap<String, serde_json::Value>> {
    let dir = root.join(DIR);
    let mut data = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(data);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".toml") else {
            continue;
        };
        // Symbolic links are not followed, as nowhere else in a site.
        let file = entry.file_type().is_ok_and(|t| t.is_file());
        if stem.is_empty() || stem.starts_with('.') || !file {
            continue;
        }
        let shown = Path::new(DIR).join(&name);
        let text = crate::error::read_text(&path, &shown)?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            toml_diagnostic(&shown, &text, &e, 1)
                .help("fix the TOML syntax; templates read this file as `site.data.<name>`")
        })?;
        data.insert(stem.to_string(), json(toml::Value::Table(table)));
    }
    Ok(data)
}

/// A breaking-news banner as `nashra.toml` writes it, under a language:
/// `[languages.ar.banner]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBanner {
    text: String,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    until: Option<toml::value::Datetime>,
}

/// A language's breaking-news banner: shown on every page of the language until `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Banner {
    pub text: String,
    /// Where it leads: an absolute URL, or a path on the site as written.
    pub link: Option<String>,
    /// The moment (UTC) it stops showing; a date alone means the end of that day.
    #[serde(skip)]
    pub until: Option<NaiveDateTime>,
}

impl RawBanner {
    /// The banner, or what is wrong with it for an editor.
    pub fn check(self) -> std::result::Result<Banner, String> {
        let text = self.text.trim().to_string();
        if text.is_empty() {
            return Err("the banner's `text` is empty: write the news, or remove the table".into());
        }
        let until = self.until.map(until).transpose()?;
        let link = self.link.map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
        Ok(Banner {
            text,
            link: link.map(banner_link).transpose()?,
            until,
        })
    }
}

/// A banner's `link` as written, if readers can follow it: a path on the site, or a whole
/// `http(s)`, `mailto` or `tel` URL. Anything else (`javascript:`, `data:`, a `//host` URL
/// without its scheme, which would be read as a path) is a mistake to say, not to publish.
fn banner_link(link: String) -> std::result::Result<String, String> {
    let bad = |why: &str| format!("the banner's `link = {link:?}` {why}");
    if link.starts_with("//") {
        return Err(bad("has no scheme: write it whole, https://…"));
    }
    match url::Url::parse(&link) {
        Ok(url) if ["http", "https", "mailto", "tel"].contains(&url.scheme()) => Ok(link),
        Ok(url) => Err(bad(&format!(
            "is a `{}:` link, which a reader cannot follow: use a path on the site (/briefings/story/) or an https:// URL",
            url.scheme()
        ))),
        // No scheme: a path on the site.
        Err(url::ParseError::RelativeUrlWithoutBase) => Ok(link),
        Err(e) => Err(bad(&format!("is not a URL ({e})"))),
    }
}

/// Whether a banner's checked `link` is a whole URL rather than a path on the site.
pub fn is_url(link: &str) -> bool {
    url::Url::parse(link).is_ok()
}

/// The moment a banner's `until` ends it: a date's next midnight, a time as written (UTC
/// unless it has an offset).
fn until(written: toml::value::Datetime) -> std::result::Result<NaiveDateTime, String> {
    let bad = || {
        format!(
            "`until = {written}` is not a date (2026-12-01) or a date and time (2026-12-01T18:00:00+01:00)"
        )
    };
    let date = written.date.ok_or_else(bad)?;
    let day = NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day))
        .ok_or_else(bad)?;
    let Some(time) = written.time else {
        return day
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(bad);
    };
    let at = day
        .and_hms_nano_opt(
            u32::from(time.hour),
            u32::from(time.minute),
            u32::from(time.second.unwrap_or(0)),
            time.nanosecond.unwrap_or(0),
        )
        .ok_or_else(bad)?;
    let offset_minutes = match written.offset {
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
        Some(toml::value::Offset::Z) | None => 0,
    };
    Ok(at - chrono::Duration::minutes(offset_minutes))
}

impl Banner {
    /// Whether the banner shows at `now` (UTC).
    pub fn shows_at(&self, now: NaiveDateTime) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(until: &str) -> RawBanner {
        toml::from_str(&format!("text = \"x\"\nuntil = {until}")).expect("valid TOML")
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").expect("a time")
    }

    #[test]
    fn a_date_lasts_to_its_end_and_an_offset_is_taken_off() {
        let day = raw("2026-12-01").check().expect("valid");
        assert!(day.shows_at(at("2026-12-01T23:59:59")));
        assert!(!day.shows_at(at("2026-12-02T00:00:00")));
        let offset = raw("2026-12-01T18:00:00+01:00").check().expect("valid");
        assert!(offset.shows_at(at("2026-12-01T16:59:59")));
        assert!(!offset.shows_at(at("2026-12-01T17:00:00")));
        assert!(raw("18:00:00").check().is_err(), "a time alone is no end");
    }

    #[test]
    fn a_link_is_a_path_or_a_url_readers_can_follow() {
        let link = |link: &str| {
            let raw: RawBanner = toml::from_str(&format!("text = \"x\"\nlink = {link:?}")).expect("TOML");
            raw.check().map(|b| b.link.expect("a link"))
        };
        for fine in [
            "/briefings/x/",
            "briefings/x/",
            "https://example.org/a?b=1",
            "mailto:desk@example.org",
        ] {
            assert_eq!(link(fine).as_deref(), Ok(fine));
        }
        for (bad, says) in [
            ("javascript:alert(1)", "`javascript:` link"),
            ("data:text/html,x", "`data:` link"),
            ("//evil.example/x", "no scheme"),
        ] {
            let err = link(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert!(is_url("https://example.org/") && !is_url("/briefings/x/"));
    }
}
