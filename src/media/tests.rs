//! Every image here is made in memory: gradients and noise stand in for photos.

use super::*;
use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// Settings that keep tests fast: small widths, the fastest AVIF speed.
fn fast() -> Settings {
    Settings {
        widths: vec![120, 200, 320],
        avif_speed: 10,
        ..Settings::default()
    }
}

/// A photo-like RGB image: gradients, a disc, and deterministic noise.
fn photo(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state >> 59) as u8;
        let (fx, fy) = (x * 255 / width, y * 255 / height);
        let (dx, dy) = (x as i64 - width as i64 / 3, y as i64 - height as i64 / 2);
        let disc = if dx * dx + dy * dy < (height as i64 / 4).pow(2) {
            90
        } else {
            0
        };
        Rgb([
            (fx as u8).wrapping_add(noise),
            (fy as u8).saturating_add(disc),
            (255 - fx as u8).wrapping_add(noise / 2),
        ])
    })
}

fn jpeg_with(image: &RgbImage, exif: Option<Vec<u8>>, icc: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).unwrap();
    }
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).unwrap();
    }
    encoder
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    jpeg_with(image, None, None)
}

fn png(image: &DynamicImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new(&mut out);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).unwrap();
    }
    image.write_with_encoder(encoder).unwrap();
    out
}

/// Raw EXIF (TIFF) data with an orientation and, if asked, a GPS position.
fn exif(orientation: u16, gps: bool) -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let orientation = Field {
        tag: Tag::Orientation,
        ifd_num: In::PRIMARY,
        value: Value::Short(vec![orientation]),
    };
    let version = Field {
        tag: Tag::GPSVersionID,
        ifd_num: In::PRIMARY,
        value: Value::Byte(vec![2, 3, 0, 0]),
    };
    let latitude_ref = Field {
        tag: Tag::GPSLatitudeRef,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![b"N".to_vec()]),
    };
    let latitude = Field {
        tag: Tag::GPSLatitude,
        ifd_num: In::PRIMARY,
        value: Value::Rational(vec![
            Rational { num: 33, denom: 1 },
            Rational { num: 53, denom: 1 },
            Rational { num: 2, denom: 1 },
        ]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&orientation);
    // A GPS version alone is what some cameras write without a fix: not GPS data.
    writer.push_field(&version);
    if gps {
        writer.push_field(&latitude_ref);
        writer.push_field(&latitude);
    }
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).unwrap();
    out.into_inner()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Width and height of any output: AVIF from its `ispe` box (no AV1 decoder here), WebP
/// through libwebp, JPEG and PNG through image.
fn dimensions(format: Format, bytes: &[u8]) -> (u32, u32) {
    match format {
        Format::Avif => {
            let at = bytes.windows(4).position(|w| w == b"ispe").unwrap();
            let word = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
            (word(at + 8), word(at + 12))
        }
        Format::Webp => {
            let decoded = webp::Decoder::new(bytes).decode().unwrap();
            (decoded.width(), decoded.height())
        }
        Format::Jpeg => {
            let decoded = image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap();
            (decoded.width(), decoded.height())
        }
        Format::Png => {
            let decoded = image::load_from_memory_with_format(bytes, ImageFormat::Png).unwrap();
            (decoded.width(), decoded.height())
        }
    }
}

fn all_formats(width: u32, fallback: Format) -> Vec<Variant> {
    [Format::Avif, Format::Webp, fallback]
        .into_iter()
        .map(|format| Variant { width, format })
        .collect()
}

#[test]
fn format_names() {
    assert_eq!(Format::Jpeg.extension(), "jpg");
    assert_eq!(Format::Avif.mime(), "image/avif");
    assert_eq!(serde_json::to_string(&Format::Webp).unwrap(), "\"webp\"");
}

