//! The day's edition by e-mail: for each edition (a day in a language) `email.html` and
//! `email.txt` beside its page, rendered from the theme's `email.html` and `email.txt`
//! templates, for a newsroom to paste into its mailer. Mail clients load no stylesheet and
//! resolve no relative link, so the HTML leaves here with its `<style>` inlined into `style`
//! attributes ([`css_inline`]; only `@media` rules stay in a `<style>`), every `href` and
//! `src` absolute, and the elements Gmail and Outlook drop replaced by ones they keep; the
//! text twin is wrapped for a plain-text reader.
//! `nashra email` prints one of them ([`email`]).

mod text;

use std::hash::Hash;

use super::{hash_list, hashed, Job, Renderer, Renders};
use crate::error::{Diagnostic, Result};
use crate::output::{Content, Output};
use crate::site::{editions_path, List, Site};

/// The two files of an edition's e-mail; each is also the name of its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `email.html`: the message's HTML part.
    Html,
    /// `email.txt`: its plain-text part.
    Text,
}

impl Format {
    /// The file's name, beside the edition's `index.html`, and its template's.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Html => "email.html",
            Format::Text => "email.txt",
        }
    }
}

/// Whether the theme has both e-mail templates: without them a site with editions simply has
/// no e-mails (a theme made before them still builds).
pub fn theme_has_email(theme: &super::Theme) -> bool {
    [Format::Html, Format::Text]
        .iter()
        .all(|f| theme.has(f.file_name()))
}

/// Whether the output at `path` is an HTML page a browser visits. An edition's `email.html`
/// is HTML too, but it is sent, not visited: it is not counted as a page, and the site's HTML
/// minifier leaves it as it is, since it drops comments and Outlook reads its conditional ones.
pub fn is_web_page(path: &str) -> bool {
    let email = path.ends_with(Format::Html.file_name()) && path.contains("editions/");
    path.ends_with(".html") && !email
}

/// Two jobs (HTML and text) for every edition of `site`; `listed`: each article's hash of what
/// lists show of it, which is what an e-mail shows of it too.
pub(super) fn jobs<'s>(site: &'s Site, listed: &'s [u64]) -> impl Iterator<Item = Job> + 's {
    site.editions.iter().enumerate().flat_map(move |(e, edition)| {
        let mut h = super::input_hasher();
        hash_list(&mut h, site, List::Edition(e));
        edition.articles.iter().for_each(|&a| listed[a].hash(&mut h));
        let inputs = std::hash::Hasher::finish(&h);
        [Format::Html, Format::Text].map(move |format| {
            hashed(
                Renders::Email(e, format),
                format!("{}{}", edition.path, format.file_name()),
                &|h| inputs.hash(h),
            )
        })
    })
}

impl Renderer<'_> {
    /// The e-mail of edition `e` in `format`.
    pub(super) fn email(&self, e: usize, format: Format) -> Result<Output> {
        let site = self.site;
        let edition = &site.editions[e];
        let lang = edition.lang.as_str();
        let versions = [(lang, edition.path.as_str(), edition.date.as_str())];
        let mut ctx = self.common("email", lang, &edition.path, &versions);
        let stories = self.list_ctx(
            &edition.date,
            &edition.path,
            &edition.articles,
            edition.articles.len(),
        );
        ctx.insert("edition", &stories);
        let archive = editions_path(&site.config, lang);
        ctx.insert("archive_url", &self.urls.url(&archive));
        let unsubscribe = site.config.email.unsubscribe.as_deref();
        ctx.insert("unsubscribe_url", &unsubscribe.unwrap_or_default());
        let path = format!("{}{}", edition.path, format.file_name());
        let rendered = self.render_file(format.file_name(), lang, &ctx, path)?;
        let Content::Bytes(bytes) = &rendered.content else {
            return Ok(rendered);
        };
        let written = String::from_utf8_lossy(bytes);
        let finished = match format {
            Format::Html => {
                self.mail_html(&written, &edition.path, &rendered.path, self.language(lang).dir)?
            }
            Format::Text => text::wrap(&written),
        };
        Ok(Output {
            content: Content::Bytes(finished.into_bytes()),
            ..rendered
        })
    }

    /// The rendered `html` of the page at `site_path` as a mail client needs it: the CSS
    /// inlined, then ([`Self::for_mail_clients`]) links absolute and what clients drop
    /// replaced. `path` names the file in errors.
    fn mail_html(&self, html: &str, site_path: &str, path: &str, dir: &str) -> Result<String> {
        let inliner = css_inline::CSSInliner::options()
            .keep_at_rules(true)
            .load_remote_stylesheets(false)
            .build();
        let inlined = inliner.inline(html).map_err(|e| {
            Diagnostic::new(
                self.template_file(Format::Html),
                format!("while rendering /{path}\nits CSS cannot be inlined: {e}"),
            )
            .help(
                "keep the e-mail's CSS in a <style> element of the template, with no <link> to a stylesheet",
            )
        })?;
        self.for_mail_clients(&inlined, site_path, dir).map_err(|e| {
            Diagnostic::new(
                self.template_file(Format::Html),
                format!("while rendering /{path}\nits links cannot be made absolute: {e}"),
            )
            .into()
        })
    }

    /// `html` with every `href` and `src` made absolute, as on the page at `site_path`, and
    /// what mail clients drop replaced by what they keep: `<body>` (Outlook's apps drop it,
    /// its attributes with it) unwrapped, so the template's outermost table is the body;
    /// `<bdi>` (unknown to Gmail and Outlook) made a `<span>` with the direction of the run it
    /// isolates, the opposite of the language's `dir` unless it says its own.
    fn for_mail_clients(
        &self,
        html: &str,
        site_path: &str,
        dir: &str,
    ) -> std::result::Result<String, lol_html::errors::RewritingError> {
        use lol_html::{element, html_content::Element, rewrite_str, HandlerResult, RewriteStrSettings};
        // The mailing service's placeholder is replaced when it sends, as written.
        let unsubscribe = self.site.config.email.unsubscribe.as_deref();
        let absolute = |el: &mut Element, name: &str| -> HandlerResult {
            if let Some(url) = el
                .get_attribute(name)
                .filter(|l| Some(l.as_str()) != unsubscribe)
                .and_then(|l| self.urls.absolute(site_path, &l))
            {
                el.set_attribute(name, &url)?;
            }
            Ok(())
        };
        let other = if dir == "rtl" { "ltr" } else { "rtl" };
        let settings = RewriteStrSettings::new()
            .append_element_content_handler(element!("[href]", |el| absolute(el, "href")))
            .append_element_content_handler(element!("[src]", |el| absolute(el, "src")))
            .append_element_content_handler(element!("body", |el| {
                el.remove_and_keep_content();
                Ok(())
            }))
            .append_element_content_handler(element!("bdi", |el| {
                el.set_tag_name("span")?;
                if !el.has_attribute("dir") {
                    el.set_attribute("dir", other)?;
                }
                Ok(())
            }))
            .with_strict(false);
        rewrite_str(html, settings)
    }

    /// The theme's file of the template of `format`, to name in errors.
    fn template_file(&self, format: Format) -> std::path::PathBuf {
        let name = format.file_name();
        self.theme
            .sources
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.into())
    }
}

