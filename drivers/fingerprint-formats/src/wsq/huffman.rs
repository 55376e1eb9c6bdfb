//! Huffman tables: optimal length-limited tables for the encoder (JPEG Annex K
//! procedure, as the WSQ specification uses) and table-driven decoding.

use super::WsqError;
use super::bits::BitReader;

/// Longest code length a WSQ table can hold.
pub(crate) const MAX_CODE_LEN: usize = 16;
/// Number of symbols (categories) a WSQ table can hold.
pub(crate) const SYMBOLS: usize = 256;

/// A Huffman table as stored in a DHT segment: how many codes of each length, and
/// the symbols in code order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HuffmanSpec {
    pub counts: [u8; MAX_CODE_LEN],
    pub values: Vec<u8>,
}

impl HuffmanSpec {
    /// The optimal table for symbol frequencies `freq`, with no code longer than 16
    /// bits and no code made of ones only (block padding is ones).
    pub fn optimal(freq: &[u64; SYMBOLS]) -> Self {
        // One extra symbol with frequency 1 reserves the all-ones code.
        const RESERVED: usize = SYMBOLS;
        let mut f = [0u64; SYMBOLS + 1];
        f[..SYMBOLS].copy_from_slice(freq);
        f[RESERVED] = 1;
        let mut code_size = [0usize; SYMBOLS + 1];
        let mut others = [usize::MAX; SYMBOLS + 1];

        loop {
            // The least frequent symbol (ties: the larger index), then the next.
            let mut c1 = usize::MAX;
            let mut v1 = u64::MAX;
            for (i, &fi) in f.iter().enumerate() {
                if fi != 0 && fi <= v1 {
                    v1 = fi;
                    c1 = i;
                }
            }
            let mut c2 = usize::MAX;
            let mut v2 = u64::MAX;
            for (i, &fi) in f.iter().enumerate() {
                if fi != 0 && fi <= v2 && i != c1 {
                    v2 = fi;
                    c2 = i;
                }
            }
            if c2 == usize::MAX {
                break;
            }
            f[c1] += f[c2];
            f[c2] = 0;
            code_size[c1] += 1;
            while others[c1] != usize::MAX {
                c1 = others[c1];
                code_size[c1] += 1;
            }
            others[c1] = c2;
            code_size[c2] += 1;
            while others[c2] != usize::MAX {
                c2 = others[c2];
                code_size[c2] += 1;
            }
        }

        // Count codes per length (lengths can exceed 16 before limiting).
        let mut bits = [0i64; 2 * SYMBOLS + 2];
        for &size in &code_size {
            if size > 0 {
                bits[size] += 1;
            }
        }
        // Limit to 16 bits (JPEG Annex K.3): move pairs of long codes up the tree.
        let mut i = bits.len() - 1;
        while i > MAX_CODE_LEN {
            while bits[i] > 0 {
                let mut j = i - 2;
                while j > 1 && bits[j] == 0 {
                    j -= 1;
                }
                bits[i] -= 2;
                bits[i - 1] += 1;
                bits[j + 1] += 2;
                bits[j] -= 1;
            }
            i -= 1;
        }
        // Drop the reserved code: it is one of the longest.
        let mut longest = MAX_CODE_LEN;
        while longest > 0 && bits[longest] == 0 {
            longest -= 1;
        }
        if longest > 0 {
            bits[longest] -= 1;
        }

        let mut counts = [0u8; MAX_CODE_LEN];
        for (len, c) in counts.iter_mut().enumerate() {
            *c = bits[len + 1].clamp(0, 255) as u8;
        }
        // Symbols ordered by their unlimited code length, then by value; the
        // reserved symbol sorts last and so is the one left without a code.
        let mut order: Vec<usize> = (0..SYMBOLS).filter(|&s| code_size[s] > 0).collect();
        order.sort_by_key(|&s| (code_size[s], s));
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let values = order.into_iter().take(total).map(|s| s as u8).collect();
        Self { counts, values }
    }