#[test]
fn settings_defaults_validate_and_digest() {
    let defaults = Settings::default();
    assert_eq!(defaults.validate(), Ok(()));
    let parsed: Settings = toml::from_str("quality = 80").unwrap();
    assert_eq!(parsed.quality, 80);
    assert_eq!(parsed.widths, defaults.widths);
    assert!(toml::from_str::<Settings>("qualty = 80").is_err());
    let parsed: Settings = toml::from_str("formats = [\"webp\"]").unwrap();
    assert_eq!(parsed.formats, vec![Format::Webp]);

    let bad = Settings {
        widths: vec![0],
        formats: vec![Format::Jpeg],
        quality: 0,
        avif_quality: 101,
        avif_speed: 11,
        max_megapixels: 0,
    };
    let problems = bad.validate().unwrap_err();
    for word in [
        "widths",
        "formats",
        "`quality`",
        "avif_quality",
        "avif_speed",
        "max_megapixels",
    ] {
        assert!(problems.contains(word), "{word} missing from {problems}");
    }
    assert!(Settings {
        widths: vec![],
        ..defaults.clone()
    }
    .validate()
    .is_err());

    // Stable across runs (a cache key), and moved by everything that changes bytes.
    assert_eq!(defaults.digest(), Settings::default().digest());
    let changed = [
        Settings {
            quality: 76,
            ..defaults.clone()
        },
        Settings {
            avif_quality: 61,
            ..defaults.clone()
        },
        Settings {
            avif_speed: 7,
            ..defaults.clone()
        },
        Settings {
            widths: vec![480, 800],
            ..defaults.clone()
        },
        Settings {
            formats: vec![Format::Webp],
            ..defaults.clone()
        },
    ];
    for settings in changed {
        assert_ne!(settings.digest(), defaults.digest(), "{settings:?}");
    }
    let limit_only = Settings {
        max_megapixels: 5,
        ..defaults.clone()
    };
    assert_eq!(limit_only.digest(), defaults.digest());
}

#[test]
fn widths_never_upscale() {
    let settings = Settings::default();
    assert_eq!(widths(4000, &settings), vec![480, 800, 1200, 1600]);
    assert_eq!(widths(1600, &settings), vec![480, 800, 1200, 1600]);
    assert_eq!(widths(1000, &settings), vec![480, 800, 1000]);
    assert_eq!(widths(800, &settings), vec![480, 800]);
    assert_eq!(widths(300, &settings), vec![300]);
    assert_eq!(widths(1, &settings), vec![1]);
    let unsorted = Settings {
        widths: vec![800, 480, 800],
        ..settings
    };
    assert_eq!(widths(2000, &unsorted), vec![480, 800]);
    assert_eq!(widths(600, &unsorted), vec![480, 600]);
}

#[test]
fn scaled_height_rounds() {
    assert_eq!(scaled_height(480, 4000, 3000), 360);
    assert_eq!(scaled_height(100, 300, 200), 67); // 66.67
    assert_eq!(scaled_height(100, 300, 199), 66); // 66.33
    assert_eq!(scaled_height(10, 10_000, 10), 1);
}

#[test]
fn probe_reads_jpeg_and_png_headers() {
    let image = photo(300, 200);
    let found = probe(&jpeg(&image), &fast()).unwrap();
    assert_eq!(
        found,
        Probe {
            format: Format::Jpeg,
            width: 300,
            height: 200,
            gps: false
        }
    );
    let found = probe(&png(&DynamicImage::ImageRgb8(image), None), &fast()).unwrap();
    assert_eq!(found.format, Format::Png);
    assert_eq!((found.width, found.height), (300, 200));
}

