//! Photos as a newsroom publishes them: resized and re-encoded (AVIF, WebP, the source's own
//! format), stripped of every metadata block (above all GPS), in a `<picture>` with `srcset`
//! and a size that keeps the layout still, captioned and credited in the page and in JSON-LD,
//! cached between builds; and bad photos refused with `public/` untouched. Metadata is read
//! back with exiftool, as a desk would check it.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{attrs, photo, snapshot, texts, Site, INSTALL};
use scraper::{Html, Selector};

const AR: &str = "content/briefings/mali-russia-equipment.ar.md";
const EN: &str = "content/briefings/mali-russia-equipment.en.md";

/// exiftool, which `tests/run` installs.
fn exiftool(args: &[&str]) -> String {
    let out = Command::new("exiftool")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("exiftool is not installed ({e}): {INSTALL}"));
    assert!(
        out.status.success(),
        "exiftool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes a photo at `rel` carrying what a field camera and a desk add (see [`tagged`]).
fn tagged_photo(site: &Site, rel: &str, w: u32, h: u32, extra: &[&str]) {
    site.write(rel, tagged(photo(w, h), extra));
}

/// `image` with what a field camera and a desk add: GPS position, camera EXIF, an XMP creator
/// and an IPTC byline (where the format has IPTC), and `extra` exiftool arguments.
fn tagged(image: Vec<u8>, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let kind = match &image[..4] {
        [0xFF, 0xD8, ..] => "jpg",
        [0x89, b'P', ..] => "png",
        b"RIFF" => "webp",
        _ => "avif",
    };
    let path = dir.path().join(format!("image.{kind}"));
    fs::write(&path, image).unwrap();
    let mut args = vec![
        "-q",
        "-q",
        "-overwrite_original",
        "-GPSLatitude=12.6392",
        "-GPSLatitudeRef=N",
        "-GPSLongitude=8.0029",
        "-GPSLongitudeRef=W",
        "-Make=FieldCam",
        "-Model=FC-1",
        "-XMP-dc:Creator=Field reporter",
    ];
    if kind == "jpg" {
        args.push("-IPTC:By-line=Field reporter");
    }
    args.extend_from_slice(extra);
    let path = path.to_str().unwrap().to_string();
    args.push(&path);
    exiftool(&args);
    assert!(
        exiftool(&["-GPSLatitude", &path]).contains("12"),
        "the fixture has no GPS"
    );
    fs::read(&path).unwrap()
}

/// What exiftool finds in `file` of GPS, EXIF, XMP, IPTC and comments, a line each.
fn metadata(file: &Path) -> Vec<String> {
    let path = file.to_str().unwrap();
    let found = exiftool(&[
        "-a",
        "-G1",
        "-s",
        "-GPS:all",
        "-EXIF:all",
        "-XMP:all",
        "-IPTC:all",
        "-Comment",
        path,
    ]);
    found.lines().map(String::from).collect()
}

/// Puts `image = …` into the front matter of the article at `rel`.
fn with_image(site: &Site, rel: &str, image: &str) {
    let text = site
        .read(rel)
        .replacen("+++\ntitle", &format!("+++\nimage = {image}\ntitle"), 1);
    site.write(rel, text);
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

/// Every image file in `public`.
fn published_images(public: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            ["jpg", "jpeg", "png", "webp", "avif"].contains(&ext) && !p.starts_with(public.join("pagefind"))
        })
        .collect()
}

/// The `(url, width)` candidates of a `srcset`.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|c| {
            let (url, w) = c.rsplit_once(' ').unwrap();
            (url.to_string(), w.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

/// The file in `public` at the site URL `url`.
fn file_at(public: &Path, url: &str) -> PathBuf {
    let path = percent_encoding::percent_decode_str(url.trim_start_matches('/'))
        .decode_utf8()
        .unwrap();
    public.join(path.as_ref())
}

fn one(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).unwrap()).count()
}

