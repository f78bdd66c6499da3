//! End-to-end: themes that extend another. The `ink` theme (themes/ink: `extends = "default"`,
//! its own custom.css and index.html, a few UI strings of its own) lays the home pages out
//! its way and leaves every other page, and style.css, the default theme's; every link on its
//! home pages leads to a built file; its colours meet WCAG AA in the light and the dark
//! scheme. A missing or circular parent fails the build at the `extends` key; a child's UI
//! strings replace the parent's key by key; the site's own folders override both themes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{attrs, snapshot, texts, Site};
use scraper::{Html, Selector};

const THEME: &str = "ink";

/// The sample site with `theme = "<theme>"` in its nashra.toml.
/// A stylesheet as a build publishes it: minified, as nashra minifies it.
fn minified_css(source: PathBuf) -> String {
    let text = std::fs::read_to_string(source).unwrap();
    minifier::css::minify(&text)
        .unwrap()
        .to_string()
        .trim()
        .to_string()
}

/// `text` with the fingerprints taken out of stylesheet and script names
/// (`/custom.0abdec2212.css` → `/custom.css`): a theme's own `custom.css` changes the
/// fingerprint every page links, and nothing else of them.
fn unfingerprinted(text: &str) -> String {
    let fingerprint = regex::Regex::new(r"\.[0-9a-f]{10}\.(css|js)\b").unwrap();
    fingerprint.replace_all(text, ".$1").into_owned()
}

fn site_with_theme(theme: &str) -> Site {
    let site = Site::sample();
    set_theme(&site, theme);
    site
}

fn set_theme(site: &Site, theme: &str) {
    let config = site.read("nashra.toml");
    let line = "\ntheme = \"default\"\n";
    assert!(
        config.contains(line),
        "the sample's nashra.toml names its theme on one line"
    );
    site.write(
        "nashra.toml",
        config.replacen(line, &format!("\ntheme = \"{theme}\"\n"), 1),
    );
}

/// Adds, in both languages, two more stories on the sample story's day (one under an Arabic
/// file name, so its URL is percent-encoded) and two older ones in a second section: a home
/// page with a lead story, the rest of its edition, and earlier stories.
fn add_stories(site: &Site) {
    site.write("content/analysis/_index.ar.md", "+++\ntitle = \"تحليلات\"\n+++\n");
    site.write(
        "content/analysis/_index.en.md",
        "+++\ntitle = \"Analysis\"\n+++\n",
    );
    let stories = [
        (
            "briefings/niger-vote",
            "2024-11-20",
            "النيجر تؤجل الانتخابات",
            "Niger postpones its vote",
        ),
        (
            "briefings/تشاد",
            "2024-11-20",
            "تشاد تغلق حدودها",
            "Chad closes its border",
        ),
        (
            "analysis/wagner",
            "2024-11-19",
            "من فاغنر إلى الفيلق الأفريقي",
            "From Wagner to Africa Corps",
        ),
        (
            "analysis/algeria",
            "2024-11-18",
            "الجزائر والساحل",
            "Algeria and the Sahel",
        ),
    ];
    for (file, date, ar, en) in stories {
        for (lang, title) in [("ar", ar), ("en", en)] {
            site.write(
                &format!("content/{file}.{lang}.md"),
                format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\n\n{title}.\n"),
            );
        }
    }
}

/// The same site built with the default theme and with `ink`.
fn default_and_ink() -> (Site, Site) {
    let (default, ink) = (Site::sample(), site_with_theme(THEME));
    for site in [&default, &ink] {
        add_stories(site);
        site.build(&[]).success();
    }
    (default, ink)
}

fn hrefs(doc: &Html, css: &str) -> Vec<String> {
    attrs(doc, css, "href")
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).unwrap()).count()
}

