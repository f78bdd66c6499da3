//! A whole content file on any bytes: UTF-8, front matter, slug, terms, Markdown.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use nashra::config::Config;

const CONFIG: &str = r#"base_url = "https://example.org/"
default_language = "ar"
taxonomies = ["tags", "regions"]
[languages.ar]
name = "العربية"
title = "موجز"
[languages.en]
name = "English"
title = "Briefing"
"#;

fuzz_target!(|bytes: &[u8]| {
    let Ok(config) = Config::parse(CONFIG, Path::new("nashra.toml")) else { return };
    for name in ["briefings/x.ar.md", "briefings/_index.en.md"] {
        let _ = nashra::content::load(&config, Path::new(name), Path::new(name), bytes);
    }
});