#[test]
fn orientation_6_swaps_dimensions_in_probe_and_output() {
    let image = photo(300, 200);
    let source = jpeg_with(&image, Some(exif(6, false)), None);
    let found = probe(&source, &fast()).unwrap();
    assert_eq!((found.width, found.height), (200, 300));
    assert!(!found.gps, "a GPS version alone is no position");

    let variants = all_formats(120, Format::Jpeg);
    let outputs = encode(&source, &variants, &fast()).unwrap();
    for (variant, bytes) in variants.iter().zip(&outputs) {
        assert_eq!(dimensions(variant.format, bytes), (120, 180), "{variant:?}");
    }

    // Rotated clockwise: the source's top-left corner ends at the top right.
    let source = jpeg_with(
        &RgbImage::from_fn(
            64,
            32,
            |x, _| {
                if x < 8 {
                    Rgb([255, 0, 0])
                } else {
                    Rgb([0, 0, 255])
                }
            },
        ),
        Some(exif(6, false)),
        None,
    );
    let out = encode(
        &source,
        &[Variant {
            width: 32,
            format: Format::Jpeg,
        }],
        &fast(),
    )
    .unwrap();
    let upright = image::load_from_memory(&out[0]).unwrap().to_rgb8();
    assert_eq!(upright.dimensions(), (32, 64));
    assert!(
        upright.get_pixel(16, 2).0[0] > 200,
        "{:?}",
        upright.get_pixel(16, 2)
    );
    assert!(
        upright.get_pixel(16, 60).0[2] > 200,
        "{:?}",
        upright.get_pixel(16, 60)
    );

    // PNG carries EXIF in an eXIf chunk, and orientation applies there too.
    let source = png(&DynamicImage::ImageRgb8(image), Some(exif(8, false)));
    let found = probe(&source, &fast()).unwrap();
    assert_eq!((found.width, found.height), (200, 300));
}

#[test]
fn gps_is_detected() {
    let image = photo(64, 48);
    let with = jpeg_with(&image, Some(exif(1, true)), None);
    assert!(probe(&with, &fast()).unwrap().gps);
    let png_with = png(&DynamicImage::ImageRgb8(image.clone()), Some(exif(1, true)));
    assert!(probe(&png_with, &fast()).unwrap().gps);
    assert!(!probe(&jpeg(&image), &fast()).unwrap().gps);
}

/// The JPEG markers of a file up to its first scan.
fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
    }
    markers
}

/// The chunk types of a PNG.
fn png_chunks(bytes: &[u8]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        chunks.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        at += 12 + length;
    }
    chunks
}

#[test]
fn outputs_carry_no_metadata_and_have_the_right_size() {
    let image = photo(400, 300);
    let mut exif_with_xmp = exif(1, true);
    exif_with_xmp.extend_from_slice(b"http://ns.adobe.com/xap/1.0/");
    let sources = [
        (jpeg_with(&image, Some(exif(1, true)), None), Format::Jpeg),
        (
            png(&DynamicImage::ImageRgb8(image), Some(exif(1, true))),
            Format::Png,
        ),
    ];
    for (source, fallback) in sources {
        assert!(probe(&source, &fast()).unwrap().gps, "the source must carry GPS");
        let variants: Vec<Variant> = [120, 320]
            .into_iter()
            .flat_map(|width| all_formats(width, fallback))
            .collect();
        let outputs = encode(&source, &variants, &fast()).unwrap();
        assert_eq!(outputs.len(), variants.len());
        for (variant, bytes) in variants.iter().zip(&outputs) {
            for needle in [&b"Exif"[..], b"http://ns.adobe.com/xap", b"GPS", b"ICC_PROFILE"] {
                assert!(!contains(bytes, needle), "{variant:?} has {needle:?}");
            }
            let height = scaled_height(variant.width, 400, 300);
            assert_eq!(
                dimensions(variant.format, bytes),
                (variant.width, height),
                "{variant:?}"
            );
            match variant.format {
                // SOI, then the minimal JFIF header, tables, and the first scan: no APPn else.
                Format::Jpeg => assert!(
                    jpeg_markers(bytes)
                        .iter()
                        .all(|m| matches!(m, 0xE0 | 0xDB | 0xC4 | 0xC2 | 0xDA)),
                    "{:x?}",
                    jpeg_markers(bytes)
                ),
                Format::Png => assert_eq!(png_chunks(bytes), ["IHDR", "IDAT", "IEND"]),
                Format::Webp => {
                    for chunk in [&b"EXIF"[..], b"XMP ", b"ICCP"] {
                        assert!(!contains(bytes, chunk));
                    }
                }
                Format::Avif => assert!(!contains(bytes, b"Exif") && !contains(bytes, b"mime")),
            }
        }
    }
}

