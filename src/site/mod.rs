//! All loaded files → [`Site`]: URLs, sections, translations, taxonomies, editions,
//! pagination, and the checks that need every file at once (duplicate URLs, duplicate
//! translations). `Site` is plain data: no I/O, no Tera.

pub mod links;
pub mod paginate;
pub mod taxonomy;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::content::{
    differ_only_in_normalization, slug, Alias, Loaded, Page, SectionFile, SortBy, SourceRef,
};
use crate::error::{Diagnostic, Result};
use links::{LeftOut, Resolved};
pub use taxonomy::{editions_path, Edition, Taxonomy, Term, TermRef};

/// Which articles are published, and when the build runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// Whether drafts are built.
    pub drafts: bool,
    /// Whether articles dated after `now` are built; else they are scheduled and left out.
    pub future: bool,
    /// The moment (UTC) the build reads the clock, once: what is scheduled is judged against
    /// it, and the news sitemap lists the articles of the two days up to it.
    pub now: NaiveDateTime,
}

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
    /// Its taxonomy terms, taxonomies in config order, terms as the front matter orders them.
    pub terms: Vec<TermRef>,
    /// Its links to other content files (`@/…`), resolved.
    pub links: Vec<Resolved>,
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
    /// Links and images in that text.
    pub refs: Vec<SourceRef>,
    /// Its links to other content files (`@/…`), resolved.
    pub links: Vec<Resolved>,
    /// Free data for themes.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// How the list is ordered.
    pub sort_by: SortBy,
    /// Articles per list page (0: all on one).
    pub per_page: usize,
    /// Articles listed: the folder's own (every article of the language for the home page), in order.
    pub articles: Vec<usize>,
    /// Indices of the same section in the other languages.
    pub translations: Vec<usize>,
    /// Its old URLs (from its `_index` file), each written as a page that redirects to it.
    pub aliases: Vec<Alias>,
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
    /// Taxonomies with terms, per language (config order), taxonomies in config order.
    pub taxonomies: Vec<Taxonomy>,
    /// Editions, per language (config order), newest day first.
    pub editions: Vec<Edition>,
    /// The pages written at old URLs (`aliases`), articles' first, in article order.
    pub redirects: Vec<Redirect>,
    /// When the build runs ([`Visibility::now`]).
    pub now: NaiveDateTime,
}

/// A page written at an old URL of an article or section, leading to its new one.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// What it leads to.
    pub to: RedirectTo,
    /// Which of its `aliases` this is.
    pub alias: usize,
}

/// What a redirect leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectTo {
    /// Index into [`Site::articles`].
    Article(usize),
    /// Index into [`Site::sections`].
    Section(usize),
}

/// Where a redirect leads, as its page shows it.
pub struct Target<'s> {
    /// The old URL's alias.
    pub alias: &'s Alias,
    /// Site path of the new URL.
    pub path: &'s str,
    /// Language code of what it leads to.
    pub lang: &'s str,
    /// Its title.
    pub title: &'s str,
    /// The file that names the alias.
    pub source: &'s Path,
}

impl Site {
    /// Links loaded files into a site, leaving out what `visible` does not publish.
    pub fn new(config: Config, loaded: Vec<Loaded>, visible: Visibility) -> Result<Self> {
        let (site, broken) = Self::assemble(config, loaded, visible)?;
        if broken.is_empty() {
            Ok(site)
        } else {
            Err(broken.into())
        }
    }

