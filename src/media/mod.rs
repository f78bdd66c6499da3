//! Article images: a JPEG or PNG source in, resized AVIF, WebP and fallback files out.
//!
//! Everything here is a pure function of (source bytes, [`Settings`]): no file I/O and no
//! knowledge of the site, so the caller decides what to cache and where files go. Two promises
//! hold for every output:
//! - **No metadata.** Files are re-encoded from pixels, so camera EXIF (GPS above all), XMP,
//!   IPTC, ICC profiles, text chunks and timestamps never reach readers. Colour is converted to
//!   sRGB first, which is what an untagged file means on the web.
//! - **Byte-determinism.** The same inputs give the same bytes whatever the thread count or
//!   machine load: every encoder runs single-threaded (parallelism comes from encoding
//!   variants side by side), so a cache keyed on source bytes + [`Settings::digest`] is sound.
//!   Resizing, libwebp and moxcms pick SIMD code by CPU at run time, so two *different* CPUs
//!   may still differ in a few pixels.
//!
//! Sources are sniffed by magic bytes, size-checked from the header before any pixel is
//! decoded (decompression bombs), and every failure is an [`Error`] written for an editor.

pub mod card;
pub mod library;
pub mod strip;

use std::fmt;
use std::io::Cursor;

use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngDecoder, PngEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, Limits};
use rayon::prelude::*;
use rgb::FromSlice;
use serde::Deserialize;

/// Bump whenever the pipeline changes output bytes for the same settings (an encoder option,
/// the resize filter, a dependency upgrade that re-encodes differently), so that caches keyed on
/// [`Settings::digest`] stop serving the old files.
pub const PIPELINE_VERSION: u32 = 1;

/// WebP cannot store an image wider or taller than this.
const WEBP_MAX_DIMENSION: u32 = 16_383;

/// Output/source formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// AV1 in HEIF: the smallest files, slowest to encode.
    Avif,
    /// Lossy WebP (libwebp).
    Webp,
    /// The fallback for JPEG sources.
    Jpeg,
    /// The fallback for PNG sources (lossless).
    Png,
}

impl Format {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Avif => "avif",
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }

    /// The media type, for `<source type>` and HTTP.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Avif => "image/avif",
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }

    /// The name an editor knows it by.
    fn name(self) -> &'static str {
        match self {
            Format::Avif => "AVIF",
            Format::Webp => "WebP",
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
        }
    }
}

/// How images are processed: nashra.toml's `[images]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Widths in CSS pixels to publish (never above the source's own width; see [`widths`]).
    pub widths: Vec<u32>,
    /// Modern formats made besides the source's own format (the fallback). Only AVIF and WebP.
    pub formats: Vec<Format>,
    /// WebP and JPEG quality, 1..=100.
    pub quality: u8,
    /// AVIF quality, 1..=100 (ravif's scale, which runs lower than JPEG's for the same look).
    /// The default 70 was measured: by butteraugli it matches WebP at the default `quality`
    /// 75 (3.6/2.1/3.6 against 4.1/2.0/3.4 on three photos at 1600 px) at 63–82 % of WebP's
    /// bytes; at 60 AVIF looked visibly worse than the WebP beside it (4.4/2.3/4.1).
    pub avif_quality: u8,
    /// rav1e speed, 1 (slowest, smallest) ..= 10. The default 9 was measured on a 4000×2250
    /// photo at q60, four widths, one thread: speed 6 took 8.0 s for 58.0 KB, 8 took 5.9 s
    /// for 58.8 KB, 9 took 3.3 s for 61.8 KB, 10 took 2.0 s for 70.1 KB. At equal butteraugli
    /// score speed 9 is within 3 % of 8's size on three photos; 10 costs 2–17 % more bytes.
    pub avif_speed: u8,
    /// Sources over this many megapixels are refused from their header, before decoding:
    /// a 20000×20000 PNG can be a few kilobytes and still need 1.6 GB of memory.
    pub max_megapixels: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            widths: vec![480, 800, 1200, 1600],
            formats: vec![Format::Avif, Format::Webp],
            quality: 75,
            avif_quality: 70,
            avif_speed: 9,
            max_megapixels: 100,
        }
    }
}

