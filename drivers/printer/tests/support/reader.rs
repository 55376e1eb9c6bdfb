//! Reads an ESC/POS byte stream back into what a printer would put on paper: lines of
//! text with their character size, alignment and emphasis, QR payloads, cuts. Text bytes
//! are decoded with `encoding_rs` (Windows-1252) or a small table (PC437/PC858), never
//! with the encoder's tables.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedLine {
    pub text: String,
    /// Width and height multipliers (GS !), taken from the start of the line.
    pub width: u8,
    pub height: u8,
    pub bold: bool,
    /// 0 left, 1 centre, 2 right.
    pub align: u8,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Paper {
    pub lines: Vec<PrintedLine>,
    pub qr_payloads: Vec<Vec<u8>>,
    pub qr_model: Option<u8>,
    pub qr_module: Option<u8>,
    pub cuts: usize,
    pub code_page: Option<u8>,
    pub initialised: bool,
    pub fed_lines: u32,
    /// Bytes the reader did not understand (a real printer would print garbage).
    pub unknown: Vec<u8>,
}

impl Paper {
    pub fn texts(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.text.clone()).collect()
    }

    /// All text joined by spaces (wrapped fields become findable).
    pub fn joined(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn line_with(&self, needle: &str) -> Option<&PrintedLine> {
        self.lines.iter().find(|l| l.text.contains(needle))
    }
}

fn decode(byte: u8, code_page: u8) -> char {
    if byte < 0x80 {
        return char::from(byte);
    }
    match code_page {
        16 => {
            let one = [byte];
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&one);
            text.chars().next().unwrap_or('\u{fffd}')
        }
        // PC437 and PC858 share the letters the tests use.
        0 | 19 => match byte {
            0x82 => 'é',
            0x81 => 'ü',
            0x87 => 'ç',
            0x8A => 'è',
            0xA4 => 'ñ',
            0xF1 => '±',
            0xD5 if code_page == 19 => '€',
            _ => '\u{fffd}',
        },
        _ => '\u{fffd}',
    }
}

pub fn read(bytes: &[u8]) -> Paper {
    let mut paper = Paper::default();
    let (mut width, mut height, mut bold, mut align) = (1u8, 1u8, false, 0u8);
    let mut line = String::new();
    let mut line_style: Option<(u8, u8, bool, u8)> = None;
    let mut code_page = 0u8;
    let mut i = 0;
    let take = |i: usize, n: usize| bytes.get(i..i + n);
    macro_rules! end_line {
        () => {{
            let (w, h, b, a) = line_style.take().unwrap_or((width, height, bold, align));
            paper.lines.push(PrintedLine {
                text: std::mem::take(&mut line),
                width: w,
                height: h,
                bold: b,
                align: a,
            });
        }};
    }
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x0A => {
                end_line!();
                i += 1;
            }
            0x1B => match take(i + 1, 1).map(|s| s[0]) {
                Some(b'@') => {
                    paper.initialised = true;
                    width = 1;
                    height = 1;
                    bold = false;
                    align = 0;
                    i += 2;
                }
                Some(b't') => {
                    code_page = bytes.get(i + 2).copied().unwrap_or(0);
                    paper.code_page = Some(code_page);
                    i += 3;
                }
                Some(b'a') => {
                    align = bytes.get(i + 2).copied().unwrap_or(0) % 48;
                    i += 3;
                }
                Some(b'E') => {
                    bold = bytes.get(i + 2).copied().unwrap_or(0) & 1 == 1;
                    i += 3;
                }
                Some(b'd') => {
                    if !line.is_empty() {
                        end_line!();
                    }
                    paper.fed_lines += u32::from(bytes.get(i + 2).copied().unwrap_or(0));
                    i += 3;
                }
                _ => {
                    paper.unknown.push(b);
                    i += 1;
                }
            },
            0x1D => match take(i + 1, 1).map(|s| s[0]) {
                Some(b'!') => {
                    let n = bytes.get(i + 2).copied().unwrap_or(0);
                    width = (n >> 4) + 1;
                    height = (n & 0x0F) + 1;
                    i += 3;
                }
                Some(b'V') => {
                    let m = bytes.get(i + 2).copied().unwrap_or(0);
                    paper.cuts += 1;
                    // Function B (65, 66) carries a feed amount byte.
                    i += if m == 65 || m == 66 { 4 } else { 3 };
                }
                Some(b'(') if bytes.get(i + 2) == Some(&b'k') => {
                    let p_l = usize::from(bytes.get(i + 3).copied().unwrap_or(0));
                    let p_h = usize::from(bytes.get(i + 4).copied().unwrap_or(0));
                    let len = p_l + p_h * 256;
                    let params = bytes.get(i + 5..i + 5 + len).unwrap_or_default();
                    if params.first() == Some(&49) {
                        match params.get(1) {
                            Some(65) => paper.qr_model = params.get(2).map(|m| m - 48),
                            Some(67) => paper.qr_module = params.get(2).copied(),
                            Some(80) => paper
                                .qr_payloads
                                .push(params.get(3..).unwrap_or_default().to_vec()),
                            _ => {}
                        }
                    }
                    i += 5 + len;
                }
                _ => {
                    paper.unknown.push(b);
                    i += 1;
                }
            },
            0x10 if bytes.get(i + 1) == Some(&0x04) => i += 3,
            b if b < 0x20 || b == 0x7F => {
                paper.unknown.push(b);
                i += 1;
            }
            b => {
                if line.is_empty() {
                    line_style = Some((width, height, bold, align));
                }
                line.push(decode(b, code_page));
                i += 1;
            }
        }
    }
    if !line.is_empty() {
        end_line!();
    }
    paper
}
