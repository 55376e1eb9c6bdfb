//! WSQ encoder.

use super::bits::BitWriter;
use super::huffman::{EncoderTable, HuffmanSpec, SYMBOLS};
use super::quant::{self, BIN_CENTER, QuantTable};
use super::scaled::{Scaled16, Scaled32};
use super::transform::{ANALYSIS_HIGH, ANALYSIS_LOW, AnalysisBank, Workspace, decompose};
use super::{WsqError, check_size, marker, symbol};
use crate::GrayImage;

/// Compresses an 8-bit grayscale image to WSQ at `bitrate` bits per pixel
/// ([`super::STANDARD_BITRATE`], 0.75, is what the FBI and NBIS use) and records
/// `ppi` (0 for unknown) in the NIST comment.
///
/// Images must be at least 65 pixels per side (the smallest split must hold
/// 5 samples) and at most 65535.
pub fn encode(image: &GrayImage, bitrate: f32, ppi: u16) -> Result<Vec<u8>, WsqError> {
    image.check()?;
    if !(bitrate > 0.0 && bitrate <= 8.0) {
        return Err(WsqError::InvalidBitrate(bitrate));
    }
    let trees = check_size(image.width, image.height, u64::MAX)?;
    let (width, height) = (image.width as usize, image.height as usize);

    // Shift and scale the pixels to about +/-128, using the values exactly as the
    // frame header stores them so that the decoder undoes the very same mapping.
    let (shift, scale) = shift_and_scale(&image.pixels);
    let (shift_f, scale_f) = (shift.to_f32(), scale.to_f32());
    let mut data: Vec<f32> = image
        .pixels
        .iter()
        .map(|&p| (f32::from(p) - shift_f) / scale_f)
        .collect();

    let mut ws = Workspace::new(width * height);
    decompose(
        &mut data,
        width,
        &trees.splits,
        &AnalysisBank::standard(),
        &mut ws,
    );
    drop(ws);

    let variances = quant::variances(&data, width, &trees.bands);
    let mut table = quant::quant_table(&variances, f64::from(bitrate));
    quant::limit_steps(&mut table, &data, width, &trees.bands);
    let mut levels = Vec::with_capacity(width * height);
    quant::quantize(&data, width, &trees.bands, &table, &mut levels);
    drop(data);

    let [size1, size2, size3] = trees.block_sizes(&table.coded());
    let (block1, rest) = levels.split_at(size1.min(levels.len()));
    let (block2, block3) = rest.split_at(size2.min(rest.len()));
    debug_assert_eq!(block3.len(), size3);

    let symbols1 = symbolize(block1);
    let symbols2 = symbolize(block2);
    let symbols3 = symbolize(block3);
    let spec1 = HuffmanSpec::optimal(&frequencies(&[&symbols1]));
    let spec2 = HuffmanSpec::optimal(&frequencies(&[&symbols2, &symbols3]));

    let mut out = Vec::with_capacity(1024 + width * height / 8);
    put_u16(&mut out, marker::SOI);
    put_comment(
        &mut out,
        &nist_comment(image.width, image.height, ppi, bitrate),
    );
    put_transform_table(&mut out);
    put_quant_table(&mut out, &table);
    put_frame_header(
        &mut out,
        image.width as u16,
        image.height as u16,
        shift,
        scale,
    );
    put_huffman_table(&mut out, 0, &spec1);
    put_block(&mut out, 0, &symbols1, &EncoderTable::new(&spec1)?);
    put_huffman_table(&mut out, 1, &spec2);
    let table2 = EncoderTable::new(&spec2)?;
    put_block(&mut out, 1, &symbols2, &table2);
    put_block(&mut out, 1, &symbols3, &table2);
    put_u16(&mut out, marker::EOI);
    Ok(out)
}