    /// [`Site::new`], but links between articles that lead nowhere are returned beside the
    /// site (left as written in its pages) instead of failing it, so `check` can go on to
    /// render every page and report all its errors together.
    pub fn assemble(
        config: Config,
        loaded: Vec<Loaded>,
        visible: Visibility,
    ) -> Result<(Self, Vec<Diagnostic>)> {
        let lang_order: HashMap<&str, usize> = config
            .languages
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.as_str(), i))
            .collect();
        let mut pages = Vec::new();
        let mut section_files = Vec::new();
        let mut left_out = Vec::new();
        for item in loaded {
            match item {
                Loaded::Page(p) if p.draft && !visible.drafts => left_out.push(LeftOut {
                    file: p.file.clone(),
                    draft: true,
                }),
                Loaded::Page(p) if !visible.future && p.date.is_after(visible.now) => {
                    left_out.push(LeftOut {
                        file: p.file.clone(),
                        draft: false,
                    })
                }
                Loaded::Page(p) => pages.push(p),
                Loaded::Section(s) => section_files.push(*s),
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
                    terms: Vec::new(),
                    links: Vec::new(),
                }
            })
            .collect();

        link_translations(&mut articles)?;

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
            sort_list(&articles, s.sort_by, &mut s.articles);
        }
        let taxonomies = taxonomy::taxonomies(&config, &mut articles);
        let editions = match config.editions {
            true => taxonomy::editions(&config, &articles),
            false => Vec::new(),
        };
        let of_articles = articles.iter().enumerate().flat_map(|(i, a)| {
            (0..a.page.aliases.len()).map(move |alias| Redirect {
                to: RedirectTo::Article(i),
                alias,
            })
        });
        let of_sections = sections.iter().enumerate().flat_map(|(i, s)| {
            (0..s.aliases.len()).map(move |alias| Redirect {
                to: RedirectTo::Section(i),
                alias,
            })
        });
        let redirects = of_articles.chain(of_sections).collect();
        let mut site = Self {
            config,
            articles,
            sections,
            taxonomies,
            editions,
            redirects,
            now: visible.now,
        };
        let broken = site
            .link(&left_out)
            .err()
            .map_or_else(Vec::new, |e| e.diagnostics);
        match site.check_unique_paths() {
            Ok(()) => Ok((site, broken)),
            // Both checks' errors together: a link may lead nowhere because two pages clash.
            Err(e) => Err(e.diagnostics.into_iter().chain(broken).collect::<Vec<_>>().into()),
        }
    }

    /// Resolves every link between content files, or reports those that lead nowhere.
    fn link(&mut self, left_out: &[LeftOut]) -> Result<()> {
        let (articles, sections) = links::resolve(self, left_out)?;
        for (a, links) in self.articles.iter_mut().zip(articles) {
            a.links = links;
        }
        for (s, links) in self.sections.iter_mut().zip(sections) {
            s.links = links;
        }
        Ok(())
    }

    /// Where a redirect leads.
    pub fn target(&self, r: &Redirect) -> Target<'_> {
        match r.to {
            RedirectTo::Article(i) => {
                let a = &self.articles[i];
                Target {
                    alias: &a.page.aliases[r.alias],
                    path: &a.path,
                    lang: &a.page.file.lang,
                    title: &a.page.title,
                    source: &a.page.source,
                }
            }
            RedirectTo::Section(i) => {
                let s = &self.sections[i];
                Target {
                    alias: &s.aliases[r.alias],
                    path: &s.path,
                    lang: &s.lang,
                    title: &s.title,
                    // Only a section with an `_index` file has aliases.
                    source: s.source.as_deref().unwrap_or(Path::new("content")),
                }
            }
        }
    }

    /// Every list of articles on the site, each once.
    pub fn lists(&self) -> impl Iterator<Item = List> + '_ {
        let sections = (0..self.sections.len()).map(List::Section);
        let terms = self
            .taxonomies
            .iter()
            .enumerate()
            .flat_map(|(t, tax)| (0..tax.terms.len()).map(move |k| List::Term(t, k)));
        let editions = (0..self.editions.len()).map(List::Edition);
        sections.chain(terms).chain(editions)
    }

    /// What pages of a list read of it, whatever kind of list it is.
    pub fn list(&self, list: List) -> ListInfo<'_> {
        let per_page = self.config.paginate_by;
        match list {
            List::Section(i) => {
                let s = &self.sections[i];
                let by_date = ListInfo::by_date(&s.lang, &s.title, &s.path, &s.articles, s.per_page);
                ListInfo {
                    sort_by: s.sort_by,
                    ..by_date
                }
            }
            List::Term(t, k) => {
                let (tax, term) = (&self.taxonomies[t], &self.taxonomies[t].terms[k]);
                ListInfo::by_date(&tax.lang, &term.name, &term.path, &term.articles, per_page)
            }
            List::Edition(i) => {
                let e = &self.editions[i];
                ListInfo::by_date(&e.lang, &e.date, &e.path, &e.articles, per_page)
            }
        }
    }

    /// The sections a home page links to: its language's, the home itself left out.
    pub fn subsections<'s>(&'s self, home: &'s Section) -> impl Iterator<Item = &'s Section> + 's {
        self.sections
            .iter()
            .filter(move |o| o.lang == home.lang && !o.folder.is_empty())
    }

    /// A taxonomy in every language that has it.
    pub fn taxonomy_versions<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Taxonomy> + 's {
        self.taxonomies.iter().filter(move |t| t.name == name)
    }

    /// The same list in the other languages.
    pub fn list_translations(&self, list: List) -> Vec<List> {
        match list {
            List::Section(i) => self.sections[i]
                .translations
                .iter()
                .map(|&j| List::Section(j))
                .collect(),
            List::Term(t, k) => self.taxonomies[t].terms[k]
                .translations
                .iter()
                .map(|&(t, k)| List::Term(t, k))
                .collect(),
            List::Edition(i) => self.editions[i]
                .translations
                .iter()
                .map(|&j| List::Edition(j))
                .collect(),
        }
    }

    /// Two things that would write the same URL: an error naming both.
    fn check_unique_paths(&self) -> Result<()> {
        let mut paths: Vec<(Cow<str>, Owner)> = self
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (Cow::Borrowed(a.path.as_str()), Owner::Article(i)))
            .collect();
        for list in self.lists() {
            paths.extend(
                self.list(list)
                    .pagers()
                    .map(|p| (Cow::Owned(p.path), Owner::List(list))),
            );
        }
        paths.extend(
            self.taxonomies
                .iter()
                .map(|t| (Cow::Borrowed(t.path.as_str()), Owner::Taxonomy(&t.lang, &t.name))),
        );
        let archives = self.config.languages.iter().filter(|_| self.config.editions);
        paths.extend(archives.map(|l| {
            (
                Cow::Owned(editions_path(&self.config, &l.code)),
                Owner::Editions(&l.code),
            )
        }));
        // Last, so that a clash is reported at the alias, where the fix is.
        paths.extend(self.redirects.iter().enumerate().map(|(i, r)| {
            let path = self.target(r).alias.path.as_str();
            (Cow::Borrowed(path), Owner::Redirect(i))
        }));

        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut errors = Vec::new();
        for (i, (path, _)) in paths.iter().enumerate() {
            let Some(&first) = seen.get(path.as_ref()) else {
                seen.insert(path, i);
                continue;
            };
            let ((name, source), (first, _)) = (self.owner(paths[i].1), self.owner(paths[first].1));
            let url = format!("{}{}", self.config.base_path, path);
            let d = Diagnostic::new(
                source.unwrap_or_else(|| PathBuf::from(&name)),
                format!("{name} and {first} would both be written to {url}"),
            );
            errors.push(match paths[i].1 {
                Owner::Redirect(r) => {
                    let alias = self.target(&self.redirects[r]).alias;
                    d.at(alias.line, alias.column).help(
                        "take the alias out, or give the page that has that URL another `slug` or file name",
                    )
                }
                _ => d.help(clash_help(
                    &name,
                    &first,
                    "give one of them another `slug` or file name",
                )),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.into())
        }
    }

    /// What an output path belongs to, in words, and its source file if it has one. Made only
    /// for errors: naming every page costs a watch rebuild.
    fn owner(&self, owner: Owner) -> (String, Option<PathBuf>) {
        match owner {
            Owner::Article(i) => {
                let source = &self.articles[i].page.source;
                (source.display().to_string(), Some(source.clone()))
            }
            Owner::List(List::Section(i)) => {
                let s = &self.sections[i];
                let name = match &s.source {
                    Some(p) => p.display().to_string(),
                    None if s.folder.is_empty() => format!("the {} home page", s.lang),
                    None => format!("the {} list of content/{}", s.lang, s.folder),
                };
                (name, s.source.clone())
            }
            Owner::List(List::Term(t, k)) => {
                let (tax, term) = (&self.taxonomies[t], &self.taxonomies[t].terms[k]);
                (
                    format!("the {} page of the {} term `{}`", tax.lang, tax.name, term.slug),
                    None,
                )
            }
            Owner::List(List::Edition(i)) => {
                let e = &self.editions[i];
                (format!("the {} edition of {}", e.lang, e.date), None)
            }
            Owner::Taxonomy(lang, name) => (format!("the {lang} list of {name}"), None),
            Owner::Redirect(r) => {
                let t = self.target(&self.redirects[r]);
                let (alias, source) = (t.alias, t.source);
                (
                    format!(
                        "the alias {:?} in {}:{}:{}",
                        alias.path,
                        source.display(),
                        alias.line,
                        alias.column
                    ),
                    Some(source.to_path_buf()),
                )
            }
            Owner::Editions(lang) => (format!("the {lang} edition archive"), None),
        }
    }

    /// Puts `new` in the place of `old` when that changes nothing the site is linked by
    /// (URL, translations, drafts, the order of any list): the site is then what
    /// [`Site::new`] would build from the files as they are now. Returns the articles whose
    /// pages read it (those holding it and their translations, which name it); none,
    /// changing nothing, when the site would not be what a new build makes.
    pub fn replace_page(&mut self, old: &Arc<Page>, new: &Arc<Page>) -> Option<Vec<usize>> {
        fn placement(p: &Page) -> impl PartialEq + '_ {
            let key = (&p.source, &p.file, &p.slug, &p.translation_key, &p.seed);
            // Aliases are URLs the site checks for clashes: a new one links the site anew.
            (key, p.draft, &p.date, &p.terms, &p.aliases)
        }
        if placement(old) != placement(new) {
            return None;
        }
        let held: Vec<usize> = (0..self.articles.len())
            .filter(|&i| Arc::ptr_eq(&self.articles[i].page, old))
            .collect();
        let swap = |site: &mut Self, page: &Arc<Page>| {
            held.iter()
                .for_each(|&i| site.articles[i].page = Arc::clone(page));
        };
        swap(self, new);
        // A new title moves an article only among neighbours of the same date. New links must
        // lead somewhere, and links to it must still find their headings; when not, a new
        // build reports it.
        if (old.title != new.title && !self.still_sorted(&held)) || self.link(&[]).is_err() {
            swap(self, old);
            return None;
        }
        let translations = held.iter().flat_map(|&i| &self.articles[i].translations);
        Some(held.iter().chain(translations).copied().collect())
    }

    /// Whether every list is in its order around the `moved` articles, all else being as
    /// it was sorted.
    fn still_sorted(&self, moved: &[usize]) -> bool {
        self.lists().all(|list| {
            let info = self.list(list);
            info.articles.windows(2).all(|w| {
                !(moved.contains(&w[0]) || moved.contains(&w[1]))
                    || list_order(&self.articles, info.sort_by, w[0], w[1]).is_lt()
            })
        })
    }
}

