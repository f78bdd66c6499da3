//! Markdown with bidi isolation, in both directions, and the summary and plain-text paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nashra::config::{Direction, Slugify};
use nashra::content::markdown;

fuzz_target!(|text: &str| {
    for dir in [Direction::Rtl, Direction::Ltr] {
        let _ = markdown::render(text, dir, Slugify::Unicode);
        let _ = markdown::render_summary(text, dir);
    }
    let _ = markdown::render(text, Direction::Rtl, Slugify::Ascii);
    let _ = markdown::visible_text(text);
});
