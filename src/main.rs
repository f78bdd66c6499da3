//! The `nashra` command line: parse arguments, call the library, print diagnostics, exit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nashra::error::Diagnostic;

use clap::{Parser, Subcommand};

/// A build allocates and frees many small strings on every core; mimalloc does that with less
/// contention and consolidation work than the system allocator. Without transparent huge
/// pages (`no_thp`), as the kernel zeroing 2 MiB pages on first touch cost more than it saved.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "nashra",
    version,
    about = "Build a bilingual, right-to-left-first news briefing site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which site, and which of its articles, for `build`, `watch` and `check`.
#[derive(clap::Args)]
struct SiteArgs {
    /// The site folder, where nashra.toml is.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Publish at this address instead of the config's base_url.
    #[arg(long)]
    base_url: Option<String>,
    /// Include articles marked draft = true.
    #[arg(long)]
    drafts: bool,
    /// Include articles dated in the future (scheduled ones).
    #[arg(long)]
    future: bool,
}

/// What building takes, for `build` and `watch`: the site, and where to write it.
#[derive(clap::Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site (default: <root>/public).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Fail at once when another nashra is writing the output folder, instead of waiting.
    #[arg(long)]
    no_wait: bool,
    /// Neither read nor write the build cache in .nashra/cache/ (the output is the same
    /// either way; this build is just slower).
    #[arg(long)]
    no_cache: bool,
}

impl From<SiteArgs> for nashra::BuildOptions {
    fn from(a: SiteArgs) -> Self {
        Self {
            root: a.root,
            output: None,
            base_url: a.base_url,
            drafts: a.drafts,
            future: a.future,
            ..Default::default()
        }
    }
}

impl From<BuildArgs> for nashra::BuildOptions {
    fn from(a: BuildArgs) -> Self {
        Self {
            output: a.output,
            wait: match a.no_wait {
                true => nashra::output::Wait::No,
                false => nashra::output::Wait::Yes,
            },
            notices: notices(),
            cache: !a.no_cache,
            ..a.site.into()
        }
    }
}

