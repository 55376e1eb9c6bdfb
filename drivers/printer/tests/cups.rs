//! Office printing through CUPS, with stand-in `lp` and `lpstat` scripts.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use loket_printer::cups::{Cups, CupsError, CupsJob, JobState};

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn pdf(dir: &Path) -> PathBuf {
    let path = dir.join("bap.pdf");
    std::fs::write(&path, b"%PDF-1.7\n").expect("write pdf");
    path
}

#[test]
fn lp_job_id_is_reported_and_arguments_passed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = dir.path().join("args");
    let lp = script(
        dir.path(),
        "lp",
        &format!(
            "echo \"$@\" > {}\necho 'request id is Kantor_A4-42 (1 file(s))'",
            args.display()
        ),
    );
    let cups = Cups::with_programs(&lp, dir.path().join("no-lpstat"));
    let job = cups
        .print_file(Some("Kantor_A4"), &pdf(dir.path()), 2)
        .expect("printed");
    assert_eq!(
        job,
        CupsJob {
            id: "Kantor_A4-42".to_string()
        }
    );
    let passed = std::fs::read_to_string(args).expect("args");
    assert!(passed.starts_with("-d Kantor_A4 -n 2 "), "{passed}");
    assert!(passed.trim_end().ends_with("bap.pdf"));
    assert_eq!(
        cups.job_state(&job),
        JobState::Unknown,
        "no lpstat: unknown"
    );
}

#[test]
fn lp_refusal_is_a_typed_error_with_its_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lp = script(
        dir.path(),
        "lp",
        "echo 'lp: The printer or class does not exist.' >&2\nexit 1",
    );
    let err = Cups::with_programs(&lp, "lpstat")
        .print_file(Some("Nope"), &pdf(dir.path()), 1)
        .expect_err("refused");
    match &err {
        CupsError::Refused { message } => {
            assert_eq!(message, "lp: The printer or class does not exist.")
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("Printer kantor menolak"));
}

#[test]
fn missing_lp_and_missing_file_are_typed_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cups = Cups::with_programs(dir.path().join("not-installed-lp"), "lpstat");
    let err = cups
        .print_file(None, &pdf(dir.path()), 1)
        .expect_err("no lp");
    assert!(matches!(err, CupsError::LpMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("cups-client"));
    let err = cups
        .print_file(None, &dir.path().join("absent.pdf"), 1)
        .expect_err("no file");
    assert!(matches!(err, CupsError::FileMissing { .. }));
}

#[test]
fn lp_output_without_an_id_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lp = script(dir.path(), "lp", "echo 'ok'");
    let err = Cups::with_programs(&lp, "lpstat")
        .print_file(None, &pdf(dir.path()), 1)
        .expect_err("no id");
    assert!(matches!(err, CupsError::UnexpectedOutput { .. }));
}

#[test]
fn lpstat_tells_pending_and_completed_jobs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lpstat = script(
        dir.path(),
        "lpstat",
        "case \"$2\" in\n not-completed) echo 'Kantor_A4-43  loket  1024  Mon 23 Nov 2026 10:00:00 AM WIB';;\n completed) echo 'Kantor_A4-42  loket  1024  Mon 23 Nov 2026 09:00:00 AM WIB';;\nesac",
    );
    let cups = Cups::with_programs("lp", &lpstat);
    assert_eq!(
        cups.job_state(&CupsJob {
            id: "Kantor_A4-43".to_string()
        }),
        JobState::Pending
    );
    assert_eq!(
        cups.job_state(&CupsJob {
            id: "Kantor_A4-42".to_string()
        }),
        JobState::Completed
    );
    assert_eq!(
        cups.job_state(&CupsJob {
            id: "Kantor_A4-4".to_string()
        }),
        JobState::Unknown
    );
}

#[test]
fn bytes_go_to_lp_on_its_standard_input_without_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let got = dir.path().join("stdin");
    let args = dir.path().join("args");
    let lp = script(
        dir.path(),
        "lp",
        &format!(
            "echo \"$@\" > {}\ncat > {}\necho 'request id is Kantor-7 (0 file(s))'",
            args.display(),
            got.display()
        ),
    );
    let cups = Cups::with_programs(&lp, dir.path().join("no-lpstat"));
    let job = cups
        .print_bytes(None, b"%PDF-1.7\nisi\n", 1)
        .expect("printed");
    assert_eq!(job.id, "Kantor-7");
    assert_eq!(std::fs::read(&got).expect("stdin"), b"%PDF-1.7\nisi\n");
    assert_eq!(std::fs::read_to_string(&args).expect("args").trim(), "");
    // A refusal comes back with lp's own words.
    let refusing = script(
        dir.path(),
        "lp-off",
        "cat >/dev/null\necho 'lp: Printer is stopped.' >&2\nexit 1",
    );
    let err = Cups::with_programs(refusing, "lpstat")
        .print_bytes(Some("Kantor"), b"%PDF", 1)
        .expect_err("a stopped printer refuses");
    assert!(
        matches!(err, CupsError::Refused { ref message } if message.contains("stopped")),
        "{err}"
    );
}
