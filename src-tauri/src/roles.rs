//! One window per app, shaped by the role: full screen and locked for the kiosk and the
//! display board, a normal maximised window for counter and head. Each role's pages come
//! from the hub, and a capability created here grants that hub origin only the app
//! commands the role uses.

use std::time::Duration;

use anyhow::Context as _;
use tauri::ipc::CapabilityBuilder;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Manager as _, Url, WebviewUrl, WebviewWindowBuilder};

use crate::camera;
use crate::config::Role;
use crate::health;

/// The one window's label (capabilities refer to it).
pub const WINDOW: &str = "main";

/// App commands each role's hub pages may call. Kept to what the role's view uses.
pub fn permissions(role: Role) -> &'static [&'static str] {
    match role {
        // The kiosk asks which desk it is and prints its tickets on the thermal printer.
        Role::Kiosk => &["allow-desktop-info", "allow-print-ticket"],
        // The counter's USB fingerprint reader (src/fingerprint.rs): this role only.
        Role::Counter => &[
            "allow-desktop-info",
            "allow-fingerprint-readers",
            "allow-fingerprint-capture",
        ],
        Role::Display => &[],
        Role::Head => &[],
    }
}

/// Injected into every page of a locked role: no context menu, no browser shortcuts that
/// print, save, open or reload, no text selection, no pinch zoom.
const LOCK_SCRIPT: &str = r#"
(() => {
  const stop = (e) => { e.preventDefault(); e.stopPropagation(); };
  window.addEventListener('contextmenu', stop, true);
  window.addEventListener('keydown', (e) => {
    const k = (e.key || '').toLowerCase();
    if (k === 'f12' || k === 'f5' || k === 'f11' || (e.ctrlKey && 'rpsouwntlj+-='.includes(k)) || (e.altKey && (k === 'arrowleft' || k === 'arrowright'))) stop(e);
  }, true);
  window.addEventListener('wheel', (e) => { if (e.ctrlKey) stop(e); }, { passive: false, capture: true });
  document.addEventListener('DOMContentLoaded', () => {
    document.documentElement.style.userSelect = 'none';
    document.documentElement.style.webkitUserSelect = 'none';
  });
})();
"#;

/// The URL of the role's page on the hub; a kiosk or display board's device token rides
/// in the query, where the page picks it up and keeps it.
pub fn role_url(hub: &Url, role: Role, device_token: Option<&str>) -> Url {
    let mut url = hub.clone();
    url.set_path("/");
    url.set_query(None);
    if let Some(token) = device_token.filter(|_| role.locked()) {
        url.query_pairs_mut().append_pair("token", token);
    }
    url.set_fragment(Some(&format!("/{}", role.as_str())));
    url
}

/// Whether a locked window may go to `target`: only the hub's own pages and the bundled
/// connecting page.
pub fn may_navigate(hub: &Url, target: &Url) -> bool {
    let bundled = matches!(target.scheme(), "tauri")
        || (target.scheme() == "http" && target.host_str() == Some("tauri.localhost"));
    bundled || target.origin() == hub.origin()
}

/// Software rendering unless the settings ask for GPU compositing (`gpu_compositing`):
/// measured under Xvfb, WebKit then starts in about 420 ms instead of 550 ms and its
/// processes hold about 80 MB less (src-tauri/bench/startup.sh). Before the page opens.
#[cfg(target_os = "linux")]
fn set_rendering(window: &tauri::WebviewWindow, gpu_compositing: bool) -> anyhow::Result<()> {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt as _, WebViewExt};
    if gpu_compositing {
        tracing::info!("webview rendering: WebKit's default (GPU compositing on demand)");
        return Ok(());
    }
    window
        .with_webview(|platform| match WebViewExt::settings(&platform.inner()) {
            Some(settings) => {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                tracing::info!("webview rendering: software");
            }
            None => tracing::warn!("webview has no settings; WebKit's default rendering stays"),
        })
        .context("webview rendering / tampilan webview")
}

/// Other platforms: the webview's default rendering.
#[cfg(not(target_os = "linux"))]
fn set_rendering(_window: &tauri::WebviewWindow, _gpu_compositing: bool) -> anyhow::Result<()> {
    Ok(())
}

