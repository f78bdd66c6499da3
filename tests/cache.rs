//! The build cache (`.nashra/cache/`), end to end: a rebuild carries over from the previous
//! output the pages (and the search bundle) it would render alike, takes the search records
//! of the pages it has already read, and whatever the cache or the previous output holds —
//! nothing, an older version of the site, a damaged file, a page changed by hand — the output
//! is byte for byte a build without it.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{differences, snapshot, Site};

const STORE: &str = ".nashra/cache/search.bin";
const PAGES: &str = ".nashra/cache/pages.bin";
const ARTICLE: &str = "content/briefings/cache-check.en.md";

/// The sample site with one more English article, whose body the tests change.
fn site() -> Site {
    let site = Site::sample();
    site.write(
        ARTICLE,
        "+++\ntitle = \"Cache check\"\ndate = 2024-03-01\n+++\n\nThe harbour reopened on Monday.\n",
    );
    site
}

/// `nashra build ARGS…`: (stdout, stderr), the build having succeeded.
fn build(site: &Site, args: &[&str]) -> (String, String) {
    let out = site.build(args).success().get_output().clone();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The summary's "search records of H of N article pages from the build cache": (H, N).
fn cached(stdout: &str) -> Option<(usize, usize)> {
    let (_, rest) = stdout.split_once("search records of ")?;
    let mut words = rest.split_whitespace();
    let hits = words.next()?.parse().ok()?;
    let asked = words.nth(1)?.parse().ok()?;
    Some((hits, asked))
}

/// The summary's "K unchanged pages and feeds kept from the previous output": K, 0 when the
/// summary says nothing of it.
fn kept(stdout: &str) -> usize {
    let Some((before, _)) = stdout.split_once(" unchanged pages and feeds kept") else {
        return 0;
    };
    let count = before.rsplit(' ').next().and_then(|n| n.parse().ok());
    count.unwrap_or_else(|| panic!("no count of kept pages: {stdout}"))
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).and_then(|m| m.modified()).unwrap()
}

/// public/ is what a build with `--no-cache` writes of the sources as they are now.
fn assert_as_without_cache(site: &Site) {
    let want = site.clean_build(&["--no-cache"]);
    let diff = differences(&snapshot(&site.public()), &want);
    assert!(diff.is_empty(), "the cache changed the output: {diff:?}");
}

#[test]
fn a_rebuild_takes_the_records_of_unchanged_pages_from_the_cache() {
    let site = site();
    let (first, _) = build(&site, &[]);
    let (hits, pages) = cached(&first).unwrap_or_else(|| panic!("no cache figures: {first}"));
    assert_eq!(hits, 0, "{first}");
    assert!(pages >= 3, "{first}");
    assert!(site.root().join(STORE).is_file());
    let (second, _) = build(&site, &[]);
    assert_eq!(cached(&second), Some((pages, pages)), "{second}");
    assert_as_without_cache(&site);
    // One article's words change: only its page is read again, and the index has the new
    // word, not the old.
    site.write(
        ARTICLE,
        "+++\ntitle = \"Cache check\"\ndate = 2024-03-01\n+++\n\nThe lighthouse reopened on Monday.\n",
    );
    let (third, _) = build(&site, &[]);
    assert_eq!(cached(&third), Some((pages - 1, pages)), "{third}");
    assert_as_without_cache(&site);
    let found = common::search(
        &site.public(),
        None,
        &[
            common::Query {
                lang: "en",
                query: "lighthouse",
                raw: false,
                all: false,
            },
            common::Query {
                lang: "en",
                query: "harbour",
                raw: false,
                all: false,
            },
        ],
    );
    assert_eq!(found[0].urls, ["/en/briefings/cache-check/"], "{found:?}");
    assert!(found[1].urls.is_empty(), "{found:?}");
}

