//! The one error type of this crate: what can go wrong with a reader.

use std::time::Duration;

/// The udev rule file (installed by the loket-desktop .deb; without it, copied to
/// `/etc/udev/rules.d/`) that gives the `plugdev` group access to the supported readers.
pub const UDEV_RULE_FILE: &str = "/usr/lib/udev/rules.d/60-loket-fingerprint.rules";

/// Everything that can go wrong while finding, opening or reading a fingerprint reader.
///
/// Messages are shown to officers and technicians: Bahasa Indonesia first, then English,
/// each saying what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// No supported reader is plugged in.
    #[error(
        "Pembaca sidik jari tidak ditemukan. Colokkan pembaca lalu coba lagi. / \
         Fingerprint reader not found. Plug it in and try again."
    )]
    NoDevice,
    /// The reader disappeared from the bus while it was in use.
    #[error(
        "Pembaca sidik jari terlepas saat dipakai. Colokkan kembali lalu ulangi pengambilan. / \
         The fingerprint reader was unplugged during capture. Plug it back in and capture again."
    )]
    Unplugged,
    /// Nothing happened within the allowed time (no finger, or the reader did not answer).
    #[error(
        "Waktu habis setelah {0:?}: tidak ada jari atau pembaca tidak menjawab. Letakkan jari lalu coba lagi. / \
         Timed out after {0:?}: no finger, or the reader did not answer. Place the finger and try again."
    )]
    Timeout(Duration),
    /// The reader sent something this driver does not understand; no image is returned.
    #[error(
        "Pembaca {reader} mengirim data yang tidak dikenal ({detail}). Cabut dan colokkan kembali pembaca; jika berulang, hubungi teknisi. / \
         The {reader} reader sent unexpected data ({detail}). Unplug and replug it; if this repeats, call a technician."
    )]
    Protocol {
        /// Model name of the reader.
        reader: &'static str,
        /// What was wrong, for the technician (never personal data).
        detail: String,
    },
    /// The operating system refused access to the USB device.
    #[error(
        "Tidak ada izin membuka pembaca sidik jari {device}. Pasang aturan udev {rule} (lihat docs/fingerprint.md), \
         masukkan pengguna ke grup plugdev, lalu colokkan ulang pembaca. / \
         Permission denied opening fingerprint reader {device}. Install the udev rule {rule} \
         (see docs/fingerprint.md), add the user to the plugdev group, then replug the reader.",
        rule = UDEV_RULE_FILE
    )]
    PermissionDenied {
        /// Bus and address of the device, e.g. `001/003`.
        device: String,
    },
    /// The capture was cancelled through its [`crate::CancelHandle`].
    #[error("Pengambilan sidik jari dibatalkan. / Fingerprint capture cancelled.")]
    Cancelled,
    /// Another USB failure (the libusb message is kept for the technician).
    #[error(
        "Kesalahan USB pada pembaca sidik jari: {0}. Cabut dan colokkan kembali pembaca. / \
         USB error on the fingerprint reader: {0}. Unplug and replug the reader."
    )]
    Usb(String),
    /// Reading or writing an image file failed (simulated reader, PNG output).
    #[error(
        "Berkas gambar sidik jari tidak bisa dibaca atau ditulis: {0}. Periksa jalur berkas. / \
         Fingerprint image file could not be read or written: {0}. Check the file path."
    )]
    ImageFile(String),
}

impl ScanError {
    /// A stable machine name for screens that pick their own help text: `no_device`,
    /// `unplugged`, `timeout`, `protocol`, `permission_denied`, `cancelled`, `usb`,
    /// `image_file`.
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::NoDevice => "no_device",
            ScanError::Unplugged => "unplugged",
            ScanError::Timeout(_) => "timeout",
            ScanError::Protocol { .. } => "protocol",
            ScanError::PermissionDenied { .. } => "permission_denied",
            ScanError::Cancelled => "cancelled",
            ScanError::Usb(_) => "usb",
            ScanError::ImageFile(_) => "image_file",
        }
    }

    /// The message's Bahasa Indonesia part.
    pub fn message_id(&self) -> String {
        let message = self.to_string();
        message
            .split_once(" / ")
            .map_or(message.clone(), |(id, _)| id.to_string())
    }

    /// The message's English part.
    pub fn message_en(&self) -> String {
        let message = self.to_string();
        message
            .split_once(" / ")
            .map_or(message.clone(), |(_, en)| en.to_string())
    }

    /// A protocol error for `reader` with a technician-facing detail.
    pub(crate) fn protocol(reader: &'static str, detail: impl Into<String>) -> Self {
        ScanError::Protocol {
            reader,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_denied_names_the_udev_rule_and_the_group() {
        let message = ScanError::PermissionDenied {
            device: "001/003".into(),
        }
        .to_string();
        assert!(message.contains("60-loket-fingerprint.rules"), "{message}");
        assert!(message.contains("plugdev"), "{message}");
        assert!(message.contains("001/003"), "{message}");
    }

    #[test]
    fn messages_are_indonesian_first_then_english() {
        let errors = [
            ScanError::NoDevice,
            ScanError::Unplugged,
            ScanError::Timeout(Duration::from_secs(3)),
            ScanError::protocol("NB-1010", "x"),
            ScanError::Cancelled,
            ScanError::Usb("Other".into()),
            ScanError::ImageFile("x".into()),
        ];
        for error in errors {
            let message = error.to_string();
            let (indonesian, english) = message.split_once(" / ").expect("two languages");
            assert!(!indonesian.is_empty() && !english.is_empty(), "{message}");
        }
    }

    #[test]
    fn usb_errors_map_to_the_typed_kinds() {
        assert!(matches!(
            crate::transport::map_open_error(rusb::Error::Access, "001/003"),
            ScanError::PermissionDenied { .. }
        ));
        assert!(matches!(
            crate::transport::map_open_error(rusb::Error::NoDevice, "001/003"),
            ScanError::NoDevice
        ));
        let during = |e| crate::transport::map_transfer_error(e, "NB-1010", Duration::from_secs(2));
        assert!(matches!(
            during(rusb::Error::NoDevice),
            ScanError::Unplugged
        ));
        assert!(matches!(
            during(rusb::Error::Timeout),
            ScanError::Timeout(_)
        ));
        assert!(matches!(
            during(rusb::Error::Pipe),
            ScanError::Protocol { .. }
        ));
        assert!(matches!(
            during(rusb::Error::Io),
            ScanError::Protocol { .. }
        ));
    }
}