#[test]
fn encoding_is_deterministic_across_runs_and_thread_counts() {
    let source = jpeg(&photo(640, 480));
    let settings = Settings {
        avif_speed: 8,
        ..fast()
    };
    let variants: Vec<Variant> = [200, 320, 640]
        .into_iter()
        .flat_map(|width| all_formats(width, Format::Jpeg))
        .collect();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| encode(&source, &variants, &settings).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(2));
    assert_eq!(one, encode(&source, &variants, &settings).unwrap());
}

#[test]
fn truncated_and_garbage_sources_are_errors() {
    let image = photo(300, 200);
    let whole_jpeg = jpeg(&image);
    let whole_png = png(&DynamicImage::ImageRgb8(image), None);
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "jpeg cut in its pixels",
            whole_jpeg[..whole_jpeg.len() * 2 / 3].to_vec(),
        ),
        ("jpeg cut in its header", whole_jpeg[..40].to_vec()),
        (
            "png cut in its pixels",
            whole_png[..whole_png.len() * 2 / 3].to_vec(),
        ),
        ("png cut in its header", whole_png[..30].to_vec()),
        ("png magic only", whole_png[..8].to_vec()),
        ("jpeg magic only", vec![0xFF, 0xD8, 0xFF]),
    ];
    // An EXIF thumbnail is a whole JPEG, end marker included: cutting the main image must
    // still be caught.
    let mut thumbnail = exif(1, false);
    thumbnail.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
    let with_thumbnail = jpeg_with(&photo(300, 200), Some(thumbnail), None);
    assert!(probe(&with_thumbnail, &fast()).is_ok());
    cases.push((
        "jpeg with a thumbnail, cut",
        with_thumbnail[..with_thumbnail.len() - 400].to_vec(),
    ));
    // Bytes after the end marker (some cameras append data) are fine.
    let mut trailing = whole_jpeg.clone();
    trailing.extend_from_slice(b"\0\0vendor trailer");
    assert!(encode(
        &trailing,
        &[Variant {
            width: 120,
            format: Format::Jpeg
        }],
        &fast()
    )
    .is_ok());

    let variants = [Variant {
        width: 120,
        format: Format::Webp,
    }];
    for (name, bytes) in cases {
        let Err(error) = probe(&bytes, &fast()).and_then(|_| encode(&bytes, &variants, &fast())) else {
            panic!("{name}: accepted");
        };
        assert!(
            error.message.contains("damaged or incomplete"),
            "{name}: {error:?}"
        );
        assert!(!error.help.is_empty());
    }
}

#[test]
fn unsupported_formats_are_named() {
    let cases: [(&[u8], &str); 6] = [
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
        (
            b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "SVG",
        ),
        (b"hello, world", "not a JPEG or PNG"),
        (b"", "empty"),
    ];
    for (bytes, word) in cases {
        let error = probe(bytes, &fast()).unwrap_err();
        assert!(error.message.contains(word), "{word}: {error:?}");
        let error = encode(
            bytes,
            &[Variant {
                width: 10,
                format: Format::Webp,
            }],
            &fast(),
        )
        .unwrap_err();
        assert!(error.message.contains(word), "{word}: {error:?}");
        if !bytes.is_empty() {
            assert!(error.message.starts_with("unsupported image format"), "{error:?}");
        }
    }
}

/// A PNG whose header says 20000×20000 and whose data is a few zlib bytes: not decodable, but
/// the header must be refused before anything is tried.
fn bomb_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32fast::hash(&crc_input).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&20_000u32.to_be_bytes());
    header.extend_from_slice(&20_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A JPEG whose frame header says 20000×20000: the SOF0 of a real small JPEG rewritten.
fn bomb_jpeg() -> Vec<u8> {
    let mut bytes = jpeg(&photo(16, 16));
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&20_000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&20_000u16.to_be_bytes());
    bytes
}

#[test]
fn bombs_are_refused_from_the_header() {
    for bomb in [bomb_png(), bomb_jpeg()] {
        let error = probe(&bomb, &Settings::default()).unwrap_err();
        assert!(error.message.contains("megapixels"), "{error:?}");
        assert!(error.message.contains("20000×20000"), "{error:?}");
        let error = encode(
            &bomb,
            &[Variant {
                width: 480,
                format: Format::Webp,
            }],
            &Settings::default(),
        )
        .unwrap_err();
        assert!(error.message.contains("megapixels"), "{error:?}");
    }
    // The limit is the setting: a small image over a small limit is refused too.
    let small = jpeg(&photo(2000, 1000));
    let strict = Settings {
        max_megapixels: 1,
        ..fast()
    };
    assert!(probe(&small, &strict)
        .unwrap_err()
        .message
        .contains("2.0 megapixels"));
}