#[test]
fn ink_lays_out_the_home_pages_its_own_way_with_the_same_stories() {
    let (default, ink) = default_and_ink();
    for (home, lang, dir) in [("index.html", "ar", "rtl"), ("en/index.html", "en", "ltr")] {
        let (before, after) = (default.page(home), ink.page(home));
        assert_eq!(attrs(&after, "html", "lang"), [lang], "{home}");
        assert_eq!(attrs(&after, "html", "dir"), [dir], "{home}");

        // ink's layout, not the default's.
        for gone in [".front", ".lead-story", ".section-index", ".more-stories"] {
            assert_eq!(count(&before, gone), 1, "{home}: the default home has {gone}");
            assert_eq!(count(&after, gone), 0, "{home}: ink's home has {gone}");
        }
        for part in [
            ".ink-dateline",
            ".ink-search",
            ".ink-sections",
            ".ink-front",
            ".ink-lead",
            ".ink-briefs",
            ".ink-more",
            ".ink-follow",
        ] {
            assert_eq!(count(&after, part), 1, "{home}: no {part} on ink's home page");
        }

        // The same stories, in the same order: the edition's first leads, the rest of the
        // edition beside it, the stories before the edition in the grid.
        let lead = hrefs(&before, ".lead-story .card__title a");
        assert_eq!(lead.len(), 1, "{home}");
        assert_eq!(
            hrefs(&after, ".ink-lead__title a"),
            lead,
            "{home}: the lead story"
        );
        let edition = hrefs(&before, ".edition .card-list .card__title a");
        assert_eq!(edition.len(), 2, "{home}");
        assert_eq!(
            hrefs(&after, ".ink-brief__title a"),
            edition,
            "{home}: beside the lead"
        );
        let earlier = hrefs(&before, ".more-stories .card__title a");
        assert_eq!(earlier.len(), 2, "{home}");
        assert_eq!(
            hrefs(&after, ".ink-grid .card__title a"),
            earlier,
            "{home}: the grid"
        );

        // Sections as a strip, the latest edition in the dateline, search, feeds.
        let prefix = if lang == "ar" { "/" } else { "/en/" };
        assert_eq!(
            hrefs(&after, ".ink-sections a"),
            [format!("{prefix}analysis/"), format!("{prefix}briefings/")],
            "{home}"
        );
        assert_eq!(
            hrefs(&after, ".ink-dateline__edition a"),
            [format!("{prefix}editions/2024-11-20/")],
            "{home}"
        );
        assert_eq!(
            attrs(&after, "form.ink-search", "action"),
            [format!("{prefix}search/")]
        );
        assert_eq!(attrs(&after, ".ink-search input", "name"), ["q"], "{home}");
        assert_eq!(
            hrefs(&after, ".ink-follow a"),
            ["", "analysis/", "briefings/"]
                .iter()
                .flat_map(|list| ["atom.xml", "rss.xml", "feed.json"].map(|f| format!("{prefix}{list}{f}")))
                .chain([format!("{prefix}editions/")])
                .collect::<Vec<_>>(),
            "{home}: every feed format the site lists, for the language and each section"
        );
        let (top_story, follow) = if lang == "ar" {
            ("الخبر الأبرز", "تابع النشرة")
        } else {
            ("Top story", "Follow the briefing")
        };
        assert_eq!(texts(&after, ".ink-lead__label"), [top_story], "{home}");
        assert_eq!(texts(&after, "#ink-follow-heading"), [follow], "{home}");

        // Nothing a reader could reach from the default home page is missing: the language
        // switcher, the navigation, every story, section, edition and feed.
        let reachable = |doc: &Html| -> BTreeSet<String> {
            hrefs(doc, "a[href], link[href]")
                .iter()
                .map(|h| unfingerprinted(h))
                .collect()
        };
        let lost: Vec<String> = reachable(&before)
            .difference(&reachable(&after))
            .cloned()
            .collect();
        assert!(lost.is_empty(), "{home}: ink's home page lost links: {lost:?}");
        let other = if lang == "ar" { "en" } else { "ar" };
        assert_eq!(
            attrs(&after, ".lang-switcher a", "hreflang"),
            [other],
            "{home}: the language switcher"
        );
    }
}

