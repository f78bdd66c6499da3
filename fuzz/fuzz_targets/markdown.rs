//! Markdown with bidi isolation, in both directions, with quotes as typed and typographic,
//! raw HTML kept and escaped, and the summary and plain-text paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nashra::config::{Direction, Quotes, Slugify};
use nashra::content::markdown::{self, Style};

fuzz_target!(|text: &str| {
    for dir in [Direction::Rtl, Direction::Ltr] {
        let _ = markdown::render(text, Style::plain(dir), Slugify::Unicode);
        let _ = markdown::render_summary(text, Style::plain(dir));
    }
    let typographic = Style {
        dir: Direction::Rtl,
        quotes: Quotes::Typographic { open: '«', close: '»' },
        raw_html: false,
    };
    let _ = markdown::render(text, typographic, Slugify::Ascii);
    let _ = markdown::render_summary(text, typographic);
    let _ = markdown::visible_text(text);
});
