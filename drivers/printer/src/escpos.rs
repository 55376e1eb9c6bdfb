//! An ESC/POS command encoder: the few commands a queue ticket needs, each documented
//! with its bytes. The output never contains a control byte coming from text.

use crate::codepage::{CodePage, transcode};
use crate::error::PrinterError;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = 0x0A;

/// The largest payload `GS ( k` can store for a QR code (model 2, version 40, level L).
pub const QR_MAX_BYTES: usize = 7089;

/// Horizontal alignment (`ESC a n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left (`n = 0`).
    Left,
    /// Centre (`n = 1`).
    Center,
    /// Right (`n = 2`).
    Right,
}

/// QR error-correction level (`GS ( k` function 169).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrLevel {
    /// About 7 % recovery.
    L,
    /// About 15 % recovery.
    M,
    /// About 25 % recovery.
    Q,
    /// About 30 % recovery.
    H,
}

/// Builds a byte stream of ESC/POS commands.
#[derive(Debug, Clone)]
pub struct EscPos {
    bytes: Vec<u8>,
    code_page: CodePage,
    replaced: Vec<char>,
}

impl EscPos {
    /// Starts a job: `ESC @` (initialise) then `ESC t n` (select the code page).
    pub fn new(code_page: CodePage) -> Self {
        let mut bytes = Vec::with_capacity(1024);
        bytes.extend_from_slice(&[ESC, b'@', ESC, b't', code_page.escpos_number()]);
        EscPos {
            bytes,
            code_page,
            replaced: Vec::new(),
        }
    }

    /// The code page text is transcoded into.
    pub fn code_page(&self) -> CodePage {
        self.code_page
    }

    /// `ESC a n`: alignment of the following lines.
    pub fn align(&mut self, align: Align) -> &mut Self {
        let n = match align {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        self.bytes.extend_from_slice(&[ESC, b'a', n]);
        self
    }

    /// `ESC E n`: emphasised (bold) on or off.
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'E', u8::from(on)]);
        self
    }

    /// `GS ! n`: character width and height multipliers, each clamped to 1..=8.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let w = width.clamp(1, 8) - 1;
        let h = height.clamp(1, 8) - 1;
        self.bytes.extend_from_slice(&[GS, b'!', (w << 4) | h]);
        self
    }

    /// Text (transcoded; see [`crate::transcode`]) without a line feed.
    pub fn text(&mut self, text: &str) -> &mut Self {
        let t = transcode(text, self.code_page);
        self.bytes.extend_from_slice(&t.bytes);
        self.replaced.extend(t.replaced);
        self
    }

    /// Bytes already transcoded (printable only: other bytes are dropped).
    fn raw_text(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes
            .extend(bytes.iter().copied().filter(|&b| b >= 0x20 && b != 0x7F));
        self
    }

    /// `LF`: prints the buffer and moves to the next line.
    pub fn newline(&mut self) -> &mut Self {
        self.bytes.push(LF);
        self
    }

    /// Text then a line feed.
    pub fn line(&mut self, text: &str) -> &mut Self {
        self.text(text).newline()
    }

    /// Word-wraps `text` to `columns` characters per line (at the current size, the caller
    /// divides the paper's columns by the width multiplier) and prints each line.
    pub fn paragraph(&mut self, text: &str, columns: usize) -> &mut Self {
        let t = transcode(text, self.code_page);
        self.replaced.extend(t.replaced);
        for line in wrap_bytes(&t.bytes, columns.max(1)) {
            self.raw_text(&line).newline();
        }
        self
    }

    /// `ESC d n`: prints and feeds `lines` lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'd', lines]);
        self
    }

    /// A QR code (model 2) through `GS ( k`: select model, module size (1..=16 dots),
    /// error correction, store the data, print it.
    pub fn qr(
        &mut self,
        data: &[u8],
        module_dots: u8,
        level: QrLevel,
    ) -> Result<&mut Self, PrinterError> {
        if data.is_empty() || data.len() > QR_MAX_BYTES {
            return Err(PrinterError::QrTooLong { len: data.len() });
        }
        let store_len = data.len() + 3;
        let [p_l, p_h] = u16::try_from(store_len)
            .map_err(|_| PrinterError::QrTooLong { len: data.len() })?
            .to_le_bytes();
        let level_byte = match level {
            QrLevel::L => 48,
            QrLevel::M => 49,
            QrLevel::Q => 50,
            QrLevel::H => 51,
        };
        // Function 165: model 2.
        self.bytes
            .extend_from_slice(&[GS, b'(', b'k', 4, 0, 49, 65, 50, 0]);
        // Function 167: module size.
        self.bytes
            .extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 67, module_dots.clamp(1, 16)]);
        // Function 169: error correction level.
        self.bytes
            .extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 69, level_byte]);
        // Function 180: store the data in the symbol storage area.
        self.bytes
            .extend_from_slice(&[GS, b'(', b'k', p_l, p_h, 49, 80, 48]);
        self.bytes.extend_from_slice(data);
        // Function 181: print the stored symbol.
        self.bytes
            .extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 81, 48]);
        Ok(self)
    }

    /// `GS V 66 n`: feeds to the cutter (plus `n` dots) and cuts (partial cut).
    pub fn cut(&mut self) -> &mut Self {
        self.bytes.extend_from_slice(&[GS, b'V', 66, 0]);
        self
    }

    /// Characters that were transliterated or replaced so far.
    pub fn replaced(&self) -> &[char] {
        &self.replaced
    }

    /// The finished byte stream.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Word-wraps single-byte text to at most `columns` bytes per line; words longer than a
