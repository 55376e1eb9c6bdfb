//! The counter's webcam inside the desktop window.
//!
//! The counter's photo step (`ui/src/visit-steps/photo.tsx`) takes its live preview from the
//! page's camera API (`navigator.mediaDevices.getUserMedia`), the same code as in a
//! browser. A browser asks the officer for permission; the desktop window has no such prompt
//! and, on Linux, WebKitGTK ships with the camera API switched off
//! (`enable-media-stream` is false) and refuses every permission request nobody answers. So
//! this module, for the window's webview:
//!
//! - **counter role only**: switches the camera API on, and lets a page of the hub's origin
//!   have the camera (video only; no microphone, no screen capture). The decision is
//!   [`allow_media`], pure and unit-tested;
//! - **every other role** (kiosk, display board, head): keeps the camera API off, so their
//!   pages cannot even ask;
//! - **every role**: answers every other permission request (microphone, screen, location,
//!   notifications, pointer lock, ...) with "no", instead of leaving it to WebKit's default;
//! - makes the hub's page a *secure context* where it is not one by itself: browsers offer
//!   the camera only to https pages and to `localhost`/loopback addresses, but an office hub
//!   answers plain `http://` on the LAN (`http://192.168.1.10:8080`). WebKitGTK can only mark
//!   whole URL schemes as secure, so for a counter whose hub is plain http on a non-loopback
//!   address the `http` scheme is marked secure in this window's web context
//!   ([`needs_http_marked_secure`]); the permission check still requires the hub's origin,
//!   so another http page in the window gets no camera.
//!
//! The bundled "connecting" page (`tauri://localhost`) is secure already: wry registers its
//! custom scheme as secure. It never uses the camera.
//!
//! Tests only: with [`MOCK_CAMERA_ENV`] set to `1`, WebKitGTK offers its built-in mock
//! camera and microphone (a generated moving picture) instead of real devices, so the
//! desktop suite can check the whole path under Xvfb on a machine without a camera. It is
//! never set in production (no installer file or unit sets it) and changes nothing else.
//! Under WebDriver (tauri-driver) WebKit asks the automation session, not this handler,
//! whether a page may have the camera; so the suite also runs the app without WebDriver to
//! check this handler's answers (`tests/suites/ui/desktop.test.mjs`).

use tauri::Url;

use crate::config::Role;

/// **Test-only** environment variable: `1` makes the window offer WebKitGTK's mock capture
/// devices instead of real cameras (`tests/suites/desktop.sh` sets it). Never set it at an
/// office.
pub const MOCK_CAMERA_ENV: &str = "LOKET_TEST_MOCK_CAMERA";

/// What a page asks the webview for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaRequest {
    /// A user-media request (`getUserMedia`): which kinds of device it wants. Screen
    /// capture (`getDisplayMedia`) asks for neither a camera nor a microphone.
    UserMedia { video: bool, audio: bool },
    /// Any other permission (device list, location, notifications, pointer lock, ...).
    Other,
}

/// Whether the pages of this role may use the camera at all (the camera API is switched on).
pub fn camera_enabled(role: Role) -> bool {
    role == Role::Counter
}

/// The one permission the window grants: the camera, video only, to the counter's page on
/// the hub's origin. Everything else is refused.
pub fn allow_media(role: Role, request: MediaRequest, page: Option<&Url>, hub: &Url) -> bool {
    let on_hub = page.is_some_and(|p| p.origin() == hub.origin());
    camera_enabled(role)
        && on_hub
        && request
            == MediaRequest::UserMedia {
                video: true,
                audio: false,
            }
}

