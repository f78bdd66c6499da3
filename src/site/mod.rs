//! All loaded files → [`Site`]: URLs, sections, translations, and the checks that need every
//! file at once (duplicate URLs, duplicate translations). `Site` is plain data: no I/O, no Tera.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::content::{slugify, Loaded, Page, SectionFile, SortBy};
use crate::error::{Diagnostic, Result};

/// An article placed on the site.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The loaded file.
    pub page: Arc<Page>,
    /// Path under the site root, e.g. `en/briefings/name/` (no base path, no leading `/`).
    pub path: String,
    /// Indices (into [`Site::articles`]) of this article in the other languages, in language order.
    pub translations: Vec<usize>,
    /// Index (into [`Site::sections`]) of the section it belongs to.
    pub section: usize,
}

/// A list page: the home page of a language (`folder` empty) or a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Language code.
    pub lang: String,
    /// Folder under `content/`, `/`-separated; empty for the home page.
    pub folder: String,
    /// Path under the site root, e.g. `briefings/`, `en/`, or empty for the default home.
    pub path: String,
    /// The `_index` file, when there is one.
    pub source: Option<PathBuf>,
    /// Title: from `_index`, else the site title (home) or the folder name.
    pub title: String,
    /// One line about the section.
    pub description: String,
    /// Text above the list, as HTML.
    pub content_html: String,
    /// Free data for themes.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// How the list is ordered.
    pub sort_by: SortBy,
    /// Articles listed: the folder's own (every article of the language for the home page), in order.
    pub articles: Vec<usize>,
    /// Indices of the same section in the other languages.
    pub translations: Vec<usize>,
}

/// The whole site as data, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The validated configuration.
    pub config: Config,
    /// Every published article, ordered by language, then folder, then name.
    pub articles: Vec<Article>,
    /// Every list page, ordered by language, then folder; each language's home first.
    pub sections: Vec<Section>,
}

impl Site {
    /// Links loaded files into a site. Drafts are dropped unless `drafts`.
    pub fn new(config: Config, loaded: Vec<Loaded>, drafts: bool) -> Result<Self> {
        let lang_order: HashMap<&str, usize> = config
            .languages
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.as_str(), i))
            .collect();
        let mut pages = Vec::new();
        let mut section_files = Vec::new();
        for item in loaded {
            match item {
                Loaded::Page(p) if p.draft && !drafts => {}
                Loaded::Page(p) => pages.push(p),
                Loaded::Section(s) => section_files.push(s),
            }
        }
        let order = |lang: &str| lang_order.get(lang).copied().unwrap_or(usize::MAX);
        // Keys computed once: at tens of thousands of pages, comparing paths in the
        // comparator is what a rebuild in watch mode would spend its time on.
        pages.sort_by_cached_key(|p| {
            (
                order(&p.file.lang),
                p.file.section.clone(),
                p.file.name.clone(),
                p.source.as_os_str().to_owned(),
            )
        });

        let sections = build_sections(&config, &pages, section_files, &order)?;
        let section_index: HashMap<(&str, &str), usize> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.lang.as_str(), s.folder.as_str()), i))
            .collect();

        let mut articles: Vec<Article> = pages
            .into_iter()
            .map(|page| {
                let section = section_index
                    .get(&(page.file.lang.as_str(), page.file.section.as_str()))
                    .copied()
                    .unwrap_or(0);
                let path = format!("{}{}/", sections[section].path, page.slug);
                Article {
                    page,
                    path,
                    translations: Vec::new(),
                    section,
                }
            })
            .collect();

        link_translations(&mut articles)?;
        check_unique_paths(&config, &articles, &sections)?;

        let homes: Vec<usize> = articles
            .iter()
            .map(|a| {
                section_index
                    .get(&(a.page.file.lang.as_str(), ""))
                    .copied()
                    .unwrap_or(a.section)
            })
            .collect();
        let mut sections = sections;
        for (i, (a, &home)) in articles.iter().zip(&homes).enumerate() {
            sections[a.section].articles.push(i);
            if a.section != home {
                sections[home].articles.push(i);
            }
        }
        for s in &mut sections {
            let key = |i: &usize| &articles[*i].page;
            match s.sort_by {
                SortBy::Date => s.articles.sort_by(|a, b| {
                    let (a, b) = (key(a), key(b));
                    (&b.date, &a.title).cmp(&(&a.date, &b.title))
                }),
                SortBy::Title => s.articles.sort_by(|a, b| key(a).title.cmp(&key(b).title)),
            }
        }
        Ok(Self {
            config,
            articles,
            sections,
        })
    }

    /// Puts `new` in the place of `old` when that changes nothing the site is linked by
    /// (URL, translations, list order, drafts): the site is then what [`Site::new`] would
    /// build from the files as they are now. False, changing nothing, when it would not be.
    pub fn replace_page(&mut self, old: &Arc<Page>, new: &Arc<Page>) -> bool {
        fn placement(p: &Page) -> impl PartialEq + '_ {
            let key = (&p.source, &p.file, &p.slug, &p.translation_key, &p.seed);
            (key, p.draft, &p.date, &p.title)
        }
        if placement(old) != placement(new) {
            return false;
        }
        for a in self.articles.iter_mut().filter(|a| Arc::ptr_eq(&a.page, old)) {
            a.page = Arc::clone(new);
        }
        true
    }
}

