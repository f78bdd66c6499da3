//! The front-matter splitter and parser on any text: errors, never a panic; an error names
//! a place inside the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use nashra::content::front_matter::{parse, split};

fuzz_target!(|text: &str| {
    let path = Path::new("content/x.md");
    let Ok(s) = split(path, text) else { return };
    if let Some((format, front)) = s.front {
        if let Err(e) = parse::<serde_json::Value>(path, format, front, s.front_line) {
            // YAML counts a lone CR as a line break, as editors do.
            let lines = text.replace("\r\n", "\n").split(['\n', '\r']).count();
            for d in &e.diagnostics {
                assert!(d.line.is_none_or(|l| l >= 1 && l <= lines + 1), "{d}");
            }
        }
    }
});
