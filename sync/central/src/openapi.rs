//! The OpenAPI 3.1 description served at `/api/v1/openapi.json`.

use serde_json::{Value, json};

fn signed() -> Value {
    json!([{"deviceSignature": []}])
}

fn json_body(schema: &str) -> Value {
    json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn ok(schema: &str) -> Value {
    json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn errors() -> Value {
    let e = json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}});
    json!({"400": e, "401": e, "403": e, "507": e})
}

fn with_errors(mut responses: Value) -> Value {
    if let (Some(map), Value::Object(errs)) = (responses.as_object_mut(), errors()) {
        map.extend(errs);
    }
    responses
}

fn office_param() -> Value {
    json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[A-Z0-9_-]{1,32}$"}})
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Loket central sync API",
            "version": "v1",
            "description": "Offices upload outbox events (idempotent by event_id) and content-addressed blobs (resumable with Content-Range), and pull a per-office change feed. Every call except enrol and health is signed with the office's ed25519 device key: headers x-loket-office, x-loket-timestamp (Unix seconds, within 300 s), x-loket-nonce (hex, single use) and x-loket-signature (base64 ed25519 over \"loket-sync-v1\\nMETHOD\\nPATH?QUERY\\nSHA256(BODY)\\nTIMESTAMP\\nNONCE\\nOFFICE\")."
        },
        "paths": {
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "OK"}}}},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
            "/api/v1/enrol": {"post": {
                "summary": "Register an office's device key with its one-time token",
                "requestBody": json_body("EnrolRequest"),
                "responses": with_errors(json!({"200": ok("EnrolResponse")}))
            }},
            "/api/v1/offices/{code}/events": {"post": {
                "summary": "Upload a batch of outbox events",
                "security": signed(),
                "parameters": [office_param()],
                "requestBody": json_body("UploadEvents"),
                "responses": with_errors(json!({"200": ok("UploadEventsResponse")}))
            }},
            "/api/v1/offices/{code}/ack": {"get": {
                "summary": "What central holds of the office's log",
                "security": signed(),
                "parameters": [office_param()],
                "responses": with_errors(json!({"200": ok("OfficeAck")}))
            }},
            "/api/v1/offices/{code}/feed": {"get": {
                "summary": "Changes for the office after a cursor",
                "security": signed(),
                "parameters": [office_param(),
                    {"name": "after", "in": "query", "schema": {"type": "integer", "default": 0}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 500, "maximum": 1000}}],
                "responses": with_errors(json!({"200": ok("FeedPage")}))
            }},
            "/api/v1/blobs/{sha256}": {
                "parameters": [{"name": "sha256", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
                "get": {"summary": "How much of a blob central holds", "security": signed(),
                    "responses": with_errors(json!({"200": ok("BlobStatus")}))},
                "put": {"summary": "Upload a chunk; Content-Range: bytes START-END/TOTAL", "security": signed(),
                    "parameters": [{"name": "Content-Range", "in": "header", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                    "responses": with_errors(json!({"200": ok("BlobStatus"), "409": ok("BlobStatus"), "422": ok("ApiError")}))}
            }
        },
        "components": {
            "securitySchemes": {"deviceSignature": {"type": "apiKey", "in": "header", "name": "x-loket-signature"}},
            "schemas": {
                "ApiError": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
                "EnrolRequest": {"type": "object", "required": ["office", "token", "public_key"], "properties": {"office": {"type": "string"}, "token": {"type": "string"}, "public_key": {"type": "string", "description": "ed25519, 32 bytes hex"}}},
                "EnrolResponse": {"type": "object", "properties": {"office": {"type": "string"}, "protocol": {"type": "string"}}},
                "Event": {"type": "object", "required": ["seq", "event_id", "kind", "payload", "occurred_at"], "properties": {
                    "seq": {"type": "integer"}, "event_id": {"type": "string", "format": "uuid"}, "kind": {"type": "string"},
                    "payload": {}, "occurred_at": {"type": "string", "format": "date-time"}}},
                "UploadEvents": {"type": "object", "required": ["events"], "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}},
                "EventAck": {"type": "object", "properties": {"event_id": {"type": "string"}, "seq": {"type": "integer"},
                    "outcome": {"type": "string", "enum": ["applied", "duplicate", "rejected"]}, "reason": {"type": "string"}}},
                "UploadEventsResponse": {"type": "object", "properties": {"acks": {"type": "array", "items": {"$ref": "#/components/schemas/EventAck"}}, "contiguous_seq": {"type": "integer"}}},
                "OfficeAck": {"type": "object", "properties": {"office": {"type": "string"}, "contiguous_seq": {"type": "integer"}, "events": {"type": "integer"}}},
                "BlobStatus": {"type": "object", "properties": {"sha256": {"type": "string"}, "received": {"type": "integer"}, "size": {"type": "integer"}, "complete": {"type": "boolean"}}},
                "FeedPage": {"type": "object", "properties": {"changes": {"type": "array", "items": {"type": "object", "properties": {"cursor": {"type": "integer"}, "change": {"$ref": "#/components/schemas/Change"}}}}, "next_cursor": {"type": "integer"}, "more": {"type": "boolean"}}},
                "Change": {"type": "object", "required": ["type"], "description": "Tagged by type: booking_upserted {booking: Booking}, booking_cancelled {booking_id, office, reason}, payment_status {booking_id, office, status: unpaid|paid|revoked|refunded}, fee_table {valid_from, fees}, quota {date, service, slots}, office_settings {settings}.",
                    "properties": {"type": {"type": "string", "enum": ["booking_upserted", "booking_cancelled", "payment_status", "fee_table", "quota", "office_settings"]}}}
            }
        }
    });
    doc["components"]["schemas"]["Booking"] = booking_schema();
    doc["paths"]["/api/v1/offices/{code}/blobs"] = blob_batch_path();
    doc["components"]["schemas"]["BlobBatchResponse"] = json!({"type": "object", "properties": {"blobs": {"type": "array", "items": {"type": "object",
        "required": ["sha256", "complete"],
        "properties": {"sha256": {"type": "string"}, "complete": {"type": "boolean"}, "error": {"$ref": "#/components/schemas/ApiError"}}}}}});
    doc
}

/// Several whole blobs in one request (its own `json!`: the macro's recursion limit).
fn blob_batch_path() -> Value {
    json!({"post": {
        "summary": "Upload several whole blobs (at most 64) in one request",
        "description": "Body: the manifest {\"blobs\": [{\"sha256\", \"size\"}, ...]} as one line of JSON, a newline, then the blobs' bytes back to back in manifest order. Each blob is stored and SHA-256-checked as if sent alone; one that does not match its name is refused on its own (error hash_mismatch in its outcome).",
        "security": signed(),
        "parameters": [office_param()],
        "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "responses": with_errors(json!({"200": ok("BlobBatchResponse")}))
    }})
}

/// The booking of a `booking_upserted` change (its own `json!`: the macro's recursion limit).
fn booking_schema() -> Value {
    json!({"type": "object", "required": ["booking_id", "office", "date", "slot", "service", "applicant_name", "payment", "version"],
        "description": "slot is a label starting with the start time (08:00-09:00); services are the office's names (new_passport, replacement, lost_damaged, pickup, information). applicants, when given, list every applicant (up to 5); else the one applicant is applicant_name for service.",
        "properties": {"booking_id": {"type": "string"}, "office": {"type": "string"}, "date": {"type": "string", "format": "date"},
            "slot": {"type": "string"}, "service": {"type": "string"}, "applicant_name": {"type": "string"},
            "payment": {"type": "string", "enum": ["unpaid", "paid", "revoked", "refunded"]}, "version": {"type": "integer"},
            "applicants": {"type": "array", "maxItems": 5, "items": {"type": "object", "required": ["name", "nik", "service"],
                "properties": {"name": {"type": "string"}, "nik": {"type": "string"}, "service": {"type": "string"}}}},
            "billing_code": {"type": "string", "pattern": "^[0-9]{15}$"}, "rescheduled": {"type": "boolean"}}})
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_of_the_router_is_described() {
        let doc = super::document();
        for (path, method) in [
            ("/healthz", "get"),
            ("/api/v1/openapi.json", "get"),
            ("/api/v1/enrol", "post"),
            ("/api/v1/offices/{code}/events", "post"),
            ("/api/v1/offices/{code}/ack", "get"),
            ("/api/v1/offices/{code}/feed", "get"),
            ("/api/v1/blobs/{sha256}", "get"),
            ("/api/v1/blobs/{sha256}", "put"),
            ("/api/v1/offices/{code}/blobs", "post"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path}");
        }
        assert!(doc["components"]["schemas"]["BlobBatchResponse"].is_object());
    }
}