impl Settings {
    /// A stable hash of everything here that changes what [`encode`] returns for a source, for
    /// cache keys. Widths and formats are included so a cache keyed on this alone also holds
    /// the right *set* of files; `max_megapixels` is not, since it only refuses or allows.
    pub fn digest(&self) -> u64 {
        let mut canonical = Vec::with_capacity(64);
        canonical.extend_from_slice(b"nashra-media\0");
        canonical.extend_from_slice(&PIPELINE_VERSION.to_le_bytes());
        canonical.extend_from_slice(&(self.widths.len() as u64).to_le_bytes());
        for width in &self.widths {
            canonical.extend_from_slice(&width.to_le_bytes());
        }
        canonical.extend_from_slice(&(self.formats.len() as u64).to_le_bytes());
        for format in &self.formats {
            canonical.extend_from_slice(format.extension().as_bytes());
            canonical.push(0);
        }
        canonical.extend_from_slice(&[self.quality, self.avif_quality, self.avif_speed]);
        xxhash_rust::xxh3::xxh3_64(&canonical)
    }

    /// Every value out of range, as one message (problems separated by "; ").
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.widths.is_empty() {
            problems.push("`widths` is empty: give at least one width, e.g. [800]".to_string());
        }
        for &width in &self.widths {
            if width == 0 || width > WEBP_MAX_DIMENSION {
                problems.push(format!(
                    "`widths` has {width}: widths are 1 to {WEBP_MAX_DIMENSION} pixels"
                ));
            }
        }
        for format in &self.formats {
            if !matches!(format, Format::Avif | Format::Webp) {
                problems.push(format!(
                    "`formats` has \"{}\": only \"avif\" and \"webp\" go here (the source's own \
                     format is always made as the fallback)",
                    format.extension()
                ));
            }
        }
        if !(1..=100).contains(&self.quality) {
            problems.push(format!("`quality` is {}: it is 1 to 100", self.quality));
        }
        if !(1..=100).contains(&self.avif_quality) {
            problems.push(format!("`avif_quality` is {}: it is 1 to 100", self.avif_quality));
        }
        if !(1..=10).contains(&self.avif_speed) {
            problems.push(format!(
                "`avif_speed` is {}: it is 1 (slowest, smallest files) to 10 (fastest)",
                self.avif_speed
            ));
        }
        if self.max_megapixels == 0 {
            problems.push("`max_megapixels` is 0: it must be at least 1".to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    fn max_pixels(&self) -> u64 {
        u64::from(self.max_megapixels) * 1_000_000
    }
}

/// What a source's header tells, without decoding its pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// [`Format::Jpeg`] or [`Format::Png`]: the only sources accepted.
    pub format: Format,
    /// Width as displayed, i.e. after EXIF orientation (5 to 8 swap width and height).
    pub width: u32,
    /// Height as displayed.
    pub height: u32,
    /// The file carries EXIF GPS data (any GPS field but the bare version number). It never
    /// reaches the outputs; this is for telling the editor that the *source* does.
    pub gps: bool,
}

/// Reads a source's header: format, displayed size, GPS. Refuses unsupported formats and
/// images over `settings.max_megapixels` before any pixel is decoded.
pub fn probe(bytes: &[u8], settings: &Settings) -> Result<Probe, Error> {
    let mut source = Source::open(bytes, settings)?;
    let gps = source.decoder.exif_metadata().ok().flatten().is_some_and(has_gps);
    Ok(Probe {
        format: source.format,
        width: source.width,
        height: source.height,
        gps,
    })
}

/// The widths an image `source_width` px wide is published at: the configured widths up to
/// the source's width (a width equal to it included), plus the source width itself when it is
/// below the largest configured width, so a small image still gets its own size and is never
/// upscaled. Sorted, deduplicated, never empty.
pub fn widths(source_width: u32, settings: &Settings) -> Vec<u32> {
    let mut out: Vec<u32> = settings
        .widths
        .iter()
        .copied()
        .filter(|&w| w > 0 && w <= source_width)
        .collect();
    let largest = settings.widths.iter().copied().max().unwrap_or(0);
    if source_width < largest || out.is_empty() {
        out.push(source_width.max(1));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The height of a `width` px variant of a `source_width`×`source_height` image: the aspect
/// ratio kept, rounded to the nearest pixel, at least 1. [`encode`] uses exactly this, so
/// pages can write `width`/`height` attributes without decoding anything.
pub fn scaled_height(width: u32, source_width: u32, source_height: u32) -> u32 {
    if source_width == 0 {
        return 1;
    }
    let scaled = (u64::from(source_height) * u64::from(width) * 2 + u64::from(source_width))
        / (u64::from(source_width) * 2);
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// One published file of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    /// Width in pixels; the height follows from [`scaled_height`].
    pub width: u32,
    /// The encoding.
    pub format: Format,
}

/// Decodes `bytes` once, turns it upright (EXIF orientation), converts it to 8-bit sRGB(A),
/// and makes every variant: resized with Lanczos3 (each width once, shared by its formats),
/// encoded, returned in the order of `variants`. Variants are encoded in parallel on the
/// current rayon pool; each encoder is single-threaded, which is what makes the bytes
/// independent of the pool's size. A variant wider than the image is made at the image's
/// width (never upscaled); [`widths`] never asks for one.
pub fn encode(bytes: &[u8], variants: &[Variant], settings: &Settings) -> Result<Vec<Vec<u8>>, Error> {
    if variants.is_empty() {
        return Ok(Vec::new());
    }
    let source = Source::open(bytes, settings)?;
    let format = source.format;
    let pixels = source.decode(settings)?;

    // Each width is resized once and shared by its formats; the source's own width is used
    // as decoded.
    let mut sizes: Vec<u32> = variants
        .iter()
        .map(|v| v.width.clamp(1, pixels.width))
        .filter(|&width| width != pixels.width)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let resized: Vec<Pixels> = sizes
        .par_iter()
        .map(|&width| pixels.resize(width))
        .collect::<Result<_, _>>()?;

    variants
        .par_iter()
        .map(|variant| {
            let width = variant.width.clamp(1, pixels.width);
            let image = match sizes.binary_search(&width) {
                Ok(index) => resized.get(index).unwrap_or(&pixels),
                Err(_) => &pixels,
            };
            image.encode(variant.format, settings).map_err(|detail| Error {
                message: format!(
                    "could not make the {} px {} version of this {} image: {detail}",
                    image.width,
                    variant.format.name(),
                    format.name()
                ),
                help: "This is a limit or a bug of nashra's encoders, not a fault of yours; \
                       please report it with the image. Meanwhile a differently sized or \
                       re-saved copy of the image may work."
                    .to_string(),
            })
        })
        .collect()
}

/// `bytes` decoded as [`encode`] decodes it and scaled to cover `width` × `height` (the
/// middle kept, the rest cropped), as 8-bit sRGB, three bytes a pixel, transparency over
/// white: what a social card is drawn on.
pub fn cover(bytes: &[u8], width: u32, height: u32, settings: &Settings) -> Result<Vec<u8>, Error> {
    let pixels = Source::open(bytes, settings)?.decode(settings)?;
    Ok(pixels.resize_to(width, height, true)?.rgb().into_owned())
}

/// RGB `pixels`, `width` × `height`, as a JPEG of `quality` with nothing but its pixels
/// (SOI, a minimal JFIF APP0 without thumbnail, tables and scans); baseline unless
/// `progressive`. The error is a detail for [`Error`]'s message.
pub fn jpeg(
    pixels: &[u8],
    width: u32,
    height: u32,
    quality: u8,
    progressive: bool,
) -> Result<Vec<u8>, String> {
    let (Ok(width), Ok(height)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err("JPEG cannot store images over 65535 px".to_string());
    };
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    encoder.set_progressive(progressive);
    // Optimised Huffman tables: smaller files for the same pixels. Only for progressive
    // files: baseline ones made with them decoded (image 0.25) as stripes; which side is
    // wrong was not found out.
    encoder.set_optimized_huffman_tables(progressive);
    // Averaged chroma, as libjpeg does: the default (top-left pixel) frays red edges.
    encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
    encoder
        .encode(pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// What went wrong with a source image, said for an editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl fmt::Display for Error {
    /// The message only; `help` is for the caller to show beside it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// This error as a diagnostic on the file at `path`, which the message calls `what`
    /// ("image", "static image").
    pub fn at(self, path: &std::path::Path, what: &str) -> crate::error::Diagnostic {
        let message = format!("the {what} {}: {}", path.display(), self.message);
        crate::error::Diagnostic::new(path, message).help(self.help)
    }

    fn unsupported(kind: &str) -> Self {
        Error {
            message: format!("unsupported image format ({kind}): only JPEG and PNG can be used"),
            help: "Save or export the image as JPEG (photos) or PNG (graphics, screenshots, \
                   images with transparency) and use that file; renaming the file is not enough."
                .to_string(),
        }
    }

    fn damaged(format: Format, detail: impl fmt::Display) -> Self {
        Error {
            message: format!("the {} file is damaged or incomplete ({detail})", format.name()),
            help: "Download or export the image again. If it opens in an image viewer, save \
                   it from there as a new file."
                .to_string(),
        }
    }

    fn too_large(width: u32, height: u32, settings: &Settings) -> Self {
        let megapixels = u64::from(width) * u64::from(height) / 100_000;
        Error {
            message: format!(
                "the image is {width}×{height} px ({}.{} megapixels), more than the {} \
                 megapixels allowed",
                megapixels / 10,
                megapixels % 10,
                settings.max_megapixels
            ),
            help: "Scale it down before adding it (4000 px wide is plenty for the web), or, if \
                   it is genuine, raise `max_megapixels` in the [images] table of nashra.toml."
                .to_string(),
        }
    }
}

/// What the magic bytes say a file is.
fn sniff(bytes: &[u8]) -> Result<Format, Error> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(PNG) {
        return Ok(Format::Png);
    }
    let kind = if bytes.is_empty() {
        return Err(Error {
            message: "the image file is empty".to_string(),
            help: "Copy the image again; the file has no content.".to_string(),
        });
    } else if bytes.starts_with(b"GIF8") {
        "GIF"
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "WebP"
    } else if bytes.get(4..8) == Some(b"ftyp") {
        match bytes.get(8..12) {
            Some(b"avif" | b"avis") => "AVIF",
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc") => "HEIC",
            _ => "an ISO media file",
        }
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "TIFF"
    } else if bytes.starts_with(b"BM") {
        "BMP"
    } else if looks_like_svg(bytes) {
        "SVG"
    } else {
        "not a JPEG or PNG file"
    };
    Err(Error::unsupported(kind))
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    text.trim_start().starts_with('<') && text.contains("<svg")
}

/// A source whose header has been read and checked.
struct Source<'a> {
    format: Format,
    decoder: Box<dyn ImageDecoder + 'a>,
    orientation: Orientation,
    /// Size as displayed (after orientation).
    width: u32,
    height: u32,
}

impl<'a> Source<'a> {
    /// Sniffs, reads the header, refuses bombs, and arms the decoder's own limits.
    fn open(bytes: &'a [u8], settings: &Settings) -> Result<Self, Error> {
        let format = sniff(bytes)?;
        let mut decoder: Box<dyn ImageDecoder + 'a> = match format {
            Format::Jpeg => {
                let decoder = JpegDecoder::new(Cursor::new(bytes)).map_err(|e| Error::damaged(format, e))?;
                // The decoder fills a cut-off JPEG with grey instead of failing, and a photo
                // half-uploaded is exactly what an editor must hear about.
                if !jpeg_has_end(bytes) {
                    return Err(Error::damaged(format, "it ends before its last pixels"));
                }
                Box::new(decoder)
            }
            _ => {
                // Checked by hand first: the PNG decoder reads ahead of IHDR and applies its
                // own allocation limit, whose error would not say "megapixels".
                let (width, height) = png_header_size(bytes)
                    .ok_or_else(|| Error::damaged(format, "no image header where PNG puts it"))?;
                check_size(width, height, settings)?;
                Box::new(
                    PngDecoder::with_limits(Cursor::new(bytes), decoder_limits(settings))
                        .map_err(|e| Error::damaged(format, e))?,
                )
            }
        };
        let (width, height) = decoder.dimensions();
        check_size(width, height, settings)?;
        // Second guard: the decoder refuses to allocate past the same limit.
        let mut limits = decoder_limits(settings);
        limits
            .reserve(decoder.total_bytes())
            .and_then(|()| decoder.set_limits(limits))
            .map_err(|_| Error::too_large(width, height, settings))?;
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let (width, height) = match orientation {
            Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH => (height, width),
            _ => (width, height),
        };
        Ok(Source {
            format,
            decoder,
            orientation,
            width,
            height,
        })
    }

    /// Decodes the pixels upright, in 8-bit sRGB, with alpha only where some pixel uses it.
    fn decode(mut self, settings: &Settings) -> Result<Pixels, Error> {
        let format = self.format;
        let icc = self.decoder.icc_profile().ok().flatten();
        let mut image = DynamicImage::from_decoder(self.decoder).map_err(|e| match e {
            image::ImageError::Limits(_) => Error::too_large(self.width, self.height, settings),
            e => Error::damaged(format, e),
        })?;
        image.apply_orientation(self.orientation);
        let width = image.width();
        // `into_` rather than `to_`: an 8-bit image, as nearly every photo is, is taken as it
        // is decoded, not copied (36 MB for 12 megapixels, with as many page faults).
        let mut pixels = if image.color().has_alpha() {
            let rgba = image.into_rgba8();
            if rgba.pixels().all(|p| p.0[3] == u8::MAX) {
                Pixels::new(
                    DynamicImage::ImageRgba8(rgba).into_rgb8().into_raw(),
                    width,
                    false,
                )
            } else {
                Pixels::new(rgba.into_raw(), width, true)
            }
        } else {
            Pixels::new(image.into_rgb8().into_raw(), width, false)
        };
        if let Some(icc) = icc {
            pixels.convert_to_srgb(&icc);
        }
        Ok(pixels)
    }
}

fn decoder_limits(settings: &Settings) -> Limits {
    let mut limits = Limits::default();
    // 65535 is JPEG's own maximum and above anything the output formats take.
    limits.max_image_width = Some(u32::from(u16::MAX));
    limits.max_image_height = Some(u32::from(u16::MAX));
    // RGBA at 16 bits is the widest a PNG decodes to; the rest is the decoders' working room.
    limits.max_alloc = Some(settings.max_pixels().saturating_mul(8).saturating_add(64 << 20));
    limits
}

fn check_size(width: u32, height: u32, settings: &Settings) -> Result<(), Error> {
    if width == 0 || height == 0 {
        return Err(Error {
            message: format!("the image is {width}×{height} px: it has no pixels"),
            help: "Export the image again; this file cannot be shown.".to_string(),
        });
    }
    if u64::from(width) * u64::from(height) > settings.max_pixels() {
        return Err(Error::too_large(width, height, settings));
    }
    Ok(())
}

/// Width and height from a PNG's IHDR, which must be its first chunk.
fn png_header_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

/// Whether a JPEG's end-of-image marker follows its first scan. Entropy-coded data never
/// holds the bytes FF D9 (an FF there is always followed by 00 or a restart number), so finding
/// them after the first start-of-scan means the file was not cut short. The segments before it
/// are walked by their lengths, since an EXIF thumbnail has its own scan and end marker.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let mut at = 2;
    loop {
        // Markers may be padded with any number of FF bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return false;
        };
        at += 2;
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            continue;
        }
        if marker == 0xD9 {
            return false;
        }
        let Some(length) = bytes
            .get(at..at + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return false;
        };
        at += length;
        if marker == 0xDA {
            return bytes
                .get(at..)
                .is_some_and(|rest| memchr::memmem::rfind(rest, &[0xFF, 0xD9]).is_some());
        }
    }
}

