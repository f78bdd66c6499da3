//! End-to-end, in headless Chromium: the mixed-direction patterns of real Arabic news copy
//! (product and model names with numbers, hashtags and handles, hyphenated model names), laid
//! out at a phone's width and a desktop's and measured character by character
//! (`tests/browser/runs.mjs`). Each is judged with nashra's isolation and, as a baseline, with
//! every `<bdi>` removed (the plain Unicode bidi algorithm, as a page without isolation shows
//! the same text): isolation must get every case right, so never reads worse than the plain
//! algorithm.

mod common;

use common::Site;

/// A Latin name with the number that is its own: it reads left to right, the number after it.
const NAMED: [(&str, &str); 9] = [
    (
        "iOS 12",
        "أعلنت الشركة أن نظام iOS 12 سيصل إلى الهواتف القديمة أيضًا.",
    ),
    (
        "Knox 3.1",
        "وتعتمد الأجهزة على منصة Knox 3.1 لحماية بيانات المستخدمين.",
    ),
    ("Mate 9", "وكشفت الشركة الصينية عن هاتف Mate 9 في معرض برلين."),
    ("S&P 500", "وتراجع مؤشر S&P 500 بنسبة طفيفة عند الإغلاق."),
    (
        "Boeing 737",
        "وتسلمت الخطوط الجوية طائرات Boeing 737 جديدة هذا الشهر.",
    ),
    ("COP 28", "وانطلقت أعمال مؤتمر COP 28 في دبي بمشاركة واسعة."),
    ("Windows 11", "ويعمل الحاسوب الجديد بنظام Windows 11، وفق البيان."),
    ("Apollo 11", "وتحتفل الوكالة بذكرى رحلة Apollo 11 إلى القمر."),
    ("PlayStation 5", "وارتفعت مبيعات جهاز PlayStation 5 خلال العطلة."),
];

/// A hashtag or a handle: its sign stands left of its word.
const SIGNED: [(&str, &str); 4] = [
    (
        "#BoycottUSA",
        "وانتشر وسم #BoycottUSA على منصات التواصل الاجتماعي.",
    ),
    ("@POTUS", "وكتب حساب @POTUS تغريدة عن القمة."),
    ("#Mali2024", "وتصدر وسم #Mali2024 قائمة الأكثر تداولًا،"),
    ("@UN_News", "ثم ردّ حساب @UN_News على المنشورات."),
];

/// Short hyphenated model names: never split across two lines.
const HYPHENATED: [&str; 8] = [
    "Su-24M", "F-16", "MQ-9B", "Mi-35P", "T-72B3", "AH-64E", "Su-35S", "MiG-29K",
];

/// Fillers of different lengths between the model names, so that at each width some of them
/// come to the end of a line.
const FILLERS: [&str; 5] = [
    "فوق",
    "فوق المدينة",
    "فوق المدينة الشمالية",
    "فوق المدينة الشمالية قبل الفجر",
    "فوق المدينة الشمالية قبل الفجر بقليل، وفق شهود",
];

fn article() -> String {
    let mut body = String::new();
    for (_, sentence) in NAMED.iter().chain(SIGNED.iter()) {
        body.push_str(sentence);
        body.push(' ');
    }
    body.push_str("\n\n");
    for (i, name) in HYPHENATED.iter().cycle().take(48).enumerate() {
        body.push_str(&format!("وحلقت طائرات {name} {} ", FILLERS[i % FILLERS.len()]));
    }
    format!(
        "+++\ntitle = \"طائرات Su-24M وF-16 وMQ-9B وMi-35P تحلق فوق الساحل في عرض جوي كبير\"\n\
         date = 2024-11-21\nsummary = \"عرض جوي كبير.\"\n+++\n\n{body}\n"
    )
}

/// `(left, right, top)` of each character of each occurrence of each string.
type Boxes = Vec<Vec<Vec<(f64, f64, f64)>>>;

