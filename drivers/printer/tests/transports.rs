//! The transports: a simulated LAN printer on a loopback port, and a fake USB bulk
//! endpoint standing in for libusb.

mod support;

use std::collections::VecDeque;
use std::time::Duration;

use chrono::NaiveDate;
use loket_printer::transport::tcp::{TcpPrinter, TcpTimeouts};
use loket_printer::transport::usb::{BulkEndpoint, UsbPrinter};
use loket_printer::{
    PrintOptions, PrinterError, PrinterStatus, encode_ticket, print_ticket, sample_ticket,
};
use support::lan::{COVER_OPEN, FakeLanPrinter, PAPER_OUT, READY, without_status_requests};

fn options() -> PrintOptions {
    PrintOptions {
        status_timeout: Duration::from_millis(300),
        ..PrintOptions::default()
    }
}

fn sample() -> loket_printer::Ticket {
    sample_ticket(
        NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .expect("date"),
    )
}

fn expected_bytes() -> Vec<u8> {
    let o = options();
    encode_ticket(&sample(), o.width, o.code_page)
        .expect("encodes")
        .bytes
}

#[test]
fn lan_printer_receives_the_ticket_bytes() {
    let printer = FakeLanPrinter::start(Some(READY));
    let mut transport =
        TcpPrinter::connect(&printer.address, TcpTimeouts::default()).expect("connects");
    let report = print_ticket(&mut transport, &sample(), options()).expect("prints");
    drop(transport);
    assert_eq!(report.status, Some(PrinterStatus::default()));
    let received = printer.received();
    assert_eq!(without_status_requests(&received), expected_bytes());
    assert_eq!(report.bytes_sent, expected_bytes().len());
    assert!(
        received.starts_with(&[0x10, 0x04, 1]),
        "status asked before printing"
    );
}

#[test]
fn lan_printer_out_of_paper_gets_nothing_and_a_typed_error() {
    let printer = FakeLanPrinter::start(Some(PAPER_OUT));
    let mut transport =
        TcpPrinter::connect(&printer.address, TcpTimeouts::default()).expect("connects");
    let err = print_ticket(&mut transport, &sample(), options()).expect_err("paper out");
    drop(transport);
    assert!(matches!(err, PrinterError::PaperOut), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Kertas habis. Isi ulang kertas printer tiket. / Paper out.")
    );
    assert!(
        without_status_requests(&printer.received()).is_empty(),
        "no ticket bytes sent"
    );
}

#[test]
fn lan_printer_with_cover_open_is_reported() {
    let printer = FakeLanPrinter::start(Some(COVER_OPEN));
    let mut transport =
        TcpPrinter::connect(&printer.address, TcpTimeouts::default()).expect("connects");
    let err = print_ticket(&mut transport, &sample(), options()).expect_err("cover open");
    drop(transport);
    assert!(matches!(err, PrinterError::CoverOpen), "{err:?}");
    let _ = printer.received();
}

#[test]
fn lan_printer_that_never_answers_status_still_prints_after_the_timeout() {
    let printer = FakeLanPrinter::start(None);
    let mut transport =
        TcpPrinter::connect(&printer.address, TcpTimeouts::default()).expect("connects");
    let report = print_ticket(&mut transport, &sample(), options()).expect("prints");
    drop(transport);
    assert_eq!(report.status, None);
    assert_eq!(
        without_status_requests(&printer.received()),
        expected_bytes()
    );
}

#[test]
fn nothing_listening_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr").to_string();
    drop(listener);
    let err = TcpPrinter::connect(
        &address,
        TcpTimeouts {
            connect: Duration::from_millis(500),
            ..TcpTimeouts::default()
        },
    )
    .expect_err("nothing there");
    assert!(matches!(err, PrinterError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("Periksa kabel jaringan"));
}

/// A bulk endpoint pair in memory: takes at most `max_write` bytes per transfer (like a
/// printer with a small buffer), answers reads from `replies`, or fails as told.
#[derive(Default)]
struct FakeEndpoint {
    written: Vec<u8>,
    transfers: usize,
    max_write: usize,
    replies: VecDeque<u8>,
    readable: bool,
    fail_write: Option<rusb::Error>,
}

