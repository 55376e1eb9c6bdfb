//! The OpenAPI 3.1 description of the LAN API, built from one hand-written route table.
//! docs/api.md has the same routes with example bodies; a test calls every route listed
//! here and checks the router knows it.

use serde_json::{Map, Value, json};

/// One operation of the API.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path with `{id}`-style parameters.
    pub path: &'static str,
    /// One line.
    pub summary: &'static str,
    /// The right needed (`none`, `any`, or a domain action such as `call_next`).
    pub auth: &'static str,
    /// Request body schema name, if any.
    pub request: Option<&'static str>,
    /// Response schema name.
    pub response: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: &'static str,
    request: Option<&'static str>,
    response: &'static str,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        auth,
        request,
        response,
    }
}

/// Every operation the hub serves.
pub const OPERATIONS: &[Operation] = &[
    op(
        "GET",
        "/healthz",
        "Health of the hub and its database",
        "none",
        None,
        "Health",
    ),
    op(
        "GET",
        "/api/v1/openapi.json",
        "This document",
        "none",
        None,
        "OpenApi",
    ),
    op(
        "POST",
        "/api/v1/auth/login",
        "Officer log-in",
        "none",
        Some("LoginRequest"),
        "Session",
    ),
    op(
        "POST",
        "/api/v1/auth/logout",
        "End the session",
        "any",
        None,
        "Ok",
    ),
    op(
        "GET",
        "/api/v1/auth/me",
        "Who the token belongs to",
        "any",
        None,
        "Me",
    ),
    op(
        "GET",
        "/api/v1/office",
        "The office and today",
        "any",
        None,
        "Office",
    ),
    op(
        "GET",
        "/api/v1/services",
        "Services with today's quotas and wait",
        "any",
        None,
        "ServiceList",
    ),
    op(
        "POST",
        "/api/v1/tickets",
        "Issue a walk-in or priority ticket",
        "issue_ticket",
        Some("IssueRequest"),
        "Ticket",
    ),
    op(
        "POST",
        "/api/v1/check-ins",
        "Check in an M-Paspor booking",
        "check_in",
        Some("CheckInRequest"),
        "CheckIn",
    ),
    op(
        "GET",
        "/api/v1/queue",
        "Today's open visits in queue order",
        "read_queue",
        None,
        "VisitList",
    ),
    op(
        "GET",
        "/api/v1/visits/{id}",
        "One visit",
        "read_queue",
        None,
        "Visit",
    ),
    op(
        "GET",
        "/api/v1/counters",
        "Counters",
        "read_queue",
        None,
        "CounterList",
    ),
    op(
        "POST",
        "/api/v1/counters",
        "Create a counter",
        "manage_counters",
        Some("CreateCounter"),
        "Counter",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/open",
        "Open a counter",
        "open_counter",
        Some("OpenCounter"),
        "Counter",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/close",
        "Close a counter",
        "close_counter",
        None,
        "Counter",
    ),
    op(
        "GET",
        "/api/v1/counters/{id}/queue",
        "What the counter may call",
        "read_queue",
        None,
        "VisitList",
    ),
    op(
        "GET",
        "/api/v1/counters/{id}/current",
        "The counter's current visit",
        "read_queue",
        None,
        "VisitOrNull",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/call-next",
        "Call the next visit by policy",
        "call_next",
        None,
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/call",
        "Call a given ticket",
        "call_given_ticket",
        Some("CallRequest"),
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/recall",
        "Call the current visit again",
        "recall",
        None,
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/start",
        "Start serving the current visit",
        "serve",
        None,
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/no-show",
        "Mark the current visit absent",
        "no_show",
        None,
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/park",
        "Park the current visit",
        "park",
        None,
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/finish",
        "Finish the current stage",
        "serve",
        None,
        "Visit",
    ),
    op(
        "POST",
        "/api/v1/counters/{id}/transfer",
        "Transfer to a stage or counter",
        "transfer",
        Some("TransferRequest"),
        "Visit",
    ),
    op(
        "GET",
        "/api/v1/calls/recent",
        "Recent calls for display boards",
        "read_calls",
        None,
        "CallList",
    ),
    op(
        "GET",
        "/api/v1/calls/{id}/speech.wav",
        "The spoken call (espeak-ng, Indonesian) as a WAV",
        "read_calls",
        None,
        "Wav",
    ),
    op(
        "POST",
        "/api/v1/day/close",
        "End-of-day reset",
        "close_day",
        None,
        "DayClose",
    ),
    op(
        "GET",
        "/api/v1/quotas/{date}",
        "Quotas of a date",
        "read_queue",
        None,
        "Quotas",
    ),
    op(
        "PUT",
        "/api/v1/quotas/{date}",
        "Set quotas and kind of a date",
        "set_quotas",
        Some("QuotasRequest"),
        "Quotas",
    ),
    op(
        "GET",
        "/api/v1/dashboard",
        "Today's summary",
        "view_reports",
        None,
        "Dashboard",
    ),
    op(
        "POST",
        "/api/v1/bookings/import",
        "Import bookings",
        "import_bookings",
        Some("BookingsFile"),
        "Imported",
    ),
    op(
        "POST",
        "/api/v1/checks/nik",
        "Check a NIK",
        "read_queue",
        Some("NikRequest"),
        "Nik",
    ),
    op(
        "GET",
        "/api/v1/users",
        "Officer accounts",
        "manage_users",
        None,
        "UserList",
    ),
    op(
        "POST",
        "/api/v1/users",
        "Create an officer account",
        "manage_users",
        Some("AddUser"),
        "User",
    ),
    op(
        "POST",
        "/api/v1/devices",
        "Register a kiosk or display",
        "manage_devices",
        Some("AddDevice"),
        "DeviceToken",
    ),
    op(
        "GET",
        "/api/v1/audit",
        "Audit log, newest first",
        "view_audit",
        None,
        "AuditList",
    ),
    op(
        "POST",
        "/api/v1/baps",
        "Start the BAP of a visit (or get the visit's BAP back)",
        "examine_bap",
        Some("StartBap"),
        "Bap",
    ),
    op(
        "GET",
        "/api/v1/baps/{bap}",
        "A BAP (newest version, or ?version=)",
        "examine_bap",
        None,
        "Bap",
    ),
    op(
        "PUT",
        "/api/v1/baps/{bap}",
        "Save the BAP's answers",
        "examine_bap",
        Some("SaveBap"),
        "Bap",
    ),
    op(
        "POST",
        "/api/v1/baps/{bap}/decide",
        "Record the BAP's outcome (a suspension needs a supervisor)",
        "examine_bap",
        Some("DecideBap"),
        "Bap",
    ),
    op(
        "POST",
        "/api/v1/baps/{bap}/complete",
        "Mark the BAP complete",
        "examine_bap",
        Some("CompleteBap"),
        "Bap",
    ),
    op(
        "POST",
        "/api/v1/baps/{bap}/sign",
        "Sign the BAP (locks it; supervisor signs with their log-in)",
        "examine_bap",
        Some("SignBap"),
        "Bap",
    ),
    op(
        "POST",
        "/api/v1/baps/{bap}/amend",
        "Amend a signed BAP (new version)",
        "examine_bap",
        Some("AmendBap"),
        "Bap",
    ),
    op(
        "GET",
        "/api/v1/baps/{bap}/pdf",
        "The BAP as a PDF (?version=)",
        "examine_bap",
        None,
        "Pdf",
    ),
    op(
        "GET",
        "/api/v1/pickups",
        "Find passports by ?receipt=, ?visit_id= or ?nik=",
        "hand_over_passport",
        None,
        "PickupList",
    ),
    op(
        "POST",
        "/api/v1/pickups",
        "Register a passport for pickup",
        "hand_over_passport",
        Some("RegisterPickup"),
        "Pickup",
    ),
    op(
        "POST",
        "/api/v1/pickups/handover",
        "Hand a passport over",
        "hand_over_passport",
        Some("HandoverRequest"),
        "Pickup",
    ),
    op(
        "POST",
        "/api/v1/pickups/cancel",
        "Cancel an uncollected passport",
        "cancel_passport",
        Some("CancelPickup"),
        "Pickup",
    ),
    op(
        "GET",
        "/api/v1/pickups/overdue",
        "Passports past the collection period (supervisor, head)",
        "cancel_passport",
        None,
        "PickupList",
    ),
    op(
        "GET",
        "/api/v1/pickups/receipt.pdf",
        "Handover receipt (?receipt=) as a PDF",
        "hand_over_passport",
        None,
        "Pdf",
    ),
    op(
        "GET",
        "/api/v1/pickups/register.pdf",
        "The day's handover register (?date=) as a PDF",
        "hand_over_passport",
        None,
        "Pdf",
    ),
    op(
        "POST",
        "/api/v1/kiosk/pickup-status",
        "Is my passport ready? (no personal data)",
        "check_pickup",
        Some("KioskPickupRequest"),
        "KioskPickup",
    ),
    op(
        "GET",
        "/api/v1/reports",
        "The head's report (?from=&to= or ?date=&period=)",
        "view_reports",
        None,
        "Report",
    ),
    op(
        "GET",
        "/api/v1/reports/export.csv",
        "The report as CSV",
        "view_reports",
        None,
        "Csv",
    ),
    op(
        "GET",
        "/api/v1/reports/export.pdf",
        "The report as a PDF",
        "view_reports",
        None,
        "Pdf",
    ),
    // Passport photos (crate::photo): image bodies, JPEG answer.
    op(
        "POST",
        "/api/v1/photo/check",
        "Check one preview frame (JPEG or PNG body): face box, guide, every check",
        "serve",
        Some("Image"),
        "FrameCheck",
    ),
    op(
        "POST",
        "/api/v1/visits/{id}/photo",
        "Make the 35x45 passport photo of the chosen frame and store it (sealed) with the visit",
        "serve",
        Some("Image"),
        "Photo",
    ),
    op(
        "GET",
        "/api/v1/visits/{id}/photo",
        "The visit's passport photo (JPEG)",
        "serve",
        None,
        "Jpeg",
    ),
    op(
        "GET",
        "/api/v1/visits/{id}/photo/report",
        "The visit's passport photo: metadata and check report",
        "serve",
        None,
        "Photo",
    ),
    op(
        "POST",
        "/api/v1/office-print",
        "Print one of this API's PDFs on the office printer (CUPS on the hub)",
        "serve",
        Some("OfficePrintRequest"),
        "OfficePrint",
    ),
    op(
        "GET",
        "/api/v1/sync/status",
        "Sync with central: link, pending, last sync, items in error, conflicts",
        "view_sync",
        None,
        "SyncStatus",
    ),
    // Fingerprints (issue 4).
    op(
        "GET",
        "/api/v1/visits/{id}/fingerprints",
        "The visit's fingerprint session: plan, status and quality per finger (no images)",
        "serve",
        None,
        "Fingerprints",
    ),
    op(
        "PUT",
        "/api/v1/visits/{id}/fingerprints",
        "Store the visit's whole fingerprint session (WSQ images sealed at rest)",
        "serve",
        Some("SaveFingerprints"),
        "Fingerprints",
    ),
    op(
        "POST",
        "/api/v1/devices/simulated-fingerprint/capture",
        "Capture one finger with the simulated reader (demo mode only, else 404)",
        "serve",
        Some("DeviceCaptureRequest"),
        "DeviceCapture",
    ),
    op(
        "GET",
        "/api/v1/ws",
        "Live updates (WebSocket; token may be ?token=)",
        "any",
        None,
        "Live",
    ),
];

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for o in OPERATIONS {
        let mut operation = json!({
            "summary": o.summary,
            "x-loket-right": o.auth,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", o.response)}}}},
                "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        let media = match o.response {
            "Wav" => Some(("audio/wav", "binary")),
            "Pdf" => Some(("application/pdf", "binary")),
            "Csv" => Some(("text/csv", "text")),
            "Jpeg" => Some(("image/jpeg", "binary")),
            _ => None,
        };
        if let Some((media, format)) = media {
            operation["responses"]["200"] = json!({"description": "OK",
                "content": {media: {"schema": {"type": "string", "format": format}}}});
        }
        if o.auth != "none" {
            operation["security"] = json!([{"bearer": []}]);
        }
        if o.request == Some("Image") {
            let binary = json!({"schema": {"type": "string", "format": "binary"}});
            operation["requestBody"] = json!({"required": true,
                "content": {"image/jpeg": binary.clone(), "image/png": binary}});
        } else if let Some(req) = o.request {
            operation["requestBody"] = json!({
                "required": !matches!(req, "OpenCounter" | "StartBap" | "CompleteBap"),
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{req}")}}}
            });
        }
        let params: Vec<Value> = ["id", "date", "bap"]
            .iter()
            .filter(|p| o.path.contains(&format!("{{{p}}}")))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": if *p == "id" {"integer"} else {"string"}}}))
            .collect();
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method.to_ascii_lowercase()] = operation;
    }
    let mut schemas = Map::new();
    for o in OPERATIONS {
        let response = Some(o.response).filter(|r| !matches!(*r, "Wav" | "Pdf" | "Csv" | "Jpeg"));
        let request = o.request.filter(|r| *r != "Image");
        for name in request.into_iter().chain(response) {
            schemas
                .entry(name.to_string())
                .or_insert_with(|| json!({"description": format!("See docs/api.md: {name}.")}));
        }
    }
    schemas.insert(
        "Error".to_string(),
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
            "required": ["code", "message_id", "message_en"],
            "properties": {"code": {"type": "string"}, "message_id": {"type": "string"}, "message_en": {"type": "string"}}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Loket office hub LAN API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Queue, appointments and counters of one immigration office. See docs/api.md."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
    })
}