/// The order of a list: newest first then by title, or by title; ties in article order, so
/// that a list has one order however its articles came.
fn list_order(articles: &[Article], by: SortBy, a: usize, b: usize) -> std::cmp::Ordering {
    let (pa, pb) = (&articles[a].page, &articles[b].page);
    match by {
        SortBy::Date => (&pb.date, &pa.title, a).cmp(&(&pa.date, &pb.title, b)),
        SortBy::Title => (&pa.title, a).cmp(&(&pb.title, b)),
    }
}

/// Sorts a list's article indices in [`list_order`].
fn sort_list(articles: &[Article], by: SortBy, list: &mut [usize]) {
    list.sort_unstable_by(|&a, &b| list_order(articles, by, a, b));
}

/// A list of articles: a section (or home page), a term or an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    /// Index into [`Site::sections`].
    Section(usize),
    /// Indices into [`Site::taxonomies`] and its terms.
    Term(usize, usize),
    /// Index into [`Site::editions`].
    Edition(usize),
}

/// A list as its pages read it.
#[derive(Debug, Clone, Copy)]
pub struct ListInfo<'s> {
    /// Language code.
    pub lang: &'s str,
    /// The section's title, the term's name, the edition's day.
    pub title: &'s str,
    /// Site path of the first page.
    pub path: &'s str,
    /// Articles, in list order.
    pub articles: &'s [usize],
    /// Articles per page (0: all on one).
    pub per_page: usize,
    /// How `articles` are ordered.
    pub sort_by: SortBy,
}