fn measure(url: &str, width: u32, isolation: &str, strings: &[&str]) -> (bool, Boxes) {
    let width = width.to_string();
    let mut args = vec![url, width.as_str(), isolation];
    args.extend(strings);
    let out = common::browser("runs.mjs", &args);
    let boxes = out["found"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            let at = f["at"].as_array().expect("occurrences");
            at.iter()
                .map(|chars| {
                    let chars = chars.as_array().expect("characters");
                    chars
                        .iter()
                        .map(|b| {
                            let n = |k: usize| b[k].as_f64().expect("a number");
                            (n(0), n(1), n(2))
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    (out["scrolls"].as_bool().expect("scrolls"), boxes)
}

fn same_line(a: (f64, f64, f64), b: (f64, f64, f64)) -> bool {
    (a.2 - b.2).abs() < 2.0
}

/// Whether `chars` (of `text`) read left to right wherever two of them share a line.
fn left_to_right(text: &str, chars: &[(f64, f64, f64)]) -> bool {
    let solid: Vec<_> = text
        .chars()
        .zip(chars)
        .filter(|(c, _)| !c.is_whitespace())
        .map(|(_, b)| *b)
        .collect();
    solid
        .windows(2)
        .all(|p| !same_line(p[0], p[1]) || p[0].0 < p[1].0)
}

/// Whether the sign (first character) stands left of the word it starts, on its line.
fn sign_on_the_left(chars: &[(f64, f64, f64)]) -> bool {
    same_line(chars[0], chars[1]) && chars[0].1 <= chars[1].0 + 0.5
}

fn one_line(chars: &[(f64, f64, f64)]) -> bool {
    chars.windows(2).all(|p| same_line(p[0], p[1]))
}

#[derive(Debug, Default)]
struct Tally {
    cases: usize,
    wrong_with: Vec<String>,
    wrong_without: Vec<String>,
}

#[test]
fn mixed_runs_read_right_at_phone_and_desktop_widths() {
    let site = Site::sample();
    site.write("content/briefings/air-show.ar.md", article());
    let (_server, addr) = common::Running::serve(&site);
    let url = format!("http://{addr}/briefings/air-show/");
    let strings: Vec<&str> = NAMED
        .iter()
        .chain(SIGNED.iter())
        .map(|(s, _)| *s)
        .chain(HYPHENATED)
        .collect();
    let mut tally = Tally::default();
    for width in [390, 1280] {
        let (scrolls, with) = measure(&url, width, "on", &strings);
        assert!(!scrolls, "the page scrolls sideways at {width} px");
        let (_, without) = measure(&url, width, "off", &strings);
        for (k, text) in strings.iter().enumerate() {
            assert!(!with[k].is_empty(), "{text} is not on the page");
            let judge = |chars: &[(f64, f64, f64)]| match k {
                k if k < NAMED.len() => left_to_right(text, chars),
                k if k < NAMED.len() + SIGNED.len() => sign_on_the_left(chars),
                _ => one_line(chars),
            };
            for (n, (on, off)) in with[k].iter().zip(&without[k]).enumerate() {
                tally.cases += 1;
                let case = format!("{text} #{n} at {width} px");
                if !judge(on) {
                    tally.wrong_with.push(format!("{case}: {on:?}"));
                }
                if !judge(off) {
                    tally.wrong_without.push(case);
                }
            }
        }
    }
    eprintln!(
        "{} cases: {} wrong with isolation, {} without",
        tally.cases,
        tally.wrong_with.len(),
        tally.wrong_without.len()
    );
    assert!(tally.wrong_with.is_empty(), "{:#?}", tally.wrong_with);
    // The baseline is measured as wrong where the plain algorithm is known to be: a sign
    // before a Latin word stands on its right. So the judging can see a wrong layout.
    assert!(
        tally.wrong_without.iter().any(|c| c.starts_with("#BoycottUSA")),
        "{tally:#?}"
    );
}

/// English text and the language button are drawn in the theme's own kinds of type on Linux
/// (a book serif for English prose, a sans for the button), never in the Times clone that
/// the generic serif falls back to; Arabic text in a Naskh.
#[test]
fn both_languages_get_the_type_the_theme_intends() {
    let site = Site::sample();
    let (_server, addr) = common::Running::serve(&site);
    let ar = format!("http://{addr}/briefings/mali-russia-equipment/");
    let en = format!("http://{addr}/en/briefings/mali-russia-equipment/");
    let fonts = |url: &str, selectors: &[&str]| -> Vec<Vec<String>> {
        let mut args = vec![url];
        args.extend(selectors);
        let found = common::browser("fonts.mjs", &args);
        let found = found.as_array().expect("a list");
        found
            .iter()
            .map(|f| {
                let names = f["fonts"].as_array().expect("fonts");
                names
                    .iter()
                    .map(|n| n.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .collect()
    };
    let ar_fonts = fonts(&ar, &[".article__body p", ".lang-switcher a[lang=en]"]);
    let en_fonts = fonts(&en, &[".article__body p", "h1"]);
    let (ar_body, button, en_body, en_title) = (&ar_fonts[0], &ar_fonts[1], &en_fonts[0], &en_fonts[1]);
    assert_eq!(
        ar_body.first().map(String::as_str),
        Some("Noto Naskh Arabic"),
        "{ar_fonts:?}"
    );
    assert_eq!(
        en_body.first().map(String::as_str),
        Some("Noto Serif"),
        "{en_fonts:?}"
    );
    for (what, used) in [("the language button", button), ("the English title", en_title)] {
        let first = used.first().map(String::as_str).unwrap_or("none");
        assert!(
            !first.contains("Serif") && !first.contains("Times") && first != "none",
            "{what} is drawn in {first}: {used:?}"
        );
    }
}
