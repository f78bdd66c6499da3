//! End-to-end: every kind of bad input gives a clear error with its place, exit code 1, and
//! leaves the last good `public/` byte for byte as it was.

mod common;

use common::{snapshot, Site};

/// Builds the good sample, breaks it with `breakage`, then builds and checks again: both fail
/// with exit code 1 and the `expected` messages, and leave `public/` as it was.
fn fails_cleanly(breakage: impl FnOnce(&Site), expected: &[&str]) {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    breakage(&site);
    for command in ["build", "check"] {
        let out = site.run(command, &[]).failure().code(1).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        for e in expected {
            assert!(stderr.contains(e), "{command}: expected {e:?} in:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            snapshot(&site.public()),
            before,
            "public/ changed after a failed {command}"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The lock file stays: removing it would let two writers lock two different files.
        .filter(|n| n.contains("nashra-") && !n.ends_with(".nashra-lock"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

const ARTICLE: &str = "content/briefings/mali-russia-equipment.ar.md";

fn replace_in(site: &Site, rel: &str, from: &str, to: &str) {
    let text = site.read(rel);
    assert!(text.contains(from), "{from:?} not in {rel}");
    site.write(rel, text.replacen(from, to, 1));
}

#[test]
fn front_matter_without_closing_fence() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                "+++\ntitle = \"x\"\ndate = 2024-01-01\n\nbody\n",
            )
        },
        &[
            "content/briefings/x.md:1:1: error: the front matter opened with `+++` is never closed",
            "help:",
        ],
    );
}

#[test]
fn a_pasted_control_character_in_an_article_or_the_config() {
    // A vertical tab, as Word writes a line break, pasted into the summary after "T-72B3";
    // a form feed from a PDF in the site's description.
    fails_cleanly(
        |s| {
            replace_in(s, ARTICLE, "دبابات T-72B3 ", "دبابات T-72B3\u{b}");
        },
        &[
            "content/briefings/mali-russia-equipment.ar.md:4:76: error: the file has an invisible control character, U+000B",
            "help: delete it",
        ],
    );
    fails_cleanly(
        |s| replace_in(s, "nashra.toml", "description = \"", "description = \"\u{c}"),
        &[
            "nashra.toml:",
            "error: the file has an invisible control character, U+000C",
        ],
    );
}

#[test]
fn bad_toml() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                "+++\ntitle = \"x\ndate = 2024-01-01\n+++\n",
            )
        },
        &["content/briefings/x.md:2:"],
    );
}

#[test]
fn bad_yaml() {
    fails_cleanly(
        |s| s.write("content/briefings/x.md", "---\ntitle: x\ndate: [2024\n---\n"),
        &["content/briefings/x.md:", "invalid YAML front matter"],
    );
}

#[test]
fn wrong_type() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                "+++\ntitle = 5\ndate = 2024-01-01\n+++\n",
            )
        },
        &["content/briefings/x.md:2:9: error: front matter key `title`"],
    );
}

#[test]
fn missing_date() {
    fails_cleanly(
        |s| s.write("content/briefings/x.md", "+++\ntitle = \"x\"\n+++\n"),
        &["content/briefings/x.md:1:1: error: the front matter has no `date`"],
    );
}

#[test]
fn a_date_that_is_not_a_date() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                "+++\ntitle = \"x\"\ndate = \"2024-13-45\"\n+++\n",
            )
        },
        &[
            "content/briefings/x.md:3:8: error: `date` = \"2024-13-45\" is not a date",
            "help: month 13 is out of range (01 to 12): dates are YYYY-MM-DD",
        ],
    );
}

#[test]
fn unknown_front_matter_key() {
    fails_cleanly(
        |s| replace_in(s, ARTICLE, "summary =", "sumary ="),
        &[
            &format!("{ARTICLE}:4:1: error: unknown front matter key `sumary`"),
            "did you mean `summary`?",
        ],
    );
}

#[test]
fn unknown_language_code() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.fr.md",
                "+++\ntitle = \"x\"\ndate = 2024-01-01\n+++\n",
            )
        },
        &[
            "content/briefings/x.fr.md: error: the file name says language `fr`",
            "[languages.fr]",
        ],
    );
}

#[test]
fn unknown_config_key() {
    fails_cleanly(
        |s| replace_in(s, "nashra.toml", "minify = true", "minfy = true"),
        &[
            "nashra.toml:5:1: error: unknown key `minfy`",
            "did you mean `minify`?",
        ],
    );
}

#[test]
fn template_that_does_not_parse() {
    fails_cleanly(
        |s| {
            s.write(
                "templates/page.html",
                "{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock %}",
            )
        },
        &["templates/page.html:3:"],
    );
}

