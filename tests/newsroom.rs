//! End-to-end: what a newsroom publishes besides pages — term pages, editions, feeds, the
//! sitemap, metadata, pagination and scheduled articles — from the real `nashra build`.

mod common;

use atom_syndication::Feed;
use common::{attrs, texts, Site};

const AR: &str = "/briefings/mali-russia-equipment/";
const EN: &str = "/en/briefings/mali-russia-equipment/";

#[test]
fn the_seed_article_is_on_its_term_pages_and_edition_in_both_languages() {
    let site = Site::sample();
    site.build(&[]).success();
    for (prefix, article, mali, tags) in [("", AR, "مالي", "الوسوم"), ("en/", EN, "Mali", "Tags")] {
        for region in ["mali", "russia", "niger", "burkina-faso"] {
            let page = site.page(&format!("{prefix}regions/{region}/index.html"));
            assert!(
                attrs(&page, "main a", "href").contains(&article.to_string()),
                "{prefix}regions/{region}/ does not list {article}"
            );
        }
        let mali_page = site.page(&format!("{prefix}regions/mali/index.html"));
        assert_eq!(texts(&mali_page, "h1 bdi"), [mali]);
        // The taxonomy lists its terms by their names in the page's language.
        let regions = site.page(&format!("{prefix}regions/index.html"));
        assert!(texts(&regions, ".term-index__name").contains(&mali.to_string()));
        assert!(texts(&site.page(&format!("{prefix}tags/index.html")), "h1").contains(&tags.to_string()));

        // The article links to its terms and its edition.
        let page = site.page(&format!("{}index.html", &article[1..]));
        assert!(attrs(&page, ".tags a", "href").contains(&format!("/{prefix}regions/mali/")));
        assert!(attrs(&page, ".article__date a", "href").contains(&format!("/{prefix}editions/2024-11-20/")));

        let edition = site.page(&format!("{prefix}editions/2024-11-20/index.html"));
        assert!(attrs(&edition, "main a", "href").contains(&article.to_string()));
        let archive = site.page(&format!("{prefix}editions/index.html"));
        assert!(
            attrs(&archive, ".edition-index a", "href").contains(&format!("/{prefix}editions/2024-11-20/"))
        );
        // The home page leads with the latest edition.
        let home = site.page(&format!("{prefix}index.html"));
        assert!(attrs(&home, ".edition a", "href").contains(&article.to_string()));
    }
    // Both versions of a term page are alternates of each other.
    let mali = site.page("regions/mali/index.html");
    assert!(attrs(&mali, "link[rel=alternate][hreflang=en]", "href")
        .contains(&"https://example.org/en/regions/mali/".to_string()));
}

#[test]
fn editions_and_the_sitemap_can_be_turned_off() {
    let site = Site::sample();
    let config = site
        .read("nashra.toml")
        .replace("search = true", "editions = false\nsitemap = false");
    site.write("nashra.toml", config);
    // Without editions or search, a theme needs no templates for them.
    for template in ["edition.html", "editions.html", "search.html"] {
        std::fs::remove_file(site.root().join("themes/default/templates").join(template)).unwrap();
    }
    site.build(&[]).success();
    let public = site.public();
    for gone in [
        "editions",
        "en/editions",
        "sitemap.xml",
        "robots.txt",
        "search",
        "pagefind",
    ] {
        assert!(!public.join(gone).exists(), "{gone} was written");
    }
    for (prefix, article) in [("", AR), ("en/", EN)] {
        let page = site.page(&format!("{}index.html", &article[1..]));
        assert!(!texts(&page, ".article__date").is_empty());
        let links = attrs(&page, "a", "href");
        assert!(!links.iter().any(|l| l.contains("editions")), "{links:?}");
        let home = site.page(&format!("{prefix}index.html"));
        assert!(!attrs(&home, "a", "href").iter().any(|l| l.contains("editions")));
    }
    // A site that turns editions on needs their templates.
    site.write(
        "nashra.toml",
        site.read("nashra.toml").replace("editions = false", ""),
    );
    site.build(&[]).failure().stderr(predicates::str::contains(
        "the theme has no `edition.html` template",
    ));
    assert!(public.join("index.html").exists());
}

