//! Slugs can never leave their folder: no separator, dot, control or invisible character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nashra::config::Slugify;
use nashra::content::slug;

fuzz_target!(|text: &str| {
    for form in [Slugify::Unicode, Slugify::Ascii] {
        let s = slug(text, form);
        assert!(!s.contains(['/', '\\', '.']), "{text:?} → {s:?}");
        assert!(!s.chars().any(char::is_control), "{text:?} → {s:?}");
        assert!(!s.starts_with('-') && !s.ends_with('-'), "{text:?} → {s:?}");
    }
});
