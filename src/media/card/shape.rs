//! Text → shaped lines: the paragraph's bidi levels (`unicode-bidi`), each character given
//! to the first of the theme's fonts that covers its script and has its glyph, words
//! measured once in ems so any size is a multiplication, lines broken at spaces only (so
//! `T-72B3` never breaks at its hyphen), and each line shaped by `rustybuzz` run by run in
//! visual order: what the raster draws, and what `nashra card --layout` shows.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use rustybuzz::{Direction, Face, Language, ShapePlan, UnicodeBuffer};
use serde::Serialize;
use unicode_bidi::{BidiInfo, Level};
use unicode_script::{Script, UnicodeScript};

/// One of the theme's card fonts, read once per build.
#[derive(Debug)]
pub struct Font {
    /// How the theme names it (`fonts/NotoSans-Bold.ttf`), for diagnostics and `--layout`.
    pub name: String,
    pub data: Arc<[u8]>,
    /// The scripts it is chosen for (`Arabic`, `Latin`): none means any.
    pub scripts: Vec<String>,
    /// A hash of `data`.
    pub key: u64,
}

/// The parsed fonts of one card: a [`Face`] borrows its font's bytes, so these live only
/// while a card is laid out and drawn.
pub struct Faces<'f> {
    pub faces: Vec<Face<'f>>,
    fonts: &'f [Font],
}

/// A shaping plan's key: (font's [`Font::key`], right to left, script, language).
type PlanKey = (u64, bool, Option<rustybuzz::Script>, String);

thread_local! {
    /// Shaping plans made so far on this thread: making one compiles the font's lookups for
    /// the script, several times the cost of shaping a headline with it, and every card of
    /// a language needs the same two or three.
    static PLANS: RefCell<Vec<(PlanKey, Rc<ShapePlan>)>> = RefCell::default();
}

impl<'f> Faces<'f> {
    /// Parses `fonts`; the theme checked once that every one parses.
    pub fn new(fonts: &'f [Font]) -> Option<Self> {
        let faces = fonts
            .iter()
            .map(|f| Face::from_slice(&f.data, 0))
            .collect::<Option<Vec<_>>>()?;
        Some(Faces { faces, fonts })
    }

    /// The plan for shaping with `font` in direction `rtl`, script `script`, language `lang`.
    fn plan(&self, font: usize, rtl: bool, script: Option<rustybuzz::Script>, lang: &str) -> Rc<ShapePlan> {
        let key = (self.key(font), rtl, script, lang.to_string());
        PLANS.with_borrow_mut(|plans| {
            if let Some((_, plan)) = plans.iter().find(|(k, _)| *k == key) {
                return Rc::clone(plan);
            }
            let language = lang.parse::<Language>().ok();
            let face = &self.faces[font];
            let plan = Rc::new(ShapePlan::new(
                face,
                direction(rtl),
                script,
                language.as_ref(),
                &[],
            ));
            plans.push((key, Rc::clone(&plan)));
            plan
        })
    }

    fn has(&self, font: usize, c: char) -> bool {
        self.faces[font].glyph_index(c).is_some()
    }

    fn serves(&self, font: usize, script: Script) -> bool {
        let scripts = &self.fonts[font].scripts;
        scripts.is_empty() || scripts.iter().any(|s| s.eq_ignore_ascii_case(script.full_name()))
    }

    /// The font for `c`, a character of a script of its own: the first that is for its script
    /// and has it, else the first that has it; `None` when no font has it.
    fn strong(&self, c: char, script: Script) -> Option<usize> {
        let all = 0..self.faces.len();
        let mut by_script = all.clone().filter(|&f| self.serves(f, script));
        by_script
            .find(|&f| self.has(f, c))
            .or_else(|| all.clone().find(|&f| self.has(f, c)))
    }

