//! End-to-end: the social cards, through the real binary. For headlines of every kind a news
//! desk writes — pure Arabic with harakat and lam-alef ligatures, Arabic with Latin model
//! names, European and Arabic-Indic digits, punctuation, a hashtag, a handle and a URL,
//! English with an Arabic name, one too long for the card, one with characters no card font
//! has — `nashra card FILE --layout` is shaped line by line, run by run in visual order,
//! exactly as HarfBuzz itself shapes the same text in the same font (tests/cards/shape.py runs
//! PyPI's uharfbuzz, pinned in tests/validators/requirements.txt and installed by
//! `tests/run`); the bidi order reads back as the text; model names stay whole; `nashra check`
//! warns of the cut headline and the missing glyphs; and each card is a small 1200×630 PNG,
//! the one the build writes, saved to target/cards/ for a person to look at (no test reads
//! it back).

mod common;

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{nashra, repo, Site, INSTALL};
use serde_json::Value;

/// One test article: its name (of its screenshot too), file and title.
struct Case {
    name: &'static str,
    file: &'static str,
    title: &'static str,
}

const SAMPLE: Case = Case {
    name: "sample",
    file: "content/briefings/mali-russia-equipment.ar.md",
    title: "مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية",
};

const ARABIC: Case = Case {
    name: "arabic",
    file: "content/briefings/card-arabic.ar.md",
    // Shadda (تسلّم), tanwin (شحنةً), lam-alef (لا, الأسلحة), and Allah's ligature.
    title: "الجيش المالي يتسلّم شحنةً جديدة من الأسلحة ولا تراجع عن الشراكة بإذن الله",
};

const MIXED: Case = Case {
    name: "mixed",
    file: "content/briefings/card-mixed.ar.md",
    title: "روسيا تسلّم مالي دبابات T-72B3 ومقاتلات Su-24M بقيمة 2.5 مليار دولار (#الساحل) عبر @MaliGov",
};

const INDIC: Case = Case {
    name: "indic",
    file: "content/briefings/card-indic.ar.md",
    title: "النيجر تنشر ميزانية ٢٠٢٤ كاملة على https://example.org/niger/budget-2024 بزيادة ١٥٪",
};

const ENGLISH: Case = Case {
    name: "english",
    file: "content/briefings/card-english.en.md",
    title: "Niger's junta names Abdourahamane Tiani — عبد الرحمن تياني — head of a new council",
};

const LONG: Case = Case {
    name: "long",
    file: "content/briefings/card-long.ar.md",
    title: "المجلس العسكري في النيجر يعلن تشكيل هيئة انتقالية جديدة تضم ممثلين عن الأحزاب السياسية \
            والنقابات العمالية ومنظمات المجتمع المدني والزعماء التقليديين من جميع الأقاليم، ويحدد \
            جدولا زمنيا لمرحلة انتقالية تمتد ثلاث سنوات تنتهي بانتخابات رئاسية وتشريعية عامة، في \
            خطوة يرى المراقبون أنها تهدف إلى تخفيف الضغوط الإقليمية والدولية المتزايدة على نيامي \
            بعد تعليق عضويتها في المجموعة الاقتصادية لدول غرب أفريقيا وفرض العقوبات",
};

const MISSING: Case = Case {
    name: "missing",
    file: "content/briefings/card-missing.en.md",
    title: "Sahel envoys meet in 東京 and say नमस्ते to a new partner",
};

const CASES: [&Case; 7] = [&SAMPLE, &ARABIC, &MIXED, &INDIC, &ENGLISH, &LONG, &MISSING];

/// The sample site with an article for each case (the sample's own article is one).
fn site() -> Site {
    let site = Site::sample();
    for case in CASES {
        if case.name == SAMPLE.name {
            assert!(
                site.read(case.file).contains(case.title),
                "the sample's title changed"
            );
            continue;
        }
        let title = toml::Value::String(case.title.to_string());
        let body = if case.file.ends_with(".ar.md") {
            "نص الخبر."
        } else {
            "The story."
        };
        site.write(
            case.file,
            format!("+++\ntitle = {title}\ndate = 2024-11-21\n+++\n\n{body}\n"),
        );
    }
    site
}