#[test]
fn a_rebuild_carries_over_the_pages_it_would_render_alike() {
    let site = site();
    let (first, _) = build(&site, &[]);
    assert_eq!(kept(&first), 0, "{first}");
    let public = site.public();
    let edited = public.join("en/briefings/cache-check/index.html");
    let other = public.join("en/briefings/mali-russia-equipment/index.html");
    let (edited_at, other_at) = (modified(&edited), modified(&other));
    // The Arabic part of the search bundle: its metadata file.
    let arabic_meta = || {
        let files = fs::read_dir(public.join("pagefind"))
            .unwrap()
            .map(|e| e.unwrap().path());
        let mut metas = files.filter(|p| p.to_string_lossy().contains("pagefind.ar_"));
        metas.next().expect("an Arabic pf_meta")
    };
    let (meta, meta_at) = (arabic_meta(), modified(&arabic_meta()));
    // Past the filesystem's clock tick, so a file written again would show it.
    std::thread::sleep(Duration::from_millis(50));
    let (second, _) = build(&site, &[]);
    let all = kept(&second);
    let pages = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "html")
        })
        .count();
    assert!(all >= pages, "every page is kept, and the feeds: {second}");
    assert_eq!(modified(&other), other_at, "a page kept is not written again");
    assert_as_without_cache(&site);
    // One article's body changes: its page and what shows it are made again, no other.
    site.write(
        ARTICLE,
        "+++\ntitle = \"Cache check\"\ndate = 2024-03-01\n+++\n\nThe lighthouse reopened on Monday.\n",
    );
    let (third, _) = build(&site, &[]);
    assert!(kept(&third) < all && kept(&third) > all / 2, "{third}");
    assert_ne!(modified(&edited), edited_at, "the edited page is new");
    assert_eq!(modified(&other), other_at, "{third}");
    assert_eq!(
        (arabic_meta(), modified(&meta)),
        (meta.clone(), meta_at),
        "an English edit leaves the Arabic part of the search bundle as it was"
    );
    assert_as_without_cache(&site);
    // The theme changes one UI string: every page is made again.
    let strings = site.read("themes/default/i18n/en.toml");
    site.write(
        "themes/default/i18n/en.toml",
        strings.replace("\"Skip to content\"", "\"Skip to the news\""),
    );
    let (fourth, _) = build(&site, &[]);
    assert_eq!(kept(&fourth), 0, "{fourth}");
    assert!(fs::read_to_string(&other).unwrap().contains("Skip to the news"));
    assert_as_without_cache(&site);
}