    /// The font of each byte of `text`, and the characters no font has. A character of a
    /// script of its own goes to [`Faces::strong`]'s font. Characters of none (digits,
    /// punctuation, symbols) go in unbroken stretches to the font before them when it has
    /// them all, else to the first font that has them all, so `2.5` or `(#` is never set in
    /// two fonts; spaces and invisible controls (bidi isolates, joiners) keep the font before.
    pub fn assign(&self, text: &str) -> (Vec<usize>, Vec<char>) {
        let mut fonts = Vec::with_capacity(text.len());
        let mut missing = Vec::new();
        let mut last = text
            .chars()
            .find_map(|c| strong_script(c).and_then(|s| self.strong(c, s)))
            .unwrap_or(0);
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some(script) = strong_script(c) {
                let font = self.strong(c, script).unwrap_or_else(|| {
                    note(&mut missing, c);
                    last
                });
                last = font;
                fonts.extend(std::iter::repeat_n(font, c.len_utf8()));
                i += 1;
                continue;
            }
            if c.is_whitespace() || invisible(c) {
                fonts.extend(std::iter::repeat_n(last, c.len_utf8()));
                i += 1;
                continue;
            }
            let end = (i..chars.len())
                .find(|&j| {
                    strong_script(chars[j]).is_some() || chars[j].is_whitespace() || invisible(chars[j])
                })
                .unwrap_or(chars.len());
            let stretch = &chars[i..end];
            let all = |f: usize| stretch.iter().all(|&c| self.has(f, c));
            match std::iter::once(last).chain(0..self.faces.len()).find(|&f| all(f)) {
                Some(font) => {
                    last = font;
                    let bytes: usize = stretch.iter().map(|c| c.len_utf8()).sum();
                    fonts.extend(std::iter::repeat_n(font, bytes));
                }
                None => {
                    for &c in stretch {
                        let font = std::iter::once(last)
                            .chain(0..self.faces.len())
                            .find(|&f| self.has(f, c));
                        let font = font.unwrap_or_else(|| {
                            note(&mut missing, c);
                            last
                        });
                        last = font;
                        fonts.extend(std::iter::repeat_n(font, c.len_utf8()));
                    }
                }
            }
            i = end;
        }
        (fonts, missing)
    }

    /// A hash of font `font`'s bytes: what keys its drawn glyphs across cards and builds.
    pub fn key(&self, font: usize) -> u64 {
        self.fonts[font].key
    }

    /// The em of font `font` in its own units.
    fn upem(&self, font: usize) -> f32 {
        self.faces[font].units_per_em() as f32
    }
}

/// Records `c` as a character no font has, once.
fn note(missing: &mut Vec<char>, c: char) {
    if !c.is_control() && !missing.contains(&c) {
        missing.push(c);
    }
}

/// Characters that are never drawn, so need no glyph: bidi marks and isolates, joiners,
/// the byte order mark (HarfBuzz sets them with no advance).
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A character's script when it has one of its own (not Common or Inherited).
fn strong_script(c: char) -> Option<Script> {
    match c.script() {
        Script::Common | Script::Inherited | Script::Unknown => None,
        s => Some(s),
    }
}

/// A line of a card's text as drawn: its runs in visual order, left to right.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The line's text in logical order.
    pub text: String,
    pub runs: Vec<Run>,
    /// The line's width at the size it is set in, in pixels.
    pub width: f32,
}

/// Text of one direction in one font, shaped.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub text: String,
    /// Index into the card's fonts.
    pub font: usize,
    pub direction: &'static str,
    /// ISO 15924 (`Arab`, `Latn`), as the shaper was told.
    pub script: String,
    pub language: String,
    /// In visual order, as HarfBuzz returns them; positions in font units.
    pub glyphs: Vec<Glyph>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Glyph {
    pub id: u32,
    pub cluster: u32,
    pub x_advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
}

