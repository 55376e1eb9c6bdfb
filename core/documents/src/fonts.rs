//! The fonts every document uses: DejaVu Sans and DejaVu Sans Bold, loaded at run time
//! from Debian's `fonts-dejavu-core` (or a folder named by `LOKET_FONT_DIR`), embedded
//! into each PDF. DejaVu covers Latin (including Latin Extended A/B), so Indonesian
//! names with accents print as given.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use printpdf::ParsedFont;

use crate::error::DocumentError;

/// Where Debian's `fonts-dejavu-core` puts the fonts.
pub const SYSTEM_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";
/// Regular face file name.
pub const REGULAR_FILE: &str = "DejaVuSans.ttf";
/// Bold face file name.
pub const BOLD_FILE: &str = "DejaVuSans-Bold.ttf";

/// One parsed font face with what layout needs: glyph lookup and advance widths.
#[derive(Debug, Clone)]
pub struct Face {
    parsed: Arc<ParsedFont>,
    units_per_em: f32,
}

impl Face {
    /// Parses a TrueType face from bytes; `name` becomes its PostScript name in the PDF.
    pub fn from_bytes(bytes: &[u8], name: &str, path: &Path) -> Result<Self, DocumentError> {
        let invalid = || DocumentError::FontInvalid {
            path: path.to_path_buf(),
        };
        let mut parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or_else(invalid)?;
        parsed.font_name = Some(name.to_string());
        if parsed.lookup_glyph_index(u32::from('A')).is_none() {
            return Err(invalid());
        }
        let units_per_em = f32::from(parsed.units_per_em.max(1));
        Ok(Face {
            parsed: Arc::new(parsed),
            units_per_em,
        })
    }

    /// Whether the face draws `c` (a real glyph, not `.notdef`).
    pub fn has_glyph(&self, c: char) -> bool {
        self.parsed
            .lookup_glyph_index(u32::from(c))
            .is_some_and(|g| g != 0)
    }

    /// Advance width of `text` at `size` points (characters without a glyph count as
    /// `.notdef`; callers sanitise text first).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let gid = self.parsed.lookup_glyph_index(u32::from(c)).unwrap_or(0);
                u32::from(self.parsed.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        units as f32 / self.units_per_em * size
    }

    /// The printpdf font, for embedding.
    pub(crate) fn parsed(&self) -> &ParsedFont {
        &self.parsed
    }
}

/// The regular and bold faces.
#[derive(Debug, Clone)]
pub struct Fonts {
    /// DejaVu Sans.
    pub regular: Face,
    /// DejaVu Sans Bold.
    pub bold: Face,
}

impl Fonts {
    /// Loads the fonts from `LOKET_FONT_DIR` when set, else from the Debian folder.
    pub fn system() -> Result<Self, DocumentError> {
        match std::env::var_os("LOKET_FONT_DIR") {
            Some(dir) if !dir.is_empty() => Self::from_dir(Path::new(&dir)),
            _ => Self::from_dir(Path::new(SYSTEM_FONT_DIR)),
        }
    }

    /// Loads `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf` from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, DocumentError> {
        let load = |file: &'static str| -> Result<Face, DocumentError> {
            let path: PathBuf = dir.join(file);
            let bytes = std::fs::read(&path).map_err(|_| DocumentError::FontMissing {
                dir: dir.to_path_buf(),
                file,
            })?;
            Face::from_bytes(&bytes, file.trim_end_matches(".ttf"), &path)
        };
        Ok(Fonts {
            regular: load(REGULAR_FILE)?,
            bold: load(BOLD_FILE)?,
        })
    }

    /// The face for a weight.
    pub fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }
}