impl<'s> ListInfo<'s> {
    /// A list of articles newest first.
    fn by_date(lang: &'s str, title: &'s str, path: &'s str, articles: &'s [usize], per_page: usize) -> Self {
        Self {
            lang,
            title,
            path,
            articles,
            per_page,
            sort_by: SortBy::Date,
        }
    }

    /// Every page of the list.
    pub fn pagers(&self) -> impl Iterator<Item = paginate::Pager> + 's {
        paginate::pagers(self.path, self.articles.len(), self.per_page)
    }

    /// Page `number` (1-based), if the list has it.
    pub fn pager(&self, number: usize) -> Option<paginate::Pager> {
        paginate::pager(self.path, self.articles.len(), self.per_page, number)
    }
}

/// What writes an output path, for the duplicate-URL error.
#[derive(Clone, Copy)]
enum Owner<'a> {
    Article(usize),
    List(List),
    Taxonomy(&'a str, &'a str),
    Editions(&'a str),
    /// Index into [`Site::redirects`].
    Redirect(usize),
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
                .help(clash_help(
                    &f.source.to_string_lossy(),
                    &first.source.to_string_lossy(),
                    "keep one `_index` file per section and language (`_index.md` is the default language)",
                )),
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
                let slugs: Vec<String> = folder.split('/').map(|f| slug(f, config.slugify)).collect();
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
            let (source, title, description, content_html, refs, extra, sort_by, per_page, aliases) =
                match file {
                    Some(f) => (
                        Some(f.source),
                        if f.title.is_empty() {
                            fallback_title
                        } else {
                            f.title
                        },
                        f.description,
                        f.content_html,
                        f.refs,
                        f.extra,
                        f.sort_by,
                        f.paginate_by.unwrap_or(config.paginate_by),
                        f.aliases,
                    ),
                    None => (
                        None,
                        fallback_title,
                        String::new(),
                        String::new(),
                        Vec::new(),
                        Default::default(),
                        SortBy::Date,
                        config.paginate_by,
                        Vec::new(),
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
                refs,
                links: Vec::new(),
                extra,
                sort_by,
                per_page,
                articles: Vec::new(),
                translations: Vec::new(),
                aliases,
            }
        })
        .collect();
    let peers = peers(sections.iter().map(|s| s.folder.clone()));
    for (s, others) in sections.iter_mut().zip(peers) {
        s.translations = others;
    }
    Ok(sections)
}