#[test]
fn a_file_changed_in_the_output_is_made_again() {
    let site = site();
    build(&site, &[]);
    let (second, _) = build(&site, &[]);
    let all = kept(&second);
    let public = site.public();
    fs::write(
        public.join("en/briefings/mali-russia-equipment/index.html"),
        "defaced",
    )
    .unwrap();
    let fragment = fs::read_dir(public.join("pagefind/fragment"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    fs::write(&fragment, b"not gzip").unwrap();
    let (third, _) = build(&site, &[]);
    assert_eq!(kept(&third), all - 1, "{third}");
    assert_as_without_cache(&site);
}

#[test]
fn a_damaged_or_foreign_page_store_is_ignored_and_nothing_kept() {
    let site = site();
    build(&site, &[]);
    let store = site.root().join(PAGES);
    let mut bytes = fs::read(&store).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    fs::write(&store, &bytes).unwrap();
    let (stdout, stderr) = build(&site, &[]);
    assert!(
        stderr.contains("the build cache was ignored") && stderr.contains("pages.bin"),
        "{stderr}"
    );
    assert_eq!(kept(&stdout), 0, "{stdout}");
    assert_as_without_cache(&site);
    let (stdout, stderr) = build(&site, &[]);
    assert!(!stderr.contains("build cache"), "{stderr}");
    assert!(kept(&stdout) > 0, "{stdout}");
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_with_a_warning_and_written_again() {
    let site = site();
    build(&site, &[]);
    let store: PathBuf = site.root().join(STORE);
    let good = fs::read(&store).unwrap();
    let flipped = |at: usize| {
        let mut bytes = good.clone();
        bytes[at] ^= 0x20;
        bytes
    };
    // The writer's name (nashra's version and binary) starts after the magic, the layout
    // number and the name's length.
    let damaged = [
        (
            "a byte changed in the entries",
            flipped(good.len() / 2),
            "corrupt",
        ),
        ("the file cut short", good[..good.len() - 100].to_vec(), "corrupt"),
        ("written by another nashra", flipped(20), "another nashra"),
        (
            "not a cache at all",
            b"{\"records\": []}".to_vec(),
            "not a nashra cache",
        ),
        ("empty", Vec::new(), "not a nashra cache"),
    ];
    for (what, bytes, why) in damaged {
        fs::write(&store, &bytes).unwrap();
        let (stdout, stderr) = build(&site, &[]);
        assert!(
            stderr.contains("warning")
                && stderr.contains("the build cache was ignored")
                && stderr.contains(why),
            "{what}: {stderr}"
        );
        assert!(
            stderr.contains("search.bin"),
            "{what}: the warning names the file: {stderr}"
        );
        let (hits, _) = cached(&stdout).unwrap_or_else(|| panic!("{what}: {stdout}"));
        assert_eq!(hits, 0, "{what}: {stdout}");
        assert_as_without_cache(&site);
        // The build wrote a good one again.
        let (stdout, stderr) = build(&site, &[]);
        assert!(!stderr.contains("build cache"), "{what}: {stderr}");
        let (hits, pages) = cached(&stdout).unwrap_or_else(|| panic!("{what}: {stdout}"));
        assert_eq!(hits, pages, "{what}: {stdout}");
    }
}

/// The article's page as built.
fn article_page(site: &Site) -> String {
    site.read("public/en/briefings/cache-check/index.html")
}

/// The anchor of the article's heading (the output is minified: its value is not quoted).
fn heading_id(page: &str) -> &str {
    let (_, rest) = page
        .split_once("<h2 id=")
        .unwrap_or_else(|| panic!("no heading: {page}"));
    rest.split('>').next().unwrap_or_default().trim_matches('"')
}

#[test]
fn an_article_is_loaded_again_when_its_bytes_or_the_config_change() {
    let site = site();
    site.write(
        ARTICLE,
        "+++\ntitle = \"Cache check\"\ndate = 2024-03-01\n+++\n\n## الميناء\n\nThe harbour reopened on Monday.\n",
    );
    build(&site, &[]);
    assert!(site.root().join(".nashra/cache/articles.bin").is_file());
    assert_eq!(heading_id(&article_page(&site)), "الميناء");
    // Same length, one word and the title changed: loaded again, not taken from the cache.
    site.write(
        ARTICLE,
        "+++\ntitle = \"Cache chock\"\ndate = 2024-03-01\n+++\n\n## الميناء\n\nThe harbour reclosed on Monday.\n",
    );
    build(&site, &[]);
    let page = article_page(&site);
    assert!(
        page.contains("Cache chock") && page.contains("reclosed"),
        "{page}"
    );
    assert!(!page.contains("reopened"), "{page}");
    assert_as_without_cache(&site);
    // Anchors made in ASCII now: every article is loaded again under the new config.
    let config = site.read("nashra.toml");
    site.write(
        "nashra.toml",
        config.replacen("minify = true", "minify = true\nslugify = \"ascii\"", 1),
    );
    build(&site, &[]);
    let page = article_page(&site);
    let id = heading_id(&page);
    assert!(!id.is_empty() && id.is_ascii(), "{id}");
    assert_as_without_cache(&site);
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let site = site();
    let (stdout, _) = build(&site, &["--no-cache"]);
    assert_eq!(cached(&stdout), None, "{stdout}");
    assert!(!site.root().join(".nashra").exists());
    // A cache left by another build is not read either, however damaged.
    build(&site, &[]);
    fs::write(site.root().join(STORE), b"garbage").unwrap();
    let (stdout, stderr) = build(&site, &["--no-cache"]);
    assert_eq!(cached(&stdout), None, "{stdout}");
    assert!(!stderr.contains("cache"), "{stderr}");
    assert_eq!(fs::read(site.root().join(STORE)).unwrap(), b"garbage");
}

#[test]
fn a_failed_build_leaves_the_cache_as_it_was() {
    let site = site();
    build(&site, &[]);
    let before = fs::read(site.root().join(STORE)).unwrap();
    // The theme breaks: the build fails while rendering, after the cache was opened.
    let page = site.read("themes/default/templates/page.html");
    site.write(
        "themes/default/templates/page.html",
        format!("{page}{{{{ broken("),
    );
    site.build(&[]).failure();
    assert_eq!(fs::read(site.root().join(STORE)).unwrap(), before);
    let mut leftovers: Vec<_> = fs::read_dir(site.root().join(".nashra/cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        ["articles.bin", "pages.bin", "search.bin"],
        "no temporary files are left"
    );
}