/// How `check` prints what it found.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Lines for people: `file:line:col: error: what`, the source line, and help.
    Text,
    /// One JSON object, for editors and CI.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build(BuildArgs),
    /// Check the site as a build would (config, front matter, links, images, templates on every
    /// page) and report translations, writing nothing. Exits 1 on errors (and on warnings with
    /// --strict).
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// How to print the findings.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Draw an article's social card as the build does, to look at it before publishing,
    /// or print where its text went (lines, runs, glyphs) as JSON.
    Card {
        /// The article's file: content/… or seeds/….
        file: PathBuf,
        #[command(flatten)]
        site: SiteArgs,
        /// Where to write the card [default: the name the build gives it, card.png, or
        /// card.jpg when drawn over the article's lead photo].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Print the layout as JSON instead of writing the card.
        #[arg(long)]
        layout: bool,
    },
    /// Print a day's edition as an e-mail (its HTML, or with --text its plain text), as the
    /// build writes it to editions/DATE/email.html and email.txt: CSS inlined, links
    /// absolute, ready to paste into a mailer (Mailchimp, Listmonk, Buttondown). Needs
    /// `editions = true` in nashra.toml.
    Email {
        /// The edition's day, e.g. 2024-11-20 (default: the newest).
        date: Option<String>,
        /// The edition's language code (default: the site's first language).
        #[arg(long)]
        lang: Option<String>,
        /// Print the plain-text part (email.txt) instead of the HTML.
        #[arg(long)]
        text: bool,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Build, then rebuild on every change to the sources until Ctrl-C.
    Watch(BuildArgs),
    /// Preview the site at a local address, rebuilt on every change, pages reloading
    /// themselves; public/ is not touched.
    Serve {
        /// The site folder, where nashra.toml is.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include articles marked draft = true.
        #[arg(long)]
        drafts: bool,
        /// Include articles dated in the future (scheduled ones).
        #[arg(long)]
        future: bool,
        /// The address to listen on (loopback: only this machine can connect).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on; the next free one is taken when it is busy.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser once it is built.
        #[arg(long)]
        open: bool,
    },
    /// Start a new site in DIR (default: the current folder), ready to build.
    Init {
        /// Where to create the site.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Start a new article: `nashra new briefings/niger-vote --lang en`.
    New {
        /// <section>/<name> under content/.
        path: String,
        /// The article's language (default: the site's default language).
        #[arg(long)]
        lang: Option<String>,
        /// The site folder, where nashra.toml is.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Turn seeds (raw articles in seeds/) into Markdown articles with front matter in content/.
    Import {
        /// Seed files to import (default: every seed in seeds/ not imported yet).
        paths: Vec<PathBuf>,
        /// The site folder, where nashra.toml is.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Section folder under content/ (default: seed_section from nashra.toml, "briefings").
        #[arg(long)]
        section: Option<String>,
        /// Date of the imported articles, e.g. 2024-11-20 (default: each file's modification time).
        #[arg(long)]
        date: Option<String>,
        /// Replace content files that already exist.
        #[arg(long)]
        force: bool,
    },
}

impl Command {
    /// The site folder the command works on; `None` for `init`, which makes one.
    fn site_root(&self) -> Option<&Path> {
        match self {
            Command::Build(a) | Command::Watch(a) => Some(&a.site.root),
            Command::Check { site, .. } | Command::Card { site, .. } | Command::Email { site, .. } => {
                Some(&site.root)
            }
            Command::Serve { root, .. } | Command::New { root, .. } | Command::Import { root, .. } => {
                Some(root)
            }
            Command::Init { .. } => None,
        }
    }
}

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`: the enum keeps its numbers across
/// versions, retired options holding their places), which its Rust bindings do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // mimalloc 3 keeps freed memory a second before giving it back to the system; a build
    // frees a language's records and merge in bursts, and holding them that long raised a
    // 50,000-story build's peak by 0.1 GB. 10 ms is mimalloc 2's delay.
    // SAFETY: sets a number mimalloc reads; no allocation depends on it.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    let cli = Cli::parse();
    // Outside a site, one line that says how to make one, before serve binds a port or
    // watch starts waiting for changes to a site that is not there.
    if let Some(no) = cli.command.site_root().and_then(nashra::config::NoSite::at) {
        eprintln!("{no}");
        return ExitCode::FAILURE;
    }
    match cli.command {
        Command::Build(args) => {
            let root = args.site.root.clone();
            if print_build(&root, nashra::build(&args.into()), "Built") {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Check { site, strict, format } => {
            let root = site.root.clone();
            check(&root, nashra::check::check(&site.into()), strict, format)
        }
        Command::Card {
            file,
            site,
            out,
            layout,
        } => {
            let root = site.root.clone();
            let drawn = nashra::render::card(&site.into(), &file);
            let done = drawn.and_then(|d| match layout {
                true => serde_json::to_string_pretty(&d.layout)
                    .map_err(|e| nashra::error::Diagnostic::new(&file, e.to_string()).into()),
                false => {
                    let out = out.unwrap_or_else(|| PathBuf::from(d.file));
                    std::fs::write(&out, &d.bytes)
                        .map(|()| format!("Wrote {}", out.display()))
                        .map_err(|e| nashra::error::Error::io(&out, "write the card", &e))
                }
            });
            report(&root, done)
        }
        Command::Email {
            date,
            lang,
            text,
            site,
        } => {
            let root = site.root.clone();
            let format = match text {
                true => nashra::render::email::Format::Text,
                false => nashra::render::email::Format::Html,
            };
            let mail = nashra::render::email::email(&site.into(), date.as_deref(), lang.as_deref(), format);
            match mail {
                Ok(bytes) => print_bytes(&bytes),
                Err(err) => {
                    eprint_all(&root, &err.diagnostics);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Watch(args) => {
            let root = args.site.root.clone();
            let result = nashra::watch::watch(&args.into(), |r| {
                print_rebuild(&root, r);
                println!("Watching for changes (Ctrl-C stops)");
            });
            report(&root, result.map(|()| "Stopped watching".to_string()))
        }
        Command::Serve {
            root,
            drafts,
            future,
            bind,
            port,
            open,
        } => serve(
            nashra::serve::ServeOptions {
                build: nashra::BuildOptions {
                    root,
                    drafts,
                    future,
                    notices: notices(),
                    ..Default::default()
                },
                bind,
                port,
            },
            open,
        ),
        Command::Init { dir } => report(
            &dir,
            nashra::scaffold::init(&dir).map(|files| {
                format!(
                    "Created a site with {} files in {}; build it with: nashra build --root {}",
                    files.len(),
                    dir.display(),
                    dir.display()
                )
            }),
        ),
        Command::New { path, lang, root } => report(
            &root,
            nashra::scaffold::new_article(&root, &path, lang.as_deref()).map(|file| {
                format!(
                    "Created {} (a draft: build with --drafts to see it)",
                    file.display()
                )
            }),
        ),
        Command::Import {
            paths,
            root,
            section,
            date,
            force,
        } => import(nashra::import::ImportOptions {
            root,
            paths,
            section,
            date,
            force,
        }),
    }
}

/// What a writer has to say while it works (waiting for another, an update that is not
/// atomic), printed as it comes.
fn notices() -> nashra::output::Notices {
    nashra::output::Notices::new(|message| eprintln!("{message}"))
}

/// `n` and `what`, plural unless `n` is 1: "1 page", "3 pages".
fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Prints diagnostics for people, each with its source line; `root` is what their paths are
/// relative to.
fn eprint_all<'d>(root: &Path, diagnostics: impl IntoIterator<Item = &'d Diagnostic>) {
    // Each file read once, however many of its lines are shown (and only if one is).
    let mut files: HashMap<&Path, Option<String>> = HashMap::new();
    for d in diagnostics {
        let file = d.line.and_then(|_| {
            files
                .entry(&d.path)
                .or_insert_with(|| {
                    let bytes = std::fs::read(root.join(&d.path)).ok()?;
                    Some(String::from_utf8_lossy(&bytes).into_owned())
                })
                .as_deref()
        });
        eprintln!("{}", d.with_source(file));
    }
}

/// Prints what `check` found; fails on errors, and on warnings when `strict`.
fn check(
    root: &Path,
    result: nashra::Result<nashra::check::CheckReport>,
    strict: bool,
    format: Format,
) -> ExitCode {
    let (diagnostics, report) = match result {
        Ok(mut r) => (std::mem::take(&mut r.warnings), Some(r)),
        Err(err) => (err.diagnostics, None),
    };
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == nashra::error::Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let ok = errors == 0 && !(strict && warnings > 0);
    match format {
        Format::Json => {
            let json = serde_json::json!({
                "ok": ok,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diagnostics.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
                "pages": report.as_ref().map(|r| r.pages),
                "articles": report.as_ref().map(|r| {
                    r.articles
                        .iter()
                        .map(|(lang, n)| (lang.clone(), serde_json::json!(n)))
                        .collect::<serde_json::Map<_, _>>()
                }),
                "untranslated": report.as_ref().map(|r| {
                    r.untranslated
                        .iter()
                        .map(|(lang, files)| {
                            let files: Vec<_> = files.iter().map(|f| f.to_string_lossy()).collect();
                            (lang.clone(), serde_json::json!(files))
                        })
                        .collect::<serde_json::Map<_, _>>()
                }),
            });
            println!("{json:#}");
        }
        Format::Text => {
            eprint_all(root, &diagnostics);
            if let Some(r) = &report {
                let articles: Vec<String> = r.articles.iter().map(|(l, n)| format!("{l} {n}")).collect();
                println!(
                    "Checked {} ({} articles: {}); nothing was written",
                    plural(r.pages, "page"),
                    r.articles.iter().map(|(_, n)| n).sum::<usize>(),
                    articles.join(", ")
                );
                for (lang, files) in r.untranslated.iter().filter(|(_, f)| !f.is_empty()) {
                    let shown: Vec<String> = files.iter().take(5).map(|f| f.display().to_string()).collect();
                    println!(
                        "Not translated into {lang}: {}{}",
                        shown.join(", "),
                        match files.len() {
                            n if n > 5 => format!(" and {} more", n - 5),
                            _ => String::new(),
                        }
                    );
                }
            }
            println!(
                "{}: {}, {}{}",
                if ok { "Check passed" } else { "Check failed" },
                plural(errors, "error"),
                plural(warnings, "warning"),
                if strict && warnings > 0 {
                    " (--strict fails on warnings)"
                } else {
                    ""
                }
            );
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn serve(opts: nashra::serve::ServeOptions, open: bool) -> ExitCode {
    let root = opts.build.root.clone();
    let server = match nashra::serve::start(&opts) {
        Ok(s) => s,
        Err(err) => return report(&root, Err(err)),
    };
    if let Some(first) = server.busy.first() {
        println!(
            "Port {first} is taken{}; using the next free one",
            match server.busy.len() {
                1 => String::new(),
                n => format!(" (and the {} after it)", n - 1),
            }
        );
    }
    println!(
        "Serving {} at {} (built in {}; public/ is not touched)",
        opts.build.root.display(),
        server.url,
        server.folder().display()
    );
    let mut first = true;
    let result = nashra::watch::watch(&server.build_options(), |r| {
        server.notify(&r);
        print_rebuild(&root, r);
        if std::mem::take(&mut first) && open {
            if let Err(e) = opener::open(&server.url) {
                eprintln!(
                    "warning: cannot open a browser: {e}; open {} yourself",
                    server.url
                );
            }
        }
        println!("Watching for changes (Ctrl-C stops)");
    });
    report(&root, result.map(|()| "Stopped serving".to_string()))
}

/// Prints what a rebuild in watch mode did, or its errors.
fn print_rebuild(root: &Path, result: nashra::Result<nashra::watch::Report>) {
    use nashra::watch::Report;
    match result {
        Ok(Report::Full(report)) => {
            print_build(root, Ok(report), "Built");
        }
        Ok(Report::Incremental(r)) => {
            eprint_all(root, &r.loaded.warnings);
            let mut changed = r.written.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            if r.written.len() > 3 {
                changed.push_str(", …");
            }
            println!(
                "Rebuilt {} in {} ms: {} changed{}{}",
                plural(r.rendered, "page"),
                r.elapsed.as_millis(),
                plural(r.written.len(), "file"),
                if changed.is_empty() {
                    String::new()
                } else {
                    format!(" ({changed})")
                },
                match r.removed.len() {
                    0 => String::new(),
                    n => format!(", {} removed", plural(n, "file")),
                }
            );
        }
        Ok(Report::Search(r)) => {
            println!(
                "Search index updated in {} ms ({})",
                r.elapsed.as_millis(),
                r.languages.join(", ")
            );
        }
        Err(err) => {
            print_build(root, Err(err), "");
        }
    }
}

/// Prints a build's warnings and summary line, or its errors; true when it succeeded.
fn print_build(root: &Path, result: nashra::Result<nashra::BuildReport>, verb: &str) -> bool {
    match result {
        Ok(report) => {
            eprint_all(root, &report.loaded.warnings);
            let per_lang: Vec<String> = report
                .pages
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect();
            let pages: usize = report.pages.iter().map(|(_, n)| n).sum();
            let seeds = match report.loaded.seeds {
                0 => String::new(),
                n => format!(
                    "; {} built from seeds/, {} of them without front matter of their own",
                    plural(n, "article"),
                    report.loaded.seeds_without_front_matter
                ),
            };
            let cached = match report.cached {
                nashra::cache::Use { asked: 0, .. } => String::new(),
                nashra::cache::Use { asked, hits } => {
                    format!("; search records of {hits} of {asked} article pages from the build cache")
                }
            };
            let photos = match report.photos {
                nashra::media::library::Made { files: 0, .. } => String::new(),
                nashra::media::library::Made { files, encoded } => {
                    format!(
                        "; {files} photo files, {encoded} of them encoded (the rest from the build cache)"
                    )
                }
            };
            let kept = match report.kept {
                0 => String::new(),
                n => format!("; {n} unchanged pages and feeds kept from the previous output"),
            };
            println!(
                "{verb} {pages} pages ({}) and {} files in all into {} in {} ms{seeds}{kept}{cached}{photos}",
                per_lang.join(", "),
                report.files,
                report
                    .output
                    .strip_prefix(".")
                    .unwrap_or(&report.output)
                    .display(),
                report.elapsed.as_millis()
            );
            true
        }
        Err(err) => {
            eprint_all(root, &err.diagnostics);
            eprintln!(
                "Build failed with {}; {}",
                plural(err.diagnostics.len(), "error"),
                match err.output_changed {
                    true => "the output folder was partly updated (see above): build again once it is fixed.",
                    false => "the previous output was left as it was.",
                }
            );
            false
        }
    }
}

fn import(opts: nashra::import::ImportOptions) -> ExitCode {
    use nashra::import::Outcome;
    let root = &opts.root;
    let results = match nashra::import::import(&opts) {
        Ok(r) => r,
        Err(err) => {
            eprint_all(root, &err.diagnostics);
            return ExitCode::FAILURE;
        }
    };
    let (mut imported, mut exists, mut recorded, mut failed) = (0, 0, 0, 0);
    for r in &results {
        eprint_all(root, &r.warnings);
        match &r.outcome {
            Outcome::Imported(to) => {
                imported += 1;
                println!("imported {} → {}", r.seed.display(), to.display());
            }
            Outcome::Exists(to) => {
                exists += 1;
                println!(
                    "skipped {}: {} exists (--force replaces it)",
                    r.seed.display(),
                    to.display()
                );
            }
            Outcome::Recorded => recorded += 1,
            Outcome::Failed(err) => {
                failed += 1;
                eprint_all(root, &err.diagnostics);
            }
        }
    }
    println!(
        "Imported {imported}, skipped {} ({recorded} already imported, {exists} with an existing content file), {failed} failed",
        exists + recorded
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the outcome of a one-shot command and turns it into the exit code.
/// Writes `bytes` to standard output as they are (`nashra email`: what is pasted into a
/// mailer must be the file the build writes, byte for byte).
fn print_bytes(bytes: &[u8]) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(root: &Path, result: nashra::Result<String>) -> ExitCode {
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprint_all(root, &err.diagnostics);
            ExitCode::FAILURE
        }
    }
}
