//! End-to-end: the output folder is never lost, whatever it is and whoever else writes it.
//! Concurrent builds, an output that is a symbolic link, a mount point, a folder that may
//! not be written, a full disk. The tests that mount a filesystem or make a folder
//! immutable need root (as CI runs); as another user they say so and pass.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{nashra, snapshot, Running, Site};

const EN: &str = "content/briefings/mali-russia-equipment.en.md";

/// `nashra build --root SITE ARGS…` run as a plain process (several can run at once).
fn build(site: &Site, args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("nashra"))
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a clean build of `site`'s sources writes, built into a folder of its own.
fn clean_build(site: &Site) -> BTreeMap<PathBuf, Vec<u8>> {
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("public");
    site.build(&["--output", out.to_str().unwrap()]).success();
    snapshot(&out)
}

/// The entries beside `dir` that a build leaves behind (staging folders, old trees).
fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".nashra-") && !n.ends_with(".nashra-lock"))
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Skips a test that needs root, saying why.
macro_rules! needs_root {
    () => {
        if !is_root() {
            eprintln!("skipped: this test mounts a filesystem or sets the immutable flag, which needs root");
            return;
        }
    };
}

/// A tmpfs of `size` bytes mounted at `dir` until dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: u64) -> Self {
        fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success(), "mount a tmpfs at {}", dir.display());
        Self(dir.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The immutable flag (which root cannot bypass) on `path` until dropped.
struct Immutable(PathBuf);

impl Immutable {
    fn set(path: &Path) -> Self {
        let status = Command::new("chattr").arg("+i").arg(path).status().unwrap();
        assert!(status.success(), "chattr +i {}", path.display());
        Self(path.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// Bytes in the files under `dir`.
fn size(dir: &Path) -> u64 {
    snapshot(dir).values().map(|b| b.len() as u64).sum()
}

#[test]
fn concurrent_builds_each_end_in_one_complete_output() {
    let site = Site::sample();
    let expected = clean_build(&site);
    site.build(&[]).success();
    for pair in 0..20 {
        let (a, b) = (build(&site, &[]), build(&site, &[]));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(
            a.status.success() && b.status.success(),
            "pair {pair}: {}\n{}",
            text(&a),
            text(&b)
        );
        assert_eq!(snapshot(&site.public()), expected, "pair {pair}");
        assert_eq!(leftovers(site.root()), Vec::<String>::new(), "pair {pair}");
        // Both ran whole: one waited for the other and said so.
        let both = text(&a) + &text(&b);
        // The sample's 34 pages, each language's corrections page among them.
        assert_eq!(both.matches("Built 34 pages").count(), 2, "{both}");
    }
}

#[test]
fn no_wait_fails_at_once_while_another_build_writes() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let public = site.public();
    // A watch holds the lock while it writes; so does a build: hold it here as they would.
    let lock = fs::File::create(site.root().join(".public.nashra-lock")).unwrap();
    fs::write(
        site.root().join(".public.nashra-lock"),
        "nashra pid 4242: test\ntoken t\n",
    )
    .unwrap();
    lock.lock().unwrap();
    site.build(&["--no-wait"])
        .failure()
        .stderr(predicates::str::contains(
            "another nashra (pid 4242) is writing this output folder",
        ))
        .stderr(predicates::str::contains("previous output was left as it was"));
    assert_eq!(snapshot(&public), before);
    // Without --no-wait it waits, says for whom, and builds once the lock is free.
    let waiting = build(&site, &[]);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(lock);
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "Waiting for another nashra (pid 4242) writing {}",
            public.display()
        )),
        "{}",
        text(&out)
    );
}

#[test]
fn a_build_while_watch_runs_leaves_the_watch_right() {
    let site = Site::sample();
    let mut watch = Running::start(&site, "watch", &[]);
    // Another writer replaces the folder with a different build (drafts included).
    site.write(
        "content/briefings/draft.en.md",
        "+++\ntitle = \"A draft\"\ndate = 2024-11-21\ndraft = true\n+++\nNot yet.\n",
    );
    watch.wait_for("Rebuilt");
    site.build(&["--drafts"]).success();
    assert!(site.public().join("en/briefings/draft/index.html").is_file());
    // The next edit: watch finds the folder was written by someone else and writes it whole.
    let text = site.read(EN).replace("Mali receives new", "Mali receives a new");
    common::atomic_save(&site, EN, &text);
    // Built or Rebuilt: what matters is the folder it leaves.
    watch.wait_for("uilt ");
    assert_eq!(snapshot(&site.public()), clean_build(&site));
}