/// A paragraph's text read once: bidi levels, fonts, and its words measured in ems.
pub struct Paragraph<'t> {
    text: &'t str,
    bidi: BidiInfo<'t>,
    fonts: Vec<usize>,
    pub missing: Vec<char>,
    /// Each word's byte range and width in ems.
    words: Vec<(Range<usize>, f32)>,
    space: f32,
    lang: &'t str,
}

impl<'t> Paragraph<'t> {
    /// Reads `text` (whitespace already made single spaces) in a paragraph of direction `rtl`,
    /// each word measured for [`Paragraph::break_lines`].
    pub fn new(faces: &Faces, text: &'t str, rtl: bool, lang: &'t str) -> Self {
        let mut paragraph = Self::unmeasured(faces, text, rtl, lang);
        let mut at = 0;
        for word in text.split(' ') {
            let range = at..at + word.len();
            at = range.end + 1;
            if !word.is_empty() {
                let width = paragraph.measure(faces, range.clone());
                paragraph.words.push((range, width));
            }
        }
        let space_font = paragraph.fonts.first().copied().unwrap_or(0);
        let space = shape(faces, " ", space_font, false, lang);
        paragraph.space = advance(&space.glyphs) / faces.upem(space_font);
        paragraph
    }

    /// `text` read for setting as one line ([`Paragraph::line`]): bidi levels and fonts, no
    /// word measured.
    pub fn unmeasured(faces: &Faces, text: &'t str, rtl: bool, lang: &'t str) -> Self {
        let level = if rtl { Level::rtl() } else { Level::ltr() };
        let (fonts, missing) = faces.assign(text);
        Paragraph {
            text,
            bidi: BidiInfo::new(text, Some(level)),
            fonts,
            missing,
            words: Vec::new(),
            space: 0.0,
            lang,
        }
    }

    /// The width in ems of `range` of the text, shaped run by run.
    fn measure(&self, faces: &Faces, range: Range<usize>) -> f32 {
        self.visual(faces, range)
            .iter()
            .map(|r| advance(&r.glyphs) / faces.upem(r.font))
            .sum()
    }

    /// The text's words broken into lines no wider than `width` ems: each line as the byte
    /// range of its words, greedily (a word wider than a line has one to itself).
    pub fn break_lines(&self, width: f32) -> Vec<Range<usize>> {
        let mut lines: Vec<(Range<usize>, f32)> = Vec::new();
        for (range, w) in &self.words {
            match lines.last_mut() {
                Some((line, used)) if *used + self.space + w <= width => {
                    line.end = range.end;
                    *used += self.space + w;
                }
                _ => lines.push((range.clone(), *w)),
            }
        }
        lines.into_iter().map(|(r, _)| r).collect()
    }

    /// The fonts the text is set in, the one of its first character first.
    pub fn fonts_used(&self) -> Vec<usize> {
        let mut used: Vec<usize> = Vec::new();
        for &f in &self.fonts {
            if !used.contains(&f) {
                used.push(f);
            }
        }
        used
    }

    /// The width in ems of the widest word.
    pub fn widest_word(&self) -> f32 {
        self.words.iter().map(|(_, w)| *w).fold(0.0, f32::max)
    }

    /// The line `range` cut at a word so that it and an ellipsis fit `width` ems: the text to
    /// set (the line's own words, then `…`); a single word too wide is cut at a character.
    pub fn cut(&self, faces: &Faces, range: Range<usize>, width: f32) -> String {
        let ends: Vec<usize> = self
            .words
            .iter()
            .filter(|(r, _)| r.start >= range.start && r.end <= range.end)
            .map(|(r, _)| r.end)
            .collect();
        for &end in ends.iter().skip(1).rev() {
            let text = format!("{} …", &self.text[range.start..end]);
            if self.width_of(faces, &text) <= width {
                return text;
            }
        }
        let first = ends.first().map_or(range.end, |&end| end);
        let mut word = self.text[range.start..first].to_string();
        while word.pop().is_some() {
            let text = format!("{word}…");
            if self.width_of(faces, &text) <= width {
                return text;
            }
        }
        "…".to_string()
    }