/// `nashra card FILE --layout`, parsed.
fn layout(site: &Site, case: &Case) -> Value {
    let out = site.run("card", &[case.file, "--layout"]).success();
    let stdout = &out.get_output().stdout;
    serde_json::from_slice(stdout).unwrap_or_else(|e| {
        panic!(
            "`nashra card {} --layout` printed no JSON ({e}): {}",
            case.file,
            String::from_utf8_lossy(stdout)
        )
    })
}

fn lines(layout: &Value) -> &[Value] {
    layout["headline"].as_array().expect("a headline")
}

fn runs(line: &Value) -> &[Value] {
    line["runs"].as_array().expect("runs")
}

fn text(v: &Value) -> &str {
    v["text"].as_str().unwrap()
}

/// Bidi controls (the isolates the card puts around a run of the other direction) and
/// joiners: nothing a reader sees.
fn visible(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        })
        .collect()
}

/// A letter of the Arabic alphabet (not a digit or a sign).
fn arabic_letter(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FEFC}')
}

/// A line for the log of every run, not only of failing ones.
fn announce(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The version of `package` pinned in tests/validators/requirements.txt.
fn pinned(package: &str) -> String {
    let requirements = fs::read_to_string(repo().join("tests/validators/requirements.txt")).unwrap();
    let prefix = format!("{package}==");
    requirements
        .lines()
        .find_map(|l| l.trim().strip_prefix(&prefix))
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("{package} is not pinned in tests/validators/requirements.txt"))
}

/// Where a person finds the cards: target/cards/ (under CARGO_TARGET_DIR when it is set).
fn screenshots() -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    repo().join(target).join("cards")
}

#[test]
fn every_run_of_every_card_is_shaped_as_harfbuzz_shapes_it() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<OsString> = vec![site.root().join("themes/default").into()];
    for case in CASES {
        let path = dir.path().join(format!("{}.json", case.name));
        fs::write(&path, serde_json::to_vec_pretty(&layout(&site, case)).unwrap()).unwrap();
        let mut arg = OsString::from(format!("{}=", case.name));
        arg.push(&path);
        args.push(arg);
    }
    // uharfbuzz: where tests/run installs it, ahead of anything on PYTHONPATH.
    let mut python_path = vec![repo().join("tests/validators/python-packages")];
    python_path.extend(env::split_paths(&env::var_os("PYTHONPATH").unwrap_or_default()));
    let out = Command::new("python3")
        .arg(repo().join("tests/cards/shape.py"))
        .args(&args)
        .env("PYTHONPATH", env::join_paths(python_path).unwrap())
        .output()
        .unwrap_or_else(|e| panic!("python3 is not installed ({e}): {INSTALL}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named 'uharfbuzz'"),
        "uharfbuzz is not installed: {INSTALL}"
    );
    let summary: Option<Value> = stdout.lines().last().and_then(|l| serde_json::from_str(l).ok());
    assert!(
        out.status.success(),
        "nashra's shaping differs from HarfBuzz's ({}):\n{stdout}{stderr}",
        out.status
    );
    let summary = summary.unwrap_or_else(|| panic!("shape.py printed no summary: {stdout}{stderr}"));
    announce(&format!("cards: compared with HarfBuzz: {summary}"));
    assert_eq!(
        summary["uharfbuzz"],
        pinned("uharfbuzz").as_str(),
        "shape.py ran another uharfbuzz than the pinned one: {INSTALL}"
    );
    assert_eq!(summary["cards"], CASES.len());
    assert_eq!(summary["mismatches"], 0);
    for count in ["lines", "runs", "runs_rtl", "runs_ltr", "glyphs"] {
        assert!(
            summary[count].as_u64().unwrap() > 0,
            "no {count} compared: {summary}"
        );
    }
    assert!(summary["glyphs"].as_u64().unwrap() > 300, "{summary}");
}

