//! Errors of document rendering, in Indonesian then English, saying what to do.

use std::path::PathBuf;

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// A font file is missing.
    #[error(
        "Huruf (font) {file} tidak ditemukan di {dir}. Pasang paket fonts-dejavu-core, atau setel LOKET_FONT_DIR ke folder berisi huruf DejaVu. / Font {file} not found in {dir}. Install the fonts-dejavu-core package, or set LOKET_FONT_DIR to a folder with the DejaVu fonts."
    )]
    FontMissing {
        /// Folder searched.
        dir: PathBuf,
        /// File name wanted.
        file: &'static str,
    },
    /// A font file is not a usable TrueType font.
    #[error(
        "Berkas huruf {path} rusak atau bukan TrueType. Pasang ulang paket fonts-dejavu-core. / Font file {path} is damaged or not TrueType. Reinstall fonts-dejavu-core."
    )]
    FontInvalid {
        /// The file.
        path: PathBuf,
    },
    /// A field that must be on the document is empty.
    #[error(
        "Data {document} tidak lengkap: {field} wajib diisi. Lengkapi data lalu cetak lagi. / {document} data incomplete: {field} is required. Complete it and print again."
    )]
    MissingField {
        /// The document.
        document: &'static str,
        /// The field.
        field: &'static str,
    },
    /// The data does not fit in a QR code.
    #[error(
        "Data kode QR tidak dapat dibuat: {message}. / QR code data cannot be encoded: {message}."
    )]
    QrData {
        /// Why.
        message: String,
    },
    /// The PDF writer reported an error.
    #[error(
        "Gagal membuat PDF: {message}. Laporkan ke teknisi. / Failed to write the PDF: {message}. Report it to a technician."
    )]
    Pdf {
        /// What the writer said.
        message: String,
    },
}
