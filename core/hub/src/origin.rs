//! Origin checks on the LAN API: a browser page of another site must not change anything
//! in the office, nor open the live socket, even if it got hold of a token.
//!
//! Browsers send `Origin` on every POST/PUT/PATCH/DELETE and on a WebSocket handshake.
//! Such a request passes when its `Origin` is
//! * the hub's own origin: `Origin`'s host and port equal the request's `Host` (pages the
//!   hub serves, and the desktop app's role windows, which load the hub's pages), or
//! * one of [`crate::HubConfig::allowed_origins`] (default: the Tauri app's bundled pages,
//!   `tauri://localhost`, `http://tauri.localhost`, `https://tauri.localhost`).
//!
//! Anything else, including `Origin: null` (sandboxed frames, `file:` pages), is refused
//! with 403 `origin_refused`. Requests without `Origin` (kiosk printers, the CLI, curl,
//! other programs) pass: they are not a browser acting for a page. Reads (GET) pass too:
//! the hub sends no CORS headers, so another site's page cannot read the answers.

use crate::error::HubError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The origins let through besides the hub's own, normalised.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    allowed: Vec<String>,
}

/// The default extra origins: the desktop app's bundled pages (Linux/macOS, Windows).
pub fn default_allowed_origins() -> Vec<String> {
    [
        "tauri://localhost",
        "http://tauri.localhost",
        "https://tauri.localhost",
    ]
    .map(String::from)
    .to_vec()
}

/// `scheme://host[:port]` in lower case without a trailing slash, or `None` when `text` is
/// not an origin (no scheme, a path, a query, user info, an empty host).
pub fn normalize(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = text.split_once("://")?;
    let scheme_ok = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest_ok = !rest.is_empty()
        && !rest
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '@') || c.is_whitespace());
    (scheme_ok && rest_ok).then_some(text)
}

fn default_port(scheme: &str) -> Option<&'static str> {
    match scheme {
        "http" | "ws" => Some("80"),
        "https" | "wss" => Some("443"),
        _ => None,
    }
}

/// `host:port` with the scheme's default port made explicit.
fn authority_with_port(authority: &str, scheme: &str) -> String {
    let authority = authority.to_ascii_lowercase();
    // An IPv6 literal ends with `]`; a port follows the last `:` after it.
    let has_port = match authority.rfind(']') {
        Some(end) => authority[end..].contains(':'),
        None => authority.contains(':'),
    };
    match (has_port, default_port(scheme)) {
        (false, Some(port)) => format!("{authority}:{port}"),
        _ => authority,
    }
}

impl OriginPolicy {
    /// A policy letting `allowed` through besides the hub's own origin. Entries that are not
    /// origins are dropped ([`crate::HubConfig::validate`] refuses them first).
    pub fn new(allowed: &[String]) -> OriginPolicy {
        OriginPolicy {
            allowed: allowed.iter().filter_map(|o| normalize(o)).collect(),
        }
    }

    /// Whether a request with these headers may go on.
    pub fn allows(&self, method: &Method, headers: &HeaderMap) -> bool {
        let changes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        let upgrade = headers
            .get(header::UPGRADE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
        if !changes && !upgrade {
            return true;
        }
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        let Some(origin) = origin.to_str().ok().and_then(normalize) else {
            return false; // `null`, or not an origin at all
        };
        if self.allowed.contains(&origin) {
            return true;
        }
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        if !matches!(scheme, "http" | "https") {
            return false;
        }
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        authority_with_port(authority, scheme) == authority_with_port(host.trim(), scheme)
    }
}

/// The middleware (a layer over the whole router).
pub async fn check(State(policy): State<Arc<OriginPolicy>>, req: Request, next: Next) -> Response {
    if policy.allows(req.method(), req.headers()) {
        return next.run(req).await;
    }
    // An origin is not personal data; the path is the route's (the query may hold a token).
    tracing::warn!(
        method = %req.method(),
        path = req.uri().path(),
        origin = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("-"),
        "cross-origin request refused"
    );
    HubError::OriginRefused.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str, upgrade: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            HeaderValue::from_str(host).unwrap_or(HeaderValue::from_static("x")),
        );
        if let Some(o) = origin {
            h.insert(
                header::ORIGIN,
                HeaderValue::from_str(o).unwrap_or(HeaderValue::from_static("x")),
            );
        }
        if upgrade {
            h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        }
        h
    }

    #[test]
    fn own_origin_allowed_apps_and_no_origin_pass_others_do_not() {
        let p = OriginPolicy::new(&default_allowed_origins());
        let post = Method::POST;
        let host = "10.1.2.3:8080";
        for ok in [
            None,
            Some("http://10.1.2.3:8080"),
            Some("HTTP://10.1.2.3:8080/"),
            Some("tauri://localhost"),
            Some("http://tauri.localhost"),
        ] {
            assert!(p.allows(&post, &headers(ok, host, false)), "{ok:?}");
        }
        for bad in [
            Some("http://10.1.2.3:8081"),
            Some("http://evil.example"),
            Some("https://10.1.2.3"),
            Some("null"),
            Some("http://10.1.2.3:8080/path"),
            Some("file://"),
            Some("ftp://10.1.2.3:8080"),
        ] {
            assert!(!p.allows(&post, &headers(bad, host, false)), "{bad:?}");
            assert!(
                !p.allows(&Method::PUT, &headers(bad, host, false)),
                "{bad:?}"
            );
            assert!(
                !p.allows(&Method::GET, &headers(bad, host, true)),
                "{bad:?} upgrade"
            );
            assert!(
                p.allows(&Method::GET, &headers(bad, host, false)),
                "{bad:?} read"
            );
        }
    }

    #[test]
    fn default_ports_and_ipv6_hosts_compare_equal() {
        let p = OriginPolicy::new(&[]);
        assert!(p.allows(
            &Method::POST,
            &headers(Some("http://hub.local"), "hub.local:80", false)
        ));
        assert!(p.allows(
            &Method::POST,
            &headers(Some("https://hub.local:443"), "hub.local", false)
        ));
        assert!(p.allows(
            &Method::POST,
            &headers(Some("http://[::1]:8080"), "[::1]:8080", false)
        ));
        assert!(!p.allows(
            &Method::POST,
            &headers(Some("http://[::1]"), "[::1]:8080", false)
        ));
        // Nothing extra is allowed when the list is empty.
        assert!(!p.allows(
            &Method::POST,
            &headers(Some("tauri://localhost"), "hub.local", false)
        ));
    }

    #[test]
    fn only_origins_normalise() {
        assert_eq!(
            normalize(" Tauri://LocalHost/ ").as_deref(),
            Some("tauri://localhost")
        );
        for bad in [
            "",
            "null",
            "localhost",
            "http://",
            "http://a/b",
            "http://u@h",
            "*",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}
