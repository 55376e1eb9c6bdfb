//! Where a ticket goes, as written by a technician: `usb`, `usb:VID:PID`,
//! `tcp://HOST[:PORT]`.

use std::str::FromStr;
use std::time::Duration;

use crate::error::PrinterError;
use crate::transport::Transport;
use crate::transport::tcp::{TcpPrinter, TcpTimeouts, with_default_port};
use crate::transport::usb::open_usb_printer;

/// A ticket printer address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The first USB ticket printer, or the one with these vendor and product ids.
    Usb {
        /// (vendor id, product id) when named.
        ids: Option<(u16, u16)>,
    },
    /// A LAN printer, `host:port` (port 9100 when not given).
    Tcp {
        /// `host:port`.
        address: String,
    },
}

impl FromStr for Destination {
    type Err = PrinterError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = || PrinterError::BadDestination {
            input: input.to_string(),
        };
        let text = input.trim();
        if text.eq_ignore_ascii_case("usb") {
            return Ok(Destination::Usb { ids: None });
        }
        if let Some(ids) = text.strip_prefix("usb:") {
            let (vid, pid) = ids.split_once(':').ok_or_else(bad)?;
            let vid = u16::from_str_radix(vid, 16).map_err(|_| bad())?;
            let pid = u16::from_str_radix(pid, 16).map_err(|_| bad())?;
            return Ok(Destination::Usb {
                ids: Some((vid, pid)),
            });
        }
        if let Some(host) = text.strip_prefix("tcp://") {
            let host = host.trim_end_matches('/');
            if host.is_empty() || host.contains('/') || host.contains(char::is_whitespace) {
                return Err(bad());
            }
            return Ok(Destination::Tcp {
                address: with_default_port(host),
            });
        }
        Err(bad())
    }
}

impl Destination {
    /// Opens a connection to the printer.
    pub fn open(&self, write_timeout: Duration) -> Result<Box<dyn Transport>, PrinterError> {
        match self {
            Destination::Usb { ids } => Ok(Box::new(open_usb_printer(*ids, write_timeout)?)),
            Destination::Tcp { address } => {
                let timeouts = TcpTimeouts {
                    write: write_timeout,
                    ..TcpTimeouts::default()
                };
                Ok(Box::new(TcpPrinter::connect(address, timeouts)?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            "usb".parse::<Destination>().ok(),
            Some(Destination::Usb { ids: None })
        );
        assert_eq!(
            "usb:0416:5011".parse::<Destination>().ok(),
            Some(Destination::Usb {
                ids: Some((0x0416, 0x5011))
            })
        );
        assert_eq!(
            "tcp://10.0.0.5".parse::<Destination>().ok(),
            Some(Destination::Tcp {
                address: "10.0.0.5:9100".to_string()
            })
        );
        assert_eq!(
            "tcp://printer.local:9101".parse::<Destination>().ok(),
            Some(Destination::Tcp {
                address: "printer.local:9101".to_string()
            })
        );
    }

    #[test]
    fn rejects_nonsense_with_a_typed_error() {
        for bad in [
            "",
            "lpt1",
            "usb:zz:11",
            "tcp://",
            "http://x:9100",
            "tcp://a b",
        ] {
            assert!(
                matches!(
                    bad.parse::<Destination>(),
                    Err(PrinterError::BadDestination { .. })
                ),
                "{bad}"
            );
        }
    }
}
