//! The watch-mode rule: after any sequence of edits, creates, deletes and renames, the output
//! an incremental rebuild leaves is byte for byte what a clean build of the same sources
//! writes; and when the clean build fails, the rebuild fails too and leaves the last output.
//! Changes come one rebuild each or several to one (those made while a rebuild ran), and
//! the paths a rebuild is given may leave out a file that went (a save by rename, then a
//! move or a delete, as a debouncer merges them). A build with the build cache after each
//! step, into an output folder of its own, is held to the same rule.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{differences, snapshot, Site};
use nashra::watch::{Report, Session};
use nashra::BuildOptions;
use proptest::prelude::*;

const SECTIONS: [&str; 3] = ["briefings", "analysis", "briefings/sahel"];
const NAMES: [&str; 3] = ["alpha", "beta", "mali-russia-equipment"];
const LANGS: [&str; 2] = ["ar", "en"];
const TITLES: [&str; 3] = ["مالي وروسيا", "Mali and Russia", "مالي وروسيا"];
/// Titles an existing article is given: sorting before, among and after the others.
const RETITLES: [&str; 3] = ["Bamako", "Mali and Russia", "نيامي"];
const DATES: [&str; 3] = ["2024-11-20", "2024-11-21", "2023-01-05"];

/// The `i`th date an article is given: one of [`DATES`], or (the last) today, which puts it in
/// the news sitemap (of the two days up to the build).
fn date(i: usize) -> String {
    match DATES.get(i) {
        Some(d) => d.to_string(),
        None => chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .format("%Y-%m-%d")
            .to_string(),
    }
}
/// Term lines: a term by slug, by a configured name in another language, an unconfigured one.
const TERMS: [&str; 4] = [
    "",
    "regions = [\"mali\"]\n",
    "regions = [\"مالي\", \"niger\"]\ntags = [\"Security\", \"drones\"]\n",
    "tags = [\"drones\"]\n",
];

/// Alias lines: none, an old folder, that and an old page from the site's root, and one that
/// may clash with an article's own URL (then both builds fail).
const ALIASES: [&str; 4] = [
    "",
    "aliases = [\"old/a/\"]\n",
    "aliases = [\"old/a/\", \"/old/b.html\"]\n",
    "aliases = [\"/briefings/alpha/\"]\n",
];

/// Corrections and updates: none, one correction, two corrections (one with a link and a
/// time) and an update, and one dated before every article (then both builds fail).
const NOTES: [&str; 4] = [
    "",
    "corrections = [{ date = 2024-11-22, text = \"The carriers are BTR-82A.\" }]\n",
    "corrections = [{ date = 2024-11-22, text = \"The carriers are BTR-82A.\" }, { date = 2025-01-02T10:00:00+03:00, text = \"See [the statement](https://example.com/s).\" }]\nupdates = [{ date = 2024-12-01, text = \"الجيش يؤكد تسلّم T-72B3.\" }]\n",
    "corrections = [{ date = 2020-01-01, text = \"Dated before the story.\" }]\n",
];

