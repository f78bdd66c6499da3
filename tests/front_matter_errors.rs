//! End-to-end: every front matter problem of a file is named in one run, each at its own
//! `file:line:col` with a hint that says what to write, by `build` and by `check`; the run
//! exits 1 and the last good `public/` stays as it was.

mod common;

use common::{snapshot, Site};

const FILE: &str = "content/briefings/x.md";

/// Builds the sample, writes `files` (path, text), then runs `build` and `check`: both exit 1,
/// print each of `expected` in that order, and leave `public/` as it was. Returns what `check`
/// printed, for more assertions.
fn reported_in_order(files: &[(&str, &str)], expected: &[&str]) -> String {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    for (path, text) in files {
        site.write(path, text);
    }
    let mut stderr = String::new();
    for command in ["build", "check"] {
        let out = site.run(command, &[]).failure().code(1).get_output().clone();
        stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut from = 0;
        for e in expected {
            let found = stderr[from..].find(e);
            assert!(
                found.is_some(),
                "{command}: expected {e:?} after byte {from} in:\n{stderr}"
            );
            from += found.unwrap_or_default() + e.len();
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            snapshot(&site.public()),
            before,
            "public/ changed after a failed {command}"
        );
    }
    stderr
}

#[test]
fn every_problem_of_a_file_is_named_at_once() {
    let text = "+++\ntitle = \"x\"\nautors = [\"Amina\"]\ndate = 2024-13-01\ntag = [\"mali\"]\ndraft = \"yes\"\n+++\nbody\n";
    let stderr = reported_in_order(
        &[(FILE, text)],
        &[
            "content/briefings/x.md:3:1: error: unknown front matter key `autors`",
            "help: did you mean `authors`?",
            "content/briefings/x.md:4:8: error: `date` = 2024-13-01 is not a date",
            " 4 | date = 2024-13-01\n   |        ^\n",
            "help: month 13 is out of range (01 to 12): dates are YYYY-MM-DD",
            "content/briefings/x.md:5:1: error: unknown front matter key `tag`",
            "help: did you mean `tags`?",
            "content/briefings/x.md:6:9: error: `draft` = \"yes\" is not true or false",
            "help: write true or false (without quotes): draft = true",
        ],
    );
    assert_eq!(stderr.matches("error:").count(), 4, "{stderr}");
}

#[test]
fn check_json_lists_every_problem_with_its_place() {
    let site = Site::sample();
    site.write(
        FILE,
        "---\ntitle: x\nautors: [Amina]\ndate: 2024-02-30\ndraft: \"no\"\n---\nbody\n",
    );
    let out = site
        .run("check", &["--format", "json"])
        .failure()
        .code(1)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(json["errors"], 3, "{json}");
    let found: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["file"], FILE);
            (
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
                d["help"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!((found[0].0, found[0].1), (3, 1));
    assert_eq!(found[0].2, "unknown front matter key `autors`");
    assert_eq!((found[1].0, found[1].1), (4, 7));
    assert_eq!(found[1].2, "`date` = 2024-02-30 is not a date");
    assert!(
        found[1]
            .3
            .starts_with("day 30 is out of range (February 2024 has 29 days)"),
        "{found:?}"
    );
    assert_eq!((found[2].0, found[2].1), (5, 8));
    assert_eq!(found[2].3, "write true or false (without quotes): draft: true");
}

#[test]
fn a_day_out_of_range_gets_a_date_hint_not_a_syntax_hint() {
    let stderr = reported_in_order(
        &[(FILE, "+++\ntitle = \"x\"\ndate = 2024-02-30\n+++\nbody\n")],
        &[
            "content/briefings/x.md:3:8: error: `date` = 2024-02-30 is not a date",
            "help: day 30 is out of range (February 2024 has 29 days): dates are YYYY-MM-DD, e.g. 2024-11-20",
        ],
    );
    assert!(!stderr.contains("quotes"), "{stderr}");
}

#[test]
fn an_array_never_closed_is_reported_where_it_opens() {
    let stderr = reported_in_order(
        &[(
            FILE,
            "+++\ntitle = \"x\"\ntags = [\"mali\", \"niger\"\ndate = 2024-01-01\ndraft = false\n+++\nbody\n",
        )],
        &[
            "content/briefings/x.md:3:8: error: the array of `tags` opened here is never closed",
            " 3 | tags = [\"mali\", \"niger\"\n   |        ^\n",
            "help: add `]` after its last item",
        ],
    );
    assert!(!stderr.contains("comma"), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
}

#[test]
fn front_matter_in_the_other_syntax_says_which_fence_to_use() {
    reported_in_order(
        &[
            (FILE, "---\ntitle = \"x\"\ndate = 2024-01-01\n---\nbody\n"),
            (
                "content/briefings/y.md",
                "+++\ntitle: x\ndate: 2024-01-01\n+++\nbody\n",
            ),
        ],
        &[
            "content/briefings/x.md:1:1: error: the front matter between `---` lines is read as YAML, but it is written in TOML",
            "help: this is TOML: fence it with `+++` lines instead of `---`",
            "content/briefings/y.md:1:1: error: the front matter between `+++` lines is read as TOML, but it is written in YAML",
            "help: this is YAML: fence it with `---` lines instead of `+++`",
        ],
    );
}

#[test]
fn a_boolean_written_as_text_asks_for_true_or_false() {
    let file = |draft: &str| format!("+++\ntitle = \"x\"\ndate = 2024-01-01\ndraft = {draft}\n+++\nbody\n");
    let (a, b, c, d) = (file("\"true\""), file("\"no\""), file("yes"), file("'yes'"));
    reported_in_order(
        &[
            ("content/briefings/a.md", &a),
            ("content/briefings/b.md", &b),
            ("content/briefings/c.md", &c),
            ("content/briefings/d.md", &d),
        ],
        &[
            "content/briefings/a.md:4:9: error: `draft` = \"true\" is not true or false",
            "help: write true or false (without quotes): draft = true",
            "content/briefings/b.md:4:9: error: `draft` = \"no\" is not true or false",
            "help: write true or false (without quotes)",
            "content/briefings/c.md:4:9: error: `draft` = yes: text must be in quotes",
            "help: for yes or no, write true or false (without quotes)",
            "content/briefings/d.md:4:9: error: `draft` = 'yes' is not true or false",
        ],
    );
}

#[test]
fn the_problems_of_a_section_file_and_of_an_article_are_reported_together() {
    reported_in_order(
        &[
            (
                "content/briefings/_index.ar.md",
                "+++\ntitel = \"x\"\npaginate_by = \"ten\"\n+++\n",
            ),
            (FILE, "+++\ntitle = 5\ndate = \"yesterday\"\n+++\nbody\n"),
        ],
        &[
            "content/briefings/_index.ar.md:2:1: error: unknown front matter key `titel`",
            "content/briefings/_index.ar.md:3:15: error: front matter key `paginate_by`",
            "content/briefings/x.md:2:9: error: front matter key `title`",
            "help: write text in quotes: title = \"…\"",
            "content/briefings/x.md:3:8: error: `date` = \"yesterday\" is not a date",
            "help: write a date as YYYY-MM-DD",
        ],
    );
}