/// One edition's e-mail as a build of the site in `opts` writes it, to be printed by
/// `nashra email`: the edition of `date` (default: the newest) in `lang` (default: the
/// site's first language).
pub fn email(
    opts: &crate::BuildOptions,
    date: Option<&str>,
    lang: Option<&str>,
    format: Format,
) -> Result<Vec<u8>> {
    let root = &opts.root;
    let config = opts.config()?;
    let config_file = crate::config::CONFIG_FILE;
    if !config.editions {
        return Err(
            Diagnostic::new(config_file, "the site has no editions, so no e-mails")
                .help("set `editions = true` in nashra.toml: the e-mail of a day is its edition")
                .into(),
        );
    }
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let lang = match lang {
        Some(code) if codes.contains(&code) => code.to_string(),
        Some(code) => {
            return Err(
                Diagnostic::new(config_file, format!("the site has no language `{code}`"))
                    .help(format!("use --lang with one of: {}", codes.join(", ")))
                    .into(),
            )
        }
        None => codes.first().map(|c| c.to_string()).unwrap_or_default(),
    };
    let (site, theme) = super::site_and_theme(opts, config)?;
    if !theme_has_email(&theme) {
        let templates = std::path::Path::new("themes")
            .join(&site.config.theme)
            .join("templates");
        return Err(Diagnostic::new(templates, "the theme has no e-mail templates")
            .help("add `email.html` and `email.txt` to the theme or the site's templates/ (the default theme's are a start)")
            .into());
    }
    let days: Vec<(usize, &str)> = site
        .editions
        .iter()
        .enumerate()
        .filter(|(_, e)| e.lang == lang)
        .map(|(i, e)| (i, e.date.as_str()))
        .collect();
    let found = match date {
        None => days.first(),
        Some(date) => days.iter().find(|(_, d)| *d == date),
    };
    let Some(&(e, _)) = found else {
        let listed: Vec<&str> = days.iter().map(|(_, d)| *d).collect();
        let message = match date {
            Some(date) => format!("no edition on {date} in `{lang}`"),
            None => format!("no edition in `{lang}` yet: no article of it is published"),
        };
        let help = match listed.is_empty() {
            true => "publish an article in this language: each day with articles is an edition".to_string(),
            false => format!("editions in `{lang}`, newest first: {}", listed.join(", ")),
        };
        return Err(Diagnostic::new(config_file, message).help(help).into());
    };
    // Only the edition's stories' photos: a site's others are not read.
    let stories = &site.editions[e].articles;
    let shown = |s: &std::path::Path| stories.iter().any(|&i| site.articles[i].page.source == s);
    let media = super::images::plan_pages(root, &site, &theme.static_files, None, shown)?;
    let job = hashed(Renders::Email(e, format), String::new(), &|_| {});
    let photos = super::Photos::uncached(&media);
    let page = super::render_jobs(&site, &theme, photos, std::iter::once(&job))?;
    let bytes = page.into_iter().next().and_then(|p| match p.content {
        Content::Bytes(b) => Some(b),
        Content::Copy(_) | Content::Stripped(_) => None,
    });
    Ok(bytes.unwrap_or_default())
}