/// One thing a writer (or their editor, or `git checkout`) does to the sources.
#[derive(Debug, Clone)]
enum Op {
    /// Write an article (new or over an old one).
    Write {
        section: usize,
        name: usize,
        lang: usize,
        title: usize,
        date: usize,
        slug: bool,
        draft: bool,
        terms: usize,
    },
    /// Change only the taxonomy terms of an existing article.
    Retag { which: usize, terms: usize },
    /// Change only the old URLs (`aliases`) of an existing source.
    Realias { which: usize, aliases: usize },
    /// Add, change or remove the corrections and updates of an existing source.
    Correct { which: usize, notes: usize },
    /// Change the body of an existing source: a new heading or a new first paragraph.
    Edit { which: usize, text: usize, lead: bool },
    /// Change only the date of an existing article: its place in every list moves.
    Redate { which: usize, date: usize },
    /// Change only the title of an existing article: it may move among those of its date.
    Retitle { which: usize, title: usize },
    /// Link an existing source to an article by its source path, maybe to one of its headings
    /// (the target may not exist, or not have that heading: then both builds fail).
    Link { which: usize, to: usize, anchor: usize },
    /// Delete one of the existing sources (by index, modulo their number).
    Delete(usize),
    /// Move an existing source to another section, keeping its name.
    Move { which: usize, section: usize },
    /// Save an existing article by rename (a temp file beside it renamed over it), then
    /// within milliseconds move it to a section (keeping its name) or, with `None`, delete it.
    SaveThenMove { which: usize, to: Option<usize> },
    /// Rename a section folder.
    MoveFolder { from: usize, to: usize },
    /// Give a section a title in one language (and with one of them, order it by title).
    SectionTitle {
        section: usize,
        lang: usize,
        title: usize,
    },
    /// Write front matter that does not parse.
    Break(usize),
    /// Write or delete a seed.
    Seed { name: usize, present: bool },
    /// Change a stylesheet, or add or remove a static file.
    Static { extra_file: bool, text: usize },
    /// Change a template; n = 0 breaks it (the theme no longer loads) until the next change.
    Template(usize),
    /// Change the site's title in `nashra.toml`.
    Config(usize),
    /// Change the plain-text e-mail template (n > 0), or delete it (n = 0): the site then has
    /// no e-mails, and the editions' `email.html` and `email.txt` must go.
    Mail(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 0..3usize, 0..2usize, 0..3usize, 0..4usize, any::<bool>(), prop::bool::weighted(0.15), 0..4usize)
            .prop_map(|(section, name, lang, title, date, slug, draft, terms)| Op::Write {
                section, name, lang, title, date, slug, draft, terms
            }),
        2 => (any::<usize>(), 0..4usize).prop_map(|(which, terms)| Op::Retag { which, terms }),
        2 => (any::<usize>(), 0..4usize).prop_map(|(which, aliases)| Op::Realias { which, aliases }),
        2 => (any::<usize>(), 0..4usize).prop_map(|(which, notes)| Op::Correct { which, notes }),
        3 => (any::<usize>(), 0..3usize, any::<bool>()).prop_map(|(which, text, lead)| Op::Edit { which, text, lead }),
        2 => (any::<usize>(), 0..4usize).prop_map(|(which, date)| Op::Redate { which, date }),
        2 => (any::<usize>(), 0..3usize).prop_map(|(which, title)| Op::Retitle { which, title }),
        2 => (any::<usize>(), any::<usize>(), 0..3usize).prop_map(|(which, to, anchor)| Op::Link { which, to, anchor }),
        2 => any::<usize>().prop_map(Op::Delete),
        2 => (any::<usize>(), 0..3usize).prop_map(|(which, section)| Op::Move { which, section }),
        2 => (any::<usize>(), prop::option::of(0..3usize)).prop_map(|(which, to)| Op::SaveThenMove { which, to }),
        1 => (0..3usize, 0..3usize).prop_map(|(from, to)| Op::MoveFolder { from, to }),
        1 => (0..3usize, 0..2usize, 0..3usize)
            .prop_map(|(section, lang, title)| Op::SectionTitle { section, lang, title }),
        1 => any::<usize>().prop_map(Op::Break),
        1 => (0..3usize, any::<bool>()).prop_map(|(name, present)| Op::Seed { name, present }),
        1 => (any::<bool>(), 0..3usize).prop_map(|(extra_file, text)| Op::Static { extra_file, text }),
        2 => (0..3usize).prop_map(Op::Template),
        1 => (0..3usize).prop_map(Op::Config),
        1 => (0..3usize).prop_map(Op::Mail),
    ]
}

/// The changes one rebuild is given: mostly one, sometimes several made during a rebuild.
fn batch() -> impl Strategy<Value = Vec<Op>> {
    prop_oneof![
        3 => prop::collection::vec(op(), 1..2),
        1 => prop::collection::vec(op(), 2..5),
    ]
}

