//! End-to-end: `nashra check` finds what a build would fail on, all of it at once, writes
//! nothing, reports translations, and speaks JSON for editors.

mod common;

use common::{snapshot, Site};

const AR: &str = "content/briefings/mali-russia-equipment.ar.md";
const EN: &str = "content/briefings/mali-russia-equipment.en.md";

fn replace_in(site: &Site, rel: &str, from: &str, to: &str) {
    let text = site.read(rel);
    assert!(text.contains(from), "{from:?} not in {rel}");
    site.write(rel, text.replacen(from, to, 1));
}

fn output(a: &assert_cmd::assert::Assert) -> (String, String) {
    let out = a.get_output();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_sample_site_passes_and_nothing_is_written() {
    let site = Site::sample();
    let ok = site.run("check", &[]).success();
    let (stdout, stderr) = output(&ok);
    assert!(
        // 32 and each language's corrections page.
        stdout.contains("Checked 34 pages (2 articles: ar 1, en 1)"),
        "{stdout}"
    );
    assert!(stdout.contains("Check passed: 0 errors, 0 warnings"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(!site.public().exists(), "check wrote public/");
    let names: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("nashra-")), "{names:?}");
}

#[test]
fn every_error_is_reported_together_and_public_is_untouched() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write(
        "content/briefings/x.md",
        "+++\ntitle = \"x\"\ndate = \"soon\"\n+++\nbody\n",
    );
    replace_in(&site, AR, "summary", "sumary");
    let failed = site.run("check", &[]).failure().code(1);
    let (stdout, stderr) = output(&failed);
    assert!(
        stderr.contains("content/briefings/x.md:3:8: error: `date` = \"soon\" is not a date"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{AR}:4:1: error: unknown front matter key `sumary`")),
        "{stderr}"
    );
    // Each with its line and a caret under the column, as a compiler shows it.
    assert!(
        stderr.contains("is not a date\n 3 | date = \"soon\"\n   |        ^\n  help: "),
        "{stderr}"
    );
    assert!(stdout.contains("Check failed: 2 errors, 0 warnings"), "{stdout}");
    assert_eq!(snapshot(&site.public()), before, "check changed public/");
}

#[test]
fn a_template_that_fails_on_one_page_fails_the_check() {
    let site = Site::sample();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.no_such_field }}{% endblock %}",
    );
    let failed = site.run("check", &[]).failure().code(1);
    let (_, stderr) = output(&failed);
    assert!(
        stderr.contains("templates/page.html: error: while rendering /"),
        "{stderr}"
    );
    assert!(stderr.contains("no_such_field"), "{stderr}");
    assert!(!site.public().exists());
}

#[test]
fn translations_on_different_days_warn_and_strict_fails_on_warnings() {
    let site = Site::sample();
    replace_in(&site, EN, "date = 2024-11-20", "date = 2024-11-23");
    // The sample's correction and update stay after the article's new date.
    replace_in(&site, EN, "date = 2024-11-21,", "date = 2024-11-24,");
    replace_in(&site, EN, "date = 2024-11-22T", "date = 2024-11-24T");
    let ok = site.run("check", &[]).success();
    let (stdout, stderr) = output(&ok);
    assert!(
        stderr.contains(&format!(
            "{EN}: warning: dated 2024-11-23 but its translation {AR} is dated 2024-11-20"
        )),
        "{stderr}"
    );
    assert!(stdout.contains("Check passed: 0 errors, 1 warning"), "{stdout}");
    let strict = site.run("check", &["--strict"]).failure().code(1);
    let (stdout, _) = output(&strict);
    assert!(
        stdout.contains("Check failed: 0 errors, 1 warning (--strict fails on warnings)"),
        "{stdout}"
    );
}

#[test]
fn untranslated_articles_are_listed_per_language() {
    let site = Site::sample();
    std::fs::remove_file(site.root().join(EN)).unwrap();
    let ok = site.run("check", &[]).success();
    let (stdout, _) = output(&ok);
    assert!(
        stdout.contains(&format!("Not translated into en: {AR}")),
        "{stdout}"
    );
    assert!(!stdout.contains("Not translated into ar"), "{stdout}");
}

#[test]
fn json_for_editors() {
    let site = Site::sample();
    replace_in(&site, AR, "summary", "sumary");
    std::fs::remove_file(site.root().join(EN)).unwrap();
    let failed = site.run("check", &["--format", "json"]).failure().code(1);
    let (stdout, _) = output(&failed);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"], 1);
    let d = &json["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], AR);
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(4), Some(1)));
    assert!(d["message"].as_str().unwrap().contains("`sumary`"), "{d}");
    assert!(d["help"].as_str().is_some(), "{d}");

    replace_in(&site, AR, "sumary", "summary");
    let ok = site.run("check", &["--format", "json"]).success();
    let json: serde_json::Value = serde_json::from_str(&output(&ok).0).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["articles"]["ar"], 1);
    assert_eq!(json["untranslated"]["en"][0], AR);
    assert_eq!(json["pages"].as_u64().map(|n| n > 0), Some(true));
}
