//! The plain-text e-mail's lines: a template writes each paragraph on one line, and here
//! each is folded to a width plain-text mail readers show without wrapping it again
//! themselves (RFC 3676's recommendation of under 78 characters).

/// Columns a line may take.
const WIDTH: usize = 72;

/// `text` with every line longer than [`WIDTH`] folded at spaces, its continuation lines
/// indented as it is. Words are never broken, so a long URL stays one line and clickable.
pub(super) fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / WIDTH);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body.trim_end_matches('\r'), "\n"),
            None => (line, ""),
        };
        if unicode_width::UnicodeWidthStr::width(body) <= WIDTH {
            out.push_str(body);
        } else {
            let indent = &body[..body.len() - body.trim_start().len()];
            let options = textwrap::Options::new(WIDTH)
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .break_words(false)
                .subsequent_indent(indent);
            out.push_str(&textwrap::fill(body, options));
        }
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_spaces_and_urls_stay_whole() {
        let url = format!("https://example.org/{}", "a".repeat(90));
        let text = format!("{}\n  {url} end\nshort\n", "كلمة ".repeat(30));
        let wrapped = wrap(&text);
        assert!(wrapped
            .lines()
            .all(|l| l.chars().count() <= WIDTH || l.contains(&url)));
        assert!(wrapped.contains(&format!("  {url}\n  end\n")));
        assert!(wrapped.ends_with("short\n"));
        assert_eq!(wrapped.matches("كلمة").count(), 30);
    }
}
