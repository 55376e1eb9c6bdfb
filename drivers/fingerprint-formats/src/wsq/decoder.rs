//! WSQ decoder. Total on any input: it returns an image or a typed error.

use super::bits::BitReader;
use super::huffman::{Decoded, DecoderTable, HuffmanSpec, MAX_CODE_LEN, SYMBOLS};
use super::quant::{self, QuantTable};
use super::scaled::{Scaled16, Scaled32};
use super::transform::{SynthesisBank, Workspace, reconstruct};
use super::{DecodeLimits, WsqError, WsqHeader, WsqImage, check_size, marker, symbol};
use crate::GrayImage;

/// Decodes a WSQ file with the default [`DecodeLimits`].
pub fn decode(data: &[u8]) -> Result<GrayImage, WsqError> {
    decode_with_limits(data, &DecodeLimits::default()).map(|decoded| decoded.image)
}

/// Decodes a WSQ file, refusing images larger than `limits` allow, and also
/// returns the resolution its NIST comment states.
pub fn decode_with_limits(data: &[u8], limits: &DecodeLimits) -> Result<WsqImage, WsqError> {
    Decoder::new(data, *limits).run()
}

/// Reads the image size (and resolution, if stated) without decoding the image.
pub fn read_header(data: &[u8]) -> Result<WsqHeader, WsqError> {
    let mut reader = Reader { data, pos: 0 };
    if reader.u16()? != marker::SOI {
        return Err(WsqError::NotWsq);
    }
    let mut ppi = None;
    loop {
        let offset = reader.pos;
        let m = reader.u16()?;
        let body = reader.segment(m)?;
        match m {
            marker::COM => {
                if ppi.is_none() {
                    ppi = nist_ppi(body);
                }
            }
            marker::SOF => {
                let frame = parse_frame(body)?;
                return Ok(WsqHeader {
                    width: u32::from(frame.width),
                    height: u32::from(frame.height),
                    ppi,
                });
            }
            marker::DTT | marker::DQT | marker::DHT => {}
            _ => return Err(WsqError::UnexpectedMarker { marker: m, offset }),
        }
    }
}

/// Byte reader over the whole file.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn u16(&mut self) -> Result<u16, WsqError> {
        let bytes = self
            .data
            .get(self.pos..self.pos + 2)
            .ok_or(WsqError::Truncated)?;
        self.pos += 2;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    /// The body of the marker segment that starts here (after its length field).
    fn segment(&mut self, m: u16) -> Result<&'a [u8], WsqError> {
        let len = usize::from(self.u16()?);
        if len < 2 {
            return Err(WsqError::BadSegment {
                marker: m,
                reason: "length below 2",
            });
        }
        let body = self
            .data
            .get(self.pos..self.pos + (len - 2))
            .ok_or(WsqError::Truncated)?;
        self.pos += len - 2;
        Ok(body)
    }

    /// Entropy-coded bytes up to the next marker, with stuffing removed.
    fn coded_segment(&mut self, out: &mut Vec<u8>) -> Result<(), WsqError> {
        out.clear();
        loop {
            let rest = self.data.get(self.pos..).unwrap_or(&[]);
            let Some(ff) = rest.iter().position(|&b| b == 0xFF) else {
                return Err(WsqError::Truncated);
            };
            out.extend_from_slice(&rest[..ff]);
            match rest.get(ff + 1) {
                None => return Err(WsqError::Truncated),
                Some(0x00) => {
                    out.push(0xFF);
                    self.pos += ff + 2;
                }
                Some(_) => {
                    // A marker: the block ends here.
                    self.pos += ff;
                    return Ok(());
                }
            }
        }
    }
}

/// Cursor over one segment body.
struct Body<'a> {
    marker: u16,
    data: &'a [u8],
    pos: usize,
}

impl<'a> Body<'a> {
    fn new(marker: u16, data: &'a [u8]) -> Self {
        Self {
            marker,
            data,
            pos: 0,
        }
    }

    fn short(&self) -> WsqError {
        WsqError::BadSegment {
            marker: self.marker,
            reason: "shorter than its content",
        }
    }

