//! Generates the Tauri context and the permissions of the app's own commands, so that
//! capabilities can grant each role only the commands it uses.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "desktop_info",
        "print_ticket",
        "fingerprint_readers",
        "fingerprint_capture",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .unwrap_or_else(|err| panic!("tauri build script failed: {err:#}"));
}
