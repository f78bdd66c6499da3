//! Shaped lines → pixels → an indexed PNG. The card is drawn straight into palette indices:
//! the background is index 0, a solid shape is one index, and a line of text is filled
//! anti-aliased (`tiny-skia`) into a mask the size of the line alone, whose coverage then
//! picks one of a few dozen steps from the background to the text's colour. No full-size
//! RGBA picture, no quantiser, at most 256 colours: a palette PNG of 10–25 KB that every
//! platform reads, made in well under a millisecond (a card is drawn for every article).
//! A card over a photo is drawn into RGB pixels from the same coverage instead, and is a JPEG.

use tiny_skia::{FillRule, Mask, PathBuilder, Transform};

use super::shape::{Faces, Line};

/// A colour as `#rrggbb`.
pub type Rgb = [u8; 3];

/// Steps from the background to a text colour. Seven keep the edges of 28–68 px type smooth
/// and let the whole card (background, accent, two text colours) fit 16 colours: four bits a
/// pixel, which halves the file (20,000 cards are a site's largest files after its photos).
const STEPS: u8 = 7;

/// A card being drawn: a palette index per pixel, row by row.
pub struct Canvas {
    width: u32,
    height: u32,
    indices: Vec<u8>,
    background: Rgb,
    palette: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, background: Rgb) -> Self {
        // The last card's pixels, cleared: a fresh 750 KB a card was mostly page faults.
        let mut indices = SPARE.take();
        indices.clear();
        indices.resize(width as usize * height as usize, 0);
        Canvas {
            width,
            height,
            indices,
            background,
            palette: background.to_vec(),
        }
    }

    fn entries(&self) -> u8 {
        u8::try_from(self.palette.len() / 3).unwrap_or(u8::MAX)
    }

    fn row(&mut self, y: u32) -> &mut [u8] {
        let start = y as usize * self.width as usize;
        &mut self.indices[start..start + self.width as usize]
    }
}

/// What a card is drawn on: the flat [`Canvas`] or a [`Photo`]. Both take the same shapes
/// and the same glyph coverage ([`Surface::text`]); only how coverage becomes colour differs.
pub trait Surface {
    /// A colour as the surface draws it.
    type Ink: Copy;

    /// The surface's width and height.
    fn size(&self) -> (u32, u32);

    /// A colour for solid shapes.
    fn solid(&mut self, colour: Rgb) -> Self::Ink;

    /// A colour for text, laid over what is below by coverage.
    fn text_ink(&mut self, colour: Rgb) -> Self::Ink;

    /// Fills the rectangle at whole pixels `x`, `y` of `width` × `height` with `ink`.
    fn rect(&mut self, ink: Self::Ink, x: u32, y: u32, width: u32, height: u32);

    /// Lays `ink` over the surface as much as `mask` covers each pixel.
    fn paint(&mut self, ink: Self::Ink, mask: &Coverage);

    /// Sets `line` at `size` pixels in `ink`, its left end at `x`, its baseline at `y`, and
    /// nothing outside `band` (top, bottom).
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        faces: &Faces,
        line: &Line,
        size: f32,
        ink: Self::Ink,
        x: f32,
        y: f32,
        band: (f32, f32),
    ) {
        if let Some(mask) = Coverage::of(faces, line, size, x, y, band, self.size()) {
            self.paint(ink, &mask);
        }
    }
}

impl Surface for Canvas {
    /// A solid colour's index, or a text colour's first step.
    type Ink = u8;

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn solid(&mut self, colour: Rgb) -> u8 {
        let ink = self.entries();
        self.palette.extend(colour);
        ink
    }

    /// [`STEPS`] entries, the background mixed with more and more of the colour.
    fn text_ink(&mut self, colour: Rgb) -> u8 {
        let ink = self.entries();
        let steps = u16::from(STEPS);
        for step in 1..=steps {
            for (b, c) in self.background.iter().zip(colour) {
                let mixed = (u16::from(*b) * (steps - step) + u16::from(c) * step + steps / 2) / steps;
                self.palette.push(u8::try_from(mixed).unwrap_or(u8::MAX));
            }
        }
        ink
    }

    fn rect(&mut self, ink: u8, x: u32, y: u32, width: u32, height: u32) {
        let (x_end, y_end) = ((x + width).min(self.width), (y + height).min(self.height));
        for y in y..y_end {
            let row = self.row(y);
            row[x.min(x_end) as usize..x_end as usize].fill(ink);
        }
    }

