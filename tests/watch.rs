//! End-to-end: `nashra watch` on a temp site, driven by real file events.

mod common;

use std::time::Duration;

use common::{atomic_save, texts, Running, Site};

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
