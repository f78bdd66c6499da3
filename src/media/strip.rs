//! Metadata taken out of an image file without touching its pixels: for the static images no
//! page shows (a logo, a photo linked for download), which are published in their own bytes
//! but must not carry a reporter's position, the camera's serial number or an editor's notes.
//!
//! What stays is what decides how the image looks: the colour profile and colour-space chunks,
//! Adobe's colour transform, and the EXIF orientation, written anew as the only EXIF field.
//! Everything else goes: EXIF (with GPS and the thumbnail), XMP, IPTC, comments, PNG text
//! chunks, and the extra images a JPEG may carry after its end (MPF depth maps and previews,
//! each with EXIF of its own).

use std::io::Cursor;

use img_parts::jpeg::{markers, Jpeg, JpegSegment};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

use super::{Error, Format};

/// File name extensions of images [`strip`] reads: those it can clean, and the containers it
/// can only check for a position.
pub const EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "png", "webp", "heic", "heif", "avif", "tif", "tiff",
];

/// `bytes` without their metadata. JPEG, PNG and WebP are rewritten; HEIF, AVIF and TIFF,
/// which nashra cannot rewrite, come back as they are unless they hold a GPS position, which
/// is an error; any other file comes back as it is.
pub fn strip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let exif = read_exif(bytes);
    let orientation = || exif.as_ref().and_then(orientation);
    let owned = || Bytes::copy_from_slice(bytes);
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut jpeg = Jpeg::from_bytes(owned()).map_err(|e| Error::damaged(Format::Jpeg, e))?;
        clean_jpeg(&mut jpeg)?;
        jpeg.set_exif(orientation());
        Ok(jpeg.encoder().bytes().to_vec())
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut png = Png::from_bytes(owned()).map_err(|e| Error::damaged(Format::Png, e))?;
        png.chunks_mut().retain(|c| PNG_KEPT.contains(&&c.kind()));
        png.set_exif(orientation());
        Ok(png.encoder().bytes().to_vec())
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        let mut webp = WebP::from_bytes(owned()).map_err(|e| Error {
            message: format!("the WebP file is damaged or incomplete ({e})"),
            help: "Download or export the image again.".to_string(),
        })?;
        webp.chunks_mut().retain(|c| WEBP_KEPT.contains(&&c.id()));
        // Also sets the VP8X flags to the chunks that are left.
        webp.set_exif(orientation());
        Ok(webp.encoder().bytes().to_vec())
    } else if is_container(bytes) && exif.is_some_and(|exif| super::gps_in(exif.fields())) {
        Err(Error {
            message: "the image holds the GPS position where it was taken, and nashra cannot \
                      remove it from this format (HEIF, AVIF or TIFF)"
                .to_string(),
            help: "Export the image as JPEG or PNG and use that file, or remove the position \
                   first (for example `exiftool -gps:all= FILE`)."
                .to_string(),
        })
    } else {
        Ok(bytes.to_vec())
    }
}

/// PNG chunks that are the image or say how to show it (critical chunks, transparency,
/// colour space, pixel size, animation).
const PNG_KEPT: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV",
    b"cLLI", b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

/// WebP chunks that are the image or say how to show it.
const WEBP_KEPT: &[&[u8; 4]] = &[b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"];

/// Drops a JPEG's metadata segments: every APPn but JFIF, the ICC profile and Adobe's colour
/// transform, and every comment; in the scans too, and whatever follows the end of the image.
fn clean_jpeg(jpeg: &mut Jpeg) -> Result<(), Error> {
    jpeg.segments_mut().retain(|s| keeps(s.marker(), s.contents()));
    let Some(scan) = jpeg.segments_mut().iter_mut().find(|s| s.has_entropy()) else {
        return Err(Error::damaged(Format::Jpeg, "no image data"));
    };
    // img-parts keeps the rest of the file as the first scan's data, without a getter: it is
    // what follows the scan header in the encoded segment (marker, length, header).
    let encoded = scan.clone().encoder().bytes();
    let rest = clean_scans(encoded.get(4 + scan.contents().len()..).unwrap_or_default())?;
    *scan = JpegSegment::new_with_entropy(scan.marker(), scan.contents().clone(), rest.into());
    Ok(())
}

/// Whether a JPEG segment says how to draw the image rather than about it.
fn keeps(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        markers::APP1..=markers::APP15 | markers::COM => false,
        _ => true,
    }
}

/// The bytes after the first scan header, up to and with the end-of-image marker, without
/// the metadata segments between scans. Entropy-coded data only holds 0xFF before 0x00 (a
/// stuffed byte), a restart marker or more 0xFF fill; any other marker starts a segment.
fn clean_scans(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    let mut from = 0;
    while let Some(at) = memchr::memchr(0xFF, &data[i..]).map(|p| i + p) {
        let Some(&marker) = data.get(at + 1) else { break };
        match marker {
            // A stuffed zero, fill, restart markers and the few markers without a length.
            0x00..=0xBF | 0xFF | markers::RST0..=markers::RST7 | markers::SOI => i = at + 1,
            markers::EOI => {
                out.extend_from_slice(&data[from..at + 2]);
                return Ok(out);
            }
            _ => {
                let length = data
                    .get(at + 2..at + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])));
                let Some(end) = length.map(|l| at + 2 + l).filter(|&end| end <= data.len()) else {
                    break;
                };
                if !keeps(marker, &data[at + 4..end]) {
                    out.extend_from_slice(&data[from..at]);
                    from = end;
                }
                i = end;
            }
        }
    }
    Err(Error::damaged(
        Format::Jpeg,
        "it ends before the end of its image data",
    ))
}

/// The file's EXIF, as much of it as can be read.
fn read_exif(bytes: &[u8]) -> Option<exif::Exif> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    super::lenient(reader.read_from_container(&mut Cursor::new(bytes)))
}

/// The EXIF orientation as an EXIF block of that one field, if it turns or flips the image
/// (so that stripping does not turn a portrait on its side).
fn orientation(exif: &exif::Exif) -> Option<Bytes> {
    let value = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
        .filter(|o| (2..=8).contains(o))?;
    let field = exif::Field {
        tag: exif::Tag::Orientation,
        ifd_num: exif::In::PRIMARY,
        value: exif::Value::Short(vec![u16::try_from(value).ok()?]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).ok()?;
    Some(out.into_inner().into())
}

/// An ISO media (HEIF, AVIF) or TIFF file.
fn is_container(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp") || bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*")
}