    /// Coverage → the ink's step (`c × STEPS / 255`, rounded), 0 for none (the background
    /// shows). Branch-free arithmetic, not a table lookup behind a branch, so that the
    /// compiler may run it several pixels at a time: most of a line's mask is empty.
    fn paint(&mut self, ink: u8, mask: &Coverage) {
        let steps = u16::from(STEPS);
        for (y, cover) in mask.rows() {
            let row = self.row(y);
            for (index, &c) in row[mask.left as usize..].iter_mut().zip(cover) {
                let x = u16::from(c) * steps + 127;
                // x / 255, exact for any x below 65,535.
                let step = ((x + 1 + (x >> 8)) >> 8) as u8;
                let inked = if step == 0 { 0 } else { ink.wrapping_add(step - 1) };
                *index = if c == 0 { *index } else { inked };
            }
        }
    }
}

/// A card drawn over a photo: RGB pixels, row by row, text blended in by its exact coverage.
pub struct Photo {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Photo {
    /// `rgb` (`width` × `height`, three bytes a pixel) with `background` laid over it at
    /// `scrim` (0 to 1) opacity, so light text stays readable on any photo.
    pub fn new(width: u32, height: u32, mut rgb: Vec<u8>, background: Rgb, scrim: f32) -> Self {
        rgb.resize(width as usize * height as usize * 3, 0);
        let over = (scrim.clamp(0.0, 1.0) * 255.0).round() as u8;
        // Each channel's 256 blends, worked out once rather than for each of 756,000 bytes.
        let table = background.map(|b| std::array::from_fn::<u8, 256, _>(|c| blend(c as u8, b, over)));
        for px in rgb.chunks_exact_mut(3) {
            for (c, table) in px.iter_mut().zip(&table) {
                *c = table[usize::from(*c)];
            }
        }
        Photo { width, height, rgb }
    }

    /// The card as a baseline JPEG of `quality`, with no metadata.
    pub fn jpeg(&self, quality: u8) -> Result<Vec<u8>, String> {
        crate::media::jpeg(&self.rgb, self.width, self.height, quality, false)
    }
}

/// `under` with `over` laid on it at `alpha` of 255, rounded.
fn blend(under: u8, over: u8, alpha: u8) -> u8 {
    let (u, o, a) = (u32::from(under), u32::from(over), u32::from(alpha));
    u8::try_from((u * (255 - a) + o * a + 127) / 255).unwrap_or(u8::MAX)
}

impl Surface for Photo {
    type Ink = Rgb;

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn solid(&mut self, colour: Rgb) -> Rgb {
        colour
    }

    fn text_ink(&mut self, colour: Rgb) -> Rgb {
        colour
    }

    fn rect(&mut self, ink: Rgb, x: u32, y: u32, width: u32, height: u32) {
        let (x_end, y_end) = ((x + width).min(self.width), (y + height).min(self.height));
        for y in y..y_end {
            let row = (y * self.width) as usize * 3;
            let span = &mut self.rgb[row + x.min(x_end) as usize * 3..row + x_end as usize * 3];
            for px in span.chunks_exact_mut(3) {
                px.copy_from_slice(&ink);
            }
        }
    }

    fn paint(&mut self, ink: Rgb, mask: &Coverage) {
        let width = self.width as usize;
        for (y, cover) in mask.rows() {
            let row = (y as usize * width + mask.left as usize) * 3;
            for (px, &c) in self.rgb[row..].chunks_exact_mut(3).zip(cover) {
                for (p, i) in px.iter_mut().zip(ink) {
                    *p = blend(*p, i, c);
                }
            }
        }
    }
}

/// A line of text's anti-aliased coverage, in a box of the surface from (`left`, `top`),
/// `width` wide: what both surfaces turn into colour.
pub struct Coverage {
    left: u32,
    top: u32,
    width: usize,
    data: Vec<u8>,
}

impl Coverage {
    /// The coverage of `line` at `size` pixels, its left end at `x`, its baseline at `y`,
    /// clipped to `top..bottom` and to a surface of `bounds`; none when nothing is inside.
    /// Each glyph's coverage comes from the thread's [`Glyphs`] (drawn once per font, glyph,
    /// size and quarter pixel), added into a mask the size of the line.
    fn of(
        faces: &Faces,
        line: &Line,
        size: f32,
        x: f32,
        y: f32,
        (top, bottom): (f32, f32),
        bounds: (u32, u32),
    ) -> Option<Self> {
        let left = x.floor().max(0.0) as i32;
        let top = top.floor().max(0.0) as i32;
        let right = ((x + line.width).ceil() as i32).min(bounds.0 as i32);
        let bottom = (bottom.ceil() as i32).min(bounds.1 as i32);
        if right <= left || bottom <= top {
            return None;
        }
        let (width, height) = ((right - left) as usize, (bottom - top) as usize);
        let mut coverage = vec![0u8; width * height];
        let baseline = y.round() as i32;
        let mut pen = x;
        GLYPHS.with_borrow_mut(|glyphs| {
            for run in &line.runs {
                let face = &faces.faces[run.font];
                let scale = size / face.units_per_em() as f32;
                for g in &run.glyphs {
                    let gx = pen + g.x_offset as f32 * scale;
                    let (whole, quarter) = (gx.floor(), ((gx.fract() * 4.0).round() as u8) % 4);
                    let whole = whole as i32 + i32::from(gx.fract() * 4.0 >= 3.5);
                    let gy = baseline - (g.y_offset as f32 * scale).round() as i32;
                    let key = (faces.key(run.font), g.id, size.to_bits(), quarter);
                    let bitmap = glyphs.get(key, || glyph(face, g.id, scale, quarter));
                    bitmap.add_to(
                        &mut coverage,
                        width,
                        whole + bitmap.left - left,
                        gy + bitmap.top - top,
                    );
                    pen += g.x_advance as f32 * scale;
                }
            }
        });
        Some(Coverage {
            left: left as u32,
            top: top as u32,
            width,
            data: coverage,
        })
    }