    /// Canonical codes, checked: lengths must fit the code space.
    fn canonical(&self) -> Result<Vec<(u8, u16, u8)>, WsqError> {
        let total: usize = self.counts.iter().map(|&c| usize::from(c)).sum();
        if total != self.values.len() || total > SYMBOLS {
            return Err(WsqError::CorruptHuffmanTable);
        }
        let mut codes = Vec::with_capacity(total);
        let mut code: u32 = 0;
        let mut values = self.values.iter();
        for (index, &count) in self.counts.iter().enumerate() {
            let len = index as u32 + 1;
            for _ in 0..count {
                if code >= (1 << len) {
                    return Err(WsqError::CorruptHuffmanTable);
                }
                let symbol = *values.next().ok_or(WsqError::CorruptHuffmanTable)?;
                codes.push((symbol, code as u16, len as u8));
                code += 1;
            }
            code <<= 1;
        }
        Ok(codes)
    }
}

/// Code and length per symbol, for the encoder.
pub(crate) struct EncoderTable {
    pub codes: [(u16, u8); SYMBOLS],
}

impl EncoderTable {
    pub fn new(spec: &HuffmanSpec) -> Result<Self, WsqError> {
        let mut codes = [(0u16, 0u8); SYMBOLS];
        for (symbol, code, len) in spec.canonical()? {
            codes[usize::from(symbol)] = (code, len);
        }
        Ok(Self { codes })
    }
}

const LOOKUP_BITS: u32 = 10;

/// Table-driven decoder: one lookup for codes up to 10 bits, then the canonical
/// per-length ranges for longer codes.
pub(crate) struct DecoderTable {
    /// `(symbol, length)` per 10-bit prefix; length 0 means "longer code".
    lookup: Vec<(u8, u8)>,
    /// Per length: largest code, first code, and index of its first symbol.
    max_code: [i32; MAX_CODE_LEN + 1],
    min_code: [i32; MAX_CODE_LEN + 1],
    first_index: [usize; MAX_CODE_LEN + 1],
    values: Vec<u8>,
}

/// What one decoding step found.
pub(crate) enum Decoded {
    Symbol(u8),
    /// The segment ended inside a code: the rest is padding.
    End,
}

impl DecoderTable {
    pub fn new(spec: &HuffmanSpec) -> Result<Self, WsqError> {
        let codes = spec.canonical()?;
        let mut lookup = vec![(0u8, 0u8); 1 << LOOKUP_BITS];
        let mut max_code = [-1i32; MAX_CODE_LEN + 1];
        let mut min_code = [0i32; MAX_CODE_LEN + 1];
        let mut first_index = [0usize; MAX_CODE_LEN + 1];
        for (index, &(symbol, code, len)) in codes.iter().enumerate() {
            let l = usize::from(len);
            if max_code[l] < 0 {
                min_code[l] = i32::from(code);
                first_index[l] = index;
            }
            max_code[l] = i32::from(code);
            if u32::from(len) <= LOOKUP_BITS {
                let shift = LOOKUP_BITS - u32::from(len);
                let start = usize::from(code) << shift;
                for entry in &mut lookup[start..start + (1 << shift)] {
                    *entry = (symbol, len);
                }
            }
        }
        Ok(Self {
            lookup,
            max_code,
            min_code,
            first_index,
            values: spec.values.clone(),
        })
    }

