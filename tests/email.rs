//! End-to-end: the day's edition by e-mail. Every edition (a day in a language) gets
//! `email.html` and `email.txt` beside its page: the HTML right to left in Arabic and left to
//! right in English, its CSS inlined, every link absolute, no script and no stylesheet to
//! load; the text twin with the titles, summaries and links. `nashra email` prints the same
//! bytes the build wrote. Mail clients' support is checked against the caniemail data
//! (@jsx-email/doiuse-email), and the e-mails are shown in Chromium at 600 px, screenshots
//! kept in target/email/ for a person to look at.

mod common;

use std::process::Command;

use common::{attrs, texts, Site, INSTALL};
use scraper::{Html, Selector};

const BASE: &str = "https://example.org/";
/// The sample article's day, and a second day this test adds a story on.
const DAY: &str = "2024-11-20";
const NEXT: &str = "2024-11-21";

/// The sample site with its article's lead photo, and a story of the next day in each
/// language, whose summary links to the sample article by a root-relative path.
fn site() -> Site {
    let site = Site::sample();
    common::with_photos(&site);
    site.write(
        "content/briefings/niger-vote.ar.md",
        "+++\ntitle = \"النيجر تصوّت على دستور جديد مع بعثة ECOWAS\"\ndate = 2024-11-21\n\
         summary = \"صوّت الناخبون في نيامي، انظر [خبر مالي](/briefings/mali-russia-equipment/) أيضًا.\"\n+++\n\nنص الخبر.\n",
    );
    site.write(
        "content/briefings/niger-vote.en.md",
        "+++\ntitle = \"Niger votes on a new constitution\"\ndate = 2024-11-21\n\
         summary = \"Voters in Niamey & beyond went to the polls; see [the Mali story](/en/briefings/mali-russia-equipment/).\"\n+++\n\nText of the story.\n",
    );
    site
}

fn built() -> Site {
    let site = site();
    site.build(&[]).success();
    site
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Where a language's editions are under public/.
fn editions(lang: &str) -> &'static str {
    match lang {
        "ar" => "editions",
        _ => "en/editions",
    }
}

#[test]
fn every_edition_has_an_email_and_a_text_twin_in_each_language() {
    let site = built();
    for lang in ["ar", "en"] {
        for day in [DAY, NEXT] {
            for file in ["index.html", "email.html", "email.txt"] {
                let path = site.public().join(editions(lang)).join(day).join(file);
                assert!(path.is_file(), "{} is missing", path.display());
            }
        }
    }
    // Not pages of the site: no sitemap, no search index lists them.
    let sitemap = site.read("public/sitemap.xml");
    assert!(!sitemap.contains("email"), "{sitemap}");
    // Off with editions, or with a theme without the templates: no e-mails, and no error.
    site.write("themes/default/templates/email.txt", "");
    std::fs::remove_file(site.root().join("themes/default/templates/email.txt")).unwrap();
    site.build(&[]).success();
    assert!(!site
        .public()
        .join("editions")
        .join(DAY)
        .join("email.html")
        .exists());
    assert!(site
        .public()
        .join("editions")
        .join(DAY)
        .join("index.html")
        .exists());
}

