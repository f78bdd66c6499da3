//! Shared fixtures: a copy of the sample site in a temp dir, the real binary, and HTML queries.

#![allow(dead_code)] // each test file uses its own subset of these helpers

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use scraper::{Html, Selector};

/// The repository root (the sample site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp copy of the sample site: nashra.toml, content/, themes/, seeds/.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn sample() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::copy(repo().join("nashra.toml"), dir.path().join("nashra.toml")).unwrap();
        for sub in ["content", "themes", "seeds"] {
            copy_dir(&repo().join(sub), &dir.path().join(sub));
        }
        Self { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root().join(rel)).unwrap()
    }

    /// `nashra build --root <site> ARGS…`
    pub fn build(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.run("build", args)
    }

    /// `nashra COMMAND ARGS… --root <site>`
    pub fn run(&self, command: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        nashra()
            .arg(command)
            .args(args)
            .arg("--root")
            .arg(self.root())
            .assert()
    }

    /// A page of public/ parsed as HTML.
    pub fn page(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(&format!("public/{rel}")))
    }
}

/// The real binary.
pub fn nashra() -> Command {
    Command::cargo_bin("nashra").unwrap()
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir`: relative path → bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Values of `attr` on every element matching `css`.
pub fn attrs(doc: &Html, css: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// The text of every element matching `css`.
pub fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel).map(|e| e.text().collect::<String>()).collect()
}