    fn u8(&mut self) -> Result<u8, WsqError> {
        let b = *self.data.get(self.pos).ok_or_else(|| self.short())?;
        self.pos += 1;
        Ok(b)
    }

    fn u16(&mut self) -> Result<u16, WsqError> {
        Ok(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }

    fn u32(&mut self) -> Result<u32, WsqError> {
        Ok(u32::from_be_bytes([
            self.u8()?,
            self.u8()?,
            self.u8()?,
            self.u8()?,
        ]))
    }

    fn scaled16(&mut self) -> Result<Scaled16, WsqError> {
        Ok(Scaled16 {
            scale: self.u8()?,
            value: self.u16()?,
        })
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], WsqError> {
        let b = self
            .data
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.short())?;
        self.pos += n;
        Ok(b)
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }
}

struct Frame {
    width: u16,
    height: u16,
    shift: f32,
    scale: f32,
}

fn parse_frame(body: &[u8]) -> Result<Frame, WsqError> {
    let mut b = Body::new(marker::SOF, body);
    let _black = b.u8()?;
    let _white = b.u8()?;
    let height = b.u16()?;
    let width = b.u16()?;
    let shift = b.scaled16()?.to_f32();
    let scale = b.scaled16()?.to_f32();
    // Encoder version and software number follow; nothing depends on them.
    Ok(Frame {
        width,
        height,
        shift,
        scale,
    })
}

/// Synthesis filters from a DTT segment. The file stores the centre and right
/// half of the analysis low-pass and high-pass filters.
fn parse_transform(body: &[u8]) -> Result<SynthesisBank, WsqError> {
    let mut b = Body::new(marker::DTT, body);
    let low_taps = b.u8()?;
    let high_taps = b.u8()?;
    let supported = |n: u8| n % 2 == 1 && n <= 31;
    if !supported(low_taps) || !supported(high_taps) {
        return Err(WsqError::UnsupportedFilter {
            low: low_taps,
            high: high_taps,
        });
    }
    let mut read_half = |taps: u8| -> Result<Vec<f64>, WsqError> {
        (0..=taps / 2)
            .map(|_| {
                let negative = b.u8()? != 0;
                let scale = b.u8()?;
                let value = b.u32()?;
                Ok(Scaled32 {
                    negative,
                    scale,
                    value,
                }
                .to_f64())
            })
            .collect()
    };
    let low_half = read_half(low_taps)?;
    let high_half = read_half(high_taps)?;
    // Synthesis filters: (-1)^n modulation, mirrored about the centre.
    let modulated_full = |half: &[f64]| -> Vec<f64> {
        let c = half.len() - 1;
        (0..2 * c + 1)
            .map(|i| {
                let n = i.abs_diff(c);
                if n % 2 == 0 { half[n] } else { -half[n] }
            })
            .collect()
    };
    let g1 = modulated_full(&low_half);
    let g0 = modulated_full(&high_half);
    Ok(SynthesisBank::new(&g0, &g1))
}

fn parse_quant(body: &[u8]) -> Result<QuantTable, WsqError> {
    let mut b = Body::new(marker::DQT, body);
    let bin_center = b.scaled16()?.to_f32();
    let mut table = QuantTable {
        bin_center,
        q: [0.0; 64],
        z: [0.0; 64],
    };
    for band in 0..64 {
        table.q[band] = b.scaled16()?.to_f32();
        table.z[band] = b.scaled16()?.to_f32();
    }
    if !table.q.iter().chain(&table.z).all(|v| v.is_finite()) {
        return Err(WsqError::BadSegment {
            marker: marker::DQT,
            reason: "quantizer step out of range",
        });
    }
    Ok(table)
}