/// Every language's home, every folder that holds articles or an `_index` file, and the
/// folders above them, so every list a link could lead to exists.
fn build_sections(
    config: &Config,
    pages: &[Arc<Page>],
    files: Vec<SectionFile>,
    order: &dyn Fn(&str) -> usize,
) -> Result<Vec<Section>> {
    let mut wanted: BTreeMap<(usize, String, String), Option<SectionFile>> = BTreeMap::new();
    for lang in &config.languages {
        wanted.insert((order(&lang.code), lang.code.clone(), String::new()), None);
    }
    let mut add_folder = |lang: &str, folder: &str| {
        let mut prefix = String::new();
        for part in folder.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            wanted
                .entry((order(lang), lang.to_string(), prefix.clone()))
                .or_insert(None);
        }
    };
    for p in pages {
        add_folder(&p.file.lang, &p.file.section);
    }
    for f in &files {
        add_folder(&f.file.lang, &f.file.section);
    }
    let mut duplicates = Vec::new();
    for f in files {
        let slot = wanted
            .entry((order(&f.file.lang), f.file.lang.clone(), f.file.section.clone()))
            .or_insert(None);
        match slot {
            Some(first) => duplicates.push(
                Diagnostic::new(
                    &f.source,
                    format!(
                        "`{}` describes the same section as this file",
                        first.source.display()
                    ),
                )
                .help(
                    "keep one `_index` file per section and language (`_index.md` is the default language)",
                ),
            ),
            None => *slot = Some(f),
        }
    }
    if !duplicates.is_empty() {
        return Err(duplicates.into());
    }

    let mut sections: Vec<Section> = wanted
        .into_iter()
        .map(|((_, lang, folder), file)| {
            let prefix = config.language_prefix(&lang);
            let path = if folder.is_empty() {
                prefix
            } else {
                let slugs: Vec<String> = folder.split('/').map(slugify).collect();
                format!("{prefix}{}/", slugs.join("/"))
            };
            let fallback_title = if folder.is_empty() {
                config
                    .language(&lang)
                    .map(|l| l.title.clone())
                    .unwrap_or_default()
            } else {
                folder.rsplit('/').next().unwrap_or_default().to_string()
            };
            let (source, title, description, content_html, extra, sort_by) = match file {
                Some(f) => (
                    Some(f.source),
                    if f.title.is_empty() {
                        fallback_title
                    } else {
                        f.title
                    },
                    f.description,
                    f.content_html,
                    f.extra,
                    f.sort_by,
                ),
                None => (
                    None,
                    fallback_title,
                    String::new(),
                    String::new(),
                    Default::default(),
                    SortBy::Date,
                ),
            };
            Section {
                lang,
                folder,
                path,
                source,
                title,
                description,
                content_html,
                extra,
                sort_by,
                articles: Vec::new(),
                translations: Vec::new(),
            }
        })
        .collect();
    let by_folder: Vec<Vec<usize>> = group(sections.iter().map(|s| s.folder.as_str()))
        .into_values()
        .collect();
    for members in &by_folder {
        for &i in members {
            sections[i].translations = members.iter().copied().filter(|&j| j != i).collect();
        }
    }
    Ok(sections)
}

/// Indices grouped by key, groups in key order, members in index order.
fn group<'a>(keys: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, Vec<usize>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.enumerate() {
        groups.entry(k).or_default().push(i);
    }
    groups
}

/// Articles sharing a translation key are translations of each other; two in one language
/// sharing a key is an error, since a reader could only be sent to one of them.
fn link_translations(articles: &mut [Article]) -> Result<()> {
    let groups: Vec<Vec<usize>> = group(articles.iter().map(|a| a.page.translation_key.as_str()))
        .into_values()
        .collect();
    let mut errors = Vec::new();
    for members in &groups {
        for (n, &i) in members.iter().enumerate() {
            if let Some(&j) = members[..n]
                .iter()
                .find(|&&j| articles[j].page.file.lang == articles[i].page.file.lang)
            {
                errors.push(
                    Diagnostic::new(
                        &articles[i].page.source,
                        format!(
                            "this article and `{}` are both the `{}` translation of `{}`",
                            articles[j].page.source.display(),
                            articles[i].page.file.lang,
                            articles[i].page.translation_key
                        ),
                    )
                    .help("give one of them a different `translation_key` or file name"),
                );
            }
        }
        for &i in members {
            articles[i].translations = members.iter().copied().filter(|&j| j != i).collect();
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

/// Two sources that would write the same URL: an error naming both.
fn check_unique_paths(config: &Config, articles: &[Article], sections: &[Section]) -> Result<()> {
    // Names are made only for the error: building them for every page costs a watch rebuild.
    // `i` counts the sections first, then the articles.
    let named = |i: usize| -> (String, Option<PathBuf>) {
        let Some(s) = sections.get(i) else {
            let source = &articles[i - sections.len()].page.source;
            return (source.display().to_string(), Some(source.clone()));
        };
        let name = match &s.source {
            Some(p) => p.display().to_string(),
            None if s.folder.is_empty() => format!("the {} home page", s.lang),
            None => format!("the {} list of content/{}", s.lang, s.folder),
        };
        (name, s.source.clone())
    };
    let paths = sections
        .iter()
        .map(|s| s.path.as_str())
        .chain(articles.iter().map(|a| a.path.as_str()));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (i, path) in paths.enumerate() {
        if let Some(&first) = seen.get(path) {
            let ((name, source), (first, _)) = (named(i), named(first));
            let url = format!("{}{}", config.base_path, path);
            errors.push(
                Diagnostic::new(
                    source.unwrap_or_else(|| PathBuf::from(&name)),
                    format!("{name} and {first} would both be written to {url}"),
                )
                .help("give one of them another `slug` or file name"),
            );
        } else {
            seen.insert(path, i);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}