/// Whether raw EXIF (TIFF) data has a GPS field other than GPSVersionID, which some cameras
/// write with no position at all.
fn has_gps(exif: Vec<u8>) -> bool {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    lenient(reader.read_raw(exif)).is_some_and(|exif| gps_in(exif.fields()))
}

/// What an EXIF reader made of the data, also when it is damaged part way (with
/// `continue_on_error`, the fields read before the damage).
fn lenient(read: Result<exif::Exif, exif::Error>) -> Option<exif::Exif> {
    match read {
        Ok(exif) => Some(exif),
        Err(exif::Error::PartialResult(partial)) => Some(partial.into_inner().0),
        Err(_) => None,
    }
}

/// Whether `fields` have a GPS field other than GPSVersionID.
fn gps_in<'a>(mut fields: impl Iterator<Item = &'a exif::Field>) -> bool {
    fields.any(|field| field.tag.context() == exif::Context::Gps && field.tag != exif::Tag::GPSVersionID)
}

/// Decoded 8-bit sRGB pixels, RGB or RGBA, rows packed.
struct Pixels {
    data: Vec<u8>,
    width: u32,
    height: u32,
    alpha: bool,
}

impl Pixels {
    fn new(data: Vec<u8>, width: u32, alpha: bool) -> Self {
        let channels = if alpha { 4 } else { 3 };
        let row = (width as usize).max(1) * channels;
        let height = u32::try_from(data.len() / row).unwrap_or(u32::MAX);
        Pixels {
            data,
            width,
            height,
            alpha,
        }
    }