/// line are cut. Empty text gives no lines.
pub(crate) fn wrap_bytes(text: &[u8], columns: usize) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let mut word = word;
        loop {
            let needed = if current.is_empty() {
                word.len()
            } else {
                current.len() + 1 + word.len()
            };
            if needed <= columns {
                if !current.is_empty() {
                    current.push(b' ');
                }
                current.extend_from_slice(word);
                break;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            let (head, tail) = word.split_at(columns.min(word.len()));
            lines.push(head.to_vec());
            word = tail;
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wraps_on_words_and_cuts_long_ones() {
        let lines = wrap_bytes(b"Silakan menunggu panggilan nomor Anda", 16);
        assert_eq!(
            lines,
            vec![
                b"Silakan menunggu".to_vec(),
                b"panggilan nomor".to_vec(),
                b"Anda".to_vec()
            ]
        );
        let lines = wrap_bytes(b"ABCDEFGHIJ", 4);
        assert_eq!(
            lines,
            vec![b"ABCD".to_vec(), b"EFGH".to_vec(), b"IJ".to_vec()]
        );
    }

    #[test]
    fn qr_rejects_empty_and_oversized_payloads() {
        let mut e = EscPos::new(CodePage::Pc437);
        assert!(e.qr(b"", 6, QrLevel::M).is_err());
        assert!(e.qr(&vec![b'x'; QR_MAX_BYTES + 1], 6, QrLevel::M).is_err());
        assert!(e.qr(b"ok", 6, QrLevel::M).is_ok());
    }

    proptest! {
        #[test]
        fn wrapped_lines_fit_and_keep_every_letter(text in "[a-z ]{0,200}", columns in 1usize..60) {
            let lines = wrap_bytes(text.as_bytes(), columns);
            for line in &lines {
                prop_assert!(line.len() <= columns);
                prop_assert!(!line.is_empty());
            }
            let kept: Vec<u8> = lines.concat().into_iter().filter(|b| *b != b' ').collect();
            let given: Vec<u8> = text.bytes().filter(|b| *b != b' ').collect();
            prop_assert_eq!(kept, given);
        }

        #[test]
        fn text_never_emits_control_bytes(text in any::<String>()) {
            let mut e = EscPos::new(CodePage::Wpc1252);
            let before = e.clone().into_bytes().len();
            e.text(&text);
            let bytes = e.into_bytes();
            prop_assert!(bytes[before..].iter().all(|&b| b >= 0x20 && b != 0x7F));
        }
    }
}
