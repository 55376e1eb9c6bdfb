//! What an ESC/POS ticket printer answers: the three `DLE EOT` status bytes (or silence,
//! or a failed read) through `query_status`, the USB descriptors the printer's interface
//! is chosen from, and the technician's printer address and CUPS' `lp` answer.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use loket_printer::transport::usb::{EndpointInfo, InterfaceInfo, choose_endpoints};
use loket_printer::{Destination, PrinterError, PrinterStatus, Transport, query_status};

#[derive(Debug, Arbitrary)]
enum Answer {
    Byte(u8),
    Silent,
    Fails,
}

/// A printer that answers each status request with the next scripted answer.
struct Scripted {
    answers: Vec<Answer>,
    sent: usize,
}

impl Transport for Scripted {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrinterError> {
        self.sent += bytes.len();
        Ok(())
    }

    fn request_status(&mut self, request: &[u8], _: Duration) -> Result<Option<u8>, PrinterError> {
        assert_eq!(request.len(), 3, "DLE EOT n");
        match self.answers.pop() {
            Some(Answer::Byte(b)) => Ok(Some(b)),
            Some(Answer::Silent) | None => Ok(None),
            Some(Answer::Fails) => Err(PrinterError::UsbNotFound),
        }
    }

    fn describe(&self) -> String {
        "scripted".into()
    }
}

#[derive(Debug, Arbitrary)]
struct Interface {
    number: u8,
    alt_setting: u8,
    class: u8,
    endpoints: Vec<(u8, bool)>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    answers: Vec<Answer>,
    status: [u8; 3],
    named: bool,
    vendor_id: u16,
    product_id: u16,
    interfaces: Vec<Interface>,
    text: String,
}

fuzz_target!(|input: Input| {
    let mut answers = input.answers;
    answers.reverse();
    let mut printer = Scripted { answers, sent: 0 };
    if let Ok(Some(status)) = query_status(&mut printer, Duration::from_millis(1)) {
        let _ = status.check();
    }

    let [p, c, q] = input.status;
    if let Some(status) = PrinterStatus::from_bytes(p, c, q) {
        let flagged = status.offline || status.cover_open || status.paper_out || status.fault;
        assert_eq!(status.check().is_ok(), !flagged);
        if let Err(e) = status.check() {
            let _ = e.to_string();
        }
    }

    let interfaces: Vec<InterfaceInfo> = input
        .interfaces
        .iter()
        .map(|i| InterfaceInfo {
            number: i.number,
            alt_setting: i.alt_setting,
            class: i.class,
            endpoints: i
                .endpoints
                .iter()
                .map(|&(address, bulk)| EndpointInfo { address, bulk })
                .collect(),
        })
        .collect();
    if let Some(chosen) =
        choose_endpoints(input.named, input.vendor_id, input.product_id, &interfaces)
    {
        assert!(chosen.out & 0x80 == 0, "OUT endpoint");
        assert!(interfaces.iter().any(|i| {
            i.number == chosen.interface
                && i.alt_setting == chosen.alt_setting
                && i.endpoints
                    .iter()
                    .any(|e| e.bulk && e.address == chosen.out)
        }));
        if let Some(input) = chosen.input {
            assert!(input & 0x80 != 0, "IN endpoint");
        }
    }

    if let Ok(Destination::Tcp { address }) = input.text.parse::<Destination>() {
        assert!(!address.is_empty());
    }
    let _ = loket_printer::cups::parse_request_id(&input.text);
});