#[test]
fn a_photo_is_published_resized_in_every_format_and_with_no_metadata_at_all() {
    let site = Site::sample();
    tagged_photo(&site, "content/briefings/convoy.jpg", 2000, 1333, &[]);
    for rel in [AR, EN] {
        with_image(
            &site,
            rel,
            r#"{ src = "convoy.jpg", alt = "A convoy of armoured vehicles in Bamako", caption = "The convoy on arrival, 18 November", credit = "Photo: Field reporter" }"#,
        );
    }
    let built = site.build(&[]).success();
    let public = site.public();

    // The page: a <picture> with AVIF and WebP sources, then the JPEG fallback.
    let doc = site.page("en/briefings/mali-russia-equipment/index.html");
    let types = attrs(&doc, ".article__figure picture source", "type");
    assert_eq!(types, ["image/avif", "image/webp"]);
    let img = ".article__figure picture img";
    assert_eq!(attrs(&doc, img, "width"), ["1600"]);
    assert_eq!(attrs(&doc, img, "height"), ["1066"]);
    assert_eq!(
        attrs(&doc, img, "fetchpriority"),
        ["high"],
        "the lead photo is fetched first"
    );
    assert!(
        attrs(&doc, img, "loading").is_empty(),
        "the lead photo is not lazy"
    );
    assert_eq!(
        attrs(&doc, img, "alt"),
        ["A convoy of armoured vehicles in Bamako"]
    );

    // Every candidate exists, at the width it claims; every format has the same widths.
    let mut srcsets = attrs(&doc, ".article__figure picture source", "srcset");
    srcsets.extend(attrs(&doc, img, "srcset"));
    assert_eq!(srcsets.len(), 3);
    for srcset in &srcsets {
        let found = candidates(srcset);
        let widths: Vec<u32> = found.iter().map(|c| c.1).collect();
        assert_eq!(widths, [480, 800, 1200, 1600], "{srcset}");
        for (url, width) in found {
            let file = file_at(&public, &url);
            assert!(file.is_file(), "{url} is not published");
            if url.ends_with(".jpg") || url.ends_with(".webp") {
                let (w, _) = image_size(&file);
                assert_eq!(w, width, "{url}");
            }
        }
    }
    let src = attrs(&doc, img, "src").remove(0);
    assert!(src.ends_with(".jpg") && src.contains("-800."), "{src}");

    // No published image file carries any metadata: not GPS, not EXIF, XMP or IPTC.
    let files = published_images(&public);
    assert!(files.len() >= 12, "{files:?}");
    for file in &files {
        let tags = metadata(file);
        assert!(tags.is_empty(), "{} still carries:\n{tags:?}", file.display());
    }
    // The untouched original is not published.
    assert!(!public.join("briefings/convoy.jpg").exists());
    assert!(files.iter().all(|f| !f.ends_with("convoy.jpg")));

    // The desk is told that the source records where it was taken.
    let out = stdout_of(&built) + &stderr_of(&built);
    assert!(
        out.contains("content/briefings/convoy.jpg") && out.contains("GPS"),
        "{out}"
    );
    let checked = site.run("check", &[]).success();
    let out = stdout_of(&checked) + &stderr_of(&checked);
    assert!(
        out.contains("content/briefings/convoy.jpg") && out.contains("GPS"),
        "{out}"
    );

    // Caption, then credit, in the figure; both in the JSON-LD ImageObject; og:image sized.
    assert_eq!(
        texts(&doc, ".article__figure figcaption"),
        ["The convoy on arrival, 18 November Photo: Field reporter"]
    );
    let ld: serde_json::Value =
        serde_json::from_str(&texts(&doc, "script[type='application/ld+json']")[0]).unwrap();
    let object = &ld["image"];
    assert_eq!(object["@type"], "ImageObject");
    assert_eq!(object["caption"], "The convoy on arrival, 18 November");
    assert_eq!(object["creditText"], "Photo: Field reporter");
    assert_eq!(object["copyrightNotice"], "Photo: Field reporter");
    assert_eq!(
        (object["width"].as_u64(), object["height"].as_u64()),
        (Some(1200), Some(800))
    );
    let url = object["url"].as_str().unwrap_or_default();
    assert!(
        url.starts_with("https://example.org/briefings/convoy-1200.") && url.ends_with(".jpg"),
        "{url}"
    );
    // The page shares its social card, drawn over the photo (tests/cards.rs looks at it).
    let og = attrs(&doc, "meta[property='og:image']", "content").remove(0);
    assert!(og.ends_with("/card.jpg"), "{og}");
    assert_eq!(
        attrs(&doc, "meta[property='og:image:width']", "content"),
        ["1200"]
    );

    // Lists show a lazy thumbnail of it.
    for list in ["en/index.html", "en/briefings/index.html", "index.html"] {
        let doc = site.page(list);
        let thumb = ".card__image picture img";
        assert_eq!(one(&doc, thumb), 1, "{list}");
        assert_eq!(attrs(&doc, thumb, "loading"), ["lazy"], "{list}");
        assert!(attrs(&doc, thumb, "srcset")[0].contains(" 480w"), "{list}");
    }
}