    /// Converts from the colour space an ICC profile describes to sRGB, in place. Best effort:
    /// a profile that cannot be read, is not RGB (CMYK JPEGs are already turned into RGB by the
    /// decoder; grey ones are close to sRGB's curve), or is sRGB already leaves the pixels
    /// alone, as browsers do.
    fn convert_to_srgb(&mut self, icc: &[u8]) {
        let Ok(profile) = moxcms::ColorProfile::new_from_slice(icc) else {
            return;
        };
        if profile.color_space != moxcms::DataColorSpace::Rgb {
            return;
        }
        let layout = if self.alpha {
            moxcms::Layout::Rgba
        } else {
            moxcms::Layout::Rgb
        };
        let srgb = moxcms::ColorProfile::new_srgb();
        let Ok(transform) =
            profile.create_transform_8bit(layout, &srgb, layout, moxcms::TransformOptions::default())
        else {
            return;
        };
        if is_identity(transform.as_ref(), self.alpha) {
            return;
        }
        let mut converted = vec![0; self.data.len()];
        if transform.transform(&self.data, &mut converted).is_ok() {
            self.data = converted;
        }
    }

    /// This image resized to `width` px wide.
    fn resize(&self, width: u32) -> Result<Pixels, Error> {
        self.resize_to(width, scaled_height(width, self.width, self.height), false)
    }