#[test]
fn model_names_handles_and_urls_are_each_one_left_to_right_run() {
    let site = site();
    for (case, names) in [
        (&MIXED, &["T-72B3", "Su-24M", "@MaliGov"][..]),
        (&INDIC, &["https://example.org/niger/budget-2024"][..]),
    ] {
        let layout = layout(&site, case);
        let all: Vec<&Value> = lines(&layout).iter().flat_map(runs).collect();
        for name in names {
            assert!(
                all.iter()
                    .any(|r| r["direction"] == "ltr" && visible(text(r)).contains(name)),
                "{}: no left-to-right run holds {name:?} whole; lines: {:?}",
                case.name,
                lines(&layout).iter().map(text).collect::<Vec<_>>()
            );
            assert!(
                lines(&layout).iter().any(|l| text(l).contains(name)),
                "{}: {name:?} is broken across lines",
                case.name
            );
        }
        // Arabic words are set right to left in the Arabic font (Arabic-Indic digits are a
        // left-to-right run of Arabic script, as the bidi algorithm orders numbers).
        for run in &all {
            if text(run).chars().any(arabic_letter) {
                assert_eq!(run["direction"], "rtl", "{}: {run}", case.name);
                assert_eq!(
                    layout["fonts"][run["font"].as_u64().unwrap() as usize],
                    "fonts/NotoKufiArabic-Bold.ttf"
                );
            }
        }
    }
}

#[test]
fn arabic_lines_read_right_to_left_give_back_the_text() {
    let site = site();
    for case in [&SAMPLE, &ARABIC, &MIXED] {
        let layout = layout(&site, case);
        assert_eq!(layout["truncated"], false, "{}", case.name);
        assert_eq!(layout["missing"], serde_json::json!([]), "{}", case.name);
        let lines = lines(&layout);
        assert!(!lines.is_empty(), "{}: no headline", case.name);
        for (n, line) in lines.iter().enumerate() {
            // Runs are listed left to right; a reader of Arabic starts at the right. Each
            // left-to-right run here (a model name, a number) is a single run, so reading the
            // runs from the right gives the line in logical order.
            let read: String = runs(line).iter().rev().map(text).collect();
            assert_eq!(
                visible(&read),
                visible(text(line)),
                "{} line {n}: its runs read right to left",
                case.name
            );
        }
        let whole: Vec<String> = lines.iter().map(|l| visible(text(l))).collect();
        assert_eq!(
            whole.join(" "),
            case.title,
            "{}: the lines are the headline",
            case.name
        );
    }
    // The pure Arabic headline: its first line is right to left in Arabic script throughout,
    // and is the headline's start.
    let layout = layout(&site, &ARABIC);
    let first = &lines(&layout)[0];
    assert!(
        runs(first)
            .iter()
            .all(|r| r["direction"] == "rtl" && r["script"] == "Arab"),
        "{first}"
    );
    let first = visible(text(first));
    assert!(!first.is_empty() && ARABIC.title.starts_with(&first), "{first:?}");
}

#[test]
fn an_english_headline_isolates_its_arabic_name() {
    let site = site();
    let layout = layout(&site, &ENGLISH);
    let all: Vec<&Value> = lines(&layout).iter().flat_map(runs).collect();
    assert!(all
        .iter()
        .any(|r| r["direction"] == "ltr" && r["script"] == "Latn"));
    // The name is right to left, in the Arabic font, and its words stay in their order:
    // read from the right, the Arabic runs of a line give the name as written.
    for line in lines(&layout) {
        let arabic: Vec<&Value> = runs(line)
            .iter()
            .filter(|r| text(r).chars().any(arabic_letter))
            .collect();
        let read: String = arabic.iter().rev().map(|r| text(r)).collect::<String>();
        let read = visible(&read);
        let read = read.trim();
        if !read.is_empty() {
            assert!(arabic.iter().all(|r| r["direction"] == "rtl"), "{line}");
            assert!("عبد الرحمن تياني".contains(read), "{read:?} in {line}");
        }
    }
    let whole: Vec<String> = lines(&layout).iter().map(|l| visible(text(l))).collect();
    assert_eq!(whole.join(" "), ENGLISH.title);
}

