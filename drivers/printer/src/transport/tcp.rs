//! LAN ticket printers: raw TCP, port 9100 by default ("JetDirect" / AppSocket).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::error::PrinterError;
use crate::transport::Transport;

/// The raw printing port of LAN printers.
pub const DEFAULT_PORT: u16 = 9100;

/// Time limits of a LAN printer connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpTimeouts {
    /// Connecting.
    pub connect: Duration,
    /// Each write.
    pub write: Duration,
}

impl Default for TcpTimeouts {
    fn default() -> Self {
        TcpTimeouts {
            connect: Duration::from_secs(3),
            write: Duration::from_secs(5),
        }
    }
}

/// A connected LAN ticket printer.
#[derive(Debug)]
pub struct TcpPrinter {
    stream: TcpStream,
    address: String,
    write_timeout: Duration,
}

impl TcpPrinter {
    /// Connects to `address` (`host:port`, or `host` for port 9100).
    pub fn connect(address: &str, timeouts: TcpTimeouts) -> Result<Self, PrinterError> {
        let address = with_default_port(address);
        let connect_error = |source| PrinterError::Connect {
            address: address.clone(),
            source,
        };
        let candidates: Vec<_> = address.to_socket_addrs().map_err(connect_error)?.collect();
        let mut last = std::io::Error::new(ErrorKind::NotFound, "no address");
        for candidate in candidates {
            match TcpStream::connect_timeout(&candidate, timeouts.connect) {
                Ok(stream) => {
                    let network = |source| PrinterError::Network {
                        address: address.clone(),
                        source,
                    };
                    stream
                        .set_write_timeout(Some(timeouts.write))
                        .map_err(network)?;
                    stream.set_nodelay(true).map_err(network)?;
                    tracing::debug!(printer = %address, "connected to LAN ticket printer");
                    return Ok(TcpPrinter {
                        stream,
                        address,
                        write_timeout: timeouts.write,
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(connect_error(last))
    }

    /// Discards bytes the printer sent unasked (a late status answer, automatic status
    /// back), so that the next answer read is the one asked for.
    fn drain(&mut self) -> Result<(), PrinterError> {
        let network = |source| PrinterError::Network {
            address: self.address.clone(),
            source,
        };
        self.stream.set_nonblocking(true).map_err(network)?;
        let mut buf = [0u8; 64];
        let result = loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.stream.set_nonblocking(false).map_err(network)?;
        result.map_err(network)
    }
}

/// Adds `:9100` to an address without a port (`[v6]` literals included).
pub fn with_default_port(address: &str) -> String {
    let has_port = match address.rfind(']') {
        Some(end) => address[end..].contains(':'),
        None => address.matches(':').count() == 1,
    };
    if has_port {
        address.to_string()
    } else {
        format!("{address}:{DEFAULT_PORT}")
    }
}

impl Transport for TcpPrinter {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrinterError> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|source| {
                if matches!(source.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                    PrinterError::WriteTimeout {
                        timeout: self.write_timeout,
                    }
                } else {
                    PrinterError::Network {
                        address: self.address.clone(),
                        source,
                    }
                }
            })
    }

    fn request_status(
        &mut self,
        request: &[u8],
        timeout: Duration,
    ) -> Result<Option<u8>, PrinterError> {
        self.drain()?;
        self.send(request)?;
        let network = |source| PrinterError::Network {
            address: self.address.clone(),
            source,
        };
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
            .map_err(network)?;
        let mut byte = [0u8; 1];
        match self.stream.read(&mut byte) {
            Ok(1) => Ok(Some(byte[0])),
            Ok(_) => Ok(None),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Ok(None),
            Err(e) => Err(network(e)),
        }
    }

    fn describe(&self) -> String {
        format!("tcp://{}", self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_port_is_added_only_when_missing() {
        assert_eq!(with_default_port("192.168.1.50"), "192.168.1.50:9100");
        assert_eq!(
            with_default_port("printer.local:9101"),
            "printer.local:9101"
        );
        assert_eq!(with_default_port("[::1]"), "[::1]:9100");
        assert_eq!(with_default_port("[::1]:9000"), "[::1]:9000");
    }
}