/// One or more Huffman tables from a DHT segment.
fn parse_huffman(body: &[u8], tables: &mut [Option<DecoderTable>; 8]) -> Result<(), WsqError> {
    let mut b = Body::new(marker::DHT, body);
    if b.remaining() == 0 {
        return Err(b.short());
    }
    while b.remaining() > 0 {
        let id = usize::from(b.u8()?);
        let mut counts = [0u8; MAX_CODE_LEN];
        for c in &mut counts {
            *c = b.u8()?;
        }
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > SYMBOLS {
            return Err(WsqError::CorruptHuffmanTable);
        }
        let values = b.bytes(total)?.to_vec();
        let slot = tables.get_mut(id).ok_or(WsqError::BadSegment {
            marker: marker::DHT,
            reason: "table number above 7",
        })?;
        *slot = Some(DecoderTable::new(&HuffmanSpec { counts, values })?);
    }
    Ok(())
}

/// The PPI field of a NISTCOM comment.
fn nist_ppi(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.starts_with("NIST_COM") {
        return None;
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("PPI "))
        .find_map(|v| v.trim().parse::<i64>().ok())
        .and_then(|v| u16::try_from(v).ok())
        .filter(|&v| v > 0)
}

struct Decoder<'a> {
    reader: Reader<'a>,
    limits: DecodeLimits,
}

/// Where decoded coefficients go.
struct Levels {
    levels: Vec<i16>,
    expected: usize,
}

impl<'a> Decoder<'a> {
    fn new(data: &'a [u8], limits: DecodeLimits) -> Self {
        Self {
            reader: Reader { data, pos: 0 },
            limits,
        }
    }

    fn run(mut self) -> Result<WsqImage, WsqError> {
        if self.reader.u16().map_err(|_| WsqError::NotWsq)? != marker::SOI {
            return Err(WsqError::NotWsq);
        }
        let mut ppi = None;
        let mut filters: Option<SynthesisBank> = None;
        let mut quant: Option<QuantTable> = None;
        let mut huffman: [Option<DecoderTable>; 8] = Default::default();
        let mut frame: Option<(Frame, super::tree::Trees)> = None;
        let mut levels: Option<Levels> = None;
        let mut coded = Vec::new();

        loop {
            let offset = self.reader.pos;
            let m = self.reader.u16()?;
            match m {
                marker::EOI => break,
                marker::COM => {
                    let body = self.reader.segment(m)?;
                    if ppi.is_none() {
                        ppi = nist_ppi(body);
                    }
                }
                marker::DTT => filters = Some(parse_transform(self.reader.segment(m)?)?),
                marker::DQT => {
                    if levels.is_some() {
                        return Err(WsqError::BadSegment {
                            marker: m,
                            reason: "quantization table redefined after image data",
                        });
                    }
                    quant = Some(parse_quant(self.reader.segment(m)?)?);
                }
                marker::DHT => parse_huffman(self.reader.segment(m)?, &mut huffman)?,
                marker::SOF => {
                    if frame.is_some() {
                        return Err(WsqError::UnexpectedMarker { marker: m, offset });
                    }
                    let f = parse_frame(self.reader.segment(m)?)?;
                    let trees = check_size(
                        u32::from(f.width),
                        u32::from(f.height),
                        self.limits.max_pixels,
                    )?;
                    frame = Some((f, trees));
                }
                marker::SOB => {
                    let body = self.reader.segment(m)?;
                    let id = usize::from(*body.first().ok_or(WsqError::BadSegment {
                        marker: m,
                        reason: "no table number",
                    })?);
                    let (_, trees) = frame.as_ref().ok_or(WsqError::MissingTable("frame"))?;
                    let q = quant
                        .as_ref()
                        .ok_or(WsqError::MissingTable("quantization"))?;
                    let table = huffman
                        .get(id)
                        .and_then(Option::as_ref)
                        .ok_or(WsqError::MissingTable("Huffman"))?;
                    let target = levels.get_or_insert_with(|| {
                        let expected = trees.block_sizes(&q.coded()).iter().sum();
                        Levels {
                            levels: Vec::with_capacity(expected),
                            expected,
                        }
                    });
                    self.reader.coded_segment(&mut coded)?;
                    decode_block(&coded, table, target)?;
                }
                _ => return Err(WsqError::UnexpectedMarker { marker: m, offset }),
            }
        }

        let (frame, trees) = frame.ok_or(WsqError::MissingTable("frame"))?;
        let quant = quant.ok_or(WsqError::MissingTable("quantization"))?;
        let filters = filters.ok_or(WsqError::MissingTable("transform"))?;
        let levels = levels.ok_or(WsqError::CorruptData {
            reason: "no image data",
        })?;
        if levels.levels.len() != levels.expected {
            return Err(WsqError::CorruptData {
                reason: "fewer coefficients than the image needs",
            });
        }

        let (width, height) = (usize::from(frame.width), usize::from(frame.height));
        let mut data = vec![0f32; width * height];
        quant::dequantize(&levels.levels, &mut data, width, &trees.bands, &quant);
        drop(levels);
        let mut ws = Workspace::new(width * height);
        reconstruct(&mut data, width, &trees.splits, &filters, &mut ws);
        drop(ws);

        let pixels = data
            .iter()
            .map(|&v| (v * frame.scale + frame.shift + 0.5).clamp(0.0, 255.0) as u8)
            .collect();
        Ok(WsqImage {
            image: GrayImage {
                width: u32::from(frame.width),
                height: u32::from(frame.height),
                pixels,
            },
            ppi,
        })
    }
}