/// Indices grouped by key, groups in key order, members in index order.
fn group<K: Ord>(keys: impl Iterator<Item = K>) -> BTreeMap<K, Vec<usize>> {
    let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
    for (i, k) in keys.enumerate() {
        groups.entry(k).or_default().push(i);
    }
    groups
}

/// For each item, the other items that share its key: the versions of one list in the other
/// languages.
fn peers<K: Ord>(keys: impl ExactSizeIterator<Item = K>) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); keys.len()];
    for members in group(keys).into_values() {
        for &i in &members {
            out[i] = members.iter().copied().filter(|&j| j != i).collect();
        }
    }
    out
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
                let (this, other) = (&articles[i].page.source, &articles[j].page.source);
                errors.push(
                    Diagnostic::new(
                        this,
                        format!(
                            "this article and `{}` are both the `{}` translation of `{}`",
                            other.display(),
                            articles[i].page.file.lang,
                            articles[i].page.translation_key
                        ),
                    )
                    .help(clash_help(
                        &this.to_string_lossy(),
                        &other.to_string_lossy(),
                        "give one of them a different `translation_key` or file name",
                    )),
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

/// What to do about two files (or pages, as named in an error) that clash: `usual`, unless
/// their names differ only in Unicode normalization. Those print alike, and nashra reads them
/// as one name, so the error must say what tells them apart.
fn clash_help(a: &str, b: &str, usual: &str) -> String {
    match differ_only_in_normalization(a, b) {
        true => "the two names differ only in Unicode normalization (the same letters, \
                 encoded differently), so nashra reads them as one: if one file is a copy, \
                 remove it, else rename one of them (most tools write names in the composed \
                 form, NFC)"
            .into(),
        false => usual.into(),
    }
}
