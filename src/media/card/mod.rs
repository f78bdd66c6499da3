//! Social cards: the 1200×630 picture a link preview shows, with the headline set in the
//! theme's own fonts — bidi-ordered, shaped as HarfBuzz shapes it, broken at spaces, shrunk
//! to fit two to four lines and cut with an ellipsis only when even the smallest size will
//! not hold it — the site's name and the date. A pure function of (text, style): the same
//! card gives the same bytes on any machine, whatever fonts it has.

mod raster;
mod shape;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Direction;
use crate::content::bidi::foreign_runs;

pub use raster::Rgb;
use raster::{Canvas, Photo, Surface};
use shape::{Faces, Paragraph};
pub use shape::{Font, Line};

/// The card's size: what Open Graph and X's large summary card ask for (the width even: the
/// PNG packs two pixels a byte).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// Space kept clear at the card's sides, and the accent stripe on the side text starts.
const MARGIN: f32 = 80.0;
const STRIPE: f32 = 14.0;
/// Where the site's name and the date sit, and the band the headline is centred in.
const SITE_BASELINE: f32 = 100.0;
const SITE_SIZE: f32 = 30.0;
const RULE_Y: f32 = 126.0;
const RULE_WIDTH: f32 = 96.0;
const DATE_BASELINE: f32 = 566.0;
const DATE_SIZE: f32 = 28.0;
const HEADLINE_TOP: f32 = 150.0;
const HEADLINE_BOTTOM: f32 = 520.0;

/// `[card]` in `theme.toml`: the card's colours and fonts. Fonts are files in the theme's
/// folder, tried in order for each character: the first whose `scripts` include the
/// character's script and that has its glyph (no `scripts`: any).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CardToml {
    pub background: String,
    pub text: String,
    pub muted: String,
    pub accent: String,
    pub fonts: Vec<FontToml>,
    /// The headline's largest size, in pixels; it shrinks from there to `min_size`.
    #[serde(default = "default_size")]
    pub size: f32,
    #[serde(default = "default_min_size")]
    pub min_size: f32,
    /// The most lines the headline may take.
    #[serde(default = "default_lines")]
    pub lines: usize,
    /// Whether an article whose lead image is a photo gets a card drawn over it (a JPEG)
    /// rather than the flat one.
    #[serde(default)]
    pub photo: bool,
    /// How much of `background` is laid over the photo, 0 to 1: what keeps the text readable
    /// on a bright photo.
    #[serde(default = "default_scrim")]
    pub scrim: f32,
}

fn default_size() -> f32 {
    68.0
}
fn default_min_size() -> f32 {
    44.0
}
fn default_lines() -> usize {
    4
}
fn default_scrim() -> f32 {
    0.7
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FontToml {
    pub file: String,
    #[serde(default)]
    pub scripts: Vec<String>,
}

/// A theme's cards, ready to draw: colours parsed, fonts read.
#[derive(Debug)]
pub struct Style {
    pub background: Rgb,
    pub text: Rgb,
    pub muted: Rgb,
    pub accent: Rgb,
    pub fonts: Vec<Font>,
    pub size: f32,
    pub min_size: f32,
    pub lines: usize,
    pub photo: bool,
    pub scrim: f32,
}

impl Style {
    /// The style `toml` describes, with `read` giving each font file's bytes; what is wrong
    /// with it, as a sentence, otherwise.
    pub fn new(
        toml: &CardToml,
        mut read: impl FnMut(&str) -> Result<Vec<u8>, String>,
    ) -> Result<Self, String> {
        let colour = |name: &str, value: &str| {
            parse_colour(value).ok_or_else(|| {
                format!("`card.{name} = \"{value}\"` is not a colour: write it as \"#rrggbb\"")
            })
        };
        if toml.fonts.is_empty() {
            return Err("`[card]` names no fonts: add `[[card.fonts]]` with a `file`".into());
        }
        if !(toml.min_size >= 8.0 && toml.min_size <= toml.size && toml.size <= 200.0) {
            return Err(format!(
                "`card.size = {}` and `card.min_size = {}` must satisfy 8 ≤ min_size ≤ size ≤ 200",
                toml.size, toml.min_size
            ));
        }
        if !(1..=6).contains(&toml.lines) {
            return Err(format!("`card.lines = {}` must be 1 to 6", toml.lines));
        }
        if !(0.0..=1.0).contains(&toml.scrim) {
            return Err(format!(
                "`card.scrim = {}` must be 0 to 1 (how much of the background covers the photo)",
                toml.scrim
            ));
        }
        let mut fonts = Vec::new();
        for f in &toml.fonts {
            let data: Arc<[u8]> = read(&f.file)?.into();
            if rustybuzz::Face::from_slice(&data, 0).is_none() {
                return Err(format!(
                    "the card font `{}` is not a font nashra can read: use a TrueType or OpenType file (.ttf, .otf)",
                    f.file
                ));
            }
            fonts.push(Font {
                name: f.file.clone(),
                key: xxhash_rust::xxh3::xxh3_64(&data),
                data,
                scripts: f.scripts.clone(),
            });
        }
        Ok(Style {
            background: colour("background", &toml.background)?,
            text: colour("text", &toml.text)?,
            muted: colour("muted", &toml.muted)?,
            accent: colour("accent", &toml.accent)?,
            fonts,
            size: toml.size,
            min_size: toml.min_size,
            lines: toml.lines,
            photo: toml.photo,
            scrim: toml.scrim,
        })
    }
}

/// `#rrggbb` → its bytes.
fn parse_colour(value: &str) -> Option<Rgb> {
    let hex = value.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// What a card shows.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    pub headline: &'a str,
    pub site: &'a str,
    /// The date as the page writes it, in the language's digits.
    pub date: Option<&'a str>,
    pub lang: &'a str,
    pub rtl: bool,
}

/// Where everything on a card went: what `nashra card --layout` prints, and what the
/// raster draws.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    /// The fonts as the theme names them; a run's `font` indexes this.
    pub fonts: Vec<String>,
    /// The headline's size in pixels.
    pub size: f32,
    pub line_height: f32,
    /// How far below a line's middle its baseline is, in pixels.
    pub baseline: f32,
    pub headline: Vec<Line>,
    pub site: Line,
    pub date: Option<Line>,
    /// Whether the headline was cut with an ellipsis: too long even at the smallest size.
    pub truncated: bool,
    /// Characters none of the fonts has (drawn as the font's empty box).
    pub missing: Vec<char>,
}