#[test]
fn every_page_but_the_home_pages_and_custom_css_is_the_default_themes() {
    let (default, ink) = default_and_ink();
    // Names and links without their fingerprints: ink's custom.css has another.
    let plain = |public: PathBuf| -> BTreeMap<String, Vec<u8>> {
        let files = snapshot(&public).into_iter();
        files
            .map(|(path, bytes)| {
                let path = unfingerprinted(&path.to_string_lossy().replace('\\', "/"));
                let bytes = match path.ends_with(".html") {
                    true => unfingerprinted(&String::from_utf8(bytes).unwrap()).into_bytes(),
                    false => bytes,
                };
                (path, bytes)
            })
            .collect()
    };
    let (before, after) = (plain(default.public()), plain(ink.public()));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "both builds write the same files"
    );
    let differ: Vec<String> = before
        .iter()
        .filter(|(path, bytes)| after.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .collect();
    assert_eq!(differ, ["custom.css", "en/index.html", "index.html"]);
    // So an article page, in each language, is the default theme's to the byte.
    for article in [
        "briefings/mali-russia-equipment/index.html",
        "en/briefings/mali-russia-equipment/index.html",
    ] {
        let page = ink.page(article);
        assert_eq!(count(&page, "article.article .article__body"), 1, "{article}");
        assert_eq!(count(&page, "[class^=ink-], [class*=' ink-']"), 0, "{article}");
    }
    assert_eq!(
        attrs(
            &ink.page("briefings/mali-russia-equipment/index.html"),
            "html",
            "dir"
        ),
        ["rtl"]
    );
    assert_eq!(
        attrs(
            &ink.page("en/briefings/mali-russia-equipment/index.html"),
            "html",
            "dir"
        ),
        ["ltr"]
    );
}

#[test]
fn ink_serves_its_custom_css_after_the_default_style_css() {
    let site = site_with_theme(THEME);
    site.build(&[]).success();
    let repo = common::repo();
    let served = site.read("public/custom.css");
    assert_eq!(served, minified_css(repo.join("themes/ink/static/custom.css")));
    assert_ne!(
        served,
        minified_css(repo.join("themes/default/static/custom.css"))
    );
    for restyled in [
        "--color-accent:#1f4e8c;",
        "--color-bg:#0f141c;",
        "--font-heading-en:",
    ] {
        assert!(served.contains(restyled), "ink's custom.css sets {restyled}");
    }
    assert_eq!(
        site.read("public/style.css"),
        minified_css(repo.join("themes/default/static/style.css")),
        "style.css is the default theme's"
    );
    for page in [
        "index.html",
        "en/index.html",
        "en/briefings/mali-russia-equipment/index.html",
    ] {
        let sheets = attrs(&site.page(page), "link[rel=stylesheet]", "href");
        assert_eq!(
            sheets.iter().map(|h| unfingerprinted(h)).collect::<Vec<_>>(),
            ["/style.css", "/custom.css"],
            "{page}: custom.css must load after style.css to override it"
        );
        // Each linked by the hash of what is published under it.
        for (sheet, plain) in sheets.iter().zip(["public/style.css", "public/custom.css"]) {
            assert_ne!(&unfingerprinted(sheet), sheet, "{sheet} has a fingerprint");
            assert_eq!(site.read(&format!("public{sheet}")), site.read(plain), "{sheet}");
        }
    }
}

/// The file under public/ that `href` on the page `from` (under public/) leads to, and the
/// fragment it names; None for a link off the site.
fn target(from: &str, href: &str) -> Option<(String, String)> {
    let (rest, fragment) = href.split_once('#').unwrap_or((href, ""));
    let rest = rest.split('?').next().unwrap_or_default();
    let path = if rest.is_empty() {
        from.to_string()
    } else {
        let rooted = rest.strip_prefix("https://example.org").unwrap_or(rest);
        let rooted = rooted.strip_prefix('/')?;
        let decoded = percent_encoding::percent_decode_str(rooted)
            .decode_utf8()
            .unwrap();
        if decoded.is_empty() || decoded.ends_with('/') {
            format!("{decoded}index.html")
        } else {
            decoded.into_owned()
        }
    };
    Some((path, fragment.to_string()))
}

#[test]
fn every_link_on_inks_home_pages_leads_to_a_built_file() {
    let site = site_with_theme(THEME);
    add_stories(&site);
    site.build(&[]).success();
    for home in ["index.html", "en/index.html"] {
        let doc = site.page(home);
        let mut links: Vec<String> = hrefs(&doc, "a[href], link[href]");
        links.extend(attrs(&doc, "form[action]", "action"));
        links.extend(attrs(&doc, "img[src], script[src]", "src"));
        assert!(links.len() > 30, "{home}: only {} links", links.len());
        assert!(
            links.iter().any(|l| l.contains("%D8%AA%D8%B4%D8%A7%D8%AF")),
            "{home}: the story with an Arabic file name is linked: {links:?}"
        );
        let mut broken = Vec::new();
        for link in &links {
            let Some((file, fragment)) = target(home, link) else {
                broken.push(format!("{link} (off the site)"));
                continue;
            };
            let path = site.public().join(&file);
            if !path.is_file() {
                broken.push(format!("{link} → public/{file}, which is not there"));
            } else if !fragment.is_empty() {
                let at = Html::parse_document(&std::fs::read_to_string(&path).unwrap());
                if count(&at, &format!("[id='{fragment}']")) != 1 {
                    broken.push(format!("{link} → no id {fragment:?} in public/{file}"));
                }
            }
        }
        assert!(broken.is_empty(), "{home}: broken links:\n{}", broken.join("\n"));
    }
}