#[test]
fn decoder_limits_are_the_second_guard() {
    // Even past the header check, the decoder itself refuses to allocate over the limit.
    let settings = Settings {
        max_megapixels: 1,
        ..fast()
    };
    let source = jpeg(&photo(1000, 1000));
    let mut decoder = JpegDecoder::new(Cursor::new(&source[..])).unwrap();
    let mut limits = decoder_limits(&settings);
    limits.max_alloc = Some(1000);
    assert!(limits.reserve(decoder.total_bytes()).is_err());
    limits.max_image_width = Some(999);
    assert!(decoder.set_limits(limits).is_err());
}

#[test]
fn alpha_survives_into_webp_avif_and_png() {
    let image = RgbaImage::from_fn(256, 128, |x, y| {
        Rgba([
            x as u8,
            y as u8 * 2,
            128,
            if x < 128 { 255 } else { (y * 2) as u8 },
        ])
    });
    let source = png(&DynamicImage::ImageRgba8(image), None);
    let variants = all_formats(128, Format::Png);
    let outputs = encode(&source, &variants, &fast()).unwrap();
    let webp = webp::Decoder::new(&outputs[1]).decode().unwrap();
    assert!(webp.is_alpha());
    assert_eq!((webp.width(), webp.height()), (128, 64));
    assert!(contains(
        &outputs[0],
        b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"
    ));
    let fallback = image::load_from_memory(&outputs[2]).unwrap();
    assert!(fallback.color().has_alpha());
    assert!(fallback.to_rgba8().get_pixel(127, 0).0[3] < 16);

    // Opaque alpha is dropped: smaller files, and the same pixels.
    let opaque = png(
        &DynamicImage::ImageRgba8(RgbaImage::from_pixel(64, 64, Rgba([9, 9, 9, 255]))),
        None,
    );
    let outputs = encode(&opaque, &all_formats(64, Format::Png), &fast()).unwrap();
    assert!(!webp::Decoder::new(&outputs[1]).decode().unwrap().is_alpha());
    assert!(!contains(&outputs[0], b"auxiliary:alpha"));
    assert!(!image::load_from_memory(&outputs[2]).unwrap().color().has_alpha());

    // A JPEG made from a transparent source is flattened onto white.
    let clear = png(
        &DynamicImage::ImageRgba8(RgbaImage::from_pixel(32, 32, Rgba([0, 0, 0, 0]))),
        None,
    );
    let out = encode(
        &clear,
        &[Variant {
            width: 32,
            format: Format::Jpeg,
        }],
        &fast(),
    )
    .unwrap();
    let flat = image::load_from_memory(&out[0]).unwrap().to_rgb8();
    assert!(flat.get_pixel(16, 16).0.iter().all(|&c| c > 250));
}

