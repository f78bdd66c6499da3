//! A whole content file on any bytes: UTF-8, front matter, slug, terms, Markdown.
#![no_main]

mod site;

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some(config) = site::config() else { return };
    for name in ["briefings/x.ar.md", "briefings/_index.en.md"] {
        let _ = nashra::content::load(&config, Path::new(name), Path::new(name), bytes);
    }
});
