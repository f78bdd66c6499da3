//! Articles grouped by what they are about (taxonomy terms) and by the day they are dated
//! (editions), per language.

use std::collections::{BTreeMap, HashMap};

use super::{sort_list, Article};
use crate::config::Config;
use crate::content::{slug, slugify, SortBy};

/// One taxonomy (`regions`, `tags`, …) in one language, with the terms its articles use.
#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomy {
    /// Language code.
    pub lang: String,
    /// The name `nashra.toml` declares, also its URL segment.
    pub name: String,
    /// Site path of the page listing every term, e.g. `en/regions/`.
    pub path: String,
    /// Terms, by display name.
    pub terms: Vec<Term>,
}

/// One term and the articles filed under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// URL segment, shared by every language, so both translations of an article share a term.
    pub slug: String,
    /// Display name in the taxonomy's language: from `nashra.toml`, else as the first article
    /// in that language wrote it.
    pub name: String,
    /// Site path, e.g. `en/regions/mali/`.
    pub path: String,
    /// Articles, newest first.
    pub articles: Vec<usize>,
    /// The same term in the other languages: (taxonomy, term) indices.
    pub translations: Vec<(usize, usize)>,
}

/// Where an article is filed: indices into [`super::Site::taxonomies`] and that taxonomy's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TermRef {
    /// Index of the taxonomy.
    pub taxonomy: usize,
    /// Index of the term in it.
    pub term: usize,
}

/// The briefing of one day in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    /// Language code.
    pub lang: String,
    /// The day, `YYYY-MM-DD`, as the articles' dates are written (not converted to UTC).
    pub date: String,
    /// Site path, e.g. `en/editions/2024-11-20/`.
    pub path: String,
    /// Articles dated that day, newest first.
    pub articles: Vec<usize>,
    /// Indices of the same day's edition in the other languages.
    pub translations: Vec<usize>,
}

/// The site path of a language's edition archive.
pub fn editions_path(config: &Config, lang: &str) -> String {
    format!("{}editions/", config.language_prefix(lang))
}

/// Every taxonomy that has terms, per language in config order, and each article's terms
/// (set on the articles). A term written as its slug or as any of its configured names in
/// any language is the same term.
pub(super) fn taxonomies(config: &Config, articles: &mut [Article]) -> Vec<Taxonomy> {
    let mut aliases: HashMap<(&str, String), &str> = HashMap::new();
    for (taxonomy, terms) in &config.terms {
        for (slug, names) in terms {
            aliases.insert((taxonomy, slug.clone()), slug);
            for name in names.values().flatten() {
                aliases.insert((taxonomy, slugify(name)), slug);
            }
        }
    }
    // Names match in their readable form; an unconfigured term's URL is in the site's.
    let resolve = |taxonomy: &str, raw: &str| -> String {
        match aliases.get(&(taxonomy, slugify(raw))) {
            Some(slug) => slug.to_string(),
            None => slug(raw, config.slugify),
        }
    };

    let mut out = Vec::new();
    for lang in &config.languages {
        for name in &config.taxonomies {
            // slug → (name as first written, articles); and each article's slugs as written.
            let mut found: BTreeMap<String, (&str, Vec<usize>)> = BTreeMap::new();
            let mut filed: Vec<(usize, Vec<String>)> = Vec::new();
            for (i, a) in articles.iter().enumerate() {
                if a.page.file.lang != lang.code {
                    continue;
                }
                let mut slugs: Vec<String> = Vec::new();
                for raw in a.page.terms.get(name).into_iter().flatten() {
                    let slug = resolve(name, raw);
                    if !slugs.contains(&slug) {
                        found.entry(slug.clone()).or_insert((raw, Vec::new())).1.push(i);
                        slugs.push(slug);
                    }
                }
                if !slugs.is_empty() {
                    filed.push((i, slugs));
                }
            }
            if found.is_empty() {
                continue;
            }
            let path = format!("{}{name}/", config.language_prefix(&lang.code));
            let mut terms: Vec<Term> = found
                .into_iter()
                .map(|(slug, (written, mut list))| {
                    sort_list(articles, SortBy::Date, &mut list);
                    let configured = config
                        .terms
                        .get(name)
                        .and_then(|t| t.get(&slug))
                        .and_then(|n| n.get(&lang.code))
                        .and_then(|n| n.first());
                    Term {
                        name: configured.map_or(written, String::as_str).to_string(),
                        path: format!("{path}{slug}/"),
                        slug,
                        articles: list,
                        translations: Vec::new(),
                    }
                })
                .collect();
            terms.sort_by(|a, b| (&a.name, &a.slug).cmp(&(&b.name, &b.slug)));
            // Each article's terms in the order its front matter gives them; taxonomies come
            // in config order since this loop goes in it.
            let index: HashMap<&str, usize> = terms
                .iter()
                .enumerate()
                .map(|(k, t)| (t.slug.as_str(), k))
                .collect();
            for (i, slugs) in filed {
                let refs = slugs.iter().filter_map(|slug| index.get(slug.as_str()));
                articles[i].terms.extend(refs.map(|&term| TermRef {
                    taxonomy: out.len(),
                    term,
                }));
            }
            out.push(Taxonomy {
                lang: lang.code.clone(),
                name: name.clone(),
                path,
                terms,
            });
        }
    }
    let all: Vec<(usize, usize)> = out
        .iter()
        .enumerate()
        .flat_map(|(t, tax)| (0..tax.terms.len()).map(move |k| (t, k)))
        .collect();
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|&(t, k)| (out[t].name.clone(), out[t].terms[k].slug.clone()))
        .collect();
    for (&(t, k), others) in all.iter().zip(super::peers(keys.into_iter())) {
        out[t].terms[k].translations = others.into_iter().map(|i| all[i]).collect();
    }
    out
}

/// One edition per language and day that has articles: languages in config order, newest
/// day first.
pub(super) fn editions(config: &Config, articles: &[Article]) -> Vec<Edition> {
    let mut days: BTreeMap<(usize, std::cmp::Reverse<&str>), Vec<usize>> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate() {
        let order = config
            .languages
            .iter()
            .position(|l| l.code == a.page.file.lang)
            .unwrap_or(usize::MAX);
        days.entry((order, std::cmp::Reverse(a.page.date.day())))
            .or_default()
            .push(i);
    }
    let mut editions: Vec<Edition> = days
        .into_iter()
        .map(|((_, std::cmp::Reverse(day)), mut list)| {
            sort_list(articles, SortBy::Date, &mut list);
            let lang = articles[list[0]].page.file.lang.clone();
            Edition {
                path: format!("{}{day}/", editions_path(config, &lang)),
                date: day.to_string(),
                lang,
                articles: list,
                translations: Vec::new(),
            }
        })
        .collect();
    let peers = super::peers(editions.iter().map(|e| e.date.clone()));
    for (e, others) in editions.iter_mut().zip(peers) {
        e.translations = others;
    }
    editions
}
