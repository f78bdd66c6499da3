//! Seeds → content files: the derivation of `seed.rs`, written out as Markdown with front
//! matter for an editor to work on. Never overwrites unless asked; a bad seed does not stop
//! the others.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{front_matter, nfc, nfc_owned};
use crate::error::{Diagnostic, Error, Result};
use crate::seed;

/// What `nashra import` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Seed files to import; every seed in `seeds/` when empty.
    pub paths: Vec<PathBuf>,
    /// Section under `content/`; the config's `seed_section` when `None`.
    pub section: Option<String>,
    /// The date for every imported article, instead of each file's modification time.
    pub date: Option<String>,
    /// Replace existing content files.
    pub force: bool,
}

/// What happened to one seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written to this content file.
    Imported(PathBuf),
    /// Left alone: the content file already exists.
    Exists(PathBuf),
    /// Left alone: a content file already records this seed as its source.
    Recorded,
    /// Failed; nothing was written for it.
    Failed(Error),
}

/// One seed's result, with the warnings an editor should review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The seed, as the user names it.
    pub seed: PathBuf,
    /// What happened.
    pub outcome: Outcome,
    /// Warnings about the derivation.
    pub warnings: Vec<Diagnostic>,
}

/// Imports seeds; only a broken site (no config) is an error of the whole run.
pub fn import(opts: &ImportOptions) -> Result<Vec<Imported>> {
    let config = Config::load(&opts.root)?;
    let section = nfc_owned(
        opts.section
            .clone()
            .unwrap_or_else(|| config.seed_section.clone()),
    );
    if section
        .split('/')
        .any(|part| crate::content::slugify(part) != part)
    {
        return Err(Diagnostic::new(
            "--section",
            format!("{section:?} is not a folder name under content/"),
        )
        .help("use lowercase letters, digits and hyphens, e.g. --section briefings")
        .into());
    }
    let paths = if opts.paths.is_empty() {
        crate::build::source_files(&opts.root.join("seeds"), &seed::EXTENSIONS)?
    } else {
        opts.paths
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    opts.root.join(p)
                }
            })
            .collect()
    };
    let recorded = recorded_seeds(&opts.root)?;
    Ok(paths
        .iter()
        .map(|path| {
            let reference = seed::seed_reference(path.strip_prefix(&opts.root).unwrap_or(path));
            if recorded.contains(&reference) && !opts.force {
                Imported {
                    seed: path.strip_prefix(&opts.root).unwrap_or(path).to_path_buf(),
                    outcome: Outcome::Recorded,
                    warnings: Vec::new(),
                }
            } else {
                import_one(opts, &config, &section, path)
            }
        })
        .collect())
}

/// The `seed` every content file records, wherever it was imported to. A file whose front
/// matter does not parse records nothing here; `build` reports it.
fn recorded_seeds(root: &Path) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for path in crate::build::source_files(&root.join("content"), &["md"])? {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(text) = crate::error::decode_utf8(&bytes, &path) else {
            continue;
        };
        let Ok(split) = front_matter::split(&path, text) else {
            continue;
        };
        let Some((format, fm)) = split.front else { continue };
        let parsed: Result<serde_json::Map<String, serde_json::Value>> =
            front_matter::parse(&path, format, fm, split.front_line)
                .and_then(front_matter::Front::into_result);
        if let Some(seed) = parsed
            .ok()
            .and_then(|m| m.get("seed")?.as_str().map(str::to_string))
        {
            found.insert(seed::normalize_reference(&seed));
        }
    }
    Ok(found)
}

fn import_one(opts: &ImportOptions, config: &Config, section: &str, path: &Path) -> Imported {
    let shown = path.strip_prefix(&opts.root).unwrap_or(path).to_path_buf();
    let mut warnings = Vec::new();
    let outcome = (|| -> Result<Outcome> {
        let derived = seed::read(config, &opts.root, path, opts.date.as_deref())?;
        let folder = Path::new("content").join(section);
        let name = twin(&opts.root.join(&folder), derived.file_name());
        let target_shown = folder.join(name);
        warnings = derived.warnings;
        let target = opts.root.join(&target_shown);
        if target.exists() && !opts.force {
            return Ok(Outcome::Exists(target_shown));
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the folder", &e))?;
        }
        std::fs::write(&target, derived.document)
            .map_err(|e| Error::io(&target_shown, "write the article", &e))?;
        Ok(Outcome::Imported(target_shown))
    })();
    Imported {
        seed: shown,
        outcome: outcome.unwrap_or_else(Outcome::Failed),
        warnings,
    }
}

/// The name of the file in `folder` that is `name` (NFC) in whatever form it has on disk, else
/// `name`: an article imported before under a decomposed name is that file, not a new one
/// beside it that would clash with it.
fn twin(folder: &Path, name: String) -> String {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return name;
    };
    entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|on_disk| nfc(on_disk) == name)
        .unwrap_or(name)
}