fn too_many() -> WsqError {
    WsqError::CorruptData {
        reason: "more coefficients than the image holds",
    }
}

/// Decodes one block's symbols, appending coefficients to `target`.
fn decode_block(coded: &[u8], table: &DecoderTable, target: &mut Levels) -> Result<(), WsqError> {
    let mut reader = BitReader::new(coded);
    let out = &mut target.levels;
    let expected = target.expected;
    let extra = |reader: &mut BitReader<'_>, n: u32| {
        reader.read_bits(n).ok_or(WsqError::CorruptData {
            reason: "block ends inside a value",
        })
    };
    loop {
        let s = match table.decode(&mut reader)? {
            Decoded::End => return Ok(()),
            Decoded::Symbol(s) => s,
        };
        let zeros = match s {
            1..=symbol::MAX_ZERO_RUN => u32::from(s),
            symbol::RUN_8 => extra(&mut reader, 8)?,
            symbol::RUN_16 => extra(&mut reader, 16)?,
            symbol::POS_8 | symbol::NEG_8 | symbol::POS_16 | symbol::NEG_16 => {
                let bits = if s == symbol::POS_8 || s == symbol::NEG_8 {
                    8
                } else {
                    16
                };
                let magnitude = extra(&mut reader, bits)?.min(i16::MAX as u32) as i16;
                let value = if s == symbol::POS_8 || s == symbol::POS_16 {
                    magnitude
                } else {
                    -magnitude
                };
                if out.len() >= expected {
                    return Err(too_many());
                }
                out.push(value);
                continue;
            }
            107..=254 => {
                if out.len() >= expected {
                    return Err(too_many());
                }
                out.push((i32::from(s) - symbol::COEFF_OFFSET) as i16);
                continue;
            }
            _ => {
                return Err(WsqError::CorruptData {
                    reason: "invalid symbol in image data",
                });
            }
        };
        let zeros = zeros as usize;
        if out.len() + zeros > expected {
            return Err(too_many());
        }
        out.resize(out.len() + zeros, 0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn not_wsq_and_truncated() {
        assert_eq!(decode(b""), Err(WsqError::NotWsq));
        assert_eq!(decode(b"\x89PNG"), Err(WsqError::NotWsq));
        assert_eq!(decode(&[0xFF, 0xA0]), Err(WsqError::Truncated));
        assert_eq!(decode(&[0xFF, 0xA0, 0xFF]), Err(WsqError::Truncated));
    }

    #[test]
    fn nist_ppi_is_read() {
        assert_eq!(nist_ppi(b"NIST_COM 9\nPPI 500\nLOSSY 1"), Some(500));
        assert_eq!(nist_ppi(b"NIST_COM 9\nPPI -1"), None);
        assert_eq!(nist_ppi(b"hello PPI 500"), None);
    }
}