    /// This image resized to `width` × `height`; `cover`: where the aspect ratio differs, the
    /// middle of the image is taken (cropped, not stretched). Published variants keep their
    /// own ratio, so they do not crop: the rounding of their height would shift them.
    fn resize_to(&self, width: u32, height: u32, cover: bool) -> Result<Pixels, Error> {
        use fast_image_resize as fr;
        let pixel_type = if self.alpha {
            fr::PixelType::U8x4
        } else {
            fr::PixelType::U8x3
        };
        let failed = |e: &dyn fmt::Display| Error {
            message: format!("could not resize the image to {width}×{height} px: {e}"),
            help: "This is a bug of nashra; please report it with the image.".to_string(),
        };
        let source = fr::images::ImageRef::new(self.width, self.height, &self.data, pixel_type)
            .map_err(|e| failed(&e))?;
        let mut target = fr::images::Image::new(width, height, pixel_type);
        // Lanczos3 keeps photos sharp; alpha is premultiplied during the resize by default, so
        // transparent pixels' colours do not bleed into the edges.
        let options = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3))
            .fit_into_destination(cover.then_some((0.5, 0.5)));
        fr::Resizer::new()
            .resize(&source, &mut target, &options)
            .map_err(|e| failed(&e))?;
        Ok(Pixels {
            data: target.into_vec(),
            width,
            height,
            alpha: self.alpha,
        })
    }

    /// Encodes into `format`; the error is a detail for [`Error`]'s message.
    fn encode(&self, format: Format, settings: &Settings) -> Result<Vec<u8>, String> {
        match format {
            Format::Avif => self.encode_avif(settings),
            Format::Webp => self.encode_webp(settings),
            Format::Jpeg => self.encode_jpeg(settings),
            Format::Png => self.encode_png(),
        }
    }

    fn encode_avif(&self, settings: &Settings) -> Result<Vec<u8>, String> {
        let quality = f32::from(settings.avif_quality.clamp(1, 100));
        // cavif's default: alpha edges show more than colour, so alpha gets a higher quality.
        let alpha_quality = ((quality + 100.0) / 2.0).min(quality + quality / 4.0 + 2.0);
        let encoder = ravif::Encoder::new()
            .with_quality(quality)
            .with_alpha_quality(alpha_quality.clamp(1.0, 100.0))
            .with_speed(settings.avif_speed.clamp(1, 10))
            // rav1e splits a frame into as many tiles as it has threads, and tiles change the
            // bytes: one thread per image keeps output independent of the machine. ravif and
            // rav1e are built without their threading feature, so the encode runs right here:
            // with it, each encode ran in a one-thread pool of its own, and the rayon worker
            // waiting for it stole the next photo, which did the same, so a build held every
            // photo decoded at once (4.2 GB for 50 photos) and 1,000 photos overflowed the stack.
            .with_num_threads(Some(1));
        let (width, height) = (self.width as usize, self.height as usize);
        let encoded = if self.alpha {
            let pixels = self.data.as_rgba();
            encoder.encode_rgba(ravif::Img::new(pixels, width, height))
        } else {
            let pixels = self.data.as_rgb();
            encoder.encode_rgb(ravif::Img::new(pixels, width, height))
        };
        encoded.map(|e| e.avif_file).map_err(|e| e.to_string())
    }

    fn encode_webp(&self, settings: &Settings) -> Result<Vec<u8>, String> {
        if self.width > WEBP_MAX_DIMENSION || self.height > WEBP_MAX_DIMENSION {
            return Err(format!(
                "WebP cannot store images over {WEBP_MAX_DIMENSION} px in either direction, and \
                 this version is {}×{} px",
                self.width, self.height
            ));
        }
        let mut config = webp::WebPConfig::new().map_err(|()| "libwebp could not be set up".to_string())?;
        config.lossless = 0;
        config.quality = f32::from(settings.quality.clamp(1, 100));
        // Single-threaded (the default, said out loud): determinism over speed.
        config.thread_level = 0;
        let layout = if self.alpha {
            webp::PixelLayout::Rgba
        } else {
            webp::PixelLayout::Rgb
        };
        webp::Encoder::new(&self.data, layout, self.width, self.height)
            .encode_advanced(&config)
            .map(|memory| memory.to_vec())
            .map_err(|e| format!("libwebp said {e:?}"))
    }

    fn encode_jpeg(&self, settings: &Settings) -> Result<Vec<u8>, String> {
        // Progressive: about 10 % smaller, and shows early.
        jpeg(&self.rgb(), self.width, self.height, settings.quality, true)
    }

    /// The pixels without alpha: composited over white where they have it.
    fn rgb(&self) -> std::borrow::Cow<'_, [u8]> {
        match self.alpha {
            true => std::borrow::Cow::Owned(flatten_on_white(&self.data)),
            false => std::borrow::Cow::Borrowed(&self.data),
        }
    }

    fn encode_png(&self) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        // image's PNG encoder writes IHDR, IDAT and IEND only unless given a profile or EXIF.
        let encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive);
        let color = if self.alpha {
            ExtendedColorType::Rgba8
        } else {
            ExtendedColorType::Rgb8
        };
        encoder
            .write_image(&self.data, self.width, self.height, color)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }
}

