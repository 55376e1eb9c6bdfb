//! What the fingerprint readers send back over USB. First byte: which reader (even:
//! NEXT NB-1010, odd: AuthenTec AES3500). NB-1010: the second byte gives the length of
//! the finger-check reply that follows, the rest is cut into 540-byte image frames.
//! AES3500: the rest is the one image read. A decoded image goes on to the quality score
//! and finger detection, as in a capture.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loket_fingerprint::{
    FingerImage, decode_aes3500_image, decode_nb1010_frames, nb1010_finger_level, quality,
};

const NB1010_FRAME: usize = 540;

fn assess(image: &FingerImage) {
    assert_eq!(
        image.pixels().len(),
        image.width() as usize * image.height() as usize
    );
    let q = quality::assess(image);
    assert!(q.score <= 100);
    for m in [
        q.foreground_area,
        q.orientation_certainty,
        q.local_clarity,
        q.ridge_frequency,
    ] {
        assert!((0.0..=1.0).contains(&m), "measure {m}");
    }
    let _ = quality::finger_present(image);
}

fuzz_target!(|data: &[u8]| {
    let Some((&reader, rest)) = data.split_first() else {
        return;
    };
    if reader % 2 == 0 {
        let Some((&reply_len, rest)) = rest.split_first() else {
            return;
        };
        let (reply, frames) = rest.split_at(usize::from(reply_len % 32).min(rest.len()));
        let _ = nb1010_finger_level(reply);
        if let Ok(image) = decode_nb1010_frames(frames.chunks(NB1010_FRAME)) {
            assess(&image);
        }
    } else if let Ok(image) = decode_aes3500_image(rest) {
        assess(&image);
    }
});