/// Mean and half-range of the pixels, as stored in the frame header.
fn shift_and_scale(pixels: &[u8]) -> (Scaled16, Scaled16) {
    let (mut sum, mut low, mut high) = (0u64, u8::MAX, u8::MIN);
    for &p in pixels {
        sum += u64::from(p);
        low = low.min(p);
        high = high.max(p);
    }
    let mean = sum as f64 / pixels.len().max(1) as f64;
    let shift = Scaled16::from_f64(mean);
    let m = shift.to_f64();
    let mut half_range = (m - f64::from(low)).max(f64::from(high) - m) / 128.0;
    if half_range <= 0.0 {
        // A flat image: any scale works, as every coefficient is zero.
        half_range = 1.0;
    }
    (shift, Scaled16::from_f64(half_range))
}

/// One entropy-code symbol with its extra bits.
#[derive(Clone, Copy)]
struct Symbol {
    symbol: u8,
    extra_len: u8,
    extra: u16,
}

impl Symbol {
    fn plain(symbol: u8) -> Self {
        Self {
            symbol,
            extra_len: 0,
            extra: 0,
        }
    }
}

fn coefficient_symbol(level: i16) -> Symbol {
    let v = i32::from(level);
    if (symbol::MIN_DIRECT..=symbol::MAX_DIRECT).contains(&v) {
        return Symbol::plain((v + symbol::COEFF_OFFSET) as u8);
    }
    let magnitude = v.unsigned_abs() as u16;
    let (symbol, extra_len) = match (v > 0, magnitude > 255) {
        (true, false) => (symbol::POS_8, 8),
        (true, true) => (symbol::POS_16, 16),
        (false, false) => (symbol::NEG_8, 8),
        (false, true) => (symbol::NEG_16, 16),
    };
    Symbol {
        symbol,
        extra_len,
        extra: magnitude,
    }
}

fn run_symbol(run: u32) -> Symbol {
    if run <= u32::from(symbol::MAX_ZERO_RUN) {
        Symbol::plain(run as u8)
    } else if run <= 0xFF {
        Symbol {
            symbol: symbol::RUN_8,
            extra_len: 8,
            extra: run as u16,
        }
    } else {
        Symbol {
            symbol: symbol::RUN_16,
            extra_len: 16,
            extra: run.min(0xFFFF) as u16,
        }
    }
}

/// Turns quantized levels into symbols: zero runs (at most 65535 long) and
/// coefficients.
fn symbolize(levels: &[i16]) -> Vec<Symbol> {
    let mut out = Vec::with_capacity(levels.len() / 4);
    let mut run: u32 = 0;
    for &level in levels {
        if level == 0 {
            run += 1;
            if run == 0xFFFF {
                out.push(run_symbol(run));
                run = 0;
            }
            continue;
        }
        if run > 0 {
            out.push(run_symbol(run));
            run = 0;
        }
        out.push(coefficient_symbol(level));
    }
    if run > 0 {
        out.push(run_symbol(run));
    }
    out
}