    /// Decodes one symbol. Errors when the bits match no code within 16 bits.
    #[inline]
    pub fn decode(&self, reader: &mut BitReader<'_>) -> Result<Decoded, WsqError> {
        let (prefix, available) = reader.peek(LOOKUP_BITS);
        let (symbol, len) = self.lookup[prefix as usize];
        if len > 0 {
            if u32::from(len) > available {
                return Ok(Decoded::End);
            }
            reader.consume(u32::from(len));
            return Ok(Decoded::Symbol(symbol));
        }
        // Longer than the lookup (or no code at all): walk the lengths.
        let mut code: i32 = 0;
        for len in 1..=MAX_CODE_LEN {
            let Some(bit) = reader.read_bit() else {
                return Ok(Decoded::End);
            };
            code = (code << 1) | bit as i32;
            if self.max_code[len] >= 0 && code <= self.max_code[len] && code >= self.min_code[len] {
                let index = self.first_index[len] + (code - self.min_code[len]) as usize;
                return self
                    .values
                    .get(index)
                    .map(|&s| Decoded::Symbol(s))
                    .ok_or(WsqError::CorruptHuffmanTable);
            }
        }
        Err(WsqError::CorruptData {
            reason: "bit pattern matches no Huffman code",
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::bits::BitWriter;
    use super::*;

    fn encode_decode(freq: &[u64; SYMBOLS], message: &[u8]) -> Vec<u8> {
        let spec = HuffmanSpec::optimal(freq);
        let enc = EncoderTable::new(&spec).unwrap();
        let mut w = BitWriter::new();
        for &s in message {
            let (code, len) = enc.codes[usize::from(s)];
            assert!(len > 0, "symbol {s} has no code");
            w.put(u32::from(code), u32::from(len));
        }
        // Un-stuff as the decoder's segment reader does.
        let mut bytes = Vec::new();
        let mut stuffed = w.finish().into_iter();
        while let Some(b) = stuffed.next() {
            bytes.push(b);
            if b == 0xFF {
                assert_eq!(stuffed.next(), Some(0x00));
            }
        }
        let dec = DecoderTable::new(&spec).unwrap();
        let mut r = BitReader::new(&bytes);
        let mut out = Vec::new();
        while let Decoded::Symbol(s) = dec.decode(&mut r).unwrap() {
            out.push(s);
        }
        out
    }

    #[test]
    fn round_trip_and_no_all_ones_code() {
        let mut freq = [0u64; SYMBOLS];
        let message: Vec<u8> = (0..5000u32).map(|i| ((i * i) % 97 + 100) as u8).collect();
        for &s in &message {
            freq[usize::from(s)] += 1;
        }
        assert_eq!(encode_decode(&freq, &message), message);
        let spec = HuffmanSpec::optimal(&freq);
        for (_, code, len) in spec.canonical().unwrap() {
            assert_ne!(u32::from(code), (1u32 << len) - 1, "all-ones code present");
        }
    }

    #[test]
    fn skewed_frequencies_are_limited_to_16_bits() {
        // Fibonacci frequencies would give codes far longer than 16 bits.
        let mut freq = [0u64; SYMBOLS];
        let (mut a, mut b) = (1u64, 1u64);
        for f in freq.iter_mut().skip(1).take(40) {
            *f = a;
            (a, b) = (b, a + b);
        }
        let spec = HuffmanSpec::optimal(&freq);
        assert_eq!(spec.values.len(), 40);
        let message: Vec<u8> = (1..=40).collect();
        assert_eq!(encode_decode(&freq, &message), message);
    }

    #[test]
    fn single_symbol_and_empty_tables() {
        let mut freq = [0u64; SYMBOLS];
        freq[7] = 10;
        let spec = HuffmanSpec::optimal(&freq);
        assert_eq!(spec.values, vec![7]);
        assert_eq!(encode_decode(&freq, &[7, 7, 7]), vec![7, 7, 7]);
        let empty = HuffmanSpec::optimal(&[0u64; SYMBOLS]);
        assert!(empty.values.is_empty());
        assert!(DecoderTable::new(&empty).is_ok());
    }

    #[test]
    fn overfull_table_is_rejected() {
        let mut counts = [0u8; MAX_CODE_LEN];
        counts[0] = 3; // three 1-bit codes cannot exist
        let spec = HuffmanSpec {
            counts,
            values: vec![1, 2, 3],
        };
        assert!(DecoderTable::new(&spec).is_err());
    }
}
