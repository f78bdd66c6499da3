//! End-to-end: `nashra init` and `nashra new`.

mod common;

use common::{attrs, nashra, snapshot, Site};
use predicates::prelude::*;

#[test]
fn init_makes_a_site_that_builds_with_the_repository_theme() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my-site");
    nashra().arg("init").arg(&dir).assert().success();
    assert!(dir.join("seeds").is_dir());
    assert_eq!(
        snapshot(&dir.join("themes/default")),
        snapshot(&common::repo().join("themes/default")),
        "the embedded theme is themes/default"
    );
    nashra().args(["build", "--root"]).arg(&dir).assert().success();
    // What the build wrote (the output, the build cache) is kept out of git.
    let ignored = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    for written in ["/public/", "/.nashra/"] {
        assert!(ignored.lines().any(|l| l == written), "{written} in {ignored:?}");
    }
    assert!(dir.join(".nashra/cache/search.bin").is_file());
    let home =
        scraper::Html::parse_document(&std::fs::read_to_string(dir.join("public/index.html")).unwrap());
    assert_eq!(attrs(&home, "html", "dir"), ["rtl"]);
    assert!(dir.join("public/en/briefings/welcome/index.html").is_file());
    // A second init leaves the site alone.
    let before = snapshot(&dir);
    nashra()
        .arg("init")
        .arg(&dir)
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("a site already exists here"));
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn new_writes_a_draft_and_refuses_to_overwrite() {
    let site = Site::sample();
    let new = |args: &[&str]| {
        nashra()
            .arg("new")
            .args(args)
            .arg("--root")
            .arg(site.root())
            .assert()
    };
    new(&["briefings/niger-vote", "--lang", "en"])
        .success()
        .stdout(predicate::str::contains("content/briefings/niger-vote.en.md"));
    let text = site.read("content/briefings/niger-vote.en.md");
    let fm: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
    assert_eq!(fm["title"].as_str(), Some("Niger vote"));
    assert_eq!(fm["draft"].as_bool(), Some(true));
    assert!(fm["date"].is_datetime());
    site.write("content/briefings/niger-vote.en.md", "edited");
    new(&["briefings/niger-vote", "--lang", "en"])
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "content/briefings/niger-vote.en.md: error: the file already exists",
        ));
    assert_eq!(site.read("content/briefings/niger-vote.en.md"), "edited");
    // Default language, and bad requests.
    new(&["briefings/niger-vote"]).success();
    assert!(site.root().join("content/briefings/niger-vote.ar.md").is_file());
    new(&["briefings/x", "--lang", "fr"])
        .failure()
        .code(1)
        .stderr(predicate::str::contains("`fr`"));
    new(&["../escape"])
        .failure()
        .code(1)
        .stderr(predicate::str::contains("not a usable article path"));
    // The draft builds with --drafts.
    site.write("content/briefings/niger-vote.en.md", text);
    site.build(&["--drafts"]).success();
    assert!(site.public().join("en/briefings/niger-vote/index.html").is_file());
}