#[test]
fn a_headline_too_long_is_cut_with_an_ellipsis_and_check_warns() {
    let site = site();
    let long = layout(&site, &LONG);
    assert_eq!(long["truncated"], true, "{long}");
    let lines = lines(&long);
    let last = text(lines.last().unwrap());
    assert!(
        last.ends_with('…'),
        "the last line {last:?} does not end with “…”"
    );
    for case in CASES.iter().filter(|c| c.name != LONG.name) {
        assert_eq!(layout(&site, case)["truncated"], false, "{}", case.name);
    }

    let check = site.run("check", &[]).success().code(0);
    let out = check.get_output();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let warning = said
        .lines()
        .find(|l| l.contains("too long for its social card"))
        .unwrap_or_else(|| panic!("no warning of the cut headline:\n{said}"));
    assert!(
        warning.contains(LONG.file),
        "the warning names no file: {warning}"
    );
    assert!(warning.contains("warning"), "{warning}");
    assert_eq!(said.matches("too long for its social card").count(), 1, "{said}");
}

#[test]
fn a_character_no_card_font_has_is_missing_and_check_warns() {
    let site = site();
    let layout = layout(&site, &MISSING);
    let missing: Vec<&str> = layout["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in ["東", "京", "न"] {
        assert!(missing.contains(&c), "{c} is not missing: {missing:?}");
    }
    for c in ["S", "a", " "] {
        assert!(!missing.contains(&c), "{c:?} is missing: {missing:?}");
    }

    let check = site.run("check", &[]).success().code(0);
    let out = check.get_output();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for c in ['東', '京', 'न'] {
        let warning = said
            .lines()
            .find(|l| l.contains("no glyph") && l.contains(c))
            .unwrap_or_else(|| panic!("no warning of the missing {c}:\n{said}"));
        assert!(warning.contains(MISSING.file), "{warning}");
        assert!(warning.contains(&format!("U+{:04X}", u32::from(c))), "{warning}");
    }
    // One warning for the article, naming every character; no other article's card lacks one.
    let warnings: Vec<&str> = said.lines().filter(|l| l.contains("no glyph")).collect();
    assert_eq!(warnings.len(), 1, "{said}");
}

/// The width and height a PNG's header gives, after checking its signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "the PNG does not start with its header");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn each_card_is_a_small_png_the_build_writes_too_saved_for_a_person() {
    let site = site();
    // Not emptied first: the photo card's test saves its card there at the same time.
    let shots = screenshots();
    fs::create_dir_all(&shots).unwrap();
    site.build(&[]).success();
    for case in CASES {
        let path = shots.join(format!("{}.png", case.name));
        site.run("card", &[case.file, "-o", path.to_str().unwrap()])
            .success();
        let png = fs::read(&path).unwrap();
        assert_eq!(png_size(&png), (1200, 630), "{}", case.name);
        assert!(
            png.len() < 60 * 1024,
            "{}: the card is {} bytes, over 60 KB",
            case.name,
            png.len()
        );
        // The very card the build wrote beside the article's page.
        let slug = Path::new(case.file)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .unwrap();
        let page = match case.file.ends_with(".en.md") {
            true => format!("public/en/briefings/{slug}/card.png"),
            false => format!("public/briefings/{slug}/card.png"),
        };
        let built = fs::read(site.root().join(&page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(
            built == png,
            "{}: {page} is not the card `nashra card` draws",
            case.name
        );
    }
    announce(&format!(
        "cards: saved {} cards to {}",
        CASES.len(),
        shots.display()
    ));
}

#[test]
fn the_card_command_names_a_file_that_is_no_article() {
    let site = site();
    let out = nashra()
        .args(["card", "content/briefings/no-such.ar.md", "--layout", "--root"])
        .arg(site.root())
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("no article of the site is built from this file"),
        "{stderr}"
    );
}

