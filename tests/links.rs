//! End-to-end: links between content files by source path (`@/briefings/x.ar.md#heading`)
//! become the URLs of the pages they name, on pages and in feeds; one that leads nowhere fails
//! the build and the check at its line and column, and leaves `public/` as it was. Images on
//! the site must be among its static files.

mod common;

use common::{attrs, snapshot, Site};

const EN: &str = "content/briefings/mali-russia-equipment.en.md";

/// The sample site plus an English note that links to the story, one of its headings, its
/// Arabic version and the briefings section.
fn linking_site(links: &str) -> Site {
    let site = Site::sample();
    site.write(
        "content/briefings/note.en.md",
        format!("+++\ntitle = \"Note\"\ndate = 2024-11-21\n+++\n\nSee {links} for more.\n\n## Next\n"),
    );
    site
}

#[test]
fn links_by_source_path_lead_to_the_pages_urls() {
    let site = linking_site(
        "[the story](@/briefings/mali-russia-equipment.en.md#modern-russian-hardware), \
         [بالعربية](@/briefings/mali-russia-equipment.ar.md), [all](@/briefings/_index.en.md) \
         and [the note's end](@/briefings/note.en.md#next)",
    );
    site.build(&[]).success();
    let note = site.page("en/briefings/note/index.html");
    let hrefs = attrs(&note, "article a[href]", "href");
    for expected in [
        "/en/briefings/mali-russia-equipment/#modern-russian-hardware",
        "/briefings/mali-russia-equipment/",
        "/en/briefings/",
        "/en/briefings/note/#next",
    ] {
        assert!(hrefs.iter().any(|h| h == expected), "{expected} not in {hrefs:?}");
    }
    assert!(!hrefs.iter().any(|h| h.starts_with('@')), "{hrefs:?}");
    // Feeds carry the absolute URL: not every reader resolves links against the feed.
    let feed = std::fs::read_to_string(site.public().join("en/atom.xml")).unwrap();
    assert!(
        feed.contains("https://example.org/en/briefings/mali-russia-equipment/#modern-russian-hardware"),
        "{feed}"
    );
    assert!(!feed.contains("@/"), "{feed}");
}

#[test]
fn a_link_follows_the_page_when_its_slug_changes() {
    let site = linking_site("[the story](@/briefings/mali-russia-equipment.en.md)");
    site.build(&[]).success();
    let text = site
        .read(EN)
        .replacen("+++\ntitle", "+++\nslug = \"shipment\"\ntitle", 1);
    site.write(EN, text);
    site.build(&[]).success();
    let hrefs = attrs(
        &site.page("en/briefings/note/index.html"),
        "article a[href]",
        "href",
    );
    assert!(hrefs.iter().any(|h| h == "/en/briefings/shipment/"), "{hrefs:?}");
}

#[test]
fn an_arabic_file_and_heading_can_be_named_raw_or_percent_encoded() {
    let site = Site::sample();
    site.write(
        "content/briefings/مذكرة.ar.md",
        "+++\ntitle = \"مذكرة\"\ndate = 2024-11-21\n+++\n\n## ما الذي يعنيه ذلك\n\nنص.\n",
    );
    site.write(
        "content/briefings/note.ar.md",
        "+++\ntitle = \"ملاحظة\"\ndate = 2024-11-21\n+++\n\n[أ](@/briefings/مذكرة.ar.md#ما-الذي-يعنيه-ذلك) \
         [ب](@/briefings/%D9%85%D8%B0%D9%83%D8%B1%D8%A9.ar.md)\n",
    );
    site.build(&[]).success();
    let hrefs = attrs(&site.page("briefings/note/index.html"), "article a[href]", "href");
    let story = "/briefings/%D9%85%D8%B0%D9%83%D8%B1%D8%A9/";
    assert!(hrefs.iter().any(|h| h == story), "{hrefs:?}");
    assert!(
        hrefs.iter().any(|h| h.starts_with(&format!("{story}#%D9%85"))),
        "{hrefs:?}"
    );
}