/// One rebuild after each change.
fn singly(ops: &[Op]) -> Vec<Vec<Op>> {
    ops.iter().map(|op| vec![op.clone()]).collect()
}

/// The source files (content and seeds) there are now, sorted.
fn sources(root: &Path) -> Vec<PathBuf> {
    ["content", "seeds"]
        .iter()
        .flat_map(|d| walkdir::WalkDir::new(root.join(d)).sort_by_file_name())
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// Applies `op` and returns the paths a file watcher reports for it.
fn apply(root: &Path, op: &Op) -> Vec<PathBuf> {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        vec![p]
    };
    let rename = |from: &Path, to: &Path| {
        if from == to || to.starts_with(from) || to.exists() {
            return Vec::new();
        }
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::rename(from, to).unwrap();
        vec![from.to_path_buf(), to.to_path_buf()]
    };
    match *op {
        Op::Write {
            section,
            name,
            lang,
            title,
            date: d,
            slug,
            draft,
            terms,
        } => {
            let slug = if slug {
                format!("slug = \"{}-x\"\n", NAMES[name])
            } else {
                String::new()
            };
            write(
                &format!("content/{}/{}.{}.md", SECTIONS[section], NAMES[name], LANGS[lang]),
                &format!(
                    "+++\ntitle = \"{}\"\ndate = {}\n{slug}draft = {draft}\n{}+++\n\nنص الخبر عن T-72B3.\n\n## {}\n\nMore text.\n",
                    TITLES[title], date(d), TERMS[terms], TITLES[(title + 1) % 3]
                ),
            )
        }
        Op::Edit { which, text, lead } => {
            let all = sources(root);
            let Some(p) = all.get(which % all.len().max(1)) else {
                return Vec::new();
            };
            let old = fs::read_to_string(p).unwrap();
            let new = match old.rsplit_once("\n+++\n") {
                // The first paragraph is the summary when the front matter gives none.
                Some((front, body)) if lead => format!("{front}\n+++\nفقرة {text} عن BMP-3.\n\n{body}"),
                _ => format!("{old}\n\n## {} {text}\n\nText.\n", TITLES[text]),
            };
            fs::write(p, new).unwrap();
            vec![p.clone()]
        }
        Op::Link { which, to, anchor } => {
            let all = sources(root);
            let content = root.join("content");
            let targets: Vec<&PathBuf> = all.iter().filter(|p| p.starts_with(&content)).collect();
            let (Some(p), Some(to)) = (
                all.get(which % all.len().max(1)),
                targets.get(to % targets.len().max(1)),
            ) else {
                return Vec::new();
            };
            // The anchors of the headings that `Write` gives (none, an English, an Arabic one).
            let anchor = ["", "#mali-and-russia", "#مالي-وروسيا"][anchor];
            let old = fs::read_to_string(p).unwrap();
            let to = to.strip_prefix(&content).unwrap().to_string_lossy();
            let link = format!("[→](@/{to}{anchor})");
            fs::write(
                p,
                format!(
                    "{old}

{link}
"
                ),
            )
            .unwrap();
            vec![p.clone()]
        }
        Op::Redate { which, date: d } => set_line(root, which, "date = ", &date(d)),
        Op::Retitle { which, title } => {
            set_line(root, which, "title = ", &format!("\"{}\"", RETITLES[title]))
        }
        Op::Retag { which, terms } => set_keys(root, which, &["regions", "tags"], TERMS[terms]),
        Op::Realias { which, aliases } => set_keys(root, which, &["aliases"], ALIASES[aliases]),
        Op::Correct { which, notes } => set_keys(root, which, &["corrections", "updates"], NOTES[notes]),
        Op::Delete(i) => {
            let all = sources(root);
            if all.is_empty() {
                return Vec::new();
            }
            let p = &all[i % all.len()];
            fs::remove_file(p).unwrap();
            vec![p.clone()]
        }
        Op::Move { which, section } => {
            let Some(p) = content_source(root, which) else {
                return Vec::new();
            };
            rename(&p, &in_section(root, section, &p))
        }
        Op::SaveThenMove { which, to } => {
            let Some(a) = content_source(root, which) else {
                return Vec::new();
            };
            let tmp = a.with_extension("md.tmp");
            let old = fs::read_to_string(&a).unwrap();
            fs::write(&tmp, format!("{old}\nSaved.\n")).unwrap();
            fs::rename(&tmp, &a).unwrap();
            // What the watcher names: the temp file and where `a` went, never `a` itself.
            match to {
                Some(section) => {
                    let b = in_section(root, section, &a);
                    fs::create_dir_all(b.parent().unwrap()).unwrap();
                    fs::rename(&a, &b).unwrap();
                    vec![tmp, b]
                }
                None => {
                    fs::remove_file(&a).unwrap();
                    vec![tmp]
                }
            }
        }
        Op::MoveFolder { from, to } => {
            let from = root.join("content").join(SECTIONS[from]);
            if !from.is_dir() {
                return Vec::new();
            }
            rename(
                &from,
                &root.join("content").join(format!("{}-moved", SECTIONS[to])),
            )
        }
        Op::SectionTitle { section, lang, title } => write(
            &format!("content/{}/_index.{}.md", SECTIONS[section], LANGS[lang]),
            // One of the titles also orders the section by title.
            &format!(
                "+++\ntitle = \"{}\"\n{}+++\n\nAbout this section.\n",
                TITLES[title],
                if title == 1 { "sort_by = \"title\"\n" } else { "" }
            ),
        ),
        Op::Break(i) => {
            let all = sources(root);
            let Some(p) = all.get(i % all.len().max(1)) else {
                return Vec::new();
            };
            fs::write(p, "+++\ntitle = \"unclosed\n").unwrap();
            vec![p.clone()]
        }
        Op::Seed { name, present } => {
            let rel = format!("seeds/{}.ar.txt", NAMES[name]);
            if present {
                write(&rel, "عنوان الخبر\n\nباماكو - نص الخبر عن مالي وروسيا.\n")
            } else if root.join(&rel).exists() {
                fs::remove_file(root.join(&rel)).unwrap();
                vec![root.join(rel)]
            } else {
                Vec::new()
            }
        }
        Op::Static { extra_file, text } => {
            let rel = if extra_file {
                "themes/default/static/extra.css"
            } else {
                "themes/default/static/custom.css"
            };
            if extra_file && text == 0 && root.join(rel).exists() {
                fs::remove_file(root.join(rel)).unwrap();
                return vec![root.join(rel)];
            }
            write(rel, &format!(":root {{ --accent: #{text}{text}{text}; }}\n"))
        }
        Op::Template(n) => {
            let p = root.join("themes/default/templates/page.html");
            let text = fs::read_to_string(&p).unwrap();
            let base = text.split("\n{# edit").next().unwrap().to_string();
            let broken = if n == 0 { "{% if %}" } else { "" };
            fs::write(&p, format!("{base}\n{{# edit {n} #}}<!-- {n} -->{broken}")).unwrap();
            vec![p]
        }
        Op::Mail(n) => {
            let p = root.join("themes/default/templates/email.txt");
            let original = common::repo().join("themes/default/templates/email.txt");
            match n {
                0 => drop(fs::remove_file(&p)),
                n => fs::write(&p, format!("{}\n{n}\n", fs::read_to_string(original).unwrap())).unwrap(),
            }
            vec![p]
        }
        Op::Config(n) => {
            let p = root.join("nashra.toml");
            let text = fs::read_to_string(&p).unwrap();
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            if let Some(l) = lines.iter_mut().find(|l| l.trim_start().starts_with("title")) {
                *l = format!("title = \"نشرة {n}\"");
            }
            if let Some(l) = lines.iter_mut().find(|l| l.starts_with("paginate_by")) {
                *l = format!("paginate_by = {}", n + 1);
            }
            fs::write(&p, lines.join("\n") + "\n").unwrap();
            vec![p]
        }
    }
}