/// `#rrggbb` → relative luminance (WCAG 2).
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim().trim_start_matches('#');
    assert_eq!(hex.len(), 6, "not a #rrggbb colour: {hex}");
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The custom properties a stylesheet sets on `:root`, in the order it sets them, each with
/// the `@media` it is inside ("" for none).
fn root_properties(css: &str) -> Vec<(String, String, String)> {
    let mut text = String::new();
    let mut rest = css;
    while let Some((before, after)) = rest.split_once("/*") {
        text.push_str(before);
        rest = after.split_once("*/").map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    let (mut stack, mut buf, mut out): (Vec<String>, String, Vec<_>) =
        (Vec::new(), String::new(), Vec::new());
    let mut declare = |stack: &[String], buf: &str| {
        if stack.last().map(String::as_str) == Some(":root") {
            if let Some((name, value)) = buf.split_once(':') {
                if name.trim().starts_with("--") {
                    let media = stack.len().checked_sub(2).map_or("", |i| stack[i].as_str());
                    out.push((
                        media.to_string(),
                        name.trim().to_string(),
                        value.trim().to_string(),
                    ));
                }
            }
        }
    };
    for c in text.chars() {
        match c {
            '{' => {
                stack.push(buf.trim().to_string());
                buf.clear();
            }
            ';' => {
                declare(&stack, &buf);
                buf.clear();
            }
            '}' => {
                declare(&stack, &buf);
                stack.pop();
                buf.clear();
            }
            _ => buf.push(c),
        }
    }
    out
}

#[test]
fn inks_colours_meet_wcag_aa_in_the_light_and_the_dark_scheme() {
    let site = site_with_theme(THEME);
    site.build(&[]).success();
    // The cascade as a browser applies it: style.css, then custom.css, each in its order.
    let sheets = [site.read("public/style.css"), site.read("public/custom.css")];
    // Minified: no space after the colon.
    let dark_media = "@media (prefers-color-scheme:dark)";
    for scheme in ["light", "dark"] {
        let mut colours: BTreeMap<String, String> = BTreeMap::new();
        for sheet in &sheets {
            for (media, name, value) in root_properties(sheet) {
                if media.is_empty() || (scheme == "dark" && media == dark_media) {
                    colours.insert(name, value);
                }
            }
        }
        let colour = |name: &str| colours[&format!("--color-{name}")].clone();
        let mut failing = Vec::new();
        // Text on what it sits on: 4.5:1; the focus ring against the page: 3:1.
        for (fg, bgs, least) in [
            (
                "text",
                &["bg", "surface", "tag-bg", "code-bg", "mark-bg"][..],
                4.5,
            ),
            ("muted", &["bg", "surface", "tag-bg"], 4.5),
            ("link", &["bg", "surface"], 4.5),
            ("link-hover", &["bg", "surface"], 4.5),
            ("accent", &["bg", "surface", "tag-bg"], 4.5),
            ("accent-strong", &["bg"], 4.5),
            ("on-accent", &["accent", "accent-strong"], 4.5),
            ("focus", &["bg", "surface"], 3.0),
        ] {
            for bg in bgs {
                let ratio = contrast(&colour(fg), &colour(bg));
                if ratio < least {
                    failing.push(format!("--color-{fg} on --color-{bg}: {ratio:.2}:1 < {least}:1"));
                }
            }
        }
        assert!(failing.is_empty(), "{scheme} scheme:\n{}", failing.join("\n"));
        // And they are ink's colours, not the default's.
        let expected = if scheme == "light" { "#f9f8f4" } else { "#0f141c" };
        assert_eq!(colour("bg"), expected, "{scheme}");
    }
}

#[test]
fn readers_meet_inks_home_pages_in_their_language_with_no_accessibility_violation() {
    let site = site_with_theme(THEME);
    add_stories(&site);
    site.build(&[]).success();
    let shots = tempfile::tempdir().unwrap();
    let public = site.public();
    let args = [
        public.to_str().unwrap(),
        shots.path().to_str().unwrap(),
        "/",
        "/en/",
    ];
    let seen = common::browser("readers.mjs", &args);
    let pages = seen["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "{seen}");
    for (page, (lang, dir)) in pages.iter().zip([("ar", "rtl"), ("en", "ltr")]) {
        let path = page["path"].as_str().unwrap();
        assert_eq!(page["status"], 200, "{path}");
        assert_eq!(page["lang"], lang, "{path}");
        assert_eq!(page["dir"], dir, "{path}");
        assert!(
            page["phoneOverflow"].as_i64().unwrap() <= 0,
            "{path} scrolls sideways on a phone"
        );
        assert!(
            page["axe"]["rules"].as_u64().unwrap() > 20,
            "{path}: {}",
            page["axe"]
        );
        let violations = page["axe"]["violations"].as_array().unwrap();
        assert!(violations.is_empty(), "{path}: axe-core found {violations:#?}");
    }
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn a_theme_extending_a_missing_theme_fails_at_its_extends_key() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    set_theme(&site, "kid");
    site.write(
        "themes/kid/theme.toml",
        "name = \"kid\"\ndescription = \"A child of nothing\"\nextends = \"nowhere\"\n",
    );
    for command in ["build", "check"] {
        let failed = site.run(command, &[]).failure().code(1);
        let err = stderr(&failed);
        assert!(
            err.contains(
                "themes/kid/theme.toml:3:1: error: theme `nowhere` not found: there is no folder themes/nowhere"
            ),
            "{command}: {err}"
        );
        assert!(err.contains("help: themes found: "), "{command}: {err}");
    }
    assert_eq!(
        snapshot(&site.public()),
        before,
        "a failed build leaves public/ as it was"
    );
}

#[test]
fn themes_extending_each_other_fail_with_the_circle_named() {
    let site = Site::sample();
    set_theme(&site, "day");
    site.write("themes/day/theme.toml", "name = \"day\"\nextends = \"night\"\n");
    site.write("themes/night/theme.toml", "name = \"night\"\nextends = \"day\"\n");
    let failed = site.build(&[]).failure().code(1);
    let err = stderr(&failed);
    assert!(
        err.contains(
            "themes/night/theme.toml:2:1: error: themes extend each other in a circle: day → night → day"
        ),
        "{err}"
    );
    assert!(!site.public().exists(), "nothing was written");

    // A theme extending itself is the smallest circle.
    site.write("themes/day/theme.toml", "name = \"day\"\nextends = \"day\"\n");
    let err = stderr(&site.build(&[]).failure().code(1));
    assert!(
        err.contains("themes/day/theme.toml:2:1: error: themes extend each other in a circle: day → day"),
        "{err}"
    );
}

#[test]
fn a_child_theme_overrides_one_ui_string_and_keeps_the_parents_others() {
    let site = Site::sample();
    set_theme(&site, "kid");
    site.write("themes/kid/theme.toml", "name = \"kid\"\nextends = \"default\"\n");
    site.write("themes/kid/i18n/en.toml", "back_to_top = \"Up we go\"\n");
    site.build(&[]).success();
    for page in ["en/index.html", "en/briefings/mali-russia-equipment/index.html"] {
        let doc = site.page(page);
        assert_eq!(
            texts(&doc, ".site-footer__top a"),
            ["Up we go"],
            "{page}: the child's string"
        );
        assert_eq!(
            texts(&doc, ".site-footer__feed"),
            ["Subscribe: Atom, RSS, JSON Feed"],
            "{page}: the parent's string, then a link per feed format"
        );
        assert_eq!(
            common::attrs(&doc, ".site-footer__feed a", "href"),
            ["atom.xml", "rss.xml", "feed.json"].map(|f| format!("https://example.org/en/{f}")),
            "{page}"
        );
        assert_eq!(
            texts(&doc, ".skip-link"),
            ["Skip to content"],
            "{page}: the parent's string"
        );
    }
    // Arabic has no file in the child: all of it is the parent's.
    let ar = site.page("index.html");
    assert_eq!(texts(&ar, ".site-footer__top a"), ["العودة إلى الأعلى"]);
    // No templates or static files in the child: the parent's.
    assert_eq!(
        site.read("public/style.css"),
        minified_css(common::repo().join("themes/default/static/style.css"))
    );
}

#[test]
fn a_ui_string_a_child_adds_in_one_language_only_is_an_error() {
    let site = Site::sample();
    set_theme(&site, "kid");
    site.write("themes/kid/theme.toml", "name = \"kid\"\nextends = \"default\"\n");
    site.write("themes/kid/i18n/en.toml", "weather = \"Weather\"\n");
    let err = stderr(&site.build(&[]).failure().code(1));
    assert!(
        err.contains(
            "themes/kid/i18n/ar.toml: error: missing translation of `weather` into `ar` (the `en` file has it)"
        ),
        "{err}"
    );
    // The file to add it to is the child theme's own, not the parent's.
    assert!(
        err.contains("add `weather = \"…\"` to themes/kid/i18n/ar.toml"),
        "{err}"
    );
}

#[test]
fn the_sites_own_templates_and_static_files_override_ink_and_default() {
    let site = site_with_theme(THEME);
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}{% block content %}<p class=\"own-front\">{{ t(key=\"top_story\") }}</p>{% endblock content %}",
    );
    site.write("static/custom.css", ":root { --color-accent: #0b6e4f; }\n");
    site.build(&[]).success();
    let home = site.page("en/index.html");
    assert_eq!(
        texts(&home, ".own-front"),
        ["Top story"],
        "the site's index.html, ink's string"
    );
    assert_eq!(count(&home, ".ink-lead"), 0);
    assert_eq!(site.read("public/custom.css"), ":root{--color-accent:#0b6e4f;}");
    assert_eq!(
        count(
            &site.page("en/briefings/mali-russia-equipment/index.html"),
            "article.article"
        ),
        1,
        "the default theme's page.html"
    );
}