/// Width and height of the image file at `path`.
fn image_size(path: &Path) -> (u32, u32) {
    let reader = image::ImageReader::open(path)
        .unwrap()
        .with_guessed_format()
        .unwrap();
    match reader.format() {
        Some(image::ImageFormat::WebP) => {
            // image's WebP decoding is not built in; read the VP8 header's size.
            let bytes = fs::read(path).unwrap();
            webp_size(&bytes)
        }
        _ => reader.into_dimensions().unwrap(),
    }
}

/// The canvas size of a WebP file (its VP8X, VP8 or VP8L header).
fn webp_size(b: &[u8]) -> (u32, u32) {
    let le24 = |s: &[u8]| u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16;
    match &b[12..16] {
        b"VP8X" => (le24(&b[24..27]) + 1, le24(&b[27..30]) + 1),
        b"VP8 " => (
            u32::from(u16::from_le_bytes([b[26], b[27]]) & 0x3fff),
            u32::from(u16::from_le_bytes([b[28], b[29]]) & 0x3fff),
        ),
        b"VP8L" => {
            let bits = u32::from_le_bytes([b[21], b[22], b[23], b[24]]);
            ((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1)
        }
        other => panic!("not a WebP chunk: {other:?}"),
    }
}

#[test]
fn a_static_photo_is_published_processed_and_its_orientation_applied() {
    let site = Site::sample();
    // A portrait photo stored sideways, as phones store them: 900×600 pixels, rotated 90°.
    tagged_photo(
        &site,
        "static/images/portrait.jpg",
        900,
        600,
        &["-Orientation#=6"],
    );
    with_image(
        &site,
        EN,
        r#"{ src = "/images/portrait.jpg", alt = "A portrait" }"#,
    );
    site.build(&[]).success();
    let public = site.public();
    let doc = site.page("en/briefings/mali-russia-equipment/index.html");
    let img = ".article__figure picture img";
    assert_eq!(attrs(&doc, img, "width"), ["600"]);
    assert_eq!(attrs(&doc, img, "height"), ["900"]);
    let found = candidates(&attrs(&doc, img, "srcset")[0]);
    assert_eq!(
        found.iter().map(|c| c.1).collect::<Vec<_>>(),
        [480, 600],
        "never wider than the source"
    );
    for (url, width) in found {
        assert!(url.starts_with("/images/portrait-"), "{url}");
        let (w, h) = image_size(&file_at(&public, &url));
        assert_eq!(w, width);
        assert!(h > w, "{url} is {w}×{h}: the orientation was not applied");
    }
    // Links to the static file still lead to it: a processed copy, upright, at its own size.
    let (w, h) = image_size(&public.join("images/portrait.jpg"));
    assert_eq!((w, h), (600, 900));
    for file in published_images(&public) {
        let tags = exiftool(&["-a", "-s", "-Orientation", "-GPS:all", file.to_str().unwrap()]);
        assert!(tags.trim().is_empty(), "{}: {tags}", file.display());
    }
}

#[test]
fn a_lead_image_without_alt_text_is_an_error_and_public_is_untouched() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write("content/briefings/convoy.jpg", photo(800, 600));
    with_image(&site, EN, r#""convoy.jpg""#);
    for command in ["build", "check"] {
        let failed = site.run(command, &[]).failure().code(1);
        let stderr = stderr_of(&failed);
        assert!(stderr.contains(&format!("{EN}:2:9")), "{stderr}");
        assert!(stderr.contains("no `alt` text"), "{stderr}");
        assert!(
            stderr.contains(r#"image = { src = "convoy.jpg", alt = "#),
            "{stderr}"
        );
    }
    assert_eq!(snapshot(&site.public()), before);
}

/// A PNG whose header declares `w`×`h` pixels, with valid chunk checksums but data for none.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(w.to_be_bytes());
    chunk.extend(h.to_be_bytes());
    chunk.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&chunk);
    png.extend(crc32fast::hash(&chunk).to_be_bytes());
    png.extend(0u32.to_be_bytes());
    png.extend(b"IEND");
    png.extend(crc32fast::hash(b"IEND").to_be_bytes());
    png
}