    /// The width in ems of `text` set as a line of this paragraph.
    fn width_of(&self, faces: &Faces, text: &str) -> f32 {
        let rtl = self.bidi.paragraphs.first().is_some_and(|p| p.level.is_rtl());
        Paragraph::unmeasured(faces, text, rtl, self.lang).measure(faces, 0..text.len())
    }

    /// The line `range` shaped, its runs in visual order, at `size` pixels.
    pub fn line(&self, faces: &Faces, range: Range<usize>, size: f32) -> Line {
        let runs = self.visual(faces, range.clone());
        let width = runs
            .iter()
            .map(|r| advance(&r.glyphs) * size / faces.upem(r.font))
            .sum();
        Line {
            text: self.text[range].to_string(),
            runs,
            width,
        }
    }

    /// The runs of `range` in visual order: the bidi runs of the line reordered (rule L2),
    /// each cut where its font changes, those pieces reversed in a right-to-left run.
    fn visual(&self, faces: &Faces, range: Range<usize>) -> Vec<Run> {
        let Some(para) = self.bidi.paragraphs.first() else {
            return Vec::new();
        };
        let (levels, runs) = self.bidi.visual_runs(para, range);
        let mut out = Vec::new();
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let mut pieces = Vec::new();
            let mut start = run.start;
            for (at, _) in self.text[run.clone()].char_indices() {
                let at = run.start + at;
                if self.fonts[at] != self.fonts[start] {
                    pieces.push(start..at);
                    start = at;
                }
            }
            pieces.push(start..run.end);
            if rtl {
                pieces.reverse();
            }
            // Isolates and marks alone draw nothing: no run for them.
            let drawn = |p: &Range<usize>| !self.text[p.clone()].chars().all(invisible);
            for piece in pieces.into_iter().filter(drawn) {
                let font = self.fonts[piece.start];
                out.push(shape(faces, &self.text[piece], font, rtl, self.lang));
            }
        }
        out
    }
}

/// The advance of `glyphs` in font units.
fn advance(glyphs: &[Glyph]) -> f32 {
    glyphs.iter().map(|g| g.x_advance as f32).sum()
}

/// `text`, all of one direction and font, shaped by `rustybuzz` as HarfBuzz would with its
/// script (that of its first character of a script of its own) and the page's language.
pub fn shape(faces: &Faces, text: &str, font: usize, rtl: bool, lang: &str) -> Run {
    let script = text.chars().find_map(strong_script).unwrap_or(Script::Common);
    let tag = script.short_name();
    let hb_script =
        rustybuzz::Script::from_iso15924_tag(rustybuzz::ttf_parser::Tag::from_bytes_lossy(tag.as_bytes()));
    let language = lang.parse::<Language>().ok();
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(direction(rtl));
    if let Some(s) = hb_script {
        buffer.set_script(s);
    }
    if let Some(language) = language {
        buffer.set_language(language);
    }
    let plan = faces.plan(font, rtl, hb_script, lang);
    let shaped = rustybuzz::shape_with_plan(&faces.faces[font], &plan, buffer);
    let glyphs = shaped
        .glyph_infos()
        .iter()
        .zip(shaped.glyph_positions())
        .map(|(info, pos)| Glyph {
            id: info.glyph_id,
            cluster: info.cluster,
            x_advance: pos.x_advance,
            x_offset: pos.x_offset,
            y_offset: pos.y_offset,
        })
        .collect();
    Run {
        text: text.to_string(),
        font,
        direction: if rtl { "rtl" } else { "ltr" },
        script: tag.to_string(),
        language: lang.to_string(),
        glyphs,
    }
}

fn direction(rtl: bool) -> Direction {
    match rtl {
        true => Direction::RightToLeft,
        false => Direction::LeftToRight,
    }
}