/// Whether the hub's pages are not a secure context by themselves, so that the counter's
/// window must mark `http` as a secure scheme for its camera: plain http to an address that
/// is not loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1` are secure already).
pub fn needs_http_marked_secure(role: Role, hub: &Url) -> bool {
    camera_enabled(role) && hub.scheme() == "http" && !is_loopback(hub)
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether the test-only mock camera was asked for (see [`MOCK_CAMERA_ENV`]).
pub fn mock_camera_requested() -> bool {
    std::env::var(MOCK_CAMERA_ENV).is_ok_and(|v| v == "1")
}

/// Applies this module's settings to the window's webview: camera API on or off by role,
/// the permission answers, the secure context for a LAN hub, the test-only mock camera.
/// Runs on the main thread before the hub's page is opened.
#[cfg(target_os = "linux")]
pub fn set_up(
    window: &tauri::WebviewWindow,
    role: Role,
    hub: &Url,
    mock_camera: bool,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use webkit2gtk::glib::prelude::Cast as _;
    use webkit2gtk::{
        PermissionRequestExt as _, SecurityManagerExt as _, SettingsExt as _,
        UserMediaPermissionRequest, UserMediaPermissionRequestExt as _, WebContextExt as _,
        WebViewExt,
    };

    let hub = hub.clone();
    window
        .with_webview(move |platform| {
            let view = platform.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                let enabled = camera_enabled(role);
                settings.set_enable_media_stream(enabled);
                // The preview is a muted <video> started by the page, not by a click.
                settings.set_media_playback_requires_user_gesture(false);
                // Test-only (MOCK_CAMERA_ENV): WebKit's generated camera and microphone.
                settings.set_enable_mock_capture_devices(mock_camera);
                tracing::info!(
                    role = %role,
                    camera = enabled,
                    mock_camera,
                    "webview media settings"
                );
            } else {
                tracing::warn!("webview has no settings; the camera stays off");
            }
            if needs_http_marked_secure(role, &hub) {
                match view.context().and_then(|c| c.security_manager()) {
                    Some(security) => {
                        security.register_uri_scheme_as_secure("http");
                        tracing::info!(
                            "http marked secure in this window so the hub's page may use the camera"
                        );
                    }
                    None => tracing::warn!(
                        "no security manager: the hub's plain-http page gets no camera"
                    ),
                }
            }
            view.connect_permission_request(move |view, request| {
                let asked = match request.downcast_ref::<UserMediaPermissionRequest>() {
                    Some(media) => MediaRequest::UserMedia {
                        video: media.is_for_video_device(),
                        audio: media.is_for_audio_device(),
                    },
                    None => MediaRequest::Other,
                };
                let page = view.uri().and_then(|u| Url::parse(u.as_str()).ok());
                let allow = allow_media(role, asked, page.as_ref(), &hub);
                if allow {
                    request.allow();
                } else {
                    request.deny();
                }
                tracing::info!(role = %role, request = ?asked, allow, "webview permission request");
                true
            });
        })
        .context("webview settings for the camera / pengaturan kamera")
}

/// Other platforms: the webview's own permission prompt and settings apply.
#[cfg(not(target_os = "linux"))]
pub fn set_up(
    _window: &tauri::WebviewWindow,
    _role: Role,
    _hub: &Url,
    _mock_camera: bool,
) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const VIDEO: MediaRequest = MediaRequest::UserMedia {
        video: true,
        audio: false,
    };

    #[test]
    fn only_the_counter_gets_the_camera_and_only_on_the_hubs_pages() {
        let hub = url("http://10.1.2.3:8080");
        let page = url("http://10.1.2.3:8080/#/counter");
        for role in Role::ALL {
            assert_eq!(
                allow_media(role, VIDEO, Some(&page), &hub),
                role == Role::Counter,
                "{role}"
            );
            assert_eq!(camera_enabled(role), role == Role::Counter, "{role}");
        }
        // Another origin (another port, another host, the bundled page) or no page at all.
        for other in [
            "http://10.1.2.3:9090/",
            "http://10.1.2.4:8080/",
            "https://example.com/",
            "tauri://localhost/index.html",
        ] {
            assert!(
                !allow_media(Role::Counter, VIDEO, Some(&url(other)), &hub),
                "{other}"
            );
        }
        assert!(!allow_media(Role::Counter, VIDEO, None, &hub));
    }

    #[test]
    fn microphone_screen_and_other_permissions_are_refused() {
        let hub = url("http://10.1.2.3:8080");
        let page = url("http://10.1.2.3:8080/#/counter");
        for asked in [
            MediaRequest::UserMedia {
                video: true,
                audio: true,
            },
            MediaRequest::UserMedia {
                video: false,
                audio: true,
            },
            // Screen capture asks for neither device.
            MediaRequest::UserMedia {
                video: false,
                audio: false,
            },
            MediaRequest::Other,
        ] {
            for role in Role::ALL {
                assert!(
                    !allow_media(role, asked, Some(&page), &hub),
                    "{role} {asked:?}"
                );
            }
        }
    }

    #[test]
    fn http_is_marked_secure_only_for_a_counter_on_a_lan_hub() {
        for lan in ["http://10.1.2.3:8080", "http://loket-hub.lan:8080"] {
            assert!(needs_http_marked_secure(Role::Counter, &url(lan)), "{lan}");
            for role in [Role::Kiosk, Role::Display, Role::Head] {
                assert!(!needs_http_marked_secure(role, &url(lan)), "{role} {lan}");
            }
        }
        for secure in [
            "http://127.0.0.1:8080",
            "http://127.5.0.1:8080",
            "http://localhost:8080",
            "http://hub.localhost:8080",
            "http://[::1]:8080",
            "https://10.1.2.3:8443",
        ] {
            assert!(
                !needs_http_marked_secure(Role::Counter, &url(secure)),
                "{secure}"
            );
        }
    }
}