fn frequencies(blocks: &[&[Symbol]]) -> [u64; SYMBOLS] {
    let mut freq = [0u64; SYMBOLS];
    for block in blocks {
        for s in *block {
            freq[usize::from(s.symbol)] += 1;
        }
    }
    freq
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_scaled16(out: &mut Vec<u8>, v: Scaled16) {
    out.push(v.scale);
    put_u16(out, v.value);
}

fn nist_comment(width: u32, height: u32, ppi: u16, bitrate: f32) -> String {
    let ppi = if ppi == 0 {
        "-1".to_owned()
    } else {
        ppi.to_string()
    };
    // The fields and order NBIS writes.
    format!(
        "NIST_COM 9\nPIX_WIDTH {width}\nPIX_HEIGHT {height}\nPIX_DEPTH 8\nPPI {ppi}\nLOSSY 1\n\
         COLORSPACE GRAY\nCOMPRESSION WSQ\nWSQ_BITRATE {bitrate:.6}"
    )
}

fn put_comment(out: &mut Vec<u8>, text: &str) {
    put_u16(out, marker::COM);
    put_u16(out, (text.len() + 2) as u16);
    out.extend_from_slice(text.as_bytes());
}

fn put_transform_table(out: &mut Vec<u8>) {
    put_u16(out, marker::DTT);
    let taps = ANALYSIS_LOW.len() / 2 + 1 + ANALYSIS_HIGH.len() / 2 + 1;
    put_u16(out, (4 + 6 * taps) as u16);
    out.push(ANALYSIS_LOW.len() as u8);
    out.push(ANALYSIS_HIGH.len() as u8);
    // Only the centre and right half of each symmetric filter is stored.
    let halves = ANALYSIS_LOW[ANALYSIS_LOW.len() / 2..]
        .iter()
        .chain(&ANALYSIS_HIGH[ANALYSIS_HIGH.len() / 2..]);
    for &c in halves {
        let s = Scaled32::from_f64(c);
        out.push(u8::from(s.negative));
        out.push(s.scale);
        out.extend_from_slice(&s.value.to_be_bytes());
    }
}

fn put_quant_table(out: &mut Vec<u8>, table: &QuantTable) {
    put_u16(out, marker::DQT);
    put_u16(out, 2 + 3 + 64 * 6);
    put_scaled16(out, BIN_CENTER);
    for (&q, &z) in table.q.iter().zip(&table.z) {
        // The table holds values already rounded to this form, so this is exact.
        put_scaled16(out, Scaled16::from_f64(f64::from(q)));
        put_scaled16(out, Scaled16::from_f64(f64::from(z)));
    }
}

fn put_frame_header(out: &mut Vec<u8>, width: u16, height: u16, shift: Scaled16, scale: Scaled16) {
    put_u16(out, marker::SOF);
    put_u16(out, 17);
    out.push(0); // black
    out.push(255); // white
    put_u16(out, height);
    put_u16(out, width);
    put_scaled16(out, shift);
    put_scaled16(out, scale);
    out.push(2); // WSQ encoder version, as NBIS
    put_u16(out, 0); // software implementation number: not certified
}

fn put_huffman_table(out: &mut Vec<u8>, id: u8, spec: &HuffmanSpec) {
    put_u16(out, marker::DHT);
    put_u16(out, (3 + spec.counts.len() + spec.values.len()) as u16);
    out.push(id);
    out.extend_from_slice(&spec.counts);
    out.extend_from_slice(&spec.values);
}

fn put_block(out: &mut Vec<u8>, table_id: u8, symbols: &[Symbol], table: &EncoderTable) {
    put_u16(out, marker::SOB);
    put_u16(out, 3);
    out.push(table_id);
    let mut writer = BitWriter::with_capacity(symbols.len());
    for s in symbols {
        let (code, len) = table.codes[usize::from(s.symbol)];
        writer.put(u32::from(code), u32::from(len));
        if s.extra_len > 0 {
            writer.put(u32::from(s.extra), u32::from(s.extra_len));
        }
    }
    out.extend_from_slice(&writer.finish());
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_65535() {
        let levels = vec![0i16; 70_000];
        let symbols = symbolize(&levels);
        let runs: Vec<(u8, u16)> = symbols.iter().map(|s| (s.symbol, s.extra)).collect();
        assert_eq!(runs, vec![(symbol::RUN_16, 65535), (symbol::RUN_16, 4465)]);
    }

    #[test]
    fn coefficients_use_escapes_past_the_direct_range() {
        let symbols = symbolize(&[74, 75, -73, -74, 300, -300, 0, 0, 5]);
        let got: Vec<(u8, u8, u16)> = symbols
            .iter()
            .map(|s| (s.symbol, s.extra_len, s.extra))
            .collect();
        assert_eq!(
            got,
            vec![
                (254, 0, 0),
                (symbol::POS_8, 8, 75),
                (107, 0, 0),
                (symbol::NEG_8, 8, 74),
                (symbol::POS_16, 16, 300),
                (symbol::NEG_16, 16, 300),
                (2, 0, 0),
                (185, 0, 0),
            ]
        );
    }

    #[test]
    fn rejects_bad_bitrate_and_tiny_images() {
        let image = GrayImage::filled(128, 128, 100);
        assert!(matches!(
            encode(&image, 0.0, 500),
            Err(WsqError::InvalidBitrate(_))
        ));
        assert!(matches!(
            encode(&image, f32::NAN, 500),
            Err(WsqError::InvalidBitrate(_))
        ));
        assert!(matches!(
            encode(&GrayImage::filled(40, 200, 0), 0.75, 500),
            Err(WsqError::ImageTooSmall { .. })
        ));
    }
}