    /// Each row's coverage with the surface row it falls on.
    fn rows(&self) -> impl Iterator<Item = (u32, &[u8])> {
        (self.top..).zip(self.data.chunks_exact(self.width))
    }
}

impl Canvas {
    /// The PNG's scanlines, each filtered "up" (less the row above, which suits text: its
    /// strokes run down): the filter's byte, then the row's pixels two a byte, the first in
    /// the high half (the card's width is even, so no row ends in half a byte). Most rows
    /// are the row above again (background and stripe only), so they are zeros and are not
    /// packed at all.
    fn scanlines(&self) -> Vec<u8> {
        const UP: u8 = 2;
        let (width, half) = (self.width as usize, self.width as usize / 2);
        let mut out = vec![0; (half + 1) * self.height as usize];
        let (mut above, mut packed_above): (&[u8], Vec<u8>) = (&[], vec![0; half]);
        let mut packed = vec![0; half];
        for (row, out) in self
            .indices
            .chunks_exact(width)
            .zip(out.chunks_exact_mut(half + 1))
        {
            out[0] = UP;
            if row == above {
                continue;
            }
            pack(row, &mut packed);
            for ((o, p), a) in out[1..].iter_mut().zip(&packed).zip(&packed_above) {
                *o = p.wrapping_sub(*a);
            }
            std::mem::swap(&mut packed, &mut packed_above);
            above = row;
        }
        out
    }

    /// The card as a palette PNG. Its scanlines are compressed by fdeflate in one call,
    /// which writes the runs of zeros of the repeated rows at once: the png crate's own
    /// writer filtered and copied every row again first.
    pub fn png(self) -> Result<Vec<u8>, String> {
        let scanlines = self.scanlines();
        let compressed = (|| {
            let mut zlib = fdeflate::Compressor::new(Vec::with_capacity(32 << 10))?;
            zlib.write_data(&scanlines)?;
            zlib.finish()
        })()
        .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Four);
        encoder.set_palette(self.palette);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_chunk(png::chunk::IDAT, &compressed)
            .map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
        SPARE.set(self.indices);
        Ok(out)
    }
}

/// Packs `row`'s indices (each below 16) two a byte into `out`, sixteen at a time in a
/// `u64` pair: byte by byte, this was a fifth of drawing a card.
fn pack(row: &[u8], out: &mut [u8]) {
    let eight = |pixels: &[u8]| {
        let x = u64::from_le_bytes(pixels.try_into().unwrap_or_default());
        // Each even byte becomes its pixel in the high half and the next one in the low half;
        // then the even bytes are gathered into the low four.
        let x = (x << 4 | x >> 8) & 0x00ff_00ff_00ff_00ff;
        let x = (x | x >> 8) & 0x0000_ffff_0000_ffff;
        (x | x >> 16) as u32
    };
    let mut pixels = row.chunks_exact(16);
    let mut bytes = out.chunks_exact_mut(8);
    for (o, p) in (&mut bytes).zip(&mut pixels) {
        let packed = u64::from(eight(&p[..8])) | u64::from(eight(&p[8..])) << 32;
        o.copy_from_slice(&packed.to_le_bytes());
    }
    for (o, p) in bytes
        .into_remainder()
        .iter_mut()
        .zip(pixels.remainder().chunks_exact(2))
    {
        *o = p[0] << 4 | p[1];
    }
}

/// A glyph's coverage, drawn once: its pixels from `(left, top)` relative to its origin
/// (pen position, baseline).
struct Bitmap {
    left: i32,
    top: i32,
    width: usize,
    data: Vec<u8>,
}

