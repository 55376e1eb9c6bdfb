//! Still and folder sources, and (with `--features webcam`) the real nokhwa path on a machine
//! without a camera.

use loket_camera::{CameraError, FolderSource, FrameSource, PixelFormat, StillImageSource};

fn write_png(path: &std::path::Path, w: u32, h: u32, value: u8) {
    image::RgbImage::from_pixel(w, h, image::Rgb([value, value, value]))
        .save(path)
        .expect("write test png");
}

#[test]
fn still_source_repeats_its_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.png");
    write_png(&path, 8, 6, 77);
    let mut source = StillImageSource::open(&path).expect("open");
    assert_eq!(source.format().width, 8);
    assert_eq!(source.format().pixel_format, PixelFormat::Rgb);
    for _ in 0..3 {
        let frame = source.next_frame().expect("frame");
        assert_eq!(frame.get_pixel(1, 1).0, [77, 77, 77]);
    }
}

#[test]
fn folder_source_loops_in_name_order_and_skips_other_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_png(&dir.path().join("2.png"), 4, 4, 20);
    write_png(&dir.path().join("1.png"), 4, 4, 10);
    std::fs::write(dir.path().join("notes.txt"), "x").expect("write");
    let mut source = FolderSource::open(dir.path()).expect("open");
    assert_eq!(source.files().len(), 2);
    let seen: Vec<u8> = (0..5)
        .map(|_| source.next_frame().expect("frame").get_pixel(0, 0).0[0])
        .collect();
    assert_eq!(seen, [10, 20, 10, 20, 10]);
}

#[test]
fn empty_folder_and_missing_file_are_clean_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        FolderSource::open(dir.path()),
        Err(CameraError::File { .. })
    ));
    let err = StillImageSource::open(&dir.path().join("missing.png")).expect_err("missing");
    assert!(err.to_string().contains("tidak dapat dibaca"), "{err}");
}

/// This machine class has no `/dev/video*`: nokhwa must answer with a clean "no camera".
#[cfg(feature = "webcam")]
#[test]
fn webcam_without_a_camera_reports_no_camera() {
    use loket_camera::{CameraProvider, FrameRequest, WebcamProvider};
    if std::path::Path::new("/dev/video0").exists() {
        eprintln!("skipped: a real camera is present (/dev/video0)");
        return;
    }
    let provider = WebcamProvider;
    let listed = provider.list().expect("listing works without cameras");
    assert!(listed.is_empty(), "{listed:?}");
    match provider.open(0, FrameRequest::default()) {
        Err(CameraError::NoCamera { detail }) => {
            assert!(!detail.is_empty());
        }
        Err(other) => panic!("expected NoCamera, got {other}"),
        Ok(_) => panic!("opened a camera that does not exist"),
    }
}