/// Whether a colour transform changes no colour by more than one level (an sRGB profile, or one
/// close enough that converting would only add rounding noise). Checked on a 16×16×16 lattice
/// and the grey ramp, which takes well under a millisecond.
fn is_identity(transform: &moxcms::Transform8BitExecutor, alpha: bool) -> bool {
    let channels = if alpha { 4 } else { 3 };
    let mut sample = Vec::with_capacity((4096 + 256) * channels);
    let mut push = |r: u8, g: u8, b: u8| {
        sample.extend_from_slice(&[r, g, b]);
        if alpha {
            sample.push(u8::MAX);
        }
    };
    for r in (0..=255u8).step_by(17) {
        for g in (0..=255u8).step_by(17) {
            for b in (0..=255u8).step_by(17) {
                push(r, g, b);
            }
        }
    }
    for v in 0..=255u8 {
        push(v, v, v);
    }
    let mut out = vec![0; sample.len()];
    if transform.transform(&sample, &mut out).is_err() {
        return false;
    }
    sample.iter().zip(&out).all(|(a, b)| a.abs_diff(*b) <= 1)
}

/// RGB of RGBA pixels composited over white: JPEG has no alpha, and white is what a page
/// around a transparent image most often is.
fn flatten_on_white(rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            let blended = (u32::from(c) * a + 255 * (255 - a) + 127) / 255;
            out.push(u8::try_from(blended).unwrap_or(u8::MAX));
        }
    }
    out
}

#[cfg(test)]
mod tests;
