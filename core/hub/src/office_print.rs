//! Printing a form or report on the office's printer: the hub hands the same PDF its
//! download route gives to CUPS (`lp`) on the hub machine and tells the officer the job's
//! id and state, or the printer's refusal in words.

use crate::auth::Principal;
use crate::error::{HubError, Result};
use crate::hub::Hub;
use loket_domain::Action;
use loket_printer::cups::{Cups, JobState};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What to print: one of the API's own PDF routes, as the page would download it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficePrintRequest {
    /// The PDF's route with its query, e.g. `/api/v1/baps/ID/pdf?version=2`.
    pub document: String,
    /// Copies (1 to 10; default 1).
    #[serde(default)]
    pub copies: Option<u32>,
}

/// The print job as CUPS took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficePrintView {
    /// CUPS's job id, e.g. `kantor-42`.
    pub job: String,
    /// `pending` (queued or printing), `completed`, or `unknown` (CUPS keeps no history).
    pub state: String,
    /// The CUPS printer, or `null` for the default one.
    pub printer: Option<String>,
    /// Copies asked for.
    pub copies: u32,
}

/// Whether `document` names one of the API's PDF routes (nothing else may be fetched).
pub fn is_printable_route(document: &str) -> bool {
    let path = document.split('?').next().unwrap_or("");
    path.starts_with("/api/v1/")
        && (path.ends_with("/pdf") || path.ends_with(".pdf"))
        && !path.contains("..")
        && !path.contains("//")
}

impl Hub {
    /// Sends a rendered PDF to the office printer and audits it.
    pub async fn print_at_office(
        &self,
        who: &Principal,
        document: &str,
        pdf: Vec<u8>,
        copies: Option<u32>,
    ) -> Result<OfficePrintView> {
        who.authorize(Action::Serve)?;
        let copies = copies.unwrap_or(1);
        if !(1..=10).contains(&copies) {
            return Err(HubError::BadRequest("copies must be 1 to 10".into()));
        }
        let config = self.config();
        let cups = Cups::with_programs(&config.cups_lp, &config.cups_lpstat);
        let printer = config.office_printer.clone();
        let queued = {
            let printer = printer.clone();
            tokio::task::spawn_blocking(move || {
                // On lp's standard input: the PDF (personal data) never lands in a file here.
                let job = cups.print_bytes(printer.as_deref(), &pdf, copies)?;
                std::thread::sleep(std::time::Duration::from_millis(300));
                let state = cups.job_state(&job);
                Ok::<_, loket_printer::cups::CupsError>((job, state))
            })
            .await
            .map_err(|e| HubError::OfficePrint(e.to_string()))?
        };
        let (job, state) = queued.map_err(|e| HubError::OfficePrint(e.to_string()))?;
        let state = match state {
            JobState::Pending => "pending",
            JobState::Completed => "completed",
            JobState::Unknown => "unknown",
        };
        let view = OfficePrintView {
            job: job.id,
            state: state.to_owned(),
            printer,
            copies,
        };
        let now = self.clock().now();
        let (who, detail, target) = (
            who.clone(),
            json!({"document": document.split('?').next().unwrap_or(""), "job": view.job, "copies": copies}),
            view.job.clone(),
        );
        self.inner
            .db
            .write(move |tx| {
                Box::pin(async move {
                    crate::store::audit(tx, &who, "office_print", Some(&target), detail, now).await
                })
            })
            .await?;
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apis_pdf_routes_are_printable() {
        assert!(is_printable_route("/api/v1/baps/01ab/pdf?version=2"));
        assert!(is_printable_route(
            "/api/v1/reports/export.pdf?date=2026-12-01"
        ));
        assert!(!is_printable_route("/api/v1/reports/export.csv"));
        assert!(!is_printable_route("/api/v1/users"));
        assert!(!is_printable_route("http://evil/x.pdf"));
        assert!(!is_printable_route("/api/v1/../healthz.pdf"));
    }
}
