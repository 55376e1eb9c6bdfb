//! Code pages of ESC/POS printers and transcoding of Unicode text into them.
//!
//! A ticket printer prints single bytes from the code page selected with `ESC t n`.
//! Indonesian text is plain Latin, but names may carry accents or letters that no
//! single-byte code page has. Every character is either mapped to its byte in the
//! selected code page, transliterated to ASCII (`Ĉ` → `C`, `ł` → `l`), or replaced with
//! `?`. Control characters never reach the printer: a name must not be able to inject
//! printer commands.

use crate::codepage_tables::{CP437_HIGH, CP858_HIGH, WPC1252_HIGH};

/// A single-byte code page the printer can be switched to with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodePage {
    /// PC437 (USA, standard Europe): every ESC/POS printer has it (`ESC t 0`).
    Pc437,
    /// PC858 (multilingual Latin-1 with the euro sign, `ESC t 19`).
    Pc858,
    /// Windows-1252 (`ESC t 16`), the default: covers the Latin letters of names best.
    #[default]
    Wpc1252,
}

impl CodePage {
    /// The `n` of `ESC t n` that selects this code page (Epson numbering).
    pub fn escpos_number(self) -> u8 {
        match self {
            CodePage::Pc437 => 0,
            CodePage::Pc858 => 19,
            CodePage::Wpc1252 => 16,
        }
    }

    /// Parses a code page name as used on the command line (`437`, `858`, `1252`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().trim_start_matches("cp") {
            "437" | "pc437" => Some(CodePage::Pc437),
            "858" | "pc858" => Some(CodePage::Pc858),
            "1252" | "wpc1252" | "windows-1252" => Some(CodePage::Wpc1252),
            _ => None,
        }
    }

    fn high_half(self) -> &'static [char; 128] {
        match self {
            CodePage::Pc437 => &CP437_HIGH,
            CodePage::Pc858 => &CP858_HIGH,
            CodePage::Wpc1252 => &WPC1252_HIGH,
        }
    }

    /// The byte of `c` in this code page, if it has one (printable characters only).
    pub fn encode_char(self, c: char) -> Option<u8> {
        if (' '..='~').contains(&c) {
            return u8::try_from(u32::from(c)).ok();
        }
        if c == '\u{fffd}' {
            return None;
        }
        let index = self.high_half().iter().position(|&h| h == c)?;
        u8::try_from(0x80 + index).ok()
    }
}

/// Text transcoded for the printer: bytes that are all printable in the code page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcoded {
    /// The bytes to print; never contains a byte below 0x20 or 0x7F.
    pub bytes: Vec<u8>,
    /// Characters that the code page lacks (transliterated or replaced with `?`).
    pub replaced: Vec<char>,
}

/// Transcodes `text` into `code_page`: see the module documentation for the rules.
/// Line breaks and tabs become spaces (the encoder lays out lines itself).
pub fn transcode(text: &str, code_page: CodePage) -> Transcoded {
    let mut out = Transcoded::default();
    for c in text.chars() {
        if let Some(byte) = code_page.encode_char(c) {
            out.bytes.push(byte);
            continue;
        }
        if c.is_whitespace() {
            out.bytes.push(b' ');
            continue;
        }
        out.replaced.push(c);
        if c.is_control() {
            continue;
        }
        match deunicode::deunicode_char(c) {
            Some(ascii) if !ascii.is_empty() => {
                let printable: Vec<u8> =
                    ascii.bytes().filter(|b| (0x20..0x7f).contains(b)).collect();
                if printable.is_empty() {
                    out.bytes.push(b'?');
                } else {
                    out.bytes.extend(printable);
                }
            }
            // Combining marks transliterate to nothing: the base letter is already printed.
            Some(_) => {}
            None => out.bytes.push(b'?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_passes_through() {
        let t = transcode("Siti Nurhaliza A001", CodePage::Pc437);
        assert_eq!(t.bytes, b"Siti Nurhaliza A001");
        assert!(t.replaced.is_empty());
    }

    #[test]
    fn latin1_letters_use_the_code_page() {
        let t = transcode("Désa", CodePage::Wpc1252);
        assert_eq!(t.bytes, vec![b'D', 0xE9, b's', b'a']);
        let t = transcode("Désa", CodePage::Pc437);
        assert_eq!(t.bytes, vec![b'D', 0x82, b's', b'a']);
    }

    #[test]
    fn letters_outside_are_transliterated_and_reported() {
        let t = transcode("Ĉiĉero Łukasz", CodePage::Wpc1252);
        assert_eq!(String::from_utf8_lossy(&t.bytes), "Cicero Lukasz");
        assert_eq!(t.replaced, vec!['Ĉ', 'ĉ', 'Ł']);
    }

    #[test]
    fn control_characters_never_pass() {
        let t = transcode("A\u{1b}@B\u{1d}V\u{7f}\u{0}C", CodePage::Pc437);
        assert_eq!(t.bytes, b"A@BVC");
    }

    #[test]
    fn euro_sign_only_where_it_exists() {
        assert_eq!(CodePage::Pc858.encode_char('€'), Some(0xD5));
        assert_eq!(CodePage::Wpc1252.encode_char('€'), Some(0x80));
        assert_eq!(CodePage::Pc437.encode_char('€'), None);
    }
}