#[test]
fn icc_profiles_are_converted_to_srgb() {
    let colour = Rgb([200u8, 100, 50]);
    let image = RgbImage::from_pixel(64, 64, colour);
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let srgb = moxcms::ColorProfile::new_srgb().encode().unwrap();
    let centre = |source: Vec<u8>| {
        let out = encode(
            &source,
            &[Variant {
                width: 64,
                format: Format::Png,
            }],
            &fast(),
        )
        .unwrap();
        image::load_from_memory(&out[0])
            .unwrap()
            .to_rgb8()
            .get_pixel(32, 32)
            .0
    };
    let untagged = centre(png(&DynamicImage::ImageRgb8(image.clone()), None));
    assert_eq!(untagged, colour.0);

    // Display P3 (iPhone photos): the same numbers mean a more saturated colour in sRGB.
    let mut source = Vec::new();
    let mut encoder = PngEncoder::new(&mut source);
    encoder.set_icc_profile(p3).unwrap();
    DynamicImage::ImageRgb8(image.clone())
        .write_with_encoder(encoder)
        .unwrap();
    let converted = centre(source);
    assert!(converted[0] > colour.0[0] + 10, "{converted:?}");
    assert!(converted[2] < colour.0[2], "{converted:?}");

    // An sRGB profile is left alone (no rounding drift).
    let mut source = Vec::new();
    let mut encoder = PngEncoder::new(&mut source);
    encoder.set_icc_profile(srgb).unwrap();
    DynamicImage::ImageRgb8(image.clone())
        .write_with_encoder(encoder)
        .unwrap();
    assert_eq!(centre(source), colour.0);

    // A broken profile is ignored, as browsers do.
    let mut source = Vec::new();
    let mut encoder = PngEncoder::new(&mut source);
    encoder.set_icc_profile(b"not a profile at all".to_vec()).unwrap();
    DynamicImage::ImageRgb8(image)
        .write_with_encoder(encoder)
        .unwrap();
    assert_eq!(centre(source), colour.0);
}

#[test]
fn variants_come_back_in_the_order_asked() {
    let source = jpeg(&photo(400, 300));
    let variants = [
        Variant {
            width: 320,
            format: Format::Jpeg,
        },
        Variant {
            width: 120,
            format: Format::Webp,
        },
        Variant {
            width: 320,
            format: Format::Avif,
        },
        Variant {
            width: 120,
            format: Format::Jpeg,
        },
        // Wider than the source: made at the source's width.
        Variant {
            width: 999,
            format: Format::Webp,
        },
    ];
    let outputs = encode(&source, &variants, &fast()).unwrap();
    let sizes: Vec<_> = variants
        .iter()
        .zip(&outputs)
        .map(|(v, b)| dimensions(v.format, b))
        .collect();
    assert_eq!(sizes, [(320, 240), (120, 90), (320, 240), (120, 90), (400, 300)]);
    assert_eq!(encode(&source, &[], &fast()).unwrap(), Vec::<Vec<u8>>::new());
}

/// The measurement behind the AVIF defaults, on a real photo (none is committed):
/// `MEDIA_PHOTO=photo.jpg cargo test --release --lib media::tests::avif_speeds -- --ignored
/// --nocapture`. With `MEDIA_OUT=dir` it also writes the 1600 px files and a lossless
/// reference, for a metric such as butteraugli (after `avifdec -d 8`).
#[test]
#[ignore]
fn avif_speeds() {
    let Ok(path) = std::env::var("MEDIA_PHOTO") else {
        return;
    };
    let out_dir = std::env::var("MEDIA_OUT").ok();
    let source = std::fs::read(path).unwrap();
    let found = probe(&source, &Settings::default()).unwrap();
    // One thread: the times are CPU seconds.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let run = |format: Format, settings: &Settings| {
        let variants: Vec<Variant> = widths(found.width, settings)
            .into_iter()
            .map(|width| Variant { width, format })
            .collect();
        let start = std::time::Instant::now();
        let out = pool.install(|| encode(&source, &variants, settings).unwrap());
        let seconds = start.elapsed().as_secs_f64();
        let sizes: Vec<usize> = out.iter().map(Vec::len).collect();
        println!("{format:?} {settings:?}: {seconds:.1} s, {sizes:?}");
        if let (Some(dir), Some(last)) = (&out_dir, out.last()) {
            let name = format!(
                "{dir}/{}-q{}-s{}.{}",
                widths(found.width, settings).last().unwrap(),
                if format == Format::Avif {
                    settings.avif_quality
                } else {
                    settings.quality
                },
                settings.avif_speed,
                format.extension()
            );
            std::fs::write(name, last).unwrap();
        }
    };
    println!("{}×{} px", found.width, found.height);
    run(Format::Png, &Settings::default());
    run(Format::Jpeg, &Settings::default());
    run(Format::Webp, &Settings::default());
    for avif_speed in [6, 8, 9, 10] {
        for avif_quality in [60, 70] {
            run(
                Format::Avif,
                &Settings {
                    avif_speed,
                    avif_quality,
                    ..Settings::default()
                },
            );
        }
    }
}
