//! Is the hub up? A plain `GET /healthz` over a TCP socket, so the app needs no HTTP
//! client library just to wait for its hub.

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

/// Host and port of an `http://` URL; `None` for anything else (https is checked by the
/// webview itself, not here).
pub fn host_port(url: &tauri::Url) -> Option<(String, u16)> {
    if url.scheme() != "http" {
        return None;
    }
    Some((url.host_str()?.to_owned(), url.port_or_known_default()?))
}

/// Whether `GET /healthz` answers 200 within `timeout`.
pub fn hub_is_up(base: &tauri::Url, timeout: Duration) -> bool {
    let Some((host, port)) = host_port(base) else {
        // Cannot probe https without TLS: let the webview try.
        return base.scheme() == "https";
    };
    let Some(addr) = (host.as_str(), port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return false;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request =
        format!("GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    status_is_ok(&head[..read])
}

fn status_is_ok(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut parts = text.split_whitespace();
    matches!(parts.next(), Some(v) if v.starts_with("HTTP/1.")) && parts.next() == Some("200")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn status_line_is_read() {
        assert!(status_is_ok(b"HTTP/1.1 200 OK\r\n"));
        assert!(!status_is_ok(b"HTTP/1.1 503 Se"));
        assert!(!status_is_ok(b"garbage"));
        assert!(!status_is_ok(b""));
    }

    #[test]
    fn answers_from_a_real_socket() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 256];
            let n = s.read(&mut buf).unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /healthz "));
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .unwrap();
        });
        let url = tauri::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        assert!(hub_is_up(&url, Duration::from_secs(2)));
        server.join().unwrap();
        // Nothing listens there any more.
        assert!(!hub_is_up(&url, Duration::from_millis(300)));
    }
}
