//! A feed as JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>), by serde: every item has
//! `content_html` (the whole article, or its summary when feeds carry summaries), or, for an
//! article with no summary at all, `content_text`, as the spec requires one of them.

use serde::Serialize;

use super::FeedData;

#[derive(Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    language: String,
    authors: Vec<Author>,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct Author {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_text: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    language: String,
}

/// The JSON Feed file of `data`.
pub(super) fn write(data: FeedData) -> Result<Vec<u8>, String> {
    let items = data
        .entries
        .into_iter()
        .map(|e| {
            let html = e.content_html.or(e.summary_html);
            JsonItem {
                id: e.url.clone(),
                url: e.url,
                title: e.title,
                content_text: html.is_none().then(|| e.description.clone()),
                content_html: html,
                summary: e.description,
                date_published: e.published.to_rfc3339(),
                date_modified: e.updated.to_rfc3339(),
                authors: e
                    .authors
                    .into_iter()
                    .map(|name| Author { name, url: None })
                    .collect(),
                tags: e.categories.into_iter().map(|c| c.name).collect(),
                language: e.lang,
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: data.title,
        home_page_url: data.page_url,
        feed_url: data.url,
        description: data.subtitle,
        language: data.lang,
        // The site is the author of record for articles that name none.
        authors: vec![Author {
            name: data.site_title,
            url: Some(data.home_url),
        }],
        items,
    };
    serde_json::to_vec(&feed).map_err(|e| e.to_string())
}