#[test]
fn a_symlinked_output_stays_a_link_and_its_target_gets_the_site() {
    let site = Site::sample();
    let www = tempfile::tempdir().unwrap();
    let target = www.path().join("site");
    fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, site.public()).unwrap();
    let expected = clean_build(&site);
    site.build(&[]).success();
    let link = fs::symlink_metadata(site.public()).unwrap();
    assert!(link.file_type().is_symlink(), "public is still a link");
    assert_eq!(fs::read_link(site.public()).unwrap(), target);
    assert_eq!(snapshot(&target), expected);
    // Built again, then a failed build: the target keeps every file.
    site.build(&[]).success();
    assert_eq!(snapshot(&target), expected);
    let good = site.read(EN);
    site.write(EN, good.replacen("title = ", "title = = ", 1));
    site.build(&[])
        .failure()
        .stderr(predicates::str::contains("left as it was"));
    assert_eq!(snapshot(&target), expected);
    assert!(fs::symlink_metadata(site.public())
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(leftovers(www.path()), Vec::<String>::new());
    // A relative link, and a new site through it.
    site.write(EN, good.replace("Mali receives new", "Mali receives a new"));
    fs::remove_file(site.public()).unwrap();
    let relative = Path::new("..").join(target.strip_prefix(site.root().parent().unwrap()).unwrap());
    std::os::unix::fs::symlink(relative, site.public()).unwrap();
    site.build(&[]).success();
    assert_eq!(snapshot(&target), clean_build(&site));
    assert!(fs::symlink_metadata(site.public())
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn a_link_into_the_sources_is_refused() {
    let site = Site::sample();
    let elsewhere = site.root().join("content/briefings");
    std::os::unix::fs::symlink(&elsewhere, site.root().join("out")).unwrap();
    let before = snapshot(&elsewhere);
    site.build(&["--output", site.root().join("out").to_str().unwrap()])
        .failure()
        .stderr(predicates::str::contains("would replace the site or its sources"));
    assert_eq!(snapshot(&elsewhere), before);
}

#[test]
fn a_mount_point_is_updated_in_place() {
    needs_root!();
    let site = Site::sample();
    let _mount = Mount::tmpfs(&site.public(), 64 << 20);
    let first = site.build(&[]).success();
    let said = String::from_utf8_lossy(&first.get_output().stderr).into_owned();
    assert!(
        said.lines()
            .next()
            .unwrap_or_default()
            .contains("is a mount point: updating it in place")
            && said.contains("not atomic"),
        "{said}"
    );
    assert_eq!(snapshot(&site.public()), clean_build(&site));
    // An edit and a deleted article: the folder ends as a clean build, the old page gone.
    let ar = "content/briefings/mali-russia-equipment.ar.md";
    fs::remove_file(site.root().join(ar)).unwrap();
    let text = site.read(EN).replace("Mali receives new", "Mali receives a new");
    site.write(EN, &text);
    site.build(&[]).success();
    assert_eq!(snapshot(&site.public()), clean_build(&site));
    assert!(!site
        .public()
        .join("briefings/mali-russia-equipment/index.html")
        .exists());
    // A failed build leaves it as it was.
    let before = snapshot(&site.public());
    site.write(EN, text.replacen("title = ", "title = = ", 1));
    site.build(&[])
        .failure()
        .stderr(predicates::str::contains("left as it was"));
    assert_eq!(snapshot(&site.public()), before);
}

#[test]
fn an_output_whose_folder_may_not_be_written_is_updated_in_place() {
    needs_root!();
    let site = Site::sample();
    let www = tempfile::tempdir().unwrap();
    let out = www.path().join("site");
    let arg = ["--output", out.to_str().unwrap()];
    site.build(&arg).success();
    let _frozen = Immutable::set(www.path());
    let text = site.read(EN).replace("Mali receives new", "Mali receives a new");
    site.write(EN, &text);
    site.build(&arg).success().stderr(predicates::str::contains(
        "which may not be written: updating it in place",
    ));
    assert_eq!(snapshot(&out), clean_build(&site));
}

#[test]
fn a_folder_of_the_old_site_that_cannot_be_removed_is_a_warning() {
    needs_root!();
    let site = Site::sample();
    site.build(&[]).success();
    let frozen = Immutable::set(&site.public().join("en"));
    let text = site.read(EN).replace("Mali receives new", "Mali receives a new");
    site.write(EN, &text);
    // The new site goes in; the old one cannot be removed whole, and the build says where it is.
    site.build(&[]).success().stderr(predicates::str::contains(
        "the new site is in place, but the previous one could not be removed",
    ));
    assert_eq!(snapshot(&site.public()), clean_build(&site));
    // Later builds are not blocked by what is left.
    site.build(&[]).success().stderr(predicates::str::contains(
        "cannot remove what an earlier build left here",
    ));
    assert_eq!(snapshot(&site.public()), clean_build(&site));
    let left = leftovers(site.root());
    assert_eq!(left.len(), 1, "{left:?}");
    let _ = Command::new("chattr")
        .arg("-i")
        .arg(site.root().join(&left[0]).join("en"))
        .status();
    drop(frozen);
    site.build(&[]).success();
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn a_full_disk_is_one_message_and_keeps_the_output() {
    needs_root!();
    let site = Site::sample();
    let expected = clean_build(&site);
    let disk = tempfile::tempdir().unwrap();
    // Room for the site once and a half: a first build fits, a second copy beside it does not.
    let site_size = size(&clean_build_dir(&site));
    let _mount = Mount::tmpfs(disk.path(), site_size * 3 / 2);
    let out = disk.path().join("public");
    let arg = ["--output", out.to_str().unwrap()];
    site.build(&arg).success();
    assert_eq!(snapshot(&out), expected);
    // Without the build cache every page is written again.
    let failed = site.build(&[&arg[..], &["--no-cache"]].concat()).failure();
    let said = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert_eq!(said.matches(": error:").count(), 1, "one message: {said}");
    assert!(said.contains("the disk is full"), "{said}");
    assert!(said.contains("needs room for a second copy"), "{said}");
    assert!(said.contains("previous output was left as it was"), "{said}");
    assert_eq!(snapshot(&out), expected);
    assert_eq!(leftovers(disk.path()), Vec::<String>::new());
    // With it, the pages that did not change are linked, not copied: the build fits.
    site.build(&arg).success();
    assert_eq!(snapshot(&out), expected);
    assert_eq!(leftovers(disk.path()), Vec::<String>::new());
}

/// A clean build's folder, kept for measuring.
fn clean_build_dir(site: &Site) -> PathBuf {
    let out = site.root().join("measure");
    site.build(&["--output", out.to_str().unwrap()]).success();
    out
}

#[test]
fn watch_recovers_on_a_disk_with_room_for_the_changes_but_not_a_copy() {
    needs_root!();
    let site = Site::sample();
    let disk = tempfile::tempdir().unwrap();
    let site_size = size(&clean_build_dir(&site));
    let _mount = Mount::tmpfs(disk.path(), site_size * 3);
    let out = disk.path().join("public");
    let mut watch = Running::start(&site, "watch", &["--output", out.to_str().unwrap()]);
    // Fill the disk: the next update fails.
    let filler = disk.path().join("filler");
    let fill = |leave: u64| {
        let free = fs2_free(disk.path()) + fs::metadata(&filler).map_or(0, |m| m.len());
        fs::write(&filler, vec![0u8; free.saturating_sub(leave) as usize]).ok();
    };
    fill(0);
    let text = site.read(EN).replace("Mali receives new", "Mali receives a new");
    common::atomic_save(&site, EN, &text);
    let lines = watch.wait_for("Build failed");
    assert_eq!(
        lines.iter().filter(|l| l.contains(": error:")).count(),
        1,
        "{lines:?}"
    );
    // Room for what changed, not for a second copy: the watch catches up.
    fill(site_size / 2);
    let text = text.replace("Mali receives a new", "Mali receives one more");
    common::atomic_save(&site, EN, &text);
    watch.wait_for("Built");
    let _ = fs::remove_file(&filler);
    assert_eq!(snapshot(&out), clean_build(&site));
}

/// Free bytes on the filesystem holding `dir`, as `df` says.
fn fs2_free(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap()
}

#[test]
fn the_build_command_says_it_failed_to_run_with_a_bad_output() {
    let site = Site::sample();
    site.write("public", "a file");
    nashra()
        .args(["build", "--root"])
        .arg(site.root())
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "the output path exists and is not a folder",
        ));
    assert_eq!(site.read("public"), "a file");
}

#[test]
fn a_killed_build_leaves_no_lock_and_nothing_that_blocks() {
    let site = Site::sample();
    site.build(&[]).success();
    let expected = clean_build(&site);
    for delay in [50, 150, 300, 450] {
        let mut running = build(&site, &[]);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = running.kill();
        let _ = running.wait();
        // Whatever the kill interrupted, the folder is a whole site, and the next build
        // neither waits for a lock nor trips over what was left.
        assert!(site.public().join("index.html").is_file(), "after {delay} ms");
        site.build(&["--no-wait"]).success();
        assert_eq!(snapshot(&site.public()), expected, "after {delay} ms");
        assert_eq!(leftovers(site.root()), Vec::<String>::new(), "after {delay} ms");
    }
}

#[test]
fn an_immutable_output_fails_the_build_and_says_it_was_kept() {
    needs_root!();
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let _frozen = Immutable::set(&site.public());
    let text = site.read(EN).replace("Mali receives new", "Mali receives a new");
    site.write(EN, &text);
    site.build(&[])
        .failure()
        .stderr(predicates::str::contains(
            "cannot exchange the new output with the old",
        ))
        .stderr(predicates::str::contains(
            "the previous output was left as it was",
        ));
    assert_eq!(snapshot(&site.public()), before);
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

/// `nashra build` on a filesystem that cannot exchange two folders (NFS, some FUSE ones),
/// made so with a seccomp filter that answers `renameat2(…, RENAME_EXCHANGE)` with `EINVAL`,
/// as those filesystems do.
fn build_without_exchange(site: &Site) -> std::process::Child {
    use seccompiler::{
        SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
    };
    use std::os::unix::process::CommandExt;
    const RENAME_EXCHANGE: u64 = 2;
    let flags = SeccompCondition::new(
        4,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::MaskedEq(RENAME_EXCHANGE),
        RENAME_EXCHANGE,
    )
    .unwrap();
    let filter = SeccompFilter::new(
        [(libc::SYS_renameat2, vec![SeccompRule::new(vec![flags]).unwrap()])].into(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EINVAL as u32),
        std::env::consts::ARCH.try_into().unwrap(),
    )
    .unwrap();
    let program: seccompiler::BpfProgram = filter.try_into().unwrap();
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("nashra"));
    command
        .args(["build", "--root"])
        .arg(site.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // Safety: between fork and exec the child only installs the filter made above.
    unsafe {
        command.pre_exec(move || seccompiler::apply_filter(&program).map_err(std::io::Error::other));
    }
    command.spawn().unwrap()
}

#[test]
fn without_folder_exchange_the_output_is_updated_in_place_and_never_missing() {
    let site = Site::sample();
    site.build(&[]).success();
    let edited = site.read(EN).replace("Mali receives new", "Mali receives a new");
    site.write(EN, &edited);
    fs::remove_file(site.root().join("content/briefings/mali-russia-equipment.ar.md")).unwrap();
    // Someone reading the site all through the build never finds it gone.
    let index = site.public().join("index.html");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (index, stop) = (index.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut looks = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                assert!(index.is_file(), "public/index.html was missing during the build");
                looks += 1;
            }
            looks
        })
    };
    let out = build_without_exchange(&site).wait_with_output().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let looks = reader.join().unwrap();
    assert!(looks > 100, "the reader looked {looks} times");
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("cannot exchange two folders: updating it in place"),
        "{said}"
    );
    assert!(said.contains("not atomic"), "{said}");
    assert_eq!(snapshot(&site.public()), clean_build(&site));
    assert!(!site
        .public()
        .join("briefings/mali-russia-equipment/index.html")
        .exists());
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}
