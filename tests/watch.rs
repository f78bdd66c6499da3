//! End-to-end: `nashra watch` on a temp site, driven by real file events.

mod common;

use std::time::Duration;

use common::{atomic_save, eventually, texts, Running, Site};

const EN: &str = "content/briefings/mali-russia-equipment.en.md";
const PAGE: &str = "en/briefings/mali-russia-equipment/index.html";

#[test]
fn an_editor_save_is_picked_up_once() {
    let site = Site::sample();
    let mut watch = Running::start(&site, "watch", &[]);
    let text = site.read(EN).replace(
        "title = \"Mali receives new shipment of Russian military equipment\"",
        "title = \"Edited while watching\"",
    );
    atomic_save(&site, EN, &text);
    watch.wait_for("Rebuilt");
    assert_eq!(texts(&site.page(PAGE), "h1"), ["Edited while watching"]);
    let more = watch.drain(Duration::from_millis(800));
    assert!(
        !more.iter().any(|l| l.contains("Rebuilt")),
        "one save, one rebuild: {more:?}"
    );
}

#[test]
fn broken_front_matter_keeps_the_old_page_and_recovers() {
    let site = Site::sample();
    let mut watch = Running::start(&site, "watch", &[]);
    let good = site.read(EN);
    atomic_save(&site, EN, &good.replacen("title = ", "title = = ", 1));
    let lines = watch.wait_for("Build failed");
    assert!(lines.iter().any(|l| l.contains(&format!("{EN}:2:"))), "{lines:?}");
    assert_eq!(
        texts(&site.page(PAGE), "h1"),
        ["Mali receives new shipment of Russian military equipment"],
        "the last good page stays"
    );
    atomic_save(
        &site,
        EN,
        &good.replace("Mali receives new", "Mali receives a new"),
    );
    watch.wait_for("Rebuilt");
    assert_eq!(
        texts(&site.page(PAGE), "h1"),
        ["Mali receives a new shipment of Russian military equipment"]
    );
}

#[test]
fn new_folders_deletes_and_seeds_are_followed() {
    let site = Site::sample();
    let mut watch = Running::start(&site, "watch", &[]);
    site.write(
        "content/analysis/first.en.md",
        "+++\ntitle = \"First analysis\"\ndate = 2024-11-24\n+++\nText.\n",
    );
    let page = site.public().join("en/analysis/first/index.html");
    watch.rebuilt_until(|| page.is_file());
    std::fs::remove_file(site.root().join("content/analysis/first.en.md")).unwrap();
    watch.rebuilt_until(|| !page.exists());
    site.write("seeds/2024-11-24-wire.en.txt", "Wire story\n\nFrom the wire.\n");
    let seeded = site.public().join("en/briefings/2024-11-24-wire/index.html");
    watch.rebuilt_until(|| seeded.is_file());
    assert_eq!(
        texts(&site.page("en/briefings/2024-11-24-wire/index.html"), "h1"),
        ["Wire story"]
    );
}

/// A short article, in English, in the sample's briefings.
fn article(title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2024-11-21\ntags = [\"security\"]\n+++\n\nText of {title}.\n")
}

/// Scripts, sync tools and `git` save a file by rename, then move or delete it within
/// milliseconds. The page of the old name goes (a debouncer once merged `tmp → a` and
/// `a → b` into one event for `b`, and dropped every event when `a` was deleted, so it
/// stayed), and the output ends equal to a clean build.
#[test]
fn a_save_by_rename_then_a_move_or_delete_within_milliseconds_is_followed() {
    const TRIALS: usize = 15;
    let site = Site::sample();
    std::fs::create_dir_all(site.root().join("content/analysis")).unwrap();
    let watch = Running::start(&site, "watch", &[]);
    let page = |rel: &str| {
        let (section, name) = rel.rsplit_once('/').unwrap();
        let name = name.trim_end_matches(".en.md");
        site.public().join(format!("en/{section}/{name}/index.html"))
    };
    let mut failed = Vec::new();
    for trial in 0..TRIALS {
        let a = format!("briefings/race-{trial}.en.md");
        site.write(&format!("content/{a}"), article(&format!("Race {trial}")));
        assert!(
            eventually(Duration::from_secs(20), || page(&a).is_file()),
            "trial {trial}: the new article's page never came"
        );
        // In turn: renamed in its folder, moved to another section, deleted.
        let b = match trial % 3 {
            0 => Some(format!("briefings/race-{trial}-renamed.en.md")),
            1 => Some(format!("analysis/race-{trial}.en.md")),
            _ => None,
        };
        atomic_save(
            &site,
            &format!("content/{a}"),
            &article(&format!("Race {trial} saved")),
        );
        std::thread::sleep(Duration::from_millis(trial as u64 % 6));
        let from = site.root().join("content").join(&a);
        match &b {
            Some(b) => std::fs::rename(&from, site.root().join("content").join(b)).unwrap(),
            None => std::fs::remove_file(&from).unwrap(),
        }
        let followed = eventually(Duration::from_secs(5), || {
            !page(&a).exists() && b.as_deref().is_none_or(|b| page(b).is_file())
        });
        if !followed {
            failed.push(format!("trial {trial}: {a} → {b:?}"));
        }
    }
    let diff = watch.differences_once_settled(&site, &[]);
    assert!(
        failed.is_empty() && diff.is_empty(),
        "{} of {TRIALS} trials left a page that is gone: {failed:#?}\nagainst a clean build: {diff:#?}",
        failed.len()
    );
}

/// Saves that come while a rebuild runs are taken in together: one rebuild after it, not one
/// each, or the output falls ever further behind the writer. The article saved is a report of
/// some 180,000 words, so each rebuild, which renders and indexes it, takes many times the
/// 10 ms between these saves on any machine (an ordinary article's rebuild took 11-17 ms
/// here, so most saves were rebuilt one by one and the test said nothing). Each save is
/// longer than the 5 ms a burst waits to go quiet, so each is a burst of its own.
#[test]
fn saves_made_during_a_rebuild_are_taken_in_together() {
    const SAVES: usize = 40;
    let site = Site::sample();
    let paragraph = "The convoy reached Gao after three days on the road, escorted by armoured \
                     vehicles and drones; officials said the equipment would go to the north. ";
    let long = format!(
        "{}\n\n{}",
        site.read(EN),
        paragraph.repeat(8).repeat(900).replace(". The", ".\n\nThe")
    );
    site.write(EN, &long);
    let watch = Running::start(&site, "watch", &[]);
    let text = site.read(EN);
    let title = "title = \"Mali receives new shipment of Russian military equipment\"";
    for n in 0..SAVES {
        atomic_save(&site, EN, &text.replace(title, &format!("title = \"Save {n}\"")));
        std::thread::sleep(Duration::from_millis(10));
    }
    let last = format!("Save {}", SAVES - 1);
    let shown = || texts(&site.page(PAGE), "h1") == [last.as_str()];
    assert!(
        eventually(Duration::from_secs(60), shown),
        "the last save never showed"
    );
    let lines = watch.drain(Duration::from_secs(1));
    let rebuilds = lines.iter().filter(|l| l.contains("Rebuilt")).count();
    assert!(rebuilds <= SAVES / 2, "{SAVES} saves made {rebuilds} rebuilds");
    let diff = watch.differences_once_settled(&site, &[]);
    assert!(diff.is_empty(), "against a clean build: {diff:#?}");
}