#[test]
fn atom_feeds_parse_and_carry_the_language() {
    let site = Site::sample();
    site.build(&[]).success();
    for (file, lang, url) in [
        ("atom.xml", "ar", format!("https://example.org{AR}")),
        ("en/atom.xml", "en", format!("https://example.org{EN}")),
        ("briefings/atom.xml", "ar", format!("https://example.org{AR}")),
        ("en/briefings/atom.xml", "en", format!("https://example.org{EN}")),
    ] {
        let text = site.read(&format!("public/{file}"));
        let feed = Feed::read_from(text.as_bytes()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(feed.lang.as_deref(), Some(lang), "{file}");
        assert_eq!(feed.entries.len(), 1, "{file}");
        let entry = &feed.entries[0];
        assert_eq!(entry.id, url, "{file}");
        assert_eq!(entry.links[0].href, url);
        // RFC 4287: a feed has an id, a title, an updated date, an author (for entries that
        // name none) and a self link; every entry an id, a title and an updated date.
        assert!(feed.id.starts_with("https://example.org/") && feed.id.ends_with("atom.xml"));
        assert!(!feed.title.value.is_empty() && !feed.authors.is_empty());
        assert!(feed.links.iter().any(|l| l.rel == "self" && l.href == feed.id));
        // The sample's update (2024-11-22T09:00Z) is the article's latest change.
        assert_eq!(entry.updated.to_rfc3339(), "2024-11-22T09:00:00+00:00");
        assert!(!entry.title.value.is_empty());
        assert!(entry.summary.as_ref().is_some_and(|s| s.value.contains("T-72B3")));
    }
    let ar = Feed::read_from(site.read("public/atom.xml").as_bytes()).unwrap();
    assert_eq!(
        ar.entries[0].title.value,
        "مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية"
    );

    // Full content when configured; the link to the feed is on every page.
    let config = site
        .read("nashra.toml")
        .replace("minify = true", "minify = true\nfeed_content = \"full\"");
    site.write("nashra.toml", config);
    site.build(&[]).success();
    let en = Feed::read_from(site.read("public/en/atom.xml").as_bytes()).unwrap();
    let content = en.entries[0]
        .content
        .as_ref()
        .and_then(|c| c.value.clone())
        .unwrap_or_default();
    assert!(content.contains("<h2"), "{content}");
    assert_eq!(
        attrs(
            &site.page("en/index.html"),
            "link[type='application/atom+xml']",
            "href"
        )[0],
        "https://example.org/en/atom.xml"
    );
}

#[test]
fn the_sitemap_cross_links_translations_and_robots_names_it() {
    let site = Site::sample();
    site.build(&[]).success();
    let text = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    assert_eq!(doc.root_element().tag_name().namespace(), Some(ns));
    let url = |loc: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name((ns, "loc")) && n.text() == Some(loc))
            .and_then(|n| n.parent())
            .unwrap_or_else(|| panic!("{loc} is not in the sitemap"))
    };
    let (ar, en) = (
        format!("https://example.org{AR}"),
        format!("https://example.org{EN}"),
    );
    for loc in [&ar, &en] {
        let links: Vec<(String, String)> = url(loc)
            .children()
            .filter(|n| n.has_tag_name(("http://www.w3.org/1999/xhtml", "link")))
            .map(|n| {
                (
                    n.attribute("hreflang").unwrap().into(),
                    n.attribute("href").unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            links
                .iter()
                .map(|(l, h)| (l.as_str(), h.as_str()))
                .collect::<std::collections::BTreeSet<_>>(),
            [
                ("ar", ar.as_str()),
                ("en", en.as_str()),
                ("x-default", ar.as_str())
            ]
            .into(),
        );
    }
    for loc in [
        "https://example.org/",
        "https://example.org/en/regions/mali/",
        "https://example.org/editions/",
    ] {
        url(loc);
    }
    assert!(!text.contains("404.html"));
    assert!(site
        .read("public/robots.txt")
        .contains("Sitemap: https://example.org/sitemap.xml"));
}

#[test]
fn articles_carry_json_ld_and_open_graph_metadata() {
    let site = Site::sample();
    // A headline with a quote and a closing script tag must not break out of the JSON.
    let rel = "content/briefings/mali-russia-equipment.en.md";
    let text = site.read(rel).replace(
        "title = \"Mali receives new shipment of Russian military equipment\"",
        "title = \"Mali receives \\\"new\\\" kit </script><b>\"",
    );
    site.write(rel, text);
    site.build(&[]).success();
    for (file, lang, locale, other) in [(AR, "ar", "ar_AR", "en_US"), (EN, "en", "en_US", "ar_AR")] {
        let page = site.page(&format!("{}index.html", &file[1..]));
        let scripts = texts(&page, "script[type='application/ld+json']");
        assert_eq!(scripts.len(), 1, "{file}");
        let ld: serde_json::Value = serde_json::from_str(&scripts[0]).unwrap();
        assert_eq!(ld["@type"], "NewsArticle");
        assert_eq!(ld["inLanguage"], lang);
        assert_eq!(ld["datePublished"], "2024-11-20T00:00:00+00:00");
        assert_eq!(
            ld["mainEntityOfPage"]["@id"],
            format!("https://example.org{file}")
        );
        assert!(ld["publisher"]["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(ld["author"][0]["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert_eq!(attrs(&page, "meta[property='og:locale']", "content"), [locale]);
        assert_eq!(
            attrs(&page, "meta[property='og:locale:alternate']", "content"),
            [other]
        );
        // No lead photo: the article shares its social card, drawn beside the page.
        assert_eq!(
            attrs(&page, "meta[name='twitter:card']", "content"),
            ["summary_large_image"]
        );
        assert_eq!(
            attrs(&page, "meta[property='og:image']", "content"),
            [format!("https://example.org{file}card.png")]
        );
        for (property, value) in [("og:image:width", "1200"), ("og:image:height", "630")] {
            let selector = format!("meta[property='{property}']");
            assert_eq!(attrs(&page, &selector, "content"), [value]);
        }
        let card = std::fs::read(site.public().join(format!("{}card.png", &file[1..]))).unwrap();
        assert!(
            card.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{file}: card.png is a PNG"
        );
        assert_eq!(&card[16..24], &[0, 0, 4, 176, 0, 0, 2, 118], "{file}: 1200×630");
        assert_eq!(attrs(&page, "meta[name=description]", "content").len(), 1);
        if lang == "en" {
            assert_eq!(ld["headline"], "Mali receives \"new\" kit </script><b>");
        }
    }
}

/// A site of `n` articles in one section, dated a day apart, `paginate_by` two.
fn paginated_site(n: usize) -> Site {
    let site = Site::sample();
    let config = format!("paginate_by = 2\n{}", site.read("nashra.toml"));
    site.write("nashra.toml", config);
    for i in 1..=n {
        site.write(
            &format!("content/briefings/story-{i}.en.md"),
            format!("+++\ntitle = \"Story {i}\"\ndate = 2025-01-{i:02}\nregions = [\"niger\"]\n+++\n\nText {i}.\n"),
        );
    }
    site
}

#[test]
fn long_lists_are_paginated_with_the_first_page_at_the_list_url() {
    let site = paginated_site(5);
    site.build(&[]).success();
    // Five stories plus the seed article: three pages of two.
    let first = site.page("en/briefings/index.html");
    assert_eq!(
        attrs(&first, ".card__title a", "href"),
        ["/en/briefings/story-5/", "/en/briefings/story-4/"]
    );
    assert_eq!(attrs(&first, "link[rel=next]", "href"), ["/en/briefings/page/2/"]);
    assert!(attrs(&first, "link[rel=prev]", "href").is_empty());
    let second = site.page("en/briefings/page/2/index.html");
    assert_eq!(
        attrs(&second, ".card__title a", "href"),
        ["/en/briefings/story-3/", "/en/briefings/story-2/"]
    );
    assert_eq!(attrs(&second, "link[rel=prev]", "href"), ["/en/briefings/"]);
    assert_eq!(
        attrs(&second, "link[rel=next]", "href"),
        ["/en/briefings/page/3/"]
    );
    assert_eq!(
        attrs(&second, "link[rel=canonical]", "href"),
        ["https://example.org/en/briefings/page/2/"]
    );
    assert_eq!(texts(&second, ".pagination [aria-current=page]"), ["2"]);
    let third = site.page("en/briefings/page/3/index.html");
    assert_eq!(
        attrs(&third, ".card__title a", "href"),
        ["/en/briefings/story-1/", EN]
    );
    assert!(attrs(&third, "link[rel=next]", "href").is_empty());
    assert!(!site.public().join("en/briefings/page/4").exists());
    assert!(!site.public().join("en/briefings/page/1").exists());
    // Term pages are paginated too; the home page as well.
    assert!(site.public().join("en/regions/niger/page/3/index.html").exists());
    assert!(site.public().join("en/page/3/index.html").exists());

    // A section's own paginate_by wins over the site's.
    site.write(
        "content/briefings/_index.en.md",
        "+++\ntitle = \"Briefings\"\npaginate_by = 10\n+++\n",
    );
    site.build(&[]).success();
    assert_eq!(
        attrs(&site.page("en/briefings/index.html"), ".card__title a", "href").len(),
        6
    );
    assert!(!site.public().join("en/briefings/page/2").exists());
}

#[test]
fn future_articles_wait_for_their_date_unless_asked_for() {
    let site = Site::sample();
    site.write(
        "content/briefings/scheduled.en.md",
        "+++\ntitle = \"Scheduled story\"\ndate = 2999-01-01T06:00:00Z\nregions = [\"chad\"]\n+++\n\nLater.\n",
    );
    site.build(&[]).success();
    let public = site.public();
    assert!(!public.join("en/briefings/scheduled/index.html").exists());
    assert!(!public.join("en/regions/chad").exists());
    assert!(!public.join("en/editions/2999-01-01").exists());
    assert!(!site.read("public/en/atom.xml").contains("Scheduled story"));
    assert!(!site.read("public/sitemap.xml").contains("scheduled"));

    site.build(&["--future"]).success();
    assert!(public.join("en/briefings/scheduled/index.html").exists());
    assert!(public.join("en/regions/chad/index.html").exists());
    assert!(public.join("en/editions/2999-01-01/index.html").exists());
    assert!(site.read("public/en/atom.xml").contains("Scheduled story"));
}

#[test]
fn a_term_written_by_name_in_any_language_is_the_same_term() {
    let site = Site::sample();
    site.write(
        "content/briefings/niger-vote.en.md",
        "+++\ntitle = \"Niger vote\"\ndate = 2024-11-21\nregions = [\"النيجر\"]\ntags = [\"Elections\"]\n+++\n\nText.\n",
    );
    site.build(&[]).success();
    let niger = site.page("en/regions/niger/index.html");
    assert!(attrs(&niger, "main a", "href").contains(&"/en/briefings/niger-vote/".to_string()));
    // An unconfigured term keeps the name the article wrote.
    let elections = site.page("en/tags/elections/index.html");
    assert_eq!(texts(&elections, "h1 bdi"), ["Elections"]);
}

#[test]
fn a_section_folder_named_like_a_taxonomy_is_a_clear_error() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = common::snapshot(&site.public());
    site.write(
        "content/regions/mali.en.md",
        "+++\ntitle = \"Mali\"\ndate = 2024-11-21\n+++\n\nText.\n",
    );
    site.build(&[])
        .failure()
        .stderr(predicates::str::contains("would both be written to /en/regions/"))
        .stderr(predicates::str::contains("the en list of regions"));
    assert_eq!(common::snapshot(&site.public()), before);
}

#[test]
fn dates_read_in_each_language_with_digits_and_the_hijri_date() {
    let site = Site::sample();
    site.build(&[]).success();
    let ar = site.page("briefings/mali-russia-equipment/index.html");
    // 20 November 2024 is 18 Jumada al-Ula 1446 in the Umm al-Qura calendar.
    assert_eq!(texts(&ar, ".article__date time"), ["٢٠ نوفمبر ٢٠٢٤"]);
    assert_eq!(attrs(&ar, ".article__date time", "datetime"), ["2024-11-20"]);
    assert_eq!(
        texts(&ar, ".article__date .date__hijri"),
        [" (١٨ جمادى الأولى ١٤٤٦ هـ)"]
    );
    let en = site.page("en/briefings/mali-russia-equipment/index.html");
    assert_eq!(texts(&en, ".article__date time"), ["20 November 2024"]);
    assert!(texts(&en, ".date__hijri").is_empty());

    // Reading time counts Arabic words (the body has a few hundred) in Arabic digits.
    let minutes = texts(&ar, ".article__reading").concat();
    assert!(
        minutes.starts_with("مدة القراءة ") && minutes.ends_with(" د"),
        "{minutes}"
    );
    assert!(minutes.chars().any(|c| ('١'..='٩').contains(&c)), "{minutes}");
    assert!(texts(&en, ".article__reading").concat().contains(" min"));

    // Levantine month names and Latin digits are one setting away.
    let config = site
        .read("nashra.toml")
        .replace("date_locale = \"ar\" ", "date_locale = \"ar-SY\"")
        .replace("digits = \"arab\"", "digits = \"latn\"");
    site.write("nashra.toml", config);
    site.build(&[]).success();
    let ar = site.page("briefings/mali-russia-equipment/index.html");
    assert_eq!(texts(&ar, ".article__date time"), ["20 تشرين الثاني 2024"]);
    assert_eq!(
        texts(&ar, ".article__date .date__hijri"),
        [" (18 جمادى الأولى 1446 هـ)"]
    );
}

#[test]
fn an_unknown_date_locale_is_an_error_at_its_line() {
    let site = Site::sample();
    let config = site
        .read("nashra.toml")
        .replace("date_locale = \"en-GB\"", "date_locale = \"en_GB!\"");
    // The English table's own line, not the Arabic table's `date_locale` above it.
    let line = config.lines().position(|l| l.contains("en_GB!")).unwrap() + 1;
    site.write("nashra.toml", config);
    site.build(&[])
        .failure()
        .stderr(predicates::str::contains(format!("nashra.toml:{line}:")))
        .stderr(predicates::str::contains("dates in `en` cannot be written"));
}
