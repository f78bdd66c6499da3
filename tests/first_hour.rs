//! End-to-end: a newsroom's first hour on a fresh machine. A command run outside a site says
//! how to make one.

mod common;

use std::time::Duration;

use common::nashra;

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