#[test]
fn the_html_is_mail_safe_right_to_left_in_arabic_and_left_to_right_in_english() {
    let site = built();
    for (lang, dir, title, summary) in [
        (
            "ar",
            "rtl",
            "النيجر تصوّت على دستور جديد مع بعثة",
            "صوّت الناخبون في نيامي",
        ),
        (
            "en",
            "ltr",
            "Niger votes on a new constitution",
            "Voters in Niamey & beyond",
        ),
    ] {
        let rel = format!("public/{}/{NEXT}/email.html", editions(lang));
        let raw = site.read(&rel);
        let doc = Html::parse_document(&raw);
        assert_eq!(attrs(&doc, "html", "lang"), [lang], "{rel}");
        assert_eq!(attrs(&doc, "html", "dir"), [dir], "{rel}");
        // The direction on every table (the outermost is the body: Outlook's apps drop
        // <body>) and on every cell of text: Gmail and Outlook drop the one on <html>.
        assert!(!raw.contains("<body"), "{rel}");
        for css in ["table", "td[class]"] {
            let dirs = attrs(&doc, css, "dir");
            assert!(
                !dirs.is_empty() && dirs.iter().all(|d| d == dir),
                "{rel} {css}: {dirs:?}"
            );
            let langs = attrs(&doc, css, "lang");
            assert!(langs.iter().all(|l| l == lang), "{rel} {css}: {langs:?}");
        }
        assert_eq!(attrs(&doc, "table[width]", "width")[1], "600", "{rel}");
        // Nothing to run, nothing to fetch but images, no web font.
        assert!(
            attrs(&doc, "script", "src").is_empty() && !raw.contains("<script"),
            "{rel}"
        );
        assert!(!raw.contains("<link"), "{rel}: a <link> in an e-mail");
        assert!(!raw.contains("@font-face") && !raw.contains("@import"), "{rel}");
        // The theme's CSS inlined: its classes' rules are on the elements themselves, only
        // @media rules are left in a <style>.
        let cell = attrs(&doc, "td.story", "style");
        assert!(
            cell.iter()
                .all(|s| s.contains("font-family") && s.contains("padding")),
            "{rel}: {cell:?}"
        );
        let align = if dir == "rtl" { "right" } else { "left" };
        assert!(
            cell.iter().all(|s| s.contains(&format!("text-align: {align}"))),
            "{rel}: {cell:?}"
        );
        for style in texts(&doc, "style") {
            assert!(
                style.trim_start().starts_with("@media"),
                "{rel}: left in <style>: {style}"
            );
        }
        // Outlook's conditional comment survives the build (the site's minifier drops comments).
        assert!(raw.contains("<!--[if mso]>"), "{rel}");
        // Every link and image absolute.
        let links: Vec<String> = [attrs(&doc, "[href]", "href"), attrs(&doc, "[src]", "src")].concat();
        assert!(links.len() >= 6, "{rel}: {links:?}");
        for link in &links {
            assert!(link.starts_with(BASE), "{rel}: {link} is not absolute");
        }
        // The masthead, the day, each story: section, linked title, summary, a link to read
        // it on the site; the footer's links to the edition and the site.
        let heading = texts(&doc, "h1").concat();
        assert!(!heading.is_empty(), "{rel}");
        let day = texts(&doc, ".edition-date").concat();
        assert!(
            day.contains(if lang == "ar" { "٢١" } else { "21 November 2024" }),
            "{rel}: {day}"
        );
        let titles = texts(&doc, "h2 a");
        assert_eq!(titles.len(), 1, "{rel}: {titles:?}");
        assert!(titles[0].contains(title), "{rel}: {titles:?}");
        assert!(texts(&doc, ".summary").concat().contains(summary), "{rel}");
        let story = format!(
            "{BASE}{}briefings/niger-vote/",
            if lang == "ar" { "" } else { "en/" }
        );
        assert_eq!(attrs(&doc, "h2 a", "href"), std::slice::from_ref(&story), "{rel}");
        assert_eq!(attrs(&doc, ".more a", "href"), [story], "{rel}");
        let summary_links = attrs(&doc, ".summary a", "href");
        let mali = format!(
            "{BASE}{}briefings/mali-russia-equipment/",
            if lang == "ar" { "" } else { "en/" }
        );
        assert_eq!(
            summary_links,
            [mali],
            "{rel}: the summary's root-relative link made absolute"
        );
        let footer = attrs(&doc, ".footer a", "href");
        let prefix = if lang == "ar" { "" } else { "en/" };
        assert_eq!(
            footer,
            [
                format!("{BASE}{prefix}editions/{NEXT}/"),
                format!("{BASE}{prefix}")
            ],
            "{rel}"
        );
        // A name in Latin letters inside Arabic is isolated, so it cannot reorder the title.
        if lang == "ar" {
            // As a <span dir>: Gmail and Outlook know no <bdi>.
            assert!(raw.contains("<span dir=\"ltr\">ECOWAS</span>"), "{rel}");
            assert!(!raw.contains("<bdi"), "{rel}");
        }
    }
    // The lead photo: absolute, with its size and alt text.
    let doc = site.page(&format!("editions/{DAY}/email.html"));
    let img = Selector::parse(".story img").unwrap();
    let img = doc.select(&img).next().expect("the lead photo is in the e-mail");
    let v = img.value();
    assert!(v.attr("src").unwrap().starts_with(BASE), "{:?}", v.attr("src"));
    assert_eq!(v.attr("width"), Some("544"));
    // 1800×1200: 544 wide is 363 high (rounded).
    assert_eq!(v.attr("height"), Some("363"));
    assert_eq!(v.attr("alt"), Some("قافلة مدرعات في باماكو"));
}

