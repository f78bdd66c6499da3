//! The browser side of the bundle, taken from the pinned `pagefind` crate: `pagefind.js`, its
//! worker, and the search WASM per stemmer. The crate keeps these bytes private and gives them
//! out only with an index, so it is asked for an index of one tiny page per language needed;
//! that costs milliseconds, once per process and set of languages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use super::{failed, Files};
use crate::error::Result;

/// The scripts, and the WASM of each of `wasms` (language codes, `unknown` for the one
/// without a stemmer).
pub fn get(wasms: &[String]) -> Result<Arc<Files>> {
    static MADE: Mutex<Vec<(Vec<String>, Arc<Files>)>> = Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, files)) = made.iter().find(|(w, _)| w == wasms) {
        return Ok(Arc::clone(files));
    }
    let files = Arc::new(make(wasms)?);
    made.push((wasms.to_vec(), Arc::clone(&files)));
    Ok(files)
}

fn make(wasms: &[String]) -> Result<Files> {
    // Pagefind resolves its (unused) default output folder against the working folder
    // and panics when there is none.
    std::env::current_dir().map_err(|e| failed(format!("no working folder: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| failed(format!("cannot start the indexer: {e}")))?;
    let files = runtime.block_on(async {
        let options = PagefindServiceConfig::builder().build();
        let mut index = PagefindIndex::new(Some(options)).map_err(|e| failed(e.to_string()))?;
        for lang in wasms {
            let url = format!("/{lang}/");
            index
                .add_custom_record(url, "nashra".into(), lang.clone(), None, None, None)
                .await
                .map_err(|e| failed(e.to_string()))?;
        }
        index.get_files().await.map_err(|e| failed(e.to_string()))
    })?;
    let wanted = |name: &str| {
        matches!(name, "pagefind.js" | "pagefind-worker.js")
            || name
                .strip_prefix("wasm.")
                .and_then(|n| n.strip_suffix(".pagefind"))
                .is_some_and(|lang| wasms.iter().any(|w| w == lang))
    };
    let by_name: HashMap<String, Vec<u8>> = files
        .into_iter()
        .map(|f| (f.filename.to_string_lossy().into_owned(), f.contents))
        .filter(|(name, _)| wanted(name))
        .collect();
    Ok(by_name.into_iter().collect())
}
