//! End-to-end: what a site gives its templates besides pages — `[extra]` in `nashra.toml`,
//! `data/*.toml`, and each language's breaking-news banner until its `until` — from the real
//! `nashra build` and `nashra watch`.

mod common;

use std::time::SystemTime;

use common::{atomic_save, attrs, snapshot, texts, Running, Site};

/// Today's date (UTC) moved by `days`, as TOML writes a date.
fn day(days: i64) -> String {
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    (now + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The sample site with `tables` added to its `nashra.toml`.
fn site_with(tables: &str) -> Site {
    let site = Site::sample();
    let config = site.read("nashra.toml");
    site.write("nashra.toml", format!("{config}\n{tables}\n"));
    site
}

const PAGES: [&str; 3] = [
    "index.html",
    "briefings/mali-russia-equipment/index.html",
    "regions/mali/index.html",
];

#[test]
fn a_banner_shows_on_every_page_of_its_language_until_its_date_and_not_after() {
    let banner = |until: &str| {
        format!(
            "[languages.ar.banner]\ntext = \"انقطاع الاتصالات في باماكو منذ الفجر\"\n\
             link = \"/briefings/mali-russia-equipment/\"\nuntil = {until}\n\n\
             [languages.en.banner]\ntext = \"Ended yesterday\"\nuntil = {}\n",
            day(-1)
        )
    };
    let site = site_with(&banner(&day(1)));
    site.build(&[]).success();
    for page in PAGES {
        let doc = site.page(page);
        assert_eq!(
            texts(&doc, "section.banner bdi.banner__text"),
            ["انقطاع الاتصالات في باماكو منذ الفجر"],
            "{page}"
        );
        assert_eq!(
            attrs(&doc, "section.banner", "aria-label"),
            ["عاجل"],
            "{page}: a named region"
        );
        assert_eq!(
            attrs(&doc, "section.banner a", "href"),
            ["/briefings/mali-russia-equipment/"],
            "{page}"
        );
        let en = site.page(&format!("en/{page}"));
        assert!(
            texts(&en, ".banner").is_empty(),
            "en/{page}: a banner past its date shows"
        );
    }

    // Ended yesterday: gone from every page, with the build cache on.
    let config = site.read("nashra.toml").replace(
        &format!("until = {}\n\n[languages.en", day(1)),
        &format!("until = {}\n\n[languages.en", day(-1)),
    );
    site.write("nashra.toml", config);
    site.build(&[]).success();
    for page in PAGES {
        assert!(texts(&site.page(page), ".banner").is_empty(), "{page}");
    }

    // A minute ago, written in UTC+01:00 (which, read as UTC, would be 59 minutes ahead):
    // passed. A banner without `until` stays.
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    let passed = (now - chrono::Duration::minutes(1))
        .with_timezone(&chrono::FixedOffset::east_opt(3600).expect("an offset"))
        .format("%Y-%m-%dT%H:%M:%S%:z");
    let site = site_with(&format!(
        "[languages.ar.banner]\ntext = \"x\"\nuntil = {passed}\n\n[languages.en.banner]\ntext = \"Always\"\n"
    ));
    site.build(&[]).success();
    assert!(texts(&site.page("index.html"), ".banner").is_empty());
    assert_eq!(texts(&site.page("en/index.html"), ".banner__text"), ["Always"]);
}

#[test]
fn a_banner_until_that_is_no_date_is_an_error_naming_nashra_toml() {
    let site = site_with("[languages.ar.banner]\ntext = \"x\"\nuntil = \"tomorrow\"\n");
    let out = site.build(&[]).failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("nashra.toml") && stderr.contains("until"),
        "{stderr}"
    );
}

#[test]
fn extra_and_data_files_are_what_templates_read() {
    let site = site_with("[extra]\ndesk_phone = \"+223 20 00 00 00\"\nlaunched = 2024-11-20\n");
    site.write(
        "data/staff.toml",
        "editor = { name = \"أمينة توري\", since = 2019 }\n\
         correspondents = [\"Bamako\", \"Niamey\", \"Ouagadougou\"]\n",
    );
    site.write("data/README.md", "Not data: left alone.");
    site.write(
        "templates/404.html",
        "<!doctype html><html lang=\"ar\"><title>x</title>\
         <p id=\"phone\">{{ site.extra.desk_phone }}</p>\
         <p id=\"launched\">{{ site.extra.launched }}</p>\
         <p id=\"editor\">{{ site.data.staff.editor.name }} {{ site.data.staff.editor.since }}</p>\
         <ul>{% for c in site.data.staff.correspondents %}<li>{{ c }}</li>{% endfor %}</ul>",
    );
    site.build(&[]).success();
    let doc = site.page("404.html");
    assert_eq!(texts(&doc, "#phone"), ["+223 20 00 00 00"]);
    assert_eq!(texts(&doc, "#launched"), ["2024-11-20"]);
    assert_eq!(texts(&doc, "#editor"), ["أمينة توري 2019"]);
    assert_eq!(texts(&doc, "li"), ["Bamako", "Niamey", "Ouagadougou"]);

    // Edited, the data shows at once, with the build cache on.
    site.write(
        "data/staff.toml",
        "editor = { name = \"Moussa Diarra\", since = 2025 }\ncorrespondents = [\"Niamey\"]\n",
    );
    site.build(&[]).success();
    assert_eq!(texts(&site.page("404.html"), "#editor"), ["Moussa Diarra 2025"]);
}

#[test]
fn a_broken_data_file_is_an_error_at_its_line_and_the_last_output_stays() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write(
        "data/staff.toml",
        "editor = \"x\"\ncorrespondents = [\"Bamako\",\n\"Niamey\"\nbroken\n",
    );
    let out = site.build(&[]).failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("data/staff.toml:"), "{stderr}");
    assert!(stderr.contains("templates read this file"), "{stderr}");
    assert!(snapshot(&site.public()) == before, "the last good output changed");
}

#[test]
fn watch_shows_an_edited_data_file_as_a_clean_build_would() {
    let site = Site::sample();
    site.write("data/desk.toml", "phone = \"+223 1\"\n");
    site.write(
        "templates/404.html",
        "<!doctype html><html lang=\"ar\"><title>x</title><p id=\"phone\">{{ site.data.desk.phone }}</p>",
    );
    let mut watch = Running::start(&site, "watch", &[]);
    atomic_save(&site, "data/desk.toml", "phone = \"+223 2\"\n");
    watch.rebuilt_until(|| texts(&site.page("404.html"), "#phone") == ["+223 2"]);
    let differences = watch.differences_once_settled(&site, &[]);
    assert!(differences.is_empty(), "{differences:?}");
}