/// The mean of each channel over the rectangle `x0..x1` × `y0..y1` of an RGB picture.
fn mean(img: &image::RgbImage, (x0, x1): (u32, u32), (y0, y1): (u32, u32)) -> [f64; 3] {
    let mut sum = [0.0; 3];
    for y in y0..y1 {
        for x in x0..x1 {
            for (s, c) in sum.iter_mut().zip(img.get_pixel(x, y).0) {
                *s += f64::from(c);
            }
        }
    }
    sum.map(|s| s / f64::from((x1 - x0) * (y1 - y0)))
}

#[test]
fn an_article_with_a_lead_photo_gets_its_card_drawn_over_it_as_a_jpeg() {
    let site = site();
    common::with_photos(&site);
    site.build(&[]).success();
    let jpeg = site
        .root()
        .join("public/briefings/mali-russia-equipment/card.jpg");
    let bytes = fs::read(&jpeg).unwrap_or_else(|e| panic!("{}: {e}", jpeg.display()));
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    assert!(
        !site
            .root()
            .join("public/briefings/mali-russia-equipment/card.png")
            .exists(),
        "the flat card is still written beside the photo card"
    );
    let card = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
        .unwrap()
        .into_rgb8();
    assert_eq!(card.dimensions(), (1200, 630));
    // Saved for a person to look at, beside the flat cards (and as PNG, which more viewers show).
    let shots = screenshots();
    fs::create_dir_all(&shots).unwrap();
    fs::write(shots.join("photo.jpg"), &bytes).unwrap();
    card.save(shots.join("photo.jpg.png")).unwrap();

    // The page shares the card, not the photo, at its size, in both tags.
    for (page, url) in [
        (
            "briefings/mali-russia-equipment/index.html",
            "https://example.org/briefings/mali-russia-equipment/card.jpg",
        ),
        (
            "en/briefings/mali-russia-equipment/index.html",
            "https://example.org/en/briefings/mali-russia-equipment/card.jpg",
        ),
    ] {
        let doc = site.page(page);
        assert_eq!(
            common::attrs(&doc, "meta[property='og:image']", "content"),
            [url],
            "{page}"
        );
        assert_eq!(
            common::attrs(&doc, "meta[name='twitter:image']", "content"),
            [url],
            "{page}"
        );
        assert_eq!(
            common::attrs(&doc, "meta[property='og:image:width']", "content"),
            ["1200"]
        );
        assert_eq!(
            common::attrs(&doc, "meta[property='og:image:height']", "content"),
            ["630"]
        );
    }

    // Below the date at the left of an Arabic card there is no text: the photo shows there,
    // cropped to cover the card, under the theme's background (#0b2a3c) at 0.72.
    let source = image::load_from_memory(&common::photo(1800, 1200))
        .unwrap()
        .into_rgb8();
    let covered = image::imageops::resize(&source, 1200, 800, image::imageops::FilterType::Lanczos3);
    let (xs, ys) = ((60, 400), (600, 625));
    let photo = mean(&covered, xs, (ys.0 + 85, ys.1 + 85));
    let expected: Vec<f64> = photo
        .iter()
        .zip([0x0b, 0x2a, 0x3c])
        .map(|(p, b)| p * 0.28 + f64::from(b) * 0.72)
        .collect();
    let shown = mean(&card, xs, ys);
    for (s, e) in shown.iter().zip(&expected) {
        assert!(
            (s - e).abs() < 6.0,
            "photo under the scrim: {shown:?}, expected {expected:?}"
        );
    }
    // Not flat: the photo's gradient runs left to right.
    let (left, right) = (mean(&card, (60, 100), ys), mean(&card, (360, 400), ys));
    assert!(
        right[0] - left[0] > 4.0,
        "no photo under the card: {left:?} → {right:?}"
    );
    // The headline is white text on it.
    let bright = (150..520)
        .flat_map(|y| (0..1200).map(move |x| (x, y)))
        .filter(|&(x, y)| card.get_pixel(x, y).0.iter().all(|&c| c > 235))
        .count();
    assert!(
        bright > 5_000,
        "only {bright} white pixels in the headline's band"
    );

    // Drawn again, the same bytes; and without the cache, where the photo's published file
    // the card is drawn on is made again rather than read back, still the same bytes.
    site.build(&[]).success();
    assert!(
        fs::read(&jpeg).unwrap() == bytes,
        "the photo card changed on a rebuild"
    );
    let uncached = site.clean_build(&["--no-cache"]);
    assert!(
        uncached[Path::new("briefings/mali-russia-equipment/card.jpg")] == bytes,
        "the photo card depends on the build cache"
    );
    // `nashra card` draws it as the build does, into the file the build names it.
    common::nashra()
        .current_dir(site.root())
        .args(["card", "content/briefings/mali-russia-equipment.ar.md", "--root"])
        .arg(site.root())
        .assert()
        .success();
    assert!(
        fs::read(site.root().join("card.jpg")).is_ok_and(|shown| shown == bytes),
        "`nashra card` does not give the build's photo card as card.jpg"
    );

    // An article without a photo keeps its flat card.
    let flat = site.root().join("public/briefings/card-arabic/card.png");
    assert_eq!(png_size(&fs::read(flat).unwrap()), (1200, 630));

    // `nashra card` reads the photos of its article only: another article's broken photo,
    // which fails the build, does not stop it.
    let other = "content/briefings/card-arabic.ar.md";
    site.write("content/briefings/broken.jpg", b"\xFF\xD8\xFF not a JPEG");
    site.write(
        other,
        site.read(other).replacen(
            "+++\ntitle",
            "+++\nimage = { src = \"broken.jpg\", alt = \"صورة\" }\ntitle",
            1,
        ),
    );
    site.build(&[]).failure();
    let shown = site.root().join("shown.jpg");
    site.run(
        "card",
        &[
            "content/briefings/mali-russia-equipment.ar.md",
            "-o",
            shown.to_str().unwrap(),
        ],
    )
    .success();
    assert!(fs::read(&shown).unwrap() == bytes, "not the build's card");
}

