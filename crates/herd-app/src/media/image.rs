//! Still-image work: decoding within limits, EXIF orientation applied, re-encoding (which
//! leaves all metadata behind), resizing and blurhash. CPU-bound; runs on blocking threads.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::{AppError, Result};

/// Formats accepted for upload.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP) => Some(f),
        _ => None,
    }
}

/// Whether a GIF has more than one frame (it is then served as a video loop, `gifv`).
pub fn animated_gif(bytes: &[u8]) -> bool {
    use image::AnimationDecoder;
    match image::codecs::gif::GifDecoder::new(Cursor::new(bytes)) {
        Ok(d) => d.into_frames().take(2).filter(|f| f.is_ok()).count() == 2,
        Err(_) => false,
    }
}

pub fn mime_of(f: ImageFormat) -> &'static str {
    f.to_mime_type()
}

/// Decodes with a pixel budget and applies the EXIF orientation.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage> {
    let bad = |e: image::ImageError| AppError::Invalid(format!("Validation failed: the image could not be read ({e})"));
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(AppError::from)?;
    let (w, h) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(AppError::from)?
        .into_dimensions()
        .map_err(bad)?;
    if (w as u64) * (h as u64) > max_pixels {
        return Err(AppError::Invalid(format!(
            "Validation failed: the image has {w}x{h} pixels; at most {max_pixels} are allowed"
        )));
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8).max(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

/// Encodes as PNG when the image has transparency or came as PNG, else JPEG.
pub fn encode(img: &DynamicImage, prefer_png: bool) -> Result<(Vec<u8>, &'static str, &'static str)> {
    let mut out = Cursor::new(Vec::new());
    if prefer_png || img.color().has_alpha() {
        img.write_to(&mut out, ImageFormat::Png)
            .map_err(|e| AppError::Internal(format!("encoding: {e}")))?;
        Ok((out.into_inner(), "png", "image/png"))
    } else {
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        enc.encode_image(&rgb).map_err(|e| AppError::Internal(format!("encoding: {e}")))?;
        Ok((out.into_inner(), "jpg", "image/jpeg"))
    }
}

/// Scales down (never up) so the image has at most `max_pixels`.
pub fn fit_pixels(img: DynamicImage, max_pixels: u64) -> DynamicImage {
    let (w, h) = (img.width() as u64, img.height() as u64);
    if w * h <= max_pixels {
        return img;
    }
    let scale = ((max_pixels as f64) / ((w * h) as f64)).sqrt();
    let nw = ((w as f64 * scale).floor() as u32).max(1);
    let nh = ((h as f64 * scale).floor() as u32).max(1);
    img.resize_exact(nw, nh, image::imageops::FilterType::Lanczos3)
}

pub fn blurhash(img: &DynamicImage) -> Option<String> {
    let small = img.thumbnail(64, 64).to_rgba8();
    blurhash::encode(4, 3, small.width(), small.height(), small.as_raw()).ok()
}

/// An avatar or header: cropped to fill `w`x`h` (scaled down only), re-encoded.
pub async fn cropped(bytes: Vec<u8>, max_pixels: u64, w: u32, h: u32) -> Result<(Vec<u8>, &'static str)> {
    tokio::task::spawn_blocking(move || {
        let format =
            sniff(&bytes).ok_or_else(|| AppError::Invalid("Validation failed: the file is not a PNG, JPEG, GIF or WebP image".into()))?;
        let img = decode(&bytes, max_pixels)?;
        let img = if img.width() > w || img.height() > h {
            img.resize_to_fill(w, h, image::imageops::FilterType::Lanczos3)
        } else {
            img
        };
        let (out, ext, _) = encode(&img, format == ImageFormat::Png)?;
        Ok((out, ext))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}