#[test]
fn template_that_fails_to_render() {
    fails_cleanly(
        |s| {
            s.write(
                "templates/section.html",
                "{% extends \"base.html\" %}{% block content %}{{ nope.missing }}{% endblock %}",
            )
        },
        &[
            "templates/section.html: error: while rendering /briefings/index.html (and 1 other page)",
            "nope.missing",
        ],
    );
}

#[test]
fn fault_in_a_parent_template() {
    fails_cleanly(
        |s| {
            let base = s.read("themes/default/templates/base.html");
            s.write(
                "templates/base.html",
                base.replacen("</main>", "{{ missing_variable }}</main>", 1),
            );
        },
        &["missing_variable", "or the template it extends: base.html"],
    );
}

#[test]
fn invalid_utf8() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                b"+++\ntitle = \"x\"\ndate = 2024-01-01\n+++\nab\xff\n".as_slice(),
            )
        },
        &["content/briefings/x.md:5:3: error: the file is not valid UTF-8"],
    );
}

#[test]
fn slug_that_escapes_the_output() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                "+++\ntitle = \"x\"\ndate = 2024-01-01\nslug = \"../../x\"\n+++\n",
            )
        },
        &["content/briefings/x.md:4:8: error: `slug` = \"../../x\" would write outside"],
    );
}

#[test]
fn two_files_with_one_url() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/copy.ar.md",
                "+++\ntitle = \"x\"\ndate = 2024-01-01\nslug = \"mali-russia-equipment\"\n+++\n",
            )
        },
        &[
            "content/briefings/copy.ar.md",
            "content/briefings/mali-russia-equipment.ar.md",
            "would both be written to /briefings/mali-russia-equipment/",
        ],
    );
}

#[test]
fn missing_ui_translation() {
    fails_cleanly(
        |s| {
            let path = "themes/default/i18n/en.toml";
            let text = s.read(path);
            let first = text.lines().find(|l| l.contains('=')).unwrap().to_string();
            s.write(path, text.replacen(&format!("{first}\n"), "", 1));
        },
        &["themes/default/i18n/en.toml: error: missing translation of"],
    );
}

#[test]
fn output_that_would_replace_the_sources() {
    let site = Site::sample();
    for out in [
        site.root().join("content"),
        site.root().to_path_buf(),
        site.root().join("seeds"),
    ] {
        site.build(&["--output", out.to_str().unwrap()])
            .failure()
            .code(1)
            .stderr(predicates::str::contains("would replace the site or its sources"));
    }
    assert!(site.root().join(ARTICLE).is_file());
    assert!(site.root().join("nashra.toml").is_file());
    // A folder nashra did not write is never replaced, wherever it is.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("notes.md"), "mine").unwrap();
    site.build(&["--output", other.path().to_str().unwrap()])
        .failure()
        .code(1)
        .stderr(predicates::str::contains("was not written by nashra"));
    assert_eq!(
        std::fs::read_to_string(other.path().join("notes.md")).unwrap(),
        "mine"
    );
}

#[test]
fn two_translations_in_one_language() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/other.ar.md",
                "+++\ntitle = \"x\"\ndate = 2024-01-01\ntranslation_key = \"briefings/mali-russia-equipment\"\n+++\n",
            )
        },
        &[
            "content/briefings/other.ar.md",
            "are both the `ar` translation of",
        ],
    );
}

#[test]
fn config_that_is_not_utf8() {
    fails_cleanly(
        |s| {
            s.write(
                "nashra.toml",
                b"base_url = \"https://example.org/\"\n# \xc3\x28\n".as_slice(),
            )
        },
        &["nashra.toml:2:3: error: the file is not valid UTF-8"],
    );
}

#[test]
fn a_folder_without_a_site() {
    let empty = tempfile::tempdir().unwrap();
    common::nashra()
        .args(["build", "--root"])
        .arg(empty.path())
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "no nashra.toml in {0}; create a site with `nashra init {0}`\n",
            empty.path().display()
        ));
    assert!(!empty.path().join("public").exists());
}

/// A file of `body` under front matter, in the briefings section.
fn article(body: &str) -> String {
    format!("+++\ntitle = \"x\"\ndate = 2024-01-01\n+++\n{body}\n")
}

#[test]
fn blockquotes_nested_ten_thousand_deep() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                article(&format!("{} x", ">".repeat(10_000))),
            )
        },
        &["content/briefings/x.md:5:101: error: the Markdown nests more than 100 levels deep"],
    );
}

#[test]
fn lists_nested_ten_thousand_deep() {
    fails_cleanly(
        |s| {
            s.write(
                "content/briefings/x.md",
                article(&format!("{}x", "- ".repeat(10_000))),
            )
        },
        &[
            "content/briefings/x.md:5:",
            "error: the Markdown nests more than 100 levels deep",
        ],
    );
}

