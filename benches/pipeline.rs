//! The hot paths of a build, one article at a time, on the sample site's Arabic article (the
//! seed story, ~400 words): `cargo bench --bench pipeline`. These guard against regressions;
//! whole builds beside Hugo are measured by `benches/compare.sh`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nashra::config::{Config, Direction};
use nashra::content::{self, front_matter, markdown};
use nashra::render::{self, theme::Theme, ArticleHashes};
use nashra::site::Visibility;

const ARTICLE: &str = "content/briefings/mali-russia-equipment.ar.md";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn article() -> String {
    std::fs::read_to_string(root().join(ARTICLE)).expect("the sample article is readable")
}

fn loading(c: &mut Criterion) {
    let config = Config::load(root()).expect("the sample config loads");
    let text = article();
    let split = front_matter::split(Path::new(ARTICLE), &text).expect("it has front matter");
    let front_only = &text[..text.len() - split.body.len()];
    let relative = Path::new("briefings/mali-russia-equipment.ar.md");
    let mut g = c.benchmark_group("load");
    g.bench_function("front matter: split, parse and check", |b| {
        b.iter(|| content::load(&config, relative, Path::new(ARTICLE), front_only.as_bytes()))
    });
    g.throughput(Throughput::Bytes(split.body.len() as u64));
    g.bench_function("markdown + bidi to HTML (Arabic)", |b| {
        b.iter(|| {
            markdown::render(split.body, markdown::Style::plain(Direction::Rtl), config.slugify).unwrap()
        })
    });
    g.bench_function("word count (Arabic)", |b| {
        let text = markdown::visible_text(split.body);
        b.iter(|| nashra::i18n::word_count(&text))
    });
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("whole article", |b| {
        b.iter(|| content::load(&config, relative, Path::new(ARTICLE), text.as_bytes()))
    });
    g.finish();
}

fn rendering(c: &mut Criterion) {
    let config = Config::load(root()).expect("the sample config loads");
    let (site, _) = nashra::build::load(
        root(),
        config.clone(),
        Visibility {
            drafts: false,
            future: true,
            now: Default::default(),
        },
        nashra::build::BrokenLinks::Fail,
        &nashra::content::Articles::off(),
    )
    .expect("the sample loads");
    let theme = Theme::load(root(), &config, Default::default(), site.now).expect("the default theme loads");
    let media = render::images::plan(root(), &site, &theme.static_files, None).expect("the photos plan");
    let jobs = render::jobs(
        &site,
        &ArticleHashes::new(&site),
        theme.cards.as_deref().map(|c| (c, &media)),
        render::ThemePages::of(&theme),
    );
    let job = jobs
        .iter()
        .find(|j| j.is_article() && j.path.starts_with("briefings/"))
        .expect("the Arabic article is a job");
    let page = render::render_jobs(
        &site,
        &theme,
        render::Photos::uncached(&media),
        std::iter::once(job),
    )
    .expect("it renders");
    let html = match render::article_html(&page[0]) {
        Some((_, html)) => html.to_vec(),
        None => unreachable!("a page is rendered bytes"),
    };
    let mut g = c.benchmark_group("render");
    g.bench_function("article page through the default theme", |b| {
        b.iter(|| {
            render::render_jobs(
                &site,
                &theme,
                render::Photos::uncached(&media),
                std::iter::once(job),
            )
        })
    });
    g.throughput(Throughput::Bytes(html.len() as u64));
    g.bench_function("minify the article page", |b| {
        b.iter(|| nashra::output::minify(&html))
    });
    g.bench_function("search: read the article page for the index", |b| {
        b.iter(|| nashra::search::read("briefings/a/index.html", &html, &nashra::cache::Store::off()))
    });
    g.finish();
}

/// Social cards through the default theme's style: the sample's Arabic headline, and a
/// hostile one (Latin model names, digits, a hashtag and a handle) long enough to shrink.
/// The target is 5 ms a card; a whole build's share is measured by
/// `benches/compare.py` (its "Social cards add" line).
fn cards(c: &mut Criterion) {
    use nashra::media::card::{self, draw, layout, Card};
    let config = Config::load(root()).expect("the sample config loads");
    let theme = Theme::load(root(), &config, Default::default(), Default::default())
        .expect("the default theme loads");
    let style = theme.cards.as_deref().expect("the default theme draws cards");
    let card = |headline| Card {
        headline,
        site: "نشرة الساحل",
        date: Some("٢٠ نوفمبر ٢٠٢٤"),
        lang: "ar",
        rtl: true,
    };
    let sample = card("مالي تتسلم دفعة جديدة من المعدات العسكرية الروسية");
    let hostile = card(
        "روسيا تسلّم مالي دبابات T-72B3 ومقاتلات Su-24M في صفقة بقيمة 2.5 مليار دولار (#الساحل) عبر @MaliGov وسط تحذيرات من ECOWAS",
    );
    let mut g = c.benchmark_group("cards");
    g.bench_function("draw the sample's card", |b| b.iter(|| draw(&sample, style)));
    g.bench_function("draw a long mixed-script card", |b| {
        b.iter(|| draw(&hostile, style))
    });
    g.bench_function("lay out a long mixed-script card", |b| {
        b.iter(|| layout(&hostile, style))
    });
    // A card over a lead photo is drawn on the photo's published 1200 px file (a
    // progressive JPEG at the default quality): decoded and cropped, then drawn and encoded.
    let settings = nashra::media::Settings::default();
    let (width, height) = (1200, 800);
    let file = nashra::media::jpeg(&photo_like(width, height), width, height, settings.quality, true)
        .expect("the stand-in photo encodes");
    let backdrop = || nashra::media::cover(&file, card::WIDTH, card::HEIGHT, &settings);
    let pixels = backdrop().expect("the stand-in photo decodes");
    g.bench_function("cover a card with a photo's 1200 px file", |b| b.iter(backdrop));
    g.bench_function("draw the sample's card over ready pixels", |b| {
        b.iter(|| card::draw_on_photo(&sample, style, Some(pixels.clone()), 82))
    });
    g.finish();
}

/// RGB pixels with a photo's mix of smooth areas and fine detail (gradients under a
/// deterministic grain), so its JPEG costs what a photo's does to decode.
fn photo_like(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let mut grain = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 24) as u8
    };
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            let base = [
                180.0 * fx + 40.0,
                120.0 * fy + 60.0,
                90.0 * (fx * fy).sqrt() + 80.0,
            ];
            rgb.extend(base.map(|v| (v as u8).saturating_add(grain())));
        }
    }
    rgb
}

criterion_group!(benches, loading, rendering, cards);
criterion_main!(benches);
