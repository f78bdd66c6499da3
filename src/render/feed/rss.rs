//! A feed as RSS 2.0, by the `rss` crate: the channel links itself with `atom:link
//! rel="self"` (as the RSS Advisory Board recommends), authors are `dc:creator` (RSS's own
//! `<author>` wants an e-mail address) and a whole article goes in `content:encoded`, the
//! summary staying in `<description>`.

use std::collections::BTreeMap;

use ::rss::extension::dublincore::DublinCoreExtension;
use ::rss::extension::Extension;
use ::rss::{Category, Channel, Guid, Item};

use super::FeedData;

/// The RSS file of `data`.
pub(super) fn write(data: FeedData) -> Result<Vec<u8>, String> {
    let items = data
        .entries
        .into_iter()
        .map(|e| Item {
            title: Some(e.title),
            link: Some(e.url.clone()),
            // The summary, else its plain text: readers show the description as the item's text.
            description: Some(e.summary_html.unwrap_or(e.description)),
            guid: Some(Guid {
                value: e.url,
                permalink: true,
            }),
            pub_date: Some(e.published.to_rfc2822()),
            categories: e
                .categories
                .into_iter()
                .map(|c| Category {
                    name: c.name,
                    domain: Some(c.scheme),
                })
                .collect(),
            dublin_core_ext: (!e.authors.is_empty()).then(|| DublinCoreExtension {
                creators: e.authors,
                ..Default::default()
            }),
            content: e.content_html,
            ..Default::default()
        })
        .collect();
    let channel = Channel {
        // RSS requires a description: the list's, else the site's, else its title.
        description: data.subtitle.unwrap_or_else(|| data.title.clone()),
        title: data.title,
        link: data.page_url,
        language: Some(data.lang),
        generator: Some(format!("nashra {}", env!("CARGO_PKG_VERSION"))),
        last_build_date: Some(data.updated.to_rfc2822()),
        // Written as a plain extension element: the crate's Atom feature would build
        // atom_syndication's builders too.
        extensions: BTreeMap::from([(
            "atom".into(),
            BTreeMap::from([("link".into(), vec![self_link(data.url)])]),
        )]),
        namespaces: BTreeMap::from([("atom".into(), "http://www.w3.org/2005/Atom".into())]),
        items,
        ..Default::default()
    };
    channel.write_to(Vec::new()).map_err(|e| e.to_string())
}

/// `<atom:link rel="self">` to the feed's own URL.
fn self_link(href: String) -> Extension {
    Extension {
        name: "atom:link".into(),
        attrs: BTreeMap::from([
            ("href".into(), href),
            ("rel".into(), "self".into()),
            ("type".into(), crate::config::FeedFormat::Rss.media_type().into()),
        ]),
        ..Default::default()
    }
}