/// The `which`th source of `content/` (modulo their number), if there is one.
fn content_source(root: &Path, which: usize) -> Option<PathBuf> {
    let all: Vec<PathBuf> = sources(root)
        .into_iter()
        .filter(|p| p.starts_with(root.join("content")))
        .collect();
    all.get(which % all.len().max(1)).cloned()
}

/// Where `path` goes when moved to a section, keeping its name.
fn in_section(root: &Path, section: usize, path: &Path) -> PathBuf {
    root.join("content")
        .join(SECTIONS[section])
        .join(path.file_name().unwrap())
}

/// Sets the front-matter line starting with `key` in the `which`th source (modulo their
/// number) to `value`, and returns the path changed.
fn set_line(root: &Path, which: usize, key: &str, value: &str) -> Vec<PathBuf> {
    let all = sources(root);
    let Some(p) = all.get(which % all.len().max(1)) else {
        return Vec::new();
    };
    let old = fs::read_to_string(p).unwrap();
    let new: Vec<String> = old
        .lines()
        .map(|l| match l.starts_with(key) {
            true => format!("{key}{value}"),
            false => l.to_string(),
        })
        .collect();
    fs::write(p, new.join("\n") + "\n").unwrap();
    vec![p.clone()]
}

/// Replaces the front-matter lines of `keys` in the `which`th source (modulo their number)
/// with `lines`, and returns the path changed.
fn set_keys(root: &Path, which: usize, keys: &[&str], lines: &str) -> Vec<PathBuf> {
    let all = sources(root);
    let Some(p) = all.get(which % all.len().max(1)) else {
        return Vec::new();
    };
    let old = fs::read_to_string(p).unwrap();
    let Some((front, body)) = old.strip_prefix("+++\n").and_then(|o| o.split_once("\n+++\n")) else {
        return Vec::new();
    };
    let kept: Vec<&str> = front
        .lines()
        .filter(|l| !keys.iter().any(|k| l.starts_with(k)))
        .collect();
    fs::write(p, format!("+++\n{}\n{lines}+++\n{body}", kept.join("\n"))).unwrap();
    vec![p.clone()]
}