#[test]
fn the_text_twin_lists_titles_summaries_and_absolute_links() {
    let site = built();
    let ar = site.read(&format!("public/editions/{NEXT}/email.txt"));
    // Arabic as written, never as entities; the summary as text, not HTML.
    assert!(ar.contains("النيجر تصوّت على دستور جديد مع بعثة ECOWAS"), "{ar}");
    assert!(ar.contains("صوّت الناخبون في نيامي"), "{ar}");
    assert!(ar.contains(&format!("{BASE}briefings/niger-vote/")), "{ar}");
    assert!(ar.contains(&format!("{BASE}editions/{NEXT}/")), "{ar}");
    let en = site.read(&format!("public/en/editions/{NEXT}/email.txt"));
    assert!(en.contains("Niger votes on a new constitution"), "{en}");
    assert!(en.contains("Voters in Niamey & beyond"), "{en}");
    assert!(en.contains(&format!("{BASE}en/briefings/niger-vote/")), "{en}");
    let older = site.read(&format!("public/en/editions/{DAY}/email.txt"));
    assert!(
        older.contains("Mali receives new shipment of Russian military equipment"),
        "{older}"
    );
    assert!(older.contains("including T-72B3 tanks"), "{older}");
    for text in [&ar, &en, &older] {
        for bad in ["&amp;", "&#", "<p>", "<a ", "<bdi>"] {
            assert!(!text.contains(bad), "{bad} in the text e-mail:\n{text}");
        }
        // Folded for plain-text readers; only a line that is one link may be longer.
        for line in text.lines() {
            assert!(
                line.chars().count() <= 72 || !line.trim().contains(' '),
                "a long line: {line}"
            );
        }
    }
    assert!(older.lines().filter(|l| l.contains("T-72B3")).count() == 1);
}

#[test]
fn the_mailing_services_unsubscribe_placeholder_is_linked_as_written() {
    let site = built();
    let html =
        |lang: &str| Html::parse_document(&site.read(&format!("public/{}/{DAY}/email.html", editions(lang))));
    let text = |lang: &str| site.read(&format!("public/{}/{DAY}/email.txt", editions(lang)));
    // None configured: no link to nowhere.
    assert!(!text("en").contains("Unsubscribe"), "{}", text("en"));
    assert!(
        !texts(&html("en"), "a").iter().any(|t| t == "Unsubscribe"),
        "an unsubscribe link with none configured"
    );
    for placeholder in ["*|UNSUB|*", "{{ UnsubscribeURL }}"] {
        site.write(
            "nashra.toml",
            format!(
                "{}\n[email]\nunsubscribe = {placeholder:?}\n",
                site.read("nashra.toml").split("\n[email]").next().unwrap()
            ),
        );
        site.build(&[]).success();
        for (lang, label) in [("en", "Unsubscribe"), ("ar", "إلغاء الاشتراك")] {
            let doc = html(lang);
            let linked: Vec<String> = doc
                .select(&Selector::parse("a").unwrap())
                .filter(|a| a.text().collect::<String>() == label)
                .filter_map(|a| a.value().attr("href").map(String::from))
                .collect();
            // As written, for the service to replace: not made absolute as the others are.
            assert_eq!(linked, [placeholder], "{lang}");
            assert!(
                attrs(&doc, "a", "href")
                    .iter()
                    .all(|h| h == placeholder || h.starts_with(BASE)),
                "{lang}: a link neither absolute nor the placeholder"
            );
            let twin = text(lang);
            assert!(
                twin.contains(&format!("{label}:\n{placeholder}\n")),
                "{lang}:\n{twin}"
            );
        }
    }
}

