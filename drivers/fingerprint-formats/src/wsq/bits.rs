//! Bit-level writing and reading of entropy-coded data, most significant bit first.

/// Writes codes into bytes, stuffing a zero byte after every 0xFF so that coded
/// data never looks like a marker.
pub(crate) struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    #[cfg(test)]
    pub fn new() -> Self {
        Self {
            out: Vec::new(),
            acc: 0,
            nbits: 0,
        }
    }

    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            out: Vec::with_capacity(bytes),
            acc: 0,
            nbits: 0,
        }
    }

    /// Appends the low `len` bits of `code` (`len` at most 24).
    #[inline]
    pub fn put(&mut self, code: u32, len: u32) {
        debug_assert!(len <= 24);
        if len == 0 {
            return;
        }
        self.acc = (self.acc << len) | u64::from(code & ((1u32 << len) - 1));
        self.nbits += len;
        while self.nbits >= 8 {
            self.nbits -= 8;
            let byte = (self.acc >> self.nbits) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0x00);
            }
        }
    }

    /// Pads the last byte with one bits and returns the bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            let pad = 8 - self.nbits;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// Reads bits from entropy-coded data that has already been un-stuffed.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    next: usize,
    /// Unread bits, left-aligned.
    acc: u64,
    nbits: u32,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            next: 0,
            acc: 0,
            nbits: 0,
        }
    }

    #[inline]
    fn refill(&mut self) {
        while self.nbits <= 56 {
            let Some(&byte) = self.data.get(self.next) else {
                break;
            };
            self.acc |= u64::from(byte) << (56 - self.nbits);
            self.nbits += 8;
            self.next += 1;
        }
    }

    /// The next `n` bits (1..=24; zero-filled past the end) and how many bits remain.
    #[inline]
    pub fn peek(&mut self, n: u32) -> (u32, u32) {
        if self.nbits < 32 {
            self.refill();
        }
        ((self.acc >> (64 - n)) as u32, self.nbits)
    }

    /// Skips `n` bits; callers check that they are available.
    #[inline]
    pub fn consume(&mut self, n: u32) {
        let n = n.min(self.nbits);
        if n > 0 {
            self.acc = if n >= 64 { 0 } else { self.acc << n };
            self.nbits -= n;
        }
    }

    #[inline]
    pub fn read_bit(&mut self) -> Option<u32> {
        self.read_bits(1)
    }

    /// Reads `n` bits (1..=24), or `None` when fewer remain.
    #[inline]
    pub fn read_bits(&mut self, n: u32) -> Option<u32> {
        let (bits, available) = self.peek(n);
        if available < n {
            return None;
        }
        self.consume(n);
        Some(bits)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn writes_stuffing_and_one_padding() {
        let mut w = BitWriter::new();
        w.put(0xFF, 8);
        w.put(0b101, 3);
        assert_eq!(w.finish(), vec![0xFF, 0x00, 0b1011_1111]);
    }

    #[test]
    fn padding_that_makes_ff_is_stuffed() {
        let mut w = BitWriter::new();
        w.put(0b1111, 4);
        assert_eq!(w.finish(), vec![0xFF, 0x00]);
    }

    #[test]
    fn reads_back_what_was_written() {
        let mut w = BitWriter::new();
        let items: Vec<(u32, u32)> = (1..200)
            .map(|i| (i * 37 % (1 << (i % 16 + 1)), i % 16 + 1))
            .collect();
        for &(v, n) in &items {
            w.put(v, n);
        }
        // Un-stuff as the decoder does.
        let mut clean = Vec::new();
        let bytes = w.finish();
        let mut i = 0;
        while i < bytes.len() {
            clean.push(bytes[i]);
            i += if bytes[i] == 0xFF { 2 } else { 1 };
        }
        let mut r = BitReader::new(&clean);
        for &(v, n) in &items {
            assert_eq!(r.read_bits(n), Some(v));
        }
        while r.read_bit() == Some(1) {}
        assert_eq!(r.read_bit(), None);
    }
}