/// Applies each batch of changes and rebuilds once after it, as the watcher does with the
/// changes made while a rebuild ran; after each rebuild and the search index it started,
/// compares the output with a clean build of the same sources, search bundle included.
fn check(batches: &[Vec<Op>]) -> Result<(), TestCaseError> {
    let site = Site::sample();
    let root = site.root().to_path_buf();
    let live = root.join("public");
    let clean = site
        .dir
        .path()
        .parent()
        .unwrap()
        .join(format!("{}-clean", root.file_name().unwrap().to_string_lossy()));
    let cached = clean.with_extension("cached");
    let _cleanup = (Cleanup(clean.clone()), Cleanup(cached.clone()));
    // Two to a page, so a handful of articles make paginated lists.
    let config = format!("paginate_by = 2\n{}", site.read("nashra.toml"));
    site.write("nashra.toml", config);
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(live.clone()),
        ..Default::default()
    };
    let mut session = Session::new(&opts);
    prop_assert!(matches!(session.rebuild(&[]), Ok(Report::Full(_))));
    let mut last_good = snapshot(&live);
    for (step, batch) in batches.iter().enumerate() {
        let changed: Vec<PathBuf> = batch.iter().flat_map(|op| apply(&root, op)).collect();
        let rebuilt = session.rebuild(&changed).and_then(|r| match session.settle() {
            Some(Err(e)) => Err(e),
            Some(Ok(Report::Search(_))) | None => Ok(r),
            Some(Ok(other)) => panic!("settling gave {other:?}"),
        });
        let reference = nashra::build(&BuildOptions {
            root: root.clone(),
            output: Some(clean.clone()),
            ..Default::default()
        });
        // And a build that carries over what it can from its own previous output.
        let kept = nashra::build(&BuildOptions {
            root: root.clone(),
            output: Some(cached.clone()),
            cache: true,
            ..Default::default()
        });
        prop_assert_eq!(
            kept.is_ok(),
            reference.is_ok(),
            "after step {}: a cached build",
            step
        );
        match (&rebuilt, &reference) {
            (Ok(_), Ok(_)) => {
                let (got, want) = (snapshot(&live), snapshot(&clean));
                let diff = differences(&got, &want);
                prop_assert!(diff.is_empty(), "after step {step} ({batch:?}): {diff:#?}");
                let diff = differences(&snapshot(&cached), &want);
                prop_assert!(
                    diff.is_empty(),
                    "after step {step} ({batch:?}), cached: {diff:#?}"
                );
                last_good = got;
            }
            (Err(_), Err(_)) => {
                prop_assert!(
                    differences(&snapshot(&live), &last_good).is_empty(),
                    "a failed rebuild changed the output"
                );
            }
            _ => prop_assert!(
                false,
                "after step {step} ({batch:?}) the rebuild gave {:?} and the clean build {:?}",
                rebuilt.as_ref().map(|_| ()).map_err(ToString::to_string),
                reference.as_ref().map(|_| ()).map_err(ToString::to_string)
            ),
        }
    }
    Ok(())
}

struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rebuilds_equal_clean_builds(batches in prop::collection::vec(batch(), 1..14)) {
        check(&batches)?;
    }
}

/// A new title moves an article among the others of its date (lists order them by title):
/// whether it moves or not, the rebuild orders every list as a clean build does.
#[test]
fn a_new_title_reorders_articles_of_one_date() {
    let write = |name, title| Op::Write {
        section: 0,
        name,
        lang: 0,
        title,
        date: 0,
        slug: false,
        draft: false,
        terms: 1,
    };
    let ops = [write(0, 0), write(1, 1)];
    let probe = Site::sample();
    ops.iter().for_each(|op| drop(apply(probe.root(), op)));
    let first = format!("content/{}/{}.{}.md", SECTIONS[0], NAMES[0], LANGS[0]);
    let which = sources(probe.root())
        .iter()
        .position(|p| *p == probe.root().join(&first))
        .unwrap();
    for title in 0..RETITLES.len() {
        let mut steps = ops.to_vec();
        steps.push(Op::Retitle { which, title });
        check(&singly(&steps)).unwrap();
    }
}

/// A page that links to another by source path follows it in watch mode: when the target's
/// URL changes, when the heading it names goes (the rebuild fails as a clean build does) and
/// when it comes back.
#[test]
fn links_follow_their_target_in_watch_mode() {
    let write = |name, title, slug| Op::Write {
        section: 0,
        name,
        lang: 1,
        title,
        date: 0,
        slug,
        draft: false,
        terms: 0,
    };
    let mut ops = vec![write(0, 2, false), write(1, 0, false)];
    let probe = Site::sample();
    ops.iter().for_each(|op| drop(apply(probe.root(), op)));
    // Content files come first among the sources, so one index serves both lists.
    let at = |rel: &str| {
        let all = sources(probe.root());
        all.iter().position(|p| p.ends_with(rel)).unwrap()
    };
    let (alpha, beta) = (at("briefings/alpha.en.md"), at("briefings/beta.en.md"));
    // `Write` gives a heading of the next title: title 0 gives `## Mali and Russia`.
    ops.extend([
        Op::Link {
            which: alpha,
            to: beta,
            anchor: 1,
        },
        write(1, 0, true),
        write(1, 1, true),
        write(1, 0, false),
    ]);
    check(&singly(&ops)).unwrap();
}

/// The op that writes the article "alpha" into the first section in language `lang` (with
/// the term line `terms`), and its file's index among the sources, as ops name a source.
fn alpha_written(lang: usize, terms: usize) -> (Op, usize) {
    let write = Op::Write {
        section: 0,
        name: 0,
        lang,
        title: 0,
        date: 0,
        slug: false,
        draft: false,
        terms,
    };
    let probe = Site::sample();
    apply(probe.root(), &write);
    let file = format!("briefings/alpha.{}.md", LANGS[lang]);
    let alpha = sources(probe.root())
        .iter()
        .position(|p| p.ends_with(&file))
        .unwrap();
    (write, alpha)
}

