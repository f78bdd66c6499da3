//! A bounded storm of random changes on a watched copy of the sample site (search on, as a
//! newsroom runs it): writes, saves by rename, renames and moves, deletes, a section folder
//! moved, and the races a script or a sync tool makes (a save by rename, then a move or a
//! delete within milliseconds). Once the watcher settles, its output must be byte for byte
//! what a clean `nashra build` of the same sources writes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Running, Site};

/// Changes made in one storm: a few seconds of them.
const CHANGES: usize = 400;
/// Section folders the storm's articles are in; the last two swap places now and then.
const SECTIONS: [&str; 3] = ["briefings/storm", "analysis", "analysis-old"];
const LANGS: [&str; 2] = ["ar", "en"];
const TITLES: [&str; 4] = ["مالي وروسيا", "Mali and Russia", "Niger", "النيجر"];
const TERMS: [&str; 3] = [
    "",
    "regions = [\"mali\"]\n",
    "tags = [\"security\", \"drones\"]\n",
];

/// A storm: its random numbers (xorshift64*, replayed from the seed printed when it fails)
/// and how many articles it has named.
struct Storm {
    state: u64,
    named: usize,
}

impl Storm {
    fn below(&mut self, n: usize) -> usize {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, from: &'a [&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    /// A path no article has had in this storm, so a page left behind is never repaired by
    /// chance: `content/<section>/storm-<n>.<lang>.md`.
    fn fresh(&mut self, root: &Path) -> PathBuf {
        self.named += 1;
        let (section, lang) = (self.pick(&SECTIONS), self.pick(&LANGS));
        root.join("content")
            .join(section)
            .join(format!("storm-{}.{lang}.md", self.named))
    }

    fn article(&mut self) -> String {
        format!(
            "+++\ntitle = \"{}\"\ndate = 2024-11-{}\n{}+++\n\nنص الخبر عن T-72B3.\n\n## {}\n\nMore text {}.\n",
            self.pick(&TITLES),
            18 + self.below(5),
            self.pick(&TERMS),
            self.pick(&TITLES),
            self.below(1000),
        )
    }

    /// Writes a temp file beside `path` and renames it over, as editors save; the temp file
    /// is hidden or not, as editors name theirs.
    fn save_by_rename(&mut self, path: &Path, text: &str) {
        let name = path.file_name().unwrap().to_string_lossy();
        let tmp = match self.below(2) {
            0 => path.with_file_name(format!(".{name}.swp")),
            _ => path.with_file_name(format!("{name}.tmp{}", self.below(100))),
        };
        fs::write(&tmp, text).unwrap();
        fs::rename(&tmp, path).unwrap();
    }

    /// One random change to the sources.
    fn change(&mut self, root: &Path) {
        let all = existing(root);
        let fresh = self.fresh(root);
        let Some(old) = (!all.is_empty()).then(|| all[self.below(all.len())].clone()) else {
            return write(&fresh, &self.article());
        };
        let text = self.article();
        match self.below(10) {
            0 => write(&fresh, &text),
            1 => write(&old, &text),
            2 => self.save_by_rename(&old, &text),
            3 => rename(&old, &fresh),
            4 => fs::remove_file(old).unwrap(),
            // The race: saved by rename, then moved or deleted within 0–5 ms.
            5 => {
                self.save_by_rename(&old, &text);
                std::thread::sleep(Duration::from_millis(self.below(6) as u64));
                match self.below(2) {
                    0 => rename(&old, &fresh),
                    _ => fs::remove_file(old).unwrap(),
                }
            }
            // A translation, or a new version of one.
            6 => {
                let name = old.file_name().unwrap().to_string_lossy();
                let other = match name.strip_suffix(".en.md") {
                    Some(stem) => format!("{stem}.ar.md"),
                    None => name.replace(".ar.md", ".en.md"),
                };
                self.save_by_rename(&old.with_file_name(other), &text);
            }
            // One article moved over another.
            7 => rename(&old, &all[self.below(all.len())]),
            // The sample's own article, saved with a new paragraph.
            8 => {
                let path = root.join("content/briefings/mali-russia-equipment.en.md");
                let text = format!(
                    "{}\nA paragraph {}.\n",
                    fs::read_to_string(&path).unwrap(),
                    self.below(1000)
                );
                self.save_by_rename(&path, &text);
            }
            // Now and then, a whole section folder moved (as `git mv` or a file manager does).
            _ if self.below(4) == 0 => {
                let [from, to] = match self.below(2) {
                    0 => [SECTIONS[1], SECTIONS[2]],
                    _ => [SECTIONS[2], SECTIONS[1]],
                }
                .map(|s| root.join("content").join(s));
                if from.is_dir() && !to.exists() {
                    fs::rename(from, to).unwrap();
                }
            }
            _ => {}
        }
    }
}

/// The storm articles there are now.
fn existing(root: &Path) -> Vec<PathBuf> {
    SECTIONS
        .iter()
        .flat_map(|s| fs::read_dir(root.join("content").join(s)).into_iter().flatten())
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect()
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn rename(from: &Path, to: &Path) {
    fs::create_dir_all(to.parent().unwrap()).unwrap();
    fs::rename(from, to).unwrap();
}

#[test]
fn a_storm_of_changes_ends_equal_to_a_clean_build() {
    let seed = std::env::var("NASHRA_STORM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.unwrap().as_nanos() as u64
        });
    let site = Site::sample();
    // Search on, as a newsroom runs it: every rebuild indexes again.
    let config = site.read("nashra.toml");
    let other_lines = config.lines().filter(|l| !l.starts_with("search "));
    let config: Vec<&str> = std::iter::once("search = true").chain(other_lines).collect();
    site.write("nashra.toml", config.join("\n"));
    let mut storm = Storm {
        state: seed | 1,
        named: 0,
    };
    let watch = Running::start(&site, "watch", &[]);
    for _ in 0..CHANGES {
        storm.change(site.root());
        std::thread::sleep(Duration::from_millis(storm.below(25) as u64));
    }
    let diff = watch.differences_once_settled(&site, &[]);
    assert!(
        diff.is_empty(),
        "after {CHANGES} changes (NASHRA_STORM_SEED={seed}), {} files differ from a clean build: {diff:#?}",
        diff.len()
    );
}