impl BulkEndpoint for FakeEndpoint {
    fn write_bulk(&mut self, data: &[u8], _timeout: Duration) -> Result<usize, rusb::Error> {
        if let Some(e) = self.fail_write {
            return Err(e);
        }
        let n = data.len().min(self.max_write);
        self.written.extend_from_slice(&data[..n]);
        self.transfers += 1;
        Ok(n)
    }

    fn read_bulk(&mut self, buf: &mut [u8], _timeout: Duration) -> Result<usize, rusb::Error> {
        match self.replies.pop_front() {
            Some(b) => {
                buf[0] = b;
                Ok(1)
            }
            None => Err(rusb::Error::Timeout),
        }
    }

    fn can_read(&self) -> bool {
        self.readable
    }

    fn describe(&self) -> String {
        "usb:fake".to_string()
    }
}

#[test]
fn usb_printer_gets_the_ticket_through_partial_bulk_writes() {
    let fake = FakeEndpoint {
        max_write: 64,
        ..FakeEndpoint::default()
    };
    let mut printer = UsbPrinter::new(fake, Duration::from_secs(1));
    let report = print_ticket(&mut printer, &sample(), options()).expect("prints");
    assert_eq!(report.status, None, "no IN endpoint: no status");
    let expected = expected_bytes();
    assert_eq!(printer.endpoint().written, expected);
    assert!(printer.endpoint().transfers >= expected.len() / 64);
}

#[test]
fn usb_printer_status_answers_are_used() {
    let replies = VecDeque::from(PAPER_OUT.to_vec());
    let fake = FakeEndpoint {
        max_write: 4096,
        readable: true,
        replies,
        ..FakeEndpoint::default()
    };
    let mut printer = UsbPrinter::new(fake, Duration::from_secs(1));
    let err = print_ticket(&mut printer, &sample(), options()).expect_err("paper out");
    assert!(matches!(err, PrinterError::PaperOut));
    assert_eq!(
        printer.endpoint().written,
        [[0x10, 0x04, 1], [0x10, 0x04, 2], [0x10, 0x04, 4]].concat(),
        "only status requests went out"
    );

    let replies = VecDeque::from(READY.to_vec());
    let fake = FakeEndpoint {
        max_write: 4096,
        readable: true,
        replies,
        ..FakeEndpoint::default()
    };
    let mut printer = UsbPrinter::new(fake, Duration::from_secs(1));
    let report = print_ticket(&mut printer, &sample(), options()).expect("prints");
    assert_eq!(report.status, Some(PrinterStatus::default()));
}

#[test]
fn usb_failures_map_to_typed_errors() {
    for (error, check) in [
        (
            rusb::Error::Timeout,
            (|e: &PrinterError| matches!(e, PrinterError::WriteTimeout { .. }))
                as fn(&PrinterError) -> bool,
        ),
        (rusb::Error::NoDevice, |e| {
            matches!(e, PrinterError::UsbNotFound)
        }),
        (rusb::Error::Access, |e| {
            matches!(e, PrinterError::UsbAccess)
        }),
        (rusb::Error::Pipe, |e| matches!(e, PrinterError::Usb { .. })),
    ] {
        let fake = FakeEndpoint {
            max_write: 64,
            fail_write: Some(error),
            ..FakeEndpoint::default()
        };
        let mut printer = UsbPrinter::new(fake, Duration::from_millis(10));
        let err = print_ticket(&mut printer, &sample(), options()).expect_err("fails");
        assert!(check(&err), "{error:?} gave {err:?}");
    }
}

#[test]
fn a_stalled_usb_printer_is_a_timeout_not_a_hang() {
    let fake = FakeEndpoint {
        max_write: 0,
        ..FakeEndpoint::default()
    };
    let mut printer = UsbPrinter::new(fake, Duration::from_millis(10));
    let err = print_ticket(&mut printer, &sample(), options()).expect_err("stalled");
    assert!(matches!(err, PrinterError::WriteTimeout { .. }));
}