/// A save by rename, then a move to another section or a delete: the rebuild is given the
/// temp file and where the article went, never its old path, and its page still goes.
#[test]
fn an_article_gone_that_no_path_names_is_dropped() {
    let (write, alpha) = alpha_written(1, 1);
    for to in [Some(1), None] {
        check(&singly(&[write.clone(), Op::SaveThenMove { which: alpha, to }])).unwrap();
    }
}

/// A stylesheet changed in a rebuild that fails (a source broken meanwhile): once the source
/// is mended, every page links the new stylesheet, not only those the mend renders again.
#[test]
fn a_stylesheet_changed_while_a_source_is_broken_reaches_every_page() {
    let (write, alpha) = alpha_written(0, 0);
    let restyle = Op::Static {
        extra_file: false,
        text: 1,
    };
    check(&[vec![write.clone()], vec![Op::Break(alpha), restyle], vec![write]]).unwrap();
}

#[test]
fn an_edit_renders_only_its_dependants() {
    let site = Site::sample();
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        output: Some(site.public()),
        ..Default::default()
    };
    let mut session = Session::new(&opts);
    session.rebuild(&[]).unwrap();
    let rel = "content/briefings/mali-russia-equipment.en.md";
    let path = site.root().join(rel);
    let mut rebuild = |text: String| {
        site.write(rel, text);
        match session.rebuild(std::slice::from_ref(&path)) {
            // The search bundle is written later, once indexed in the background (the
            // property test holds it to a clean build's).
            Ok(Report::Incremental(r)) => r,
            other => panic!("expected an incremental rebuild, got {other:?}"),
        }
    };

    // A heading in the body: lists do not show it, so only the article is rendered.
    let r = rebuild(site.read(rel).replace("## ", "## Updated: "));
    assert_eq!(r.rendered, 1, "{r:?}");
    assert_eq!(r.written, ["en/briefings/mali-russia-equipment/index.html"]);
    assert!(r.removed.is_empty());

    // The title: the article and its social card, every English list it is on (home,
    // section, edition, its terms), the edition's e-mails, and the feeds of all but the
    // edition, in every format, the Arabic translation, whose language switcher names it, and
    // the English corrections page, which names the article over its correction. (The heading
    // above left the card alone: it does not show it.)
    let r = rebuild(
        site.read(rel)
            .replace("title = \"Mali receives", "title = \"Mali takes delivery of"),
    );
    let with_feeds = [
        "en/",
        "en/briefings/",
        "en/regions/burkina-faso/",
        "en/regions/mali/",
        "en/regions/niger/",
        "en/regions/russia/",
        "en/tags/africa-corps/",
        "en/tags/military-cooperation/",
        "en/tags/security/",
    ];
    let mut want: Vec<String> = with_feeds
        .iter()
        .flat_map(|list| {
            ["index.html", "atom.xml", "rss.xml", "feed.json"].map(|file| format!("{list}{file}"))
        })
        .chain(
            [
                "briefings/mali-russia-equipment/index.html",
                "en/briefings/mali-russia-equipment/card.png",
                "en/briefings/mali-russia-equipment/index.html",
                "en/corrections/index.html",
                "en/editions/2024-11-20/email.html",
                "en/editions/2024-11-20/email.txt",
                "en/editions/2024-11-20/index.html",
            ]
            .map(String::from),
        )
        .collect();
    want.sort();
    assert_eq!(r.written, want);
    assert_eq!(r.rendered, r.written.len(), "{r:?}");

    // Saved without a change: the file is read again, but no page depends on anything new.
    let r = rebuild(site.read(rel));
    assert_eq!((r.rendered, r.written.len()), (0, 0));
}
