//! End-to-end, as readers meet the site: the sample site built and served on loopback, in
//! headless Chromium (tests/browser/readers.mjs). Each page's language and computed direction,
//! which side its heading starts from, no sideways scrolling on a phone, axe-core's
//! accessibility rules (light and dark colour schemes) with no violation, the language
//! switcher leading to the translation, the search page finding the seed article, and
//! screenshots for a person to look at (target/screenshots/, which no test reads).

mod common;

use common::Site;

/// Every kind of page, in both languages.
const PAGES: [&str; 14] = [
    "/",
    "/briefings/",
    "/briefings/mali-russia-equipment/",
    "/regions/mali/",
    "/editions/2024-11-20/",
    "/search/",
    "/corrections/",
    "/en/",
    "/en/briefings/",
    "/en/briefings/mali-russia-equipment/",
    "/en/regions/mali/",
    "/en/editions/2024-11-20/",
    "/en/search/",
    "/en/corrections/",
];

#[test]
fn readers_see_each_page_in_its_language_and_direction_with_no_accessibility_violation() {
    let site = Site::sample();
    common::with_photos(&site);
    // A breaking banner on every page, its Latin names inside the Arabic, so axe and the
    // direction checks read it too.
    let mut config = site.read("nashra.toml");
    config.push_str(concat!(
        "\n[languages.ar.banner]\ntext = \"عاجل: انقطاع شبكة Starlink في باماكو\"\n",
        "link = \"/posts/\"\n",
        "\n[languages.en.banner]\ntext = \"Breaking: Starlink outage in Bamako\"\n",
    ));
    site.write("nashra.toml", config);
    site.build(&[]).success();
    for (page, text) in [
        ("index.html", "انقطاع شبكة"),
        ("en/index.html", "Starlink outage"),
    ] {
        let html = site.read(&format!("public/{page}"));
        assert!(html.contains(text), "{page} shows no banner");
    }
    let shots = common::repo().join("target/screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let public = site.public();
    let mut args = vec![public.to_str().unwrap(), shots.to_str().unwrap()];
    args.extend(PAGES);
    let seen = common::browser("readers.mjs", &args);

    let pages = seen["pages"].as_array().unwrap();
    assert_eq!(pages.len(), PAGES.len());
    let mut violations = Vec::new();
    for page in pages {
        let path = page["path"].as_str().unwrap();
        let arabic = !path.starts_with("/en/");
        let (lang, dir, side) = if arabic {
            ("ar", "rtl", "right")
        } else {
            ("en", "ltr", "left")
        };
        assert_eq!(page["status"], 200, "{path}");
        assert_eq!(page["lang"], lang, "{path}");
        assert_eq!(page["dir"], dir, "{path}: the computed direction of <html>");
        assert_eq!(page["mainDir"], dir, "{path}: the computed direction of <main>");
        // The sample article's box of corrections and updates reads in its language's direction.
        if path.contains("mali-russia-equipment") {
            assert_eq!(
                page["notesDir"], dir,
                "{path}: the computed direction of #corrections"
            );
        }
        assert_eq!(
            page["headingStarts"], side,
            "{path}: where the heading's first letter is"
        );
        assert!(
            page["phoneOverflow"].as_i64().unwrap() <= 0,
            "{path} scrolls sideways on a phone by {}px",
            page["phoneOverflow"]
        );
        assert!(
            page["axe"]["rules"].as_u64().unwrap() > 20,
            "{path}: axe ran too few rules: {}",
            page["axe"]
        );
        for v in page["axe"]["violations"].as_array().unwrap() {
            violations.push(format!(
                "{path} ({}): {} — {}: {}",
                v["scheme"], v["id"], v["help"], v["nodes"]
            ));
        }
    }
    assert!(
        violations.is_empty(),
        "axe-core found:\n{}",
        violations.join("\n")
    );
    eprintln!(
        "axe-core: {} pages, light and dark schemes, 0 violations",
        pages.len()
    );

    let switcher = &seen["switcher"];
    assert_eq!(
        switcher["to"], "/en/briefings/mali-russia-equipment/",
        "{switcher}"
    );
    assert_eq!(switcher["lang"], "en", "{switcher}");

    // The copy-link button, hidden in the HTML, is shown by the theme's script, and copies
    // the article's address (the share links themselves: tests/share.rs).
    // The article's terms and share links are rows of pills, not bulleted columns.
    for (list, seen) in seen["rows"].as_object().unwrap() {
        assert!(seen["items"].as_u64().unwrap() >= 2, "{list}: {seen}");
        assert_eq!(
            (&seen["row"], &seen["bullets"]),
            (&true.into(), &false.into()),
            "{list}"
        );
    }
    let copy = &seen["copy"];
    assert_eq!(copy["shown"], true, "{copy}");
    assert_eq!(copy["copied"], copy["url"], "{copy}");
    assert_eq!(copy["status"], "نُسخ الرابط.", "{copy}");

    let search = &seen["search"];
    let found: Vec<&str> = search["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["href"].as_str().unwrap())
        .collect();
    assert!(
        found.contains(&"/briefings/mali-russia-equipment/"),
        "searching مالي found {search}"
    );

    assert_eq!(
        seen["scriptErrors"],
        serde_json::json!([]),
        "script errors on the pages"
    );
    let files = seen["screenshots"].as_array().unwrap();
    assert_eq!(files.len(), 4, "{files:?}");
    for f in files {
        let bytes = std::fs::read(f.as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000, "{f}");
    }
}