#[test]
fn a_corrupt_photo_and_a_pixel_bomb_each_fail_cleanly_with_public_untouched() {
    let site = Site::sample();
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let whole = photo(1200, 800);
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("cut.jpg", whole[..whole.len() / 2].to_vec(), "cut.jpg"),
        ("bomb.png", png_header(40_000, 40_000), "megapixels"),
        ("notes.jpg", b"GIF89a not a photo".to_vec(), "notes.jpg"),
    ];
    for (name, bytes, says) in cases {
        site.write(&format!("content/briefings/{name}"), &bytes);
        let text = site.read(EN);
        with_image(&site, EN, &format!(r#"{{ src = "{name}", alt = "x" }}"#));
        for command in ["build", "check"] {
            let failed = site.run(command, &[]).failure().code(1);
            let stderr = stderr_of(&failed);
            assert!(stderr.contains(&format!("{EN}:2:9")), "{name}: {stderr}");
            assert!(
                stderr.contains(&format!("content/briefings/{name}")),
                "{name}: {stderr}"
            );
            assert!(stderr.contains(says), "{name}: {stderr}");
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        }
        assert_eq!(snapshot(&site.public()), before, "{name}");
        site.write(EN, text);
    }
    // The limit is the site's to set.
    site.write("content/briefings/big.jpg", photo(2000, 1500));
    with_image(&site, EN, r#"{ src = "big.jpg", alt = "x" }"#);
    site.build(&[]).success();
    let config = site.read("nashra.toml") + "\n[images]\nmax_megapixels = 2\n";
    site.write("nashra.toml", config);
    let stderr = stderr_of(&site.build(&[]).failure());
    assert!(
        stderr.contains("megapixels") && stderr.contains("big.jpg"),
        "{stderr}"
    );
}

#[test]
fn photos_are_encoded_once_and_a_corrupt_cache_is_ignored() {
    let site = Site::sample();
    site.write("content/briefings/convoy.jpg", photo(1300, 900));
    with_image(&site, EN, r#"{ src = "convoy.jpg", alt = "A convoy" }"#);
    let first = stdout_of(&site.build(&[]).success());
    // AVIF, WebP and JPEG at 480, 800 and 1200, then 1300 wide.
    assert!(first.contains("; 12 photo files, 12 of them encoded"), "{first}");
    let want = snapshot(&site.public());

    fs::remove_dir_all(site.public()).unwrap();
    let second = stdout_of(&site.build(&[]).success());
    assert!(second.contains("; 12 photo files, 0 of them encoded"), "{second}");
    assert_eq!(snapshot(&site.public()), want);

    // A published photo changed in place (an optimiser run over the output): the file the
    // cache kept for it may be the same file on disk. The next build finds it out, makes that
    // one file again, and publishes what it should; the one after takes it from the cache.
    let (changed, _) = want
        .iter()
        .find(|(path, _)| path.extension().is_some_and(|e| e == "webp"))
        .unwrap();
    let changed = site.public().join(changed);
    let mut bytes = fs::read(&changed).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    fs::OpenOptions::new()
        .write(true)
        .open(&changed)
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    let mended = stdout_of(&site.build(&[]).success());
    assert!(mended.contains("; 12 photo files, 1 of them encoded"), "{mended}");
    assert_eq!(snapshot(&site.public()), want);
    let again = stdout_of(&site.build(&[]).success());
    assert!(again.contains("; 12 photo files, 0 of them encoded"), "{again}");
    assert_eq!(snapshot(&site.public()), want);

    // Every kept file damaged: each is found out, encoded again, and the output is the same.
    let cache = site.root().join(".nashra/cache/images");
    let kept: Vec<PathBuf> = fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(kept.len(), 12);
    for (n, file) in kept.iter().enumerate() {
        let mut bytes = fs::read(file).unwrap();
        match n % 2 {
            0 => bytes.truncate(bytes.len() / 2),
            _ => bytes[10] ^= 0xff,
        }
        fs::write(file, bytes).unwrap();
    }
    fs::remove_dir_all(site.public()).unwrap();
    let third = stdout_of(&site.build(&[]).success());
    assert!(third.contains("; 12 photo files, 12 of them encoded"), "{third}");
    assert_eq!(snapshot(&site.public()), want);

    // --no-cache makes the same files.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("public");
    site.build(&["--no-cache", "--output", dir.to_str().unwrap()])
        .success();
    assert_eq!(snapshot(&dir), want);
}

#[test]
fn markdown_photos_become_pictures_and_a_title_becomes_the_caption() {
    let site = Site::sample();
    site.write("content/briefings/market.png", common::chart(1000, 700));
    site.write(
        EN,
        site.read(EN)
            + "\n![Stalls at the Bamako market](market.png \"Market day in Bamako\")\n\n\
               The same map ![a small map](market.png) inline.\n",
    );
    site.build(&[]).success();
    let public = site.public();
    let doc = site.page("en/briefings/mali-russia-equipment/index.html");
    let figure = ".article__body figure.figure";
    assert_eq!(one(&doc, figure), 1);
    assert_eq!(
        texts(&doc, &format!("{figure} figcaption")),
        ["Market day in Bamako"]
    );
    let img = format!("{figure} picture img");
    assert_eq!(attrs(&doc, &img, "alt"), ["Stalls at the Bamako market"]);
    assert_eq!(attrs(&doc, &img, "width"), ["1000"]);
    assert_eq!(attrs(&doc, &img, "height"), ["700"]);
    assert_eq!(attrs(&doc, &img, "loading"), ["lazy"]);
    let found = candidates(&attrs(&doc, &img, "srcset")[0]);
    assert_eq!(found.iter().map(|c| c.1).collect::<Vec<_>>(), [480, 800, 1000]);
    for (url, width) in found {
        assert!(url.ends_with(".png"), "a PNG falls back to PNG: {url}");
        assert_eq!(image_size(&file_at(&public, &url)).0, width, "{url}");
    }
    // Inside running text the image stays inline: a <picture>, no figure.
    let inline = ".article__body p picture img";
    assert_eq!(attrs(&doc, inline, "alt"), ["a small map"]);
    // No image of the body points at the unpublished source.
    let srcs = attrs(&doc, ".article__body img", "src");
    assert_eq!(srcs.len(), 2);
    assert!(
        srcs.iter().all(|s| s.starts_with("/briefings/market-800.")),
        "{srcs:?}"
    );
    assert!(!public.join("briefings/market.png").exists());
}

#[test]
fn the_browser_loads_a_small_photo_on_a_phone_and_a_larger_one_on_a_desktop() {
    let site = Site::sample();
    site.write("content/briefings/convoy.jpg", photo(3000, 2000));
    with_image(
        &site,
        EN,
        r#"{ src = "convoy.jpg", alt = "A convoy", credit = "Photo: AFP" }"#,
    );
    site.build(&[]).success();
    let public = site.public();
    let public = public.to_str().unwrap();
    let page = "/en/briefings/mali-russia-equipment/";
    let img = ".article__figure img";
    let phone = common::browser("photos.mjs", &[public, page, "390", img]);
    let desktop = common::browser("photos.mjs", &[public, page, "1280", img]);
    let chosen = |found: &serde_json::Value| found["current"].as_str().unwrap().to_string();
    assert!(
        chosen(&phone).contains("/briefings/convoy-480.") && chosen(&phone).ends_with(".avif"),
        "{phone}"
    );
    assert!(
        chosen(&desktop).contains("/briefings/convoy-800.") && chosen(&desktop).ends_with(".avif"),
        "{desktop}"
    );
    // What a reader on a phone downloads for the article: page, stylesheets and the photo.
    let bytes = phone["transferred"].as_u64().unwrap();
    println!("article page at 390 px: {bytes} bytes transferred: {phone}");
    assert!(bytes <= 60_000, "{bytes} bytes: {phone}");
}

/// Replaces the file at `rel` as an editor's export does: a new file renamed over the old.
fn replace_file(site: &Site, rel: &str, bytes: &[u8]) {
    let path = site.root().join(rel);
    let temp = path.with_extension("part");
    fs::write(&temp, bytes).unwrap();
    fs::rename(&temp, &path).unwrap();
}

#[test]
fn watch_publishes_an_edited_photo_and_ends_equal_to_a_clean_build() {
    let site = Site::sample();
    // Small, and without AVIF (the slow encoder): the test is about what a save rebuilds, and
    // each wait for a rebuild gives up after 20 s, in an unoptimized test build too.
    let config = site.read("nashra.toml") + "\n[images]\nformats = [\"webp\"]\n";
    site.write("nashra.toml", config);
    site.write("content/briefings/convoy.jpg", photo(700, 500));
    with_image(&site, EN, r#"{ src = "convoy.jpg", alt = "A convoy" }"#);
    let mut watch = common::Running::start(&site, "watch", &[]);
    let page = "en/briefings/mali-russia-equipment/index.html";
    let src = || attrs(&site.page(page), ".article__figure img", "src").remove(0);
    let first = src();
    assert!(site.public().join(first.trim_start_matches('/')).is_file());

    // A new export of the photo, under the same name, which records where it was taken: new
    // files, new names on the page, and the desk is told.
    replace_file(
        &site,
        "content/briefings/convoy.jpg",
        &tagged(photo(600, 400), &[]),
    );
    let mut said = watch.rebuilt_until(|| src() != first);
    // Warnings go to stderr, the "Rebuilt" line to stdout: the two can arrive out of order.
    said.extend(watch.drain(std::time::Duration::from_millis(500)));
    let told = |lines: &[String]| {
        lines
            .iter()
            .any(|l| l.contains("content/briefings/convoy.jpg") && l.contains("GPS"))
    };
    assert!(told(&said), "{said:?}");
    assert_eq!(attrs(&site.page(page), ".article__figure img", "width"), ["600"]);
    assert!(
        watch.differences_once_settled(&site, &[]).is_empty(),
        "after the photo changed"
    );
    assert!(
        !site.public().join(first.trim_start_matches('/')).exists(),
        "the old photo's files are gone"
    );

    // A photo added in the text.
    site.write("content/briefings/market.png", common::chart(500, 300));
    common::atomic_save(&site, EN, &(site.read(EN) + "\n![A market](market.png)\n"));
    let said = watch.rebuilt_until(|| site.read(&format!("public/{page}")).contains("market-480."));
    assert!(
        !told(&said),
        "said again for a save that did not change it: {said:?}"
    );
    let differences = watch.differences_once_settled(&site, &[]);
    assert!(differences.is_empty(), "{differences:?}");
}

/// The payload of the first RIFF chunk `id` of a WebP file.
fn riff_chunk<'a>(webp: &'a [u8], id: &[u8; 4]) -> &'a [u8] {
    let mut at = 12;
    while at + 8 <= webp.len() {
        let size = u32::from_le_bytes(webp[at + 4..at + 8].try_into().unwrap()) as usize;
        if &webp[at..at + 4] == id {
            return &webp[at + 8..at + 8 + size];
        }
        at += 8 + size + size % 2;
    }
    panic!("no {} chunk", String::from_utf8_lossy(id));
}

/// Decoded pixels of a JPEG or PNG, as stored (orientation not applied).
fn pixels(bytes: &[u8]) -> Vec<u8> {
    image::load_from_memory(bytes).unwrap().into_rgba8().into_raw()
}

#[test]
fn static_images_no_page_shows_keep_their_pixels_and_lose_their_metadata() {
    let site = Site::sample();
    // A WebP as a desk would have one: made by nashra from a photo, then tagged.
    common::with_photos(&site);
    site.build(&[]).success();
    let made = published_images(&site.public());
    let of = |ext: &str| fs::read(made.iter().find(|p| p.extension().unwrap() == ext).unwrap()).unwrap();
    let (webp, avif) = (of("webp"), of("avif"));

    // Files linked for download, not shown by any page: a photo stored sideways (as phones
    // store portraits), a chart and a WebP, each with GPS, camera EXIF, XMP and a comment.
    let sources = [
        (
            "downloads/convoy.jpg",
            tagged(
                photo(640, 480),
                &["-Orientation#=6", "-Comment=desk: source is X"],
            ),
        ),
        (
            "downloads/map.png",
            tagged(common::chart(300, 200), &["-PNG:Comment=desk: source is X"]),
        ),
        ("downloads/scene.webp", tagged(webp, &[])),
    ];
    for (rel, bytes) in &sources {
        site.write(&format!("static/{rel}"), bytes);
    }
    let built = site.build(&[]).success();
    assert!(stderr_of(&built).is_empty(), "{}", stderr_of(&built));
    let public = site.public();
    for (rel, source) in &sources {
        let file = public.join(rel);
        let tags = metadata(&file);
        let left: Vec<&String> = tags.iter().filter(|l| !l.contains("Orientation")).collect();
        assert!(left.is_empty(), "{rel} still carries:\n{tags:?}");
        let published = fs::read(&file).unwrap();
        assert!(published.len() < source.len(), "{rel}");
        if rel.ends_with(".webp") {
            assert_eq!(
                riff_chunk(&published, b"VP8 "),
                riff_chunk(source, b"VP8 "),
                "{rel}"
            );
        } else {
            assert!(pixels(&published) == pixels(source), "{rel}: the pixels changed");
        }
    }
    // The sideways photo still shows upright: its orientation is all the EXIF left.
    let orientation = exiftool(&[
        "-s",
        "-Orientation",
        public.join("downloads/convoy.jpg").to_str().unwrap(),
    ]);
    assert!(orientation.contains("Rotate 90 CW"), "{orientation}");

    // An AVIF (HEIF) file: nashra cannot rewrite it, so without a position it is published
    // as it is, and with one the build stops, naming it, and public/ stays as it was.
    site.write("static/downloads/scene.avif", &avif);
    site.build(&[]).success();
    assert_eq!(fs::read(public.join("downloads/scene.avif")).unwrap(), avif);
    let before = snapshot(&public);
    site.write("static/downloads/scene.avif", tagged(avif, &[]));
    let failed = site.build(&[]).failure();
    let err = stderr_of(&failed);
    assert!(
        err.contains("static/downloads/scene.avif") && err.contains("GPS"),
        "{err}"
    );
    assert_eq!(snapshot(&public), before, "public/ changed");
    let checked = site.run("check", &[]).failure();
    let out = stdout_of(&checked) + &stderr_of(&checked);
    assert!(
        out.contains("static/downloads/scene.avif") && out.contains("GPS"),
        "{out}"
    );
}

#[test]
fn the_image_cache_forgets_files_no_build_has_used_for_a_month() {
    let site = Site::sample();
    site.write("content/briefings/convoy.jpg", photo(500, 300));
    site.write("content/briefings/market.png", common::chart(500, 300));
    with_image(&site, EN, r#"{ src = "convoy.jpg", alt = "A convoy" }"#);
    let text = site.read(EN);
    site.write(EN, format!("{text}\n![A market](market.png)\n"));
    site.build(&[]).success();
    let cache = site.root().join(".nashra/cache/images");
    let kept = || -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
            .collect();
        files.sort();
        files
    };
    // Two photos, each at 480 px and its own 500 px, in AVIF, WebP and its own format.
    assert_eq!(kept().len(), 12);
    let stamp = cache.with_extension("pruned");
    let set_modified = |path: &Path, days: u64| {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 24 * 3600);
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(when).unwrap();
    };
    // Every file, and the last look at the cache, 40 days old.
    let age = || {
        for entry in fs::read_dir(&cache).unwrap() {
            set_modified(&entry.unwrap().path(), 40);
        }
        set_modified(&stamp, 40);
    };

    // The market photo taken out, and nothing used for 40 days: its files go, the convoy's,
    // used by this build, stay.
    site.write(EN, format!("{text}\n"));
    age();
    let built = stdout_of(&site.build(&[]).success());
    assert!(built.contains("6 photo files, 0 of them encoded"), "{built}");
    assert_eq!(kept().len(), 6);
    let want = snapshot(&site.public());

    // The cache is looked at once a day: unused files are not removed again before then.
    site.write(EN, format!("{text}\n![A market](market.png)\n"));
    site.build(&[]).success();
    assert_eq!(kept().len(), 12);
    site.write(EN, format!("{text}\n"));
    age();
    set_modified(&stamp, 0);
    site.build(&[]).success();
    assert_eq!(kept().len(), 12);
    assert_eq!(snapshot(&site.public()), want);
}
