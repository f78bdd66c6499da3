//! Seed derivation (headline, date, summary, terms) on any bytes: an error or an article
//! that loads.
#![no_main]

mod site;

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use nashra::seed::{derive, SeedFile};

fuzz_target!(|bytes: &[u8]| {
    let Some(config) = site::config() else { return };
    for name in ["seeds/x.ar.txt", "seeds/x.txt", "seeds/x.en.md"] {
        let seed = SeedFile {
            shown: Path::new(name),
            bytes,
            modified: None,
            date: Some("2024-11-20"),
        };
        if let Ok(d) = derive(&config, &seed) {
            let loaded = nashra::content::load(
                &config,
                Path::new(&format!("briefings/{}", d.file_name())),
                Path::new(name),
                d.document.as_bytes(),
            );
            assert!(loaded.is_ok(), "a derived article must load: {loaded:?}\n{}", d.document);
        }
    }
});
