//! The errors of ticket printing: each message says, in Indonesian and then English,
//! what went wrong and what to do next.

use std::time::Duration;

/// Why a ticket could not be printed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrinterError {
    /// The printer reports the paper roll is empty.
    #[error(
        "Kertas habis. Isi ulang kertas printer tiket. / Paper out. Reload the ticket printer."
    )]
    PaperOut,
    /// The printer reports its cover is open.
    #[error(
        "Penutup printer tiket terbuka. Tutup penutupnya lalu coba lagi. / Ticket printer cover is open. Close it and try again."
    )]
    CoverOpen,
    /// The printer reports it is offline (an error, or the FEED button held).
    #[error(
        "Printer tiket offline. Periksa lampu galat, matikan lalu nyalakan printer, lalu coba lagi. / Ticket printer is offline. Check its error light, switch it off and on, then try again."
    )]
    Offline,
    /// The printer reports an error (for example a jammed cutter).
    #[error(
        "Printer tiket melaporkan galat (pemotong kertas macet?). Buka penutup, bersihkan kertas yang tersangkut, lalu nyalakan ulang. / Ticket printer reports an error (cutter jam?). Open the cover, clear the paper, and restart it."
    )]
    DeviceFault,
    /// The destination given is not `usb`, `usb:VID:PID` or `tcp://HOST[:PORT]`.
    #[error(
        "Alamat printer tidak dikenal: \"{input}\". Gunakan usb, usb:VID:PID atau tcp://HOST:PORT. / Unknown printer address \"{input}\". Use usb, usb:VID:PID or tcp://HOST:PORT."
    )]
    BadDestination {
        /// What was given.
        input: String,
    },
    /// No LAN printer answered at the address.
    #[error(
        "Tidak dapat terhubung ke printer tiket di {address}: {source}. Periksa kabel jaringan, alamat IP, dan apakah printer menyala. / Cannot connect to the ticket printer at {address}. Check the network cable, the IP address and that the printer is on."
    )]
    Connect {
        /// host:port that was tried.
        address: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Sending to a LAN printer failed or timed out.
    #[error(
        "Gagal mengirim ke printer tiket di {address}: {source}. Periksa sambungan jaringan lalu coba lagi. / Sending to the ticket printer at {address} failed. Check the network connection and try again."
    )]
    Network {
        /// host:port of the printer.
        address: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// libusb could not start (no USB support on this machine).
    #[error(
        "USB tidak dapat digunakan di komputer ini ({source}). Pastikan libusb terpasang, atau gunakan printer LAN (tcp://HOST:PORT). / USB cannot be used on this computer. Make sure libusb is installed, or use a LAN printer."
    )]
    UsbUnavailable {
        /// The libusb error.
        source: rusb::Error,
    },
    /// No USB ticket printer is connected.
    #[error(
        "Printer tiket USB tidak ditemukan. Colokkan kabel USB printer dan nyalakan printer, lalu coba lagi. / USB ticket printer not found. Plug in the printer's USB cable, switch it on and try again."
    )]
    UsbNotFound,
    /// The USB printer exists but this user may not open it.
    #[error(
        "Tidak ada izin membuka printer tiket USB. Pasang aturan udev Loket (lihat docs/printing.md) lalu colokkan ulang printer. / No permission to open the USB ticket printer. Install Loket's udev rule (see docs/printing.md) and re-plug the printer."
    )]
    UsbAccess,
    /// A USB transfer failed.
    #[error(
        "Gagal mengirim ke printer tiket USB ({source}). Cabut lalu colokkan kembali kabel USB, lalu coba lagi. / Sending to the USB ticket printer failed. Unplug and re-plug the USB cable, then try again."
    )]
    Usb {
        /// The libusb error.
        source: rusb::Error,
    },
    /// The printer stopped taking data within the time allowed.
    #[error(
        "Printer tiket tidak menerima data dalam {timeout:?}. Periksa apakah printer menyala dan tidak macet. / The ticket printer did not take data within {timeout:?}. Check that it is on and not jammed."
    )]
    WriteTimeout {
        /// How long we waited.
        timeout: Duration,
    },
    /// The ticket lacks a field that must be printed.
    #[error(
        "Data tiket tidak lengkap: {field} kosong. Ulangi pengambilan tiket; bila berulang, hubungi teknisi. / Ticket data incomplete: {field} is empty. Take the ticket again; if it repeats, call a technician."
    )]
    MissingField {
        /// The field name.
        field: &'static str,
    },
    /// The QR payload is longer than a QR code holds.
    #[error("Isi kode QR terlalu panjang ({len} bita). / QR payload too long ({len} bytes).")]
    QrTooLong {
        /// Length of the payload.
        len: usize,
    },
}