#[test]
fn nashra_email_prints_the_built_file() {
    let site = built();
    let public = site.public();
    // What `nashra email ARGS…` prints is the file the build wrote, byte for byte.
    let prints = |args: &[&str], file: String| {
        let printed = site.run("email", args).success().get_output().stdout.clone();
        let built = std::fs::read(public.join(&file)).unwrap();
        // As text first, for a failure one can read; then byte for byte.
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert_eq!(text(&printed), text(&built), "{args:?}: {file}");
        assert_eq!(printed, built, "{args:?}: {file}");
    };
    // The newest edition in the first language (Arabic), as HTML.
    prints(&[], format!("editions/{NEXT}/email.html"));
    prints(
        &[DAY, "--lang", "en", "--text"],
        format!("en/editions/{DAY}/email.txt"),
    );
    prints(&[DAY, "--lang", "en"], format!("en/editions/{DAY}/email.html"));

    // A day with no edition: the error names it and lists those there are.
    let a = site.run("email", &["2020-01-01"]).failure();
    let err = stderr(&a);
    assert!(err.contains("no edition on 2020-01-01"), "{err}");
    assert!(err.contains(&format!("{NEXT}, {DAY}")), "{err}");
    // An unknown language: the error lists the site's.
    let a = site.run("email", &["--lang", "fr"]).failure();
    let err = stderr(&a);
    assert!(
        err.contains("no language `fr`") && err.contains("ar, en"),
        "{err}"
    );
    // Editions off: the error says how to turn them on.
    site.write(
        "nashra.toml",
        format!("editions = false\n{}", site.read("nashra.toml")),
    );
    let a = site.run("email", &[]).failure();
    assert!(stderr(&a).contains("editions = true"), "{}", stderr(&a));
    assert!(a.get_output().stdout.is_empty());

    let help = common::nashra().args(["email", "--help"]).assert().success();
    let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    for word in ["email.html", "--lang", "--text", "mailer"] {
        assert!(help.contains(word), "{word} not in:\n{help}");
    }
}

#[test]
fn the_emails_pass_caniemail_for_gmail_outlook_and_apple_mail() {
    let site = built();
    let script = common::repo().join("tests/validators/email.mjs");
    assert!(
        common::repo()
            .join("tests/validators/node_modules/@jsx-email/doiuse-email")
            .is_dir(),
        "@jsx-email/doiuse-email is not installed: {INSTALL}"
    );
    let files: Vec<String> = ["ar", "en"]
        .iter()
        .flat_map(|lang| [DAY, NEXT].map(|day| format!("{}/{day}/email.html", editions(lang))))
        .map(|rel| site.public().join(rel).display().to_string())
        .collect();
    let out = Command::new("node")
        .arg(&script)
        .arg("gmail.*,outlook.*,apple-mail.*")
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("Node.js is not installed ({e}): {INSTALL}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for file in &files {
        let r = &report[file];
        assert_eq!(r["success"], true, "{file}: {:#}", r["errors"]);
        assert_eq!(
            r["errors"].as_array().map(Vec::len),
            Some(0),
            "{file}: {:#}",
            r["errors"]
        );
    }
}

#[test]
fn in_chromium_at_600_px_arabic_reads_right_to_left_and_english_left_to_right() {
    let site = built();
    let shots = common::repo().join("target/email");
    let public = site.public();
    let paths = [
        format!("editions/{DAY}/email.html"),
        format!("en/editions/{DAY}/email.html"),
    ];
    let mut args = vec![public.to_str().unwrap(), BASE, shots.to_str().unwrap()];
    args.extend(paths.iter().map(String::as_str));
    let seen = common::browser("email.mjs", &args);
    let emails = seen["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2, "{seen:#}");
    for (e, (lang, dir, side)) in emails.iter().zip([("ar", "rtl", "right"), ("en", "ltr", "left")]) {
        assert_eq!(e["lang"], lang, "{e:#}");
        assert_eq!(e["dir"], dir, "{e:#}");
        assert_eq!(e["titleDir"], dir, "{e:#}");
        assert_eq!(e["titleStarts"], side, "{e:#}");
        // The title sits inside the layout table, its padding on each side; the table takes
        // the window less the page's own margin (a mail client's viewer sets its own).
        let width = e["tableWidth"].as_u64().unwrap();
        assert!((560..=600).contains(&width), "{e:#}");
        assert_eq!(e["fromRight"], 28, "{e:#}");
        assert_eq!(e["fromLeft"], 28, "{e:#}");
        assert_eq!(e["overflows"], false, "{e:#}");
        let images = e["images"].as_array().unwrap();
        assert!(
            !images.is_empty() && images.iter().all(|i| i["loaded"] == true),
            "{e:#}"
        );
        let shot = std::path::Path::new(e["screenshot"].as_str().unwrap());
        assert!(shot.is_file(), "{e:#}");
    }
    assert_eq!(seen["failed"].as_array().map(Vec::len), Some(0), "{seen:#}");
}
