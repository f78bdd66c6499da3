//! Sharing where readers pass news on: every article of the default theme offers plain share
//! links (WhatsApp, Telegram, X, Facebook, e-mail) that carry the page's own address and its
//! headline intact, whatever the headline holds, work without JavaScript, and bring no
//! third-party script; the copy-link button is left for the theme's own script to show.

mod common;

use std::collections::HashMap;

use common::{attrs, texts, Site};

const AR: &str = "content/briefings/mali-russia-equipment.ar.md";

/// The query of `href` decoded, by name.
fn query(href: &url::Url) -> HashMap<String, String> {
    href.query_pairs().into_owned().collect()
}

#[test]
fn every_article_offers_share_links_that_carry_its_address_and_headline() {
    let site = Site::sample();
    // Real headline copy: a model name, a hashtag, a handle, quotes, an ampersand, a slash.
    let title = r#"وصول "T-72B3" و Su-24M إلى باماكو #مالي @FAMa_DIRPA & 50/50"#;
    let text = site.read(AR);
    let old = text.lines().find(|l| l.starts_with("title = ")).unwrap();
    let escaped = title.replace('"', "\\\"");
    site.write(AR, text.replace(old, &format!("title = \"{escaped}\"")));
    site.build(&[]).success();

    for (page, lang) in [
        ("briefings/mali-russia-equipment/index.html", "ar"),
        ("en/briefings/mali-russia-equipment/index.html", "en"),
    ] {
        let doc = site.page(page);
        let canonical = attrs(&doc, r#"link[rel="canonical"]"#, "href").remove(0);
        let headline = attrs(&doc, r#"meta[property="og:title"]"#, "content").remove(0);
        if lang == "ar" {
            assert_eq!(headline, title);
        }
        let links: Vec<url::Url> = attrs(&doc, ".share a", "href")
            .iter()
            .map(|h| url::Url::parse(h).unwrap_or_else(|e| panic!("{page}: {h}: {e}")))
            .collect();
        let by_host = |host: &str| -> HashMap<String, String> {
            let link = links.iter().find(|u| u.host_str() == Some(host));
            query(link.unwrap_or_else(|| panic!("{page}: no link to {host}: {links:?}")))
        };

        let whatsapp = by_host("wa.me");
        assert_eq!(whatsapp["text"], format!("{headline} {canonical}"), "{page}");
        let telegram = by_host("t.me");
        assert_eq!((&telegram["url"], &telegram["text"]), (&canonical, &headline));
        let x = by_host("x.com");
        assert_eq!((&x["url"], &x["text"]), (&canonical, &headline));
        assert_eq!(by_host("www.facebook.com")["u"], canonical);
        let mail = links.iter().find(|u| u.scheme() == "mailto").unwrap();
        let mail = query(mail);
        assert_eq!((&mail["subject"], &mail["body"]), (&headline, &canonical));
        assert_eq!(links.len(), 5, "{page}: {links:?}");

        // Named in the page's language, under a heading the section is labelled by.
        let names = texts(&doc, ".share a");
        let want: &[&str] = match lang {
            "ar" => &["واتساب", "تيليغرام", "إكس", "فيسبوك", "البريد الإلكتروني"],
            _ => &["WhatsApp", "Telegram", "X", "Facebook", "E-mail"],
        };
        assert_eq!(names, want, "{page}");
        let labelled = attrs(&doc, "section.share", "aria-labelledby");
        assert_eq!(texts(&doc, &format!("#{}", labelled[0])).len(), 1, "{page}");

        // Without JavaScript the copy button stays hidden; the links above need none.
        assert_eq!(attrs(&doc, "[data-share-copy]", "hidden").len(), 1, "{page}");
        assert_eq!(
            attrs(&doc, "[data-share-copy] button", "data-url"),
            std::slice::from_ref(&canonical)
        );

        // No script from elsewhere: each one the page loads is the site's own file.
        for src in attrs(&doc, "script[src]", "src") {
            assert!(src.starts_with('/') && !src.starts_with("//"), "{page}: {src}");
            let file = site.public().join(src.trim_start_matches('/'));
            assert!(file.is_file(), "{page}: {src} is not published");
        }
        let scripts = attrs(&doc, "script[src]", "src");
        assert!(
            scripts.iter().any(|s| s.contains("share.")),
            "{page}: {scripts:?}"
        );
    }
}
