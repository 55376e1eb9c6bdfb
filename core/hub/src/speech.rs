//! The display board's spoken call: the sentence of
//! [`loket_domain::announce::call_announcement`] turned into a WAV by `espeak-ng -v id`.
//!
//! Voices are made on the hub so that every board (a Tauri window or a plain browser) plays
//! the same file. The last few are kept in memory: twenty boards asking for the same call
//! run espeak-ng once.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::Mutex;

use crate::error::{HubError, Result};

/// How many spoken calls stay cached (a call is asked for by every board within seconds).
const CACHED_CALLS: usize = 32;
/// espeak-ng answers in well under a second; past this the board goes on silently.
const SPEAK_TIMEOUT: Duration = Duration::from_secs(10);

/// Makes and caches spoken calls.
#[derive(Debug)]
pub struct Speaker {
    program: String,
    cache: Mutex<VecDeque<(String, axum::body::Bytes)>>,
}

impl Default for Speaker {
    /// espeak-ng from `PATH`, or the program named by `LOKET_ESPEAK`.
    fn default() -> Self {
        Speaker::new(std::env::var("LOKET_ESPEAK").unwrap_or_else(|_| "espeak-ng".into()))
    }
}

impl Speaker {
    /// A speaker running `program` (espeak-ng's command-line interface).
    pub fn new(program: impl Into<String>) -> Self {
        Speaker {
            program: program.into(),
            cache: Mutex::default(),
        }
    }

    /// The WAV saying `text`, from the cache or from espeak-ng.
    pub async fn wav(&self, text: &str) -> Result<axum::body::Bytes> {
        // Held across the synthesis on purpose: boards asking together wait for one run.
        let mut cache = self.cache.lock().await;
        if let Some((_, wav)) = cache.iter().find(|(t, _)| t == text) {
            return Ok(wav.clone());
        }
        let wav = axum::body::Bytes::from(synthesize(&self.program, text).await?);
        if cache.len() == CACHED_CALLS {
            cache.pop_front();
        }
        cache.push_back((text.to_string(), wav.clone()));
        Ok(wav)
    }
}

/// Runs `espeak-ng -v id --stdout` on `text` and checks that a RIFF/WAVE came back.
pub async fn synthesize(program: &str, text: &str) -> Result<Vec<u8>> {
    let run = Command::new(program)
        .args(["-v", "id", "-s", "150", "--stdout", "--"])
        .arg(text)
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(SPEAK_TIMEOUT, run).await {
        Err(_) => {
            return Err(HubError::SpeechUnavailable(format!(
                "{program} took longer than {SPEAK_TIMEOUT:?}"
            )));
        }
        Ok(Err(e)) => {
            return Err(HubError::SpeechUnavailable(format!(
                "cannot run {program}: {e}"
            )));
        }
        Ok(Ok(output)) => output,
    };
    if !output.status.success() {
        return Err(HubError::SpeechUnavailable(format!(
            "{program} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let wav = output.stdout;
    if wav.len() < 44 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return Err(HubError::SpeechUnavailable(format!(
            "{program} did not write a WAV ({} bytes)",
            wav.len()
        )));
    }
    Ok(wav)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_voice_program_is_a_clear_error() {
        let err = Speaker::new("/nonexistent/espeak-ng")
            .wav("Nomor antrian A nol nol satu")
            .await
            .expect_err("a missing program is an error");
        assert!(matches!(err, HubError::SpeechUnavailable(_)), "{err:?}");
        assert_eq!(err.status(), 503);
        assert!(err.message_id().contains("espeak-ng"));
    }

    #[tokio::test]
    async fn output_that_is_not_a_wav_is_refused() {
        let err = synthesize("true", "x")
            .await
            .expect_err("no WAV is an error");
        assert!(err.to_string().contains("did not write a WAV"), "{err}");
    }
}
