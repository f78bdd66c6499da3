//! The site configuration the targets that need one share: two languages, two taxonomies.

use std::path::Path;

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

/// The shared configuration, or `None` if it stopped parsing (then there is nothing to fuzz).
pub fn config() -> Option<Config> {
    Config::parse(CONFIG, Path::new("nashra.toml")).ok()
}