/// A site's own `static/site.css` loads after the theme's stylesheets on every page, whatever
/// the theme, so one value can change without replacing ink's `custom.css`.
#[test]
fn a_sites_own_stylesheet_loads_last_beside_inks() {
    let site = site_with_theme(THEME);
    site.build(&[]).success();
    for page in ["index.html", "en/briefings/mali-russia-equipment/index.html"] {
        let sheets = hrefs(&site.page(page), "link[rel=stylesheet]");
        assert_eq!(
            sheets.iter().map(|h| unfingerprinted(h)).collect::<Vec<_>>(),
            ["/style.css", "/custom.css"],
            "{page}: no site.css, no link"
        );
    }
    site.write("static/site.css", ":root { --color-accent: #0b6e4f; }\n");
    site.build(&[]).success();
    for page in [
        "index.html",
        "en/index.html",
        "en/briefings/mali-russia-equipment/index.html",
        "tags/index.html",
    ] {
        let sheets = hrefs(&site.page(page), "link[rel=stylesheet]");
        let sheets: Vec<String> = sheets.iter().map(|h| unfingerprinted(h)).collect();
        assert_eq!(sheets, ["/style.css", "/custom.css", "/site.css"], "{page}");
    }
    assert!(
        site.read("public/custom.css").contains("--color-"),
        "ink's custom.css is kept"
    );
    assert_eq!(site.read("public/site.css"), ":root{--color-accent:#0b6e4f;}");
}

/// `lang.feed_path` is the language feed's link from the site root, with the base path;
/// `lang.feed_url` the absolute one.
#[test]
fn a_template_has_the_language_feeds_link_and_url() {
    let site = site_with_theme("default");
    site.write(
        "templates/404.html",
        "<p id=\"feed\" data-url=\"{{ lang.feed_url }}\">{{ lang.feed_path }}</p>",
    );
    site.build(&["--base-url", "https://example.org/briefing/"])
        .success();
    let page = site.page("en/404.html");
    assert_eq!(texts(&page, "#feed"), ["/briefing/en/atom.xml"]);
    assert_eq!(
        attrs(&page, "#feed", "data-url"),
        ["https://example.org/briefing/en/atom.xml"]
    );
    assert!(site.public().join("en/atom.xml").is_file());
}