impl Bitmap {
    /// Adds the glyph's coverage into `into` (rows of `width`) with its corner at `(x, y)`;
    /// where glyphs overlap (joined Arabic letters), coverage adds up to full.
    fn add_to(&self, into: &mut [u8], width: usize, x: i32, y: i32) {
        if self.width == 0 {
            return;
        }
        // The part of the glyph inside the line's mask.
        let skip = (-x).max(0) as usize;
        let from = x.max(0) as usize;
        let take = (self.width.saturating_sub(skip)).min(width.saturating_sub(from));
        if take == 0 {
            return;
        }
        for (dy, src) in self.data.chunks_exact(self.width).enumerate() {
            let Ok(row) = usize::try_from(y + dy as i32) else {
                continue;
            };
            let Some(dst) = into.get_mut(row * width + from..row * width + from + take) else {
                break;
            };
            for (d, &c) in dst.iter_mut().zip(&src[skip..skip + take]) {
                *d = d.saturating_add(c);
            }
        }
    }
}

/// Glyphs drawn so far on this thread, by (font, glyph, size, quarter pixel): headlines
/// share most of their letters, so most of a card's glyphs are copies. Bounded: cleared
/// when it holds more than [`GLYPH_BYTES`].
#[derive(Default)]
struct Glyphs {
    drawn: std::collections::HashMap<(u64, u32, u32, u8), std::rc::Rc<Bitmap>>,
    bytes: usize,
}

const GLYPH_BYTES: usize = 32 << 20;

thread_local! {
    static GLYPHS: std::cell::RefCell<Glyphs> = std::cell::RefCell::default();
    /// A finished card's pixel buffer, for the thread's next card.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Glyphs {
    fn get(&mut self, key: (u64, u32, u32, u8), draw: impl FnOnce() -> Bitmap) -> std::rc::Rc<Bitmap> {
        if let Some(b) = self.drawn.get(&key) {
            return std::rc::Rc::clone(b);
        }
        let bitmap = std::rc::Rc::new(draw());
        if self.bytes > GLYPH_BYTES {
            self.drawn.clear();
            self.bytes = 0;
        }
        self.bytes += bitmap.data.len() + 64;
        self.drawn.insert(key, std::rc::Rc::clone(&bitmap));
        bitmap
    }
}

/// Glyph `id` of `face` at `scale` pixels a font unit, its origin `quarter` quarters of a
/// pixel right of a pixel's edge, filled anti-aliased.
fn glyph(face: &rustybuzz::Face, id: u32, scale: f32, quarter: u8) -> Bitmap {
    let empty = Bitmap {
        left: 0,
        top: 0,
        width: 0,
        data: Vec::new(),
    };
    let mut path = PathBuilder::new();
    let mut outline = Outline {
        path: &mut path,
        x: f32::from(quarter) / 4.0,
        y: 0.0,
        scale,
    };
    let id = rustybuzz::ttf_parser::GlyphId(u16::try_from(id).unwrap_or(0));
    face.outline_glyph(id, &mut outline);
    let Some(path) = path.finish() else {
        return empty;
    };
    let bounds = path.bounds();
    let (left, top) = (bounds.left().floor(), bounds.top().floor());
    let width = (bounds.right().ceil() - left).max(1.0) as u32;
    let height = (bounds.bottom().ceil() - top).max(1.0) as u32;
    let Some(mut mask) = Mask::new(width, height) else {
        return empty;
    };
    mask.fill_path(
        &path,
        FillRule::Winding,
        true,
        Transform::from_translate(-left, -top),
    );
    Bitmap {
        left: left as i32,
        top: top as i32,
        width: width as usize,
        data: mask.take(),
    }
}

/// A glyph's outline, from font units (y up) to pixels (y down).
struct Outline<'p> {
    path: &'p mut PathBuilder,
    x: f32,
    y: f32,
    scale: f32,
}

impl Outline<'_> {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl rustybuzz::ttf_parser::OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.line_to(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let ((x1, y1), (x, y)) = (self.at(x1, y1), self.at(x, y));
        self.path.quad_to(x1, y1, x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let ((x1, y1), (x2, y2), (x, y)) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.path.cubic_to(x1, y1, x2, y2, x, y);
    }

    fn close(&mut self) {
        self.path.close();
    }
}

#[cfg(test)]
mod tests {
    use super::pack;

    /// Sixteen at a time or in the remainder, each pair of indices is one byte, the first
    /// pixel in the high half.
    #[test]
    fn pack_puts_two_pixels_in_a_byte_in_order() {
        for len in [2, 14, 16, 18, 32, 46, 1200] {
            let row: Vec<u8> = (0..len).map(|i| ((i * 7 + i / 3) % 16) as u8).collect();
            let mut out = vec![0; len / 2];
            pack(&row, &mut out);
            let expected: Vec<u8> = row.chunks(2).map(|p| p[0] << 4 | p[1]).collect();
            assert_eq!(out, expected, "a row of {len}");
        }
    }
}