#[test]
fn a_theme_with_photo_false_draws_the_flat_card_for_an_article_with_a_photo() {
    let site = site();
    common::with_photos(&site);
    let toml = site.read("themes/default/theme.toml");
    assert!(
        toml.contains("photo = true"),
        "the default theme no longer draws photo cards"
    );
    site.write(
        "themes/default/theme.toml",
        toml.replace("photo = true", "photo = false"),
    );
    site.build(&[]).success();
    let dir = site.root().join("public/briefings/mali-russia-equipment");
    assert_eq!(png_size(&fs::read(dir.join("card.png")).unwrap()), (1200, 630));
    assert!(
        !dir.join("card.jpg").exists(),
        "a photo card without the theme asking"
    );
    let doc = site.page("briefings/mali-russia-equipment/index.html");
    assert_eq!(
        common::attrs(&doc, "meta[property='og:image']", "content"),
        ["https://example.org/briefings/mali-russia-equipment/card.png"]
    );
}

#[test]
fn a_scrim_outside_zero_to_one_is_an_error_naming_theme_toml() {
    let site = site();
    let toml = site.read("themes/default/theme.toml");
    site.write(
        "themes/default/theme.toml",
        toml.replace("scrim = 0.72", "scrim = 1.5"),
    );
    let out = site.build(&[]).failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("theme.toml") && stderr.contains("card.scrim = 1.5"),
        "{stderr}"
    );
}
