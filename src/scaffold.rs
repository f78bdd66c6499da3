//! Starting things: `nashra init` (a new site that builds at once: the default theme, which
//! the binary carries, is copied into it to be edited there) and `nashra new` (a new article
//! with its front matter filled in).

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::config::Config;
use crate::content::{looks_like_language, nfc, slugify};
use crate::error::{Diagnostic, Error, Result};

/// The default theme, the same files as `themes/default/` in nashra's repository.
pub static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const CONFIG: &str = r#"# Site configuration: see nashra's README for every key.
base_url = "https://example.org/"
default_language = "ar"
theme = "default"
minify = true
taxonomies = ["regions", "tags"]
seed_section = "briefings"
search = true          # a Pagefind index and a search page per language
feeds = ["atom", "rss", "json"]   # every feed (language, section, term) in Atom, RSS 2.0 and JSON Feed 1.1

[languages.ar]
name = "العربية"
title = "نشرتي"
description = "موجز إخباري"

[languages.en]
name = "English"
title = "My Briefing"
description = "A news briefing"

# Seeds are tagged with the terms whose names appear in their text, e.g.:
# [terms.regions]
# mali = { ar = "مالي", en = "Mali" }

# The day's edition by e-mail links your mailing service's unsubscribe placeholder, e.g.:
# [email]
# unsubscribe = "*|UNSUB|*"
"#;

/// Files a site's repository may have already, from before it held a site: each is written
/// only where the folder has none, and an existing one is left as it is.
const UNLESS_THERE: [(&str, &str); 2] = [
    // The output, the build cache and the output lock's leftovers are kept out of git.
    (".gitignore", "/public/\n/.nashra/\n/.public.nashra-*\n"),
    // Checks, builds and deploys the site to GitHub Pages on every push.
    (
        ".github/workflows/publish.yml",
        include_str!("scaffold/publish.yml"),
    ),
];

const FILES: [(&str, &str); 6] = [
    ("content/_index.ar.md", "+++\ntitle = \"نشرتي\"\ndescription = \"موجز إخباري\"\n+++\n"),
    ("content/_index.en.md", "+++\ntitle = \"My Briefing\"\ndescription = \"A news briefing\"\n+++\n"),
    ("content/briefings/_index.ar.md", "+++\ntitle = \"الموجزات\"\n+++\n"),
    ("content/briefings/_index.en.md", "+++\ntitle = \"Briefings\"\n+++\n"),
    (
        "content/briefings/welcome.ar.md",
        "+++\ntitle = \"مرحبًا بك في نشرة\"\ndate = DATE\n+++\n\nهذا أول خبر في موقعك. اكتب الأخبار في `content/` بصيغة Markdown، أو ضع النصوص الخام في `seeds/`، ثم شغّل `nashra build`.\n",
    ),
    (
        "content/briefings/welcome.en.md",
        "+++\ntitle = \"Welcome to nashra\"\ndate = DATE\n+++\n\nThis is the first story of your site. Write stories as Markdown in `content/`, or drop raw text into `seeds/`, then run `nashra build`.\n",
    ),
];

/// Creates a new site in `dir`: config, a welcome article in both languages, `seeds/`, the
/// default theme, a `.gitignore` and a GitHub Pages workflow. Refuses a folder that already
/// holds a site.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let config = dir.join(crate::config::CONFIG_FILE);
    if config.exists() {
        return Err(Diagnostic::new(&config, "a site already exists here")
            .help("choose an empty folder: nashra init my-site")
            .into());
    }
    let today = today();
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(PathBuf::from(crate::config::CONFIG_FILE), CONFIG.into())];
    files.extend(
        FILES
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.replace("DATE", &today).into_bytes())),
    );
    let theme = Path::new("themes/default");
    let mut stack = vec![&DEFAULT_THEME];
    while let Some(d) = stack.pop() {
        files.extend(d.files().map(|f| (theme.join(f.path()), f.contents().to_vec())));
        stack.extend(d.dirs());
    }
    for (rel, bytes) in &files {
        write_new(&dir.join(rel), rel, bytes)?;
    }
    let seeds = dir.join("seeds");
    std::fs::create_dir_all(&seeds).map_err(|e| Error::io(&seeds, "create the folder", &e))?;
    let mut made: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    for (rel, text) in UNLESS_THERE {
        let rel = Path::new(rel);
        if !dir.join(rel).exists() {
            write_new(&dir.join(rel), rel, text.as_bytes())?;
            made.push(rel.to_path_buf());
        }
    }
    Ok(made)
}

/// Writes a new article `content/<section>/<name>.<lang>.md`, a draft dated today.
pub fn new_article(root: &Path, path: &str, lang: Option<&str>) -> Result<PathBuf> {
    let config = Config::load(root)?;
    let lang = lang.unwrap_or(&config.default_language);
    if config.language(lang).is_none() {
        return Err(
            Diagnostic::new("--lang", format!("`{lang}` is not a language of this site"))
                .help(format!(
                    "use one of: {}",
                    config
                        .languages
                        .iter()
                        .map(|l| l.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into(),
        );
    }
    // In NFC, as names are read (see `crate::content`): a name typed or pasted decomposed is
    // usable, and the folder and file get the composed name a build would give them.
    let written = path.trim_matches('/').trim_end_matches(".md");
    let path = nfc(written);
    let (section, name) = path.rsplit_once('/').unwrap_or(("", &path));
    let name = name
        .rsplit_once('.')
        .filter(|(_, c)| looks_like_language(c))
        .map_or(name, |(n, _)| n);
    let usable = |part: &str| !part.is_empty() && slugify(part) == part;
    if !usable(name) || !section.split('/').filter(|s| !s.is_empty()).all(usable) {
        return Err(Diagnostic::new(written, "not a usable article path")
            .help(
                "write <section>/<name> in lowercase letters, digits and hyphens, e.g. briefings/niger-vote",
            )
            .into());
    }
    let rel = Path::new("content")
        .join(section)
        .join(format!("{name}.{lang}.md"));
    let words = name.replace('-', " ");
    let mut chars = words.chars();
    let title: String = chars
        .next()
        .into_iter()
        .flat_map(char::to_uppercase)
        .chain(chars)
        .collect();
    let text = format!(
        "+++\ntitle = {:?}\ndate = {}\ndraft = true\n+++\n\n",
        title,
        today()
    );
    write_new(&root.join(&rel), &rel, text.as_bytes())?;
    Ok(rel)
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, shown: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create the folder", &e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Diagnostic::new(shown, "the file already exists; nothing was changed")
                    .help("choose another name, or edit the existing file")
                    .into()
            } else {
                Error::io(shown, "create the file", &e)
            }
        })?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| Error::io(shown, "write the file", &e))
}

/// Today's date (UTC), as front matter wants it.
fn today() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%Y-%m-%d")
        .to_string()
}
