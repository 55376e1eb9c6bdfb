//! Office (A4) printers through CUPS: `lp` submits a file, `lpstat` tells the job's state.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Why an office print failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CupsError {
    /// `lp` is not installed.
    #[error(
        "Perintah cetak \"{program}\" tidak ditemukan. Pasang paket cups-client lalu coba lagi. / Print command \"{program}\" not found. Install the cups-client package and try again."
    )]
    LpMissing {
        /// The program that was run.
        program: String,
    },
    /// The file to print does not exist.
    #[error(
        "Berkas yang akan dicetak tidak ada: {path}. / The file to print does not exist: {path}."
    )]
    FileMissing {
        /// The path given.
        path: PathBuf,
    },
    /// `lp` refused the job.
    #[error(
        "Printer kantor menolak pekerjaan cetak: {message}. Periksa nama printer (lpstat -p) dan bahwa layanan CUPS berjalan. / The office printer refused the job: {message}. Check the printer name (lpstat -p) and that CUPS is running."
    )]
    Refused {
        /// What `lp` said (its last line).
        message: String,
    },
    /// `lp` succeeded but did not print a job id.
    #[error(
        "Jawaban lp tidak dikenali: \"{output}\". Cetakan mungkin tetap berjalan; periksa antrean printer. / Unrecognised lp answer; the job may still print, check the printer queue."
    )]
    UnexpectedOutput {
        /// What `lp` printed.
        output: String,
    },
}

/// A job accepted by CUPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CupsJob {
    /// The request id, e.g. `Kantor_A4-42`.
    pub id: String,
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Waiting or printing.
    Pending,
    /// Done.
    Completed,
    /// lpstat is missing or does not list the job.
    Unknown,
}

/// The CUPS command-line client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cups {
    lp: PathBuf,
    lpstat: PathBuf,
}

impl Default for Cups {
    fn default() -> Self {
        Cups {
            lp: PathBuf::from("lp"),
            lpstat: PathBuf::from("lpstat"),
        }
    }
}

impl Cups {
    /// A client that runs these programs instead of `lp` and `lpstat` (tests, odd installs).
    pub fn with_programs(lp: impl Into<PathBuf>, lpstat: impl Into<PathBuf>) -> Self {
        Cups {
            lp: lp.into(),
            lpstat: lpstat.into(),
        }
    }

    /// Runs `lp [-d PRINTER] [-n COPIES] FILE`: the default printer when none is named.
    pub fn print_file(
        &self,
        printer: Option<&str>,
        file: &Path,
        copies: u32,
    ) -> Result<CupsJob, CupsError> {
        if !file.is_file() {
            return Err(CupsError::FileMissing {
                path: file.to_path_buf(),
            });
        }
        let file = if file.is_relative() {
            Path::new(".").join(file)
        } else {
            file.to_path_buf()
        };
        self.run_lp(printer, copies, Some(&file), None)
    }

    /// Runs `lp [-d PRINTER] [-n COPIES]` with the document on its standard input (nothing
    /// written to disk on the way, e.g. a BAP with personal data).
    pub fn print_bytes(
        &self,
        printer: Option<&str>,
        document: &[u8],
        copies: u32,
    ) -> Result<CupsJob, CupsError> {
        self.run_lp(printer, copies, None, Some(document))
    }

    fn run_lp(
        &self,
        printer: Option<&str>,
        copies: u32,
        file: Option<&Path>,
        stdin: Option<&[u8]>,
    ) -> Result<CupsJob, CupsError> {
        use std::io::Write as _;
        let mut command = Command::new(&self.lp);
        command.env("LC_ALL", "C");
        if let Some(printer) = printer {
            command.arg("-d").arg(printer);
        }
        if copies > 1 {
            command.arg("-n").arg(copies.to_string());
        }
        if let Some(file) = file {
            command.arg(file);
        }
        command
            .stdin(if stdin.is_some() {
                std::process::Stdio::piped()
            } else {
                std::process::Stdio::null()
            })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let not_started = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                CupsError::LpMissing {
                    program: self.lp.display().to_string(),
                }
            }
            _ => CupsError::Refused {
                message: e.to_string(),
            },
        };
        let mut child = command.spawn().map_err(not_started)?;
        if let (Some(bytes), Some(mut input)) = (stdin, child.stdin.take()) {
            // lp may refuse before reading everything; its answer below says why.
            let _ = input.write_all(bytes);
        }
        let output = child.wait_with_output().map_err(not_started)?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let message = stderr
                .lines()
                .chain(stdout.lines())
                .map(str::trim)
                .rfind(|l| !l.is_empty());
            return Err(CupsError::Refused {
                message: message.unwrap_or("lp failed without a message").to_string(),
            });
        }
        parse_request_id(&stdout)
            .map(|id| CupsJob { id })
            .ok_or_else(|| CupsError::UnexpectedOutput {
                output: stdout.trim().to_string(),
            })
    }

    /// Asks `lpstat` where the job is. Never fails: without lpstat the state is unknown.
    pub fn job_state(&self, job: &CupsJob) -> JobState {
        let listed = |which: &str| {
            Command::new(&self.lpstat)
                .env("LC_ALL", "C")
                .args(["-W", which, "-o"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .is_some_and(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .any(|l| l.split_whitespace().next() == Some(job.id.as_str()))
                })
        };
        if listed("not-completed") {
            JobState::Pending
        } else if listed("completed") {
            JobState::Completed
        } else {
            JobState::Unknown
        }
    }
}

/// Finds the job id in lp's answer: `request id is PRINTER-42 (1 file(s))`.
pub fn parse_request_id(stdout: &str) -> Option<String> {
    let rest = stdout.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_is_parsed() {
        assert_eq!(
            parse_request_id("request id is Kantor_A4-42 (1 file(s))\n"),
            Some("Kantor_A4-42".to_string())
        );
        assert_eq!(parse_request_id("something else"), None);
    }
}