/// Opens the role's window on the bundled connecting page and moves it to the hub's page
/// once the hub answers.
///
/// `started` is when the process began: the first load of the role's page is logged with the
/// time since then (the start-up bench reads it).
pub fn open_window(
    app: &AppHandle,
    role: Role,
    hub_url: &str,
    device_token: Option<&str>,
    gpu_compositing: bool,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    let hub = Url::parse(hub_url).context("hub URL")?;

    let mut capability = CapabilityBuilder::new(format!("role-{}", role.as_str()))
        .remote(origin_pattern(&hub))
        .window(WINDOW);
    for permission in permissions(role) {
        capability = capability.permission(*permission);
    }
    app.add_capability(capability).context("role capability")?;

    let mut builder = WebviewWindowBuilder::new(app, WINDOW, WebviewUrl::App("index.html".into()))
        .title(role.title())
        .inner_size(1280.0, 800.0)
        .min_inner_size(800.0, 600.0);
    let hub_origin = hub.origin();
    let first_load = std::sync::Once::new();
    builder = builder.on_page_load(move |_, payload| {
        if matches!(payload.event(), PageLoadEvent::Finished)
            && payload.url().origin() == hub_origin
        {
            first_load.call_once(|| {
                let ms = started.elapsed().as_millis();
                tracing::info!(role = %role, startup_ms = ms, "role page ready");
            });
        }
    });
    if role.full_screen() {
        builder = builder.fullscreen(true).decorations(false);
    } else {
        builder = builder.maximized(true);
    }
    if role.locked() {
        let allowed_hub = hub.clone();
        builder = builder
            .devtools(false)
            .initialization_script(LOCK_SCRIPT)
            .on_navigation(move |target| {
                let ok = may_navigate(&allowed_hub, target);
                if !ok {
                    tracing::warn!(scheme = target.scheme(), "navigation away refused");
                }
                ok
            });
    }
    let window = builder.build().context("window / jendela")?;
    // Before the hub's page opens: the counter's camera, and no camera for the others.
    camera::set_up(&window, role, &hub, camera::mock_camera_requested())?;
    set_rendering(&window, gpu_compositing)?;

    let target = role_url(&hub, role, device_token);
    let handle = app.clone();
    std::thread::Builder::new()
        .name("hub-wait".into())
        .spawn(move || {
            let mut logged = false;
            loop {
                if health::hub_is_up(&hub, Duration::from_secs(2)) {
                    tracing::info!(role = %role, "hub reachable, opening role page");
                    if let Err(err) = window.navigate(target.clone()) {
                        tracing::error!(error = %err, "could not open the role page");
                    }
                    return;
                }
                if !logged {
                    tracing::warn!(hub = %hub, "hub not reachable yet, retrying every second");
                    logged = true;
                }
                if handle.get_webview_window(WINDOW).is_none() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .context("hub-wait thread")?;
    Ok(())
}

/// The capability pattern for every page of the hub's origin.
fn origin_pattern(hub: &Url) -> String {
    hub.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn role_url_points_at_the_hash_route_of_the_hub() {
        let hub = url("http://10.1.2.3:8080");
        assert_eq!(
            role_url(&hub, Role::Kiosk, None).as_str(),
            "http://10.1.2.3:8080/#/kiosk"
        );
        assert_eq!(
            role_url(&hub, Role::Display, Some("lkd_a b")).as_str(),
            "http://10.1.2.3:8080/?token=lkd_a+b#/display"
        );
        // Officers log in: a token given by mistake is not passed to their pages.
        assert_eq!(
            role_url(&hub, Role::Counter, Some("lkd_x")).as_str(),
            "http://10.1.2.3:8080/#/counter"
        );
        assert_eq!(origin_pattern(&hub), "http://10.1.2.3:8080");
    }

    #[test]
    fn locked_windows_stay_on_the_hub() {
        let hub = url("http://10.1.2.3:8080");
        assert!(may_navigate(&hub, &url("http://10.1.2.3:8080/#/kiosk")));
        assert!(may_navigate(&hub, &url("tauri://localhost/index.html")));
        assert!(!may_navigate(&hub, &url("http://10.1.2.3:9090/")));
        assert!(!may_navigate(&hub, &url("https://example.com/")));
        assert!(!may_navigate(&hub, &url("file:///etc/passwd")));
    }

    #[test]
    fn display_and_head_get_no_commands() {
        assert!(permissions(Role::Display).is_empty());
        assert!(permissions(Role::Head).is_empty());
        assert!(permissions(Role::Kiosk).contains(&"allow-desktop-info"));
        // Only the kiosk prints tickets.
        for role in Role::ALL {
            assert_eq!(
                permissions(role).contains(&"allow-print-ticket"),
                role == Role::Kiosk
            );
        }
    }

    #[test]
    fn only_the_counter_may_use_the_fingerprint_reader() {
        for role in Role::ALL {
            let granted = permissions(role)
                .iter()
                .any(|p| p.starts_with("allow-fingerprint"));
            assert_eq!(granted, role == Role::Counter, "{role}");
        }
        assert!(permissions(Role::Counter).contains(&"allow-fingerprint-capture"));
        assert!(permissions(Role::Counter).contains(&"allow-fingerprint-readers"));
    }
}