#[test]
fn an_empty_file() {
    fails_cleanly(
        |s| s.write("content/briefings/x.md", ""),
        &["content/briefings/x.md:1:1: error: the front matter has no `title`"],
    );
}

#[test]
fn a_template_that_includes_itself() {
    fails_cleanly(
        |s| {
            s.write(
                "templates/page.html",
                "{% if page %}{% include \"part.html\" %}{% endif %}",
            );
            s.write(
                "templates/part.html",
                "{% for t in [1] %}{% include \"page.html\" %}{% endfor %}",
            );
        },
        &["templates/page.html: error: `page.html` includes itself: page.html → part.html → page.html"],
    );
}

#[test]
fn raw_html_nested_a_hundred_thousand_deep_is_written() {
    let site = Site::sample();
    site.write(
        "content/briefings/x.md",
        article(&format!("{}deep text", "<div>".repeat(100_000))),
    );
    site.build(&[]).success();
    let page = site.read("public/briefings/x/index.html");
    assert!(page.contains(&format!("{}deep text", "<div>".repeat(100_000))));
    // The other pages are minified as usual.
    assert!(!site.read("public/index.html").contains("\n "));
}

#[test]
fn bom_and_crlf_are_read_as_plain_utf8() {
    let site = Site::sample();
    site.write(
        "content/briefings/x.md",
        "\u{feff}+++\r\ntitle = \"Crlf title\"\r\ndate = 2024-01-01\r\n+++\r\nFirst line\r\nsame paragraph\r\n",
    );
    site.build(&[]).success();
    let page = site.read("public/briefings/x/index.html");
    assert!(page.contains("<title>Crlf title"), "{page}");
    assert!(page.contains("First line\nsame paragraph") || page.contains("First line same paragraph"));
    assert!(!page.contains('\u{feff}') && !page.contains('\r'));
}

/// Checked, not built: a debug build spends a minute minifying and indexing it for search.
#[test]
fn a_ten_megabyte_article() {
    let site = Site::sample();
    let paragraph = "كلمة word ".repeat(50);
    let body = format!("{paragraph}\n\n").repeat(10 * 1024 * 1024 / (paragraph.len() + 2));
    site.write("content/briefings/x.md", article(&format!("{body}THE END")));
    let ok = site.run("check", &[]).success();
    let stdout = String::from_utf8_lossy(&ok.get_output().stdout).into_owned();
    assert!(stdout.contains("Check passed: 0 errors"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_content_and_the_theme_are_left_out_and_said_so() {
    let site = Site::sample();
    std::os::unix::fs::symlink("..", site.root().join("content/briefings/loop")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", site.root().join("content/briefings/outside.md")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.root().join("themes/default/static/passwd")).unwrap();
    let ok = site.build(&[]).success();
    let stderr = String::from_utf8_lossy(&ok.get_output().stderr).into_owned();
    assert!(!site.public().join("passwd").exists());
    for link in [
        "content/briefings/loop",
        "content/briefings/outside.md",
        "themes/default/static/passwd",
    ] {
        assert!(
            stderr.contains(&format!("{link}: warning: a symbolic link: left out")),
            "{stderr}"
        );
    }
    assert!(!site.public().join("briefings/outside").exists());
    site.run("check", &["--strict"]).failure().code(1);
}

/// A file nashra may not read is named with the reason, by `build` and by `check`. Root reads
/// anything, so as root both run as `nobody` (with `setpriv`, from util-linux), to whom the
/// rest of the site is open.
#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let site = Site::sample();
    site.build(&[]).success();
    let rel = "content/briefings/x.md";
    site.write(rel, "+++\ntitle = \"x\"\ndate = 2024-11-20\n+++\n");
    for entry in walkdir::WalkDir::new(site.root()) {
        let path = entry.unwrap().into_path();
        let mode = if path.is_dir() { 0o777 } else { 0o666 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(site.root().join(rel), std::fs::Permissions::from_mode(0o000)).unwrap();
    let before = snapshot(&site.public());
    let is_root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    // A copy beside the site: `nobody` may not be let into the folder the build left it in.
    let binary = site.dir.path().join("nashra");
    std::fs::copy(assert_cmd::cargo::cargo_bin("nashra"), &binary).unwrap();
    for command in ["build", "check"] {
        let mut run = std::process::Command::new(if is_root {
            "setpriv".as_ref()
        } else {
            binary.as_os_str()
        });
        if is_root {
            run.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&binary);
        }
        let out = run.args([command, "--root"]).arg(site.root()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains(&format!("{rel}: error: cannot read the file: Permission denied")),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("help: "), "{stderr}");
        assert_eq!(snapshot(&site.public()), before, "{command} changed public/");
    }
}
