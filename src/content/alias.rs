//! `aliases = ["old/path/", …]`: the old URLs of an article or section, each to be written as
//! a page that redirects to its new URL. Read here, with the file, so a bad one is reported at
//! its front matter key like any other; the site checks that none clashes with another page.

use minicbor::{Decode, Encode};
use percent_encoding::percent_decode_str;

use super::nfc_owned;

/// One old URL, as a path under the site root (no base path, no leading `/`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode)]
pub struct Alias {
    /// A folder (`old/path/`, written as `old/path/index.html`) or an HTML file (`old.html`).
    #[n(0)]
    pub path: String,
    /// Where the `aliases` key is written: 1-based line and column.
    #[n(1)]
    pub line: usize,
    #[n(2)]
    pub column: usize,
}

impl Alias {
    /// The file this alias writes, under the output folder.
    pub fn output_path(&self) -> String {
        output_path(&self.path)
    }
}

/// The file a redirect at site path `path` is written to.
pub fn output_path(path: &str) -> String {
    match path.is_empty() || path.ends_with('/') {
        true => format!("{path}index.html"),
        false => path.to_string(),
    }
}

/// The site path of an alias as written: relative to its language's root (`prefix`, e.g.
/// `en/`), or to the site's root when it starts with `/`; percent-encoded or not, in NFC. A
/// path ending in `.html` or `.htm` is that file, any other a folder. `Err` says what is wrong
/// with it.
pub fn site_path(written: &str, prefix: &str) -> Result<String, &'static str> {
    let written = written.trim();
    if written.contains("://") || written.starts_with("//") {
        return Err("is a whole URL: write only its path");
    }
    if written.contains(['?', '#']) {
        return Err("has a query or fragment, which a static file cannot be found by");
    }
    let decoded = percent_decode_str(written)
        .decode_utf8()
        .map_err(|_| "is percent-encoded bytes that are not UTF-8")?;
    let decoded = nfc_owned(decoded.into_owned());
    if decoded.is_empty() {
        return Err("is empty");
    }
    let (root, rest) = match decoded.strip_prefix('/') {
        Some(rest) => ("", rest),
        None => (prefix, decoded.as_str()),
    };
    let (folder, rest) = match rest.strip_suffix('/') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Err("would write outside the output folder");
    }
    let bad = |s: &&str| s.is_empty() || s.contains('\\') || s.chars().any(char::is_control);
    if rest.is_empty() {
        return Ok(root.to_string());
    }
    if segments.iter().any(bad) {
        return Err("has an empty part, a backslash or a control character");
    }
    let last = segments.last().copied().unwrap_or_default().to_lowercase();
    let page = !folder && (last.ends_with(".html") || last.ends_with(".htm"));
    Ok(match page {
        // `old/index.html` is the folder `old/`: a page there is written to the same file.
        true if last == "index.html" => format!("{root}{}", &rest[..rest.len() - "index.html".len()]),
        true => format!("{root}{rest}"),
        false => format!("{root}{rest}/"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_relative_to_the_language_root_unless_they_start_with_a_slash() {
        assert_eq!(site_path("old/story/", "en/"), Ok("en/old/story/".into()));
        assert_eq!(site_path("old/story", "en/"), Ok("en/old/story/".into()));
        assert_eq!(site_path("/old/story/", "en/"), Ok("old/story/".into()));
        assert_eq!(
            site_path("2019/05/story.html", ""),
            Ok("2019/05/story.html".into())
        );
        assert_eq!(site_path("old/index.html", ""), Ok("old/".into()));
        assert_eq!(site_path("/", "en/"), Ok("".into()));
        assert_eq!(site_path("%D9%85%D8%A7%D9%84%D9%8A/", ""), Ok("مالي/".into()));
    }

    #[test]
    fn aliases_cannot_leave_the_output_folder_or_name_what_no_file_is() {
        for bad in [
            "../x/",
            "a/../../x",
            "./x",
            "",
            "a//b",
            "a\\b",
            "https://example.org/x/",
            "x?id=3",
            "x#top",
        ] {
            assert!(site_path(bad, "en/").is_err(), "{bad}");
        }
        assert_eq!(output_path("old/"), "old/index.html");
        assert_eq!(output_path("old.html"), "old.html");
        assert_eq!(output_path(""), "index.html");
    }
}