/// A drawn card: its PNG and its layout.
pub struct Drawn {
    pub png: Vec<u8>,
    pub layout: Layout,
}

/// A headline as a card sets it: whitespace runs made one space, and each run of the other
/// direction (`T-72B3`, `@MaliGov` in Arabic) isolated, as pages isolate it with `<bdi>`,
/// so it keeps its own order and cannot pull its neighbours' digits and punctuation in.
fn prepared(text: &str, rtl: bool) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let page = if rtl { Direction::Rtl } else { Direction::Ltr };
    let (open, close) = (if rtl { '\u{2066}' } else { '\u{2067}' }, '\u{2069}');
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for run in foreign_runs(&text, page) {
        out.push_str(&text[at..run.start]);
        out.push(open);
        out.push_str(&text[run.clone()]);
        out.push(close);
        at = run.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Lays `card` out in `style`.
pub fn layout(card: &Card, style: &Style) -> Result<Layout, String> {
    let faces = Faces::new(&style.fonts).ok_or("a card font cannot be read")?;
    Ok(lay_out(&faces, card, style))
}

fn lay_out(faces: &Faces, card: &Card, style: &Style) -> Layout {
    let headline = prepared(card.headline, card.rtl);
    let paragraph = Paragraph::new(faces, &headline, card.rtl, card.lang);
    let inner = WIDTH as f32 - 2.0 * MARGIN - STRIPE;
    let band = HEADLINE_BOTTOM - HEADLINE_TOP;
    let used = paragraph.fonts_used();
    let height_em = line_height_em(faces, &used);
    let mut size = style.size;
    let (lines, truncated) = loop {
        let lines = paragraph.break_lines(inner / size);
        let room = ((band / (size * height_em)) as usize).clamp(1, style.lines);
        let fits = lines.len() <= room && paragraph.widest_word() <= inner / size;
        if fits {
            break (lines, None);
        }
        if size - 2.0 < style.min_size {
            break (lines, Some(room));
        }
        size -= 2.0;
    };
    let set = |range: std::ops::Range<usize>| paragraph.line(faces, range, size);
    let mut out: Vec<Line> = Vec::new();
    let truncated = match truncated {
        None => {
            out.extend(lines.into_iter().map(set));
            false
        }
        Some(room) => {
            let keep = lines.len().min(room);
            for (n, range) in lines.iter().take(keep).enumerate() {
                let rest = range.start..headline.len();
                let last = n + 1 == keep;
                let line = set(range.clone());
                if last || line.width > inner {
                    let range = if last { rest } else { range.clone() };
                    let text = paragraph.cut(faces, range, inner / size);
                    let cut = Paragraph::unmeasured(faces, &text, card.rtl, card.lang);
                    out.push(cut.line(faces, 0..text.len(), size));
                } else {
                    out.push(line);
                }
            }
            true
        }
    };
    let single = |text: &str, size: f32| {
        let text = prepared(text, card.rtl);
        let p = Paragraph::unmeasured(faces, &text, card.rtl, card.lang);
        (p.line(faces, 0..text.len(), size), p.missing)
    };
    let (site, mut missing) = single(card.site, SITE_SIZE);
    let date = card.date.map(|d| single(d, DATE_SIZE));
    for c in paragraph.missing.iter().chain(date.iter().flat_map(|(_, m)| m)) {
        if !missing.contains(c) {
            missing.push(*c);
        }
    }
    Layout {
        width: WIDTH,
        height: HEIGHT,
        fonts: style.fonts.iter().map(|f| f.name.clone()).collect(),
        size,
        line_height: size * height_em,
        baseline: baseline_offset(faces, used.first().copied().unwrap_or(0), size),
        headline: out,
        site,
        date: date.map(|(line, _)| line),
        truncated,
        missing,
    }
}

/// The height of a line in ems: the tallest ascender-to-descender of the fonts it is set
/// in, so marks above and below Arabic letters never touch the next line.
fn line_height_em(faces: &Faces, used: &[usize]) -> f32 {
    used.iter()
        .map(|&f| {
            let f = &faces.faces[f];
            f32::from(f.ascender() - f.descender()) / f.units_per_em() as f32
        })
        .fold(1.2, f32::max)
}

/// How far below a line's middle the baseline of font `font` at `size` goes, so that its
/// ascender and descender are centred on the middle.
fn baseline_offset(faces: &Faces, font: usize, size: f32) -> f32 {
    let f = &faces.faces[font];
    let (a, d) = (f32::from(f.ascender()), f32::from(f.descender()));
    size * (a + d) / 2.0 / f.units_per_em() as f32
}

/// Draws `card` in `style`: a palette PNG and where everything went.
pub fn draw(card: &Card, style: &Style) -> Result<Drawn, String> {
    let faces = Faces::new(&style.fonts).ok_or("a card font cannot be read")?;
    let layout = lay_out(&faces, card, style);
    let mut canvas = Canvas::new(WIDTH, HEIGHT, style.background);
    paint(&mut canvas, &faces, &layout, card, style);
    Ok(Drawn {
        png: canvas.png()?,
        layout,
    })
}

/// Draws `card` in `style` over `photo` (RGB, [`WIDTH`] × [`HEIGHT`]) under the style's
/// scrim: a JPEG of `quality`, the photo's own kind of file. No photo: the flat card, as a
/// JPEG.
pub fn draw_on_photo(
    card: &Card,
    style: &Style,
    photo: Option<Vec<u8>>,
    quality: u8,
) -> Result<Vec<u8>, String> {
    let faces = Faces::new(&style.fonts).ok_or("a card font cannot be read")?;
    let layout = lay_out(&faces, card, style);
    let (pixels, scrim) = match photo {
        Some(pixels) => (pixels, style.scrim),
        None => (Vec::new(), 1.0),
    };
    let mut canvas = Photo::new(WIDTH, HEIGHT, pixels, style.background, scrim);
    paint(&mut canvas, &faces, &layout, card, style);
    canvas.jpeg(quality)
}

/// Draws `layout` of `card` on `canvas`: the stripe, the rule, the site's name, the headline
/// and the date.
fn paint<S: Surface>(canvas: &mut S, faces: &Faces, layout: &Layout, card: &Card, style: &Style) {
    let accent = canvas.solid(style.accent);
    let muted = canvas.text_ink(style.muted);
    let text = canvas.text_ink(style.text);
    let w = WIDTH as f32;
    // Text starts at the right in a right-to-left language, at the left otherwise.
    let start = |width: f32| match card.rtl {
        true => w - MARGIN - STRIPE - width,
        false => MARGIN + STRIPE,
    };
    let stripe = if card.rtl { WIDTH - STRIPE as u32 } else { 0 };
    canvas.rect(accent, stripe, 0, STRIPE as u32, HEIGHT);
    canvas.rect(
        accent,
        start(RULE_WIDTH) as u32,
        RULE_Y as u32,
        RULE_WIDTH as u32,
        6,
    );
    // A single line's band: room for the tallest marks above and below.
    let band = |baseline: f32, size: f32| (baseline - 1.4 * size, baseline + 0.8 * size);
    let site = &layout.site;
    let at = band(SITE_BASELINE, SITE_SIZE);
    canvas.text(
        faces,
        site,
        SITE_SIZE,
        muted,
        start(site.width),
        SITE_BASELINE,
        at,
    );
    if let Some(date) = &layout.date {
        let at = band(DATE_BASELINE, DATE_SIZE);
        canvas.text(
            faces,
            date,
            DATE_SIZE,
            muted,
            start(date.width),
            DATE_BASELINE,
            at,
        );
    }
    let block = layout.headline.len() as f32 * layout.line_height;
    let top = HEADLINE_TOP + (HEADLINE_BOTTOM - HEADLINE_TOP - block) / 2.0;
    for (n, line) in layout.headline.iter().enumerate() {
        let line_top = top + n as f32 * layout.line_height;
        let baseline = line_top + layout.line_height / 2.0 + layout.baseline;
        let at = (line_top, line_top + layout.line_height);
        canvas.text(faces, line, layout.size, text, start(line.width), baseline, at);
    }
}