#[test]
fn links_that_lead_nowhere_fail_at_their_place_and_public_is_untouched() {
    let site = linking_site(
        "[a](@/briefings/mali-russia-equipmnt.en.md) [b](@/briefings/mali-russia-equipment.en.md#no-such) \
         [c](@/briefings/)",
    );
    site.write(
        "content/briefings/draft.en.md",
        "+++\ntitle = \"Draft\"\ndate = 2024-11-21\ndraft = true\n+++\n\nSoon.\n",
    );
    site.write(
        "content/briefings/_index.en.md",
        "+++\ntitle = \"Briefings\"\n+++\n\nStart with [the draft](@/briefings/draft.en.md).\n",
    );
    std::fs::create_dir_all(site.public()).unwrap();
    site.write("public/index.html", "last good build");
    let before = snapshot(&site.public());
    for command in ["build", "check"] {
        let failed = site.run(command, &[]).failure().code(1);
        let stderr = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
        let note = "content/briefings/note.en.md";
        assert!(
            stderr.contains(&format!(
                "{note}:6:5: error: the link `@/briefings/mali-russia-equipmnt.en.md` leads to no file"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("did you mean `@/briefings/mali-russia-equipment.en.md`?"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("{note}:6:49: error: the link `@/briefings/mali-russia-equipment.en.md#no-such` names `#no-such`")),
            "{stderr}"
        );
        assert!(stderr.contains("`#modern-russian-hardware`"), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{note}:6:102: error: the link `@/briefings/` does not name a Markdown file"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains(
                "content/briefings/_index.en.md:5:12: error: the link `@/briefings/draft.en.md` leads to a draft"
            ),
            "{stderr}"
        );
        assert_eq!(snapshot(&site.public()), before, "{command} changed public/");
    }
    // A preview with drafts resolves the link to the draft.
    site.write(
        "content/briefings/note.en.md",
        "+++\ntitle = \"Note\"\ndate = 2024-11-21\n+++\n\nFine.\n",
    );
    site.run("check", &["--drafts"]).success();
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn images_must_be_static_files_of_the_site() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let text = site.read(EN).replacen(
        "+++\ntitle",
        "+++\nimage = { src = \"/images/lead.svg\", alt = \"Lead\" }\ntitle",
        1,
    );
    site.write(
        EN,
        text + "\n![chart](chart.png) ![map](/imagse/lead.svg) ![elsewhere](https://cdn.example.com/x.png) \
                ![inline](data:image/png;base64,AA)\n",
    );
    let lines = site.read(EN).lines().count();
    site.write("static/images/lead.svg", "a picture");
    let failed = site.build(&[]).failure().code(1);
    let stderr = stderr_of(&failed);
    assert!(
        stderr.contains(&format!(
            "{EN}:{lines}:1: error: the image `chart.png` is not a static file: there is no \
             static/en/briefings/mali-russia-equipment/chart.png (a path without a leading `/` is read from the page's own URL)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{EN}:{lines}:21: error: the image `/imagse/lead.svg` is not a static file"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `/images/lead.svg`?"), "{stderr}");
    // The image on another host and the inline one are not reported.
    assert!(stderr.contains("Build failed with 2 errors"), "{stderr}");
    assert!(
        !stderr.contains(&format!("{EN}:2:")),
        "the lead image exists: {stderr}"
    );
    assert_eq!(snapshot(&site.public()), before);

    // Fixed, the page shows them; the lead image was missing too, at its front matter line.
    site.write("static/images/chart.png", common::chart(300, 200));
    site.write(
        EN,
        site.read(EN)
            .replace("chart.png", "/images/chart.png")
            .replace("imagse", "images"),
    );
    site.build(&[]).success();
    let page = site.page("en/briefings/mali-russia-equipment/index.html");
    let srcs = attrs(&page, "article img", "src");
    assert!(
        srcs.iter()
            .any(|s| s.starts_with("/images/chart-300.") && s.ends_with(".png")),
        "the chart, published processed: {srcs:?}"
    );
    std::fs::remove_file(site.root().join("static/images/lead.svg")).unwrap();
    let stderr = stderr_of(&site.run("check", &[]).failure().code(1));
    assert!(
        stderr.contains(&format!(
            "{EN}:2:9: error: the image `/images/lead.svg` is not a static file"
        )),
        "{stderr}"
    );
}

#[test]
fn an_image_outside_the_sites_base_path_is_reported() {
    let site = Site::sample();
    site.write("static/images/lead.jpg", common::photo(300, 200));
    site.write(EN, site.read(EN) + "\n![lead](/images/lead.jpg)\n");
    let stderr = stderr_of(
        &site
            .run("check", &["--base-url", "https://example.org/briefing/"])
            .failure()
            .code(1),
    );
    assert!(
        stderr.contains(
            "error: the image `/images/lead.jpg` is outside the site, which is served from /briefing/"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("e.g. `/briefing/images/name.jpg`"), "{stderr}");
    site.write(EN, site.read(EN).replace("(/images/", "(/briefing/images/"));
    site.run("check", &["--base-url", "https://example.org/briefing/"])
        .success();
}

/// `check` reports a link that leads nowhere together with what only rendering finds (a
/// missing image), where a build stops at the link.
#[test]
fn check_reports_broken_links_with_the_errors_rendering_finds() {
    let site = linking_site("[a](@/briefings/nowhere.en.md) and ![map](/images/map.png)");
    let check = stderr_of(&site.run("check", &[]).failure().code(1));
    let note = "content/briefings/note.en.md";
    assert!(
        check.contains(&format!(
            "{note}:6:5: error: the link `@/briefings/nowhere.en.md` leads to no file"
        )),
        "{check}"
    );
    assert!(
        check.contains(&format!(
            "{note}:6:40: error: the image `/images/map.png` is not a static file"
        )),
        "{check}"
    );
    let build = stderr_of(&site.build(&[]).failure().code(1));
    assert!(build.contains("leads to no file"), "{build}");
    assert!(build.contains("Build failed with 1 error"), "{build}");
    assert!(!site.public().exists());
}

/// An image in a section's own text is checked as an article's is, and reported once.
#[test]
fn an_image_in_a_sections_text_must_exist() {
    let site = Site::sample();
    let index = "content/briefings/_index.en.md";
    site.write(index, site.read(index) + "\n![map](/nope.png)\n");
    let stderr = stderr_of(&site.run("check", &[]).failure().code(1));
    let error = format!("{index}:6:1: error: the image `/nope.png` is not a static file");
    assert_eq!(stderr.matches(&error).count(), 1, "{stderr}");
}
