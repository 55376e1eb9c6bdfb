//! The hub's seal key: made on first start, private, kept, and a readable one refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loket_hub::seal::{KEY_FILE_NAME, row_context};
use loket_hub::{Hub, HubConfig};
use std::os::unix::fs::PermissionsExt;

#[tokio::test]
async fn the_hub_makes_its_key_on_first_start_and_refuses_a_readable_one() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join(KEY_FILE_NAME);
    assert!(!key.exists());
    let hub = Hub::open(dir.path(), HubConfig::default()).await.unwrap();
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let ctx = row_context("bap_versions", 1);
    let blob = hub.sealer().seal(&ctx, b"Keterangan pemohon");
    drop(hub);

    // A second start uses the same key: what was sealed opens.
    let hub = Hub::open(dir.path(), HubConfig::default()).await.unwrap();
    assert_eq!(
        hub.sealer().open(&ctx, &blob).unwrap(),
        b"Keterangan pemohon"
    );
    drop(hub);

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = Hub::open(dir.path(), HubConfig::default())
        .await
        .err()
        .expect("a group-readable key is refused");
    assert_eq!(err.code(), "sealed_data");
    assert!(
        err.message_en().contains("chmod 600"),
        "{}",
        err.message_en()
    );
}
