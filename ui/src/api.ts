// The hub's LAN API as the views use it. Every route, shape and token rule comes from the
// hub's docs/api.md; this file is the one place that knows them.

import { ApiError, hubBase, request, storedToken, storeToken } from "./http";
import { lang } from "./i18n";

export type Lane = "walk_in" | "appointment" | "priority";

export interface ServiceInfo {
  code: string;
  letter: string;
  name_id: string;
  name_en: string;
  open: boolean;
  walk_in_left: number | null;
  priority_left: number | null;
  priority_allowed?: boolean;
  stages: string[];
}

export interface IssuedTicket {
  id: string | number;
  number: string;
  service: string;
  lane: string;
  estimated_wait_minutes: number | null;
  ahead: number | null;
  issued_at: string;
}

export interface CallEvent {
  id: string;
  ticket: string;
  /** The counter's name as the board shows it ("Loket 3"). */
  counter: string;
  service: string;
  at: string;
  audio_url: string | null;
  recall: boolean;
}

export interface QueueItem {
  id: string | number;
  number: string;
  service: string;
  lane: string;
  stage: string;
  state: string;
  issued_at: string;
  waiting_minutes: number | null;
}

export interface Booking {
  code: string;
  name?: string;
  applicant?: string;
  nik?: string;
  birth_date?: string;
}

export interface CurrentVisit {
  id: string | number;
  number: string;
  service: string;
  lane: string;
  stage: string;
  stages: string[];
  state: string;
  calls: number;
  booking: Booking | null;
  payment: "paid" | "unpaid" | "unverified" | null;
}

export interface CounterInfo {
  id: number;
  name: string;
  open: boolean;
  services: string[];
  stages: string[];
  serving: string | null;
  officer: string | null;
}

export interface Session {
  token: string;
  user: { name: string; role: string };
}

export interface ServiceStats {
  code: string;
  waiting: number;
  longest_wait_minutes: number | null;
  served: number;
  no_show: number;
  issued: number;
}

export interface Dashboard {
  waiting: number;
  longest_wait_minutes: number | null;
  counters_open: number;
  served_today: number;
  no_show_today: number;
  services: ServiceStats[];
  counters: CounterInfo[];
}

export interface NikCheck {
  valid: boolean;
  warnings: string[];
  message: string;
}

/** What kind of refusal a hub error is, in the kiosk's words. */
export type Refusal =
  | "quota"
  | "unknown_booking"
  | "wrong_day"
  | "wrong_office"
  | "too_early"
  | "too_late"
  | "unpaid"
  | "cancelled"
  | "already"
  | "not_offered"
  | "auth"
  | "forbidden"
  | "other";

export function refusalKind(err: ApiError): Refusal {
  const c = err.code.toLowerCase();
  if (c.includes("quota")) return "quota";
  if (c === "booking_not_found" || c === "booking_invalid" || c === "invalid_billing_code") return "unknown_booking";
  if (c.includes("other_day") || c.includes("wrong_day")) return "wrong_day";
  if (c.includes("wrong_office") || c.includes("other_office")) return "wrong_office";
  if (c.includes("too_early")) return "too_early";
  if (c.includes("too_late")) return "too_late";
  if (c.includes("unpaid")) return "unpaid";
  if (c.includes("cancel")) return "cancelled";
  if (c.includes("already")) return "already";
  if (c.includes("not_offered") || c.includes("closed")) return "not_offered";
  if (err.status === 401) return "auth";
  if (err.status === 403) return "forbidden";
  return "other";
}

// ---- tokens -------------------------------------------------------------------------

/** A device token given once in the URL (`?token=`) by the provisioning step is kept. */
export function deviceToken(scope: "kiosk" | "display"): string | null {
  const fromUrl = new URLSearchParams(location.search).get("token") ?? new URLSearchParams(location.hash.split("?")[1] ?? "").get("token");
  if (fromUrl) storeToken(scope, fromUrl, true);
  return storedToken(scope);
}

export function officerToken(): string | null {
  return storedToken("officer");
}

// ---- what the hub sends (core/hub/src/views.rs) -------------------------------------

interface Quota {
  walk_in: number;
  appointment: number;
  priority: number;
}

interface WireService {
  code: string;
  letter: string;
  name_id: string;
  name_en: string;
  stages: { code: string; name_id: string; name_en: string }[];
  needs_bap: boolean;
  offered_today: boolean;
  quota: Quota;
  used: Quota;
  left: Quota;
  waiting: number;
  estimated_wait_minutes: number | null;
}

interface WireTicket {
  id: number;
  ticket: string;
  service: string;
  lane: string;
  priority_group: string | null;
  issued_at: string;
  booking_code: string | null;
  payment_not_verified: boolean;
  ahead: number;
  estimated_wait_minutes: number | null;
}

interface WireCheckIn {
  booking_code: string;
  already_checked_in: boolean;
  flags: string[];
  tickets: WireTicket[];
}

interface WireVisit {
  id: number;
  ticket: string;
  service: string;
  lane: string;
  priority_group: string | null;
  stage: string;
  stages: string[];
  state: string;
  counter_id: number | null;
  calls: number;
  booking_code: string | null;
  applicant_index: number | null;
  applicant_name: string | null;
  payment_not_verified: boolean;
  issued_at: string;
  waiting_minutes: number;
}

interface WireCounter {
  id: number;
  name: string;
  open: boolean;
  services: string[];
  stages: string[];
  officer: string | null;
  serving: string | null;
}

interface WireCall {
  id: number;
  visit_id: number;
  ticket: string;
  service: string;
  counter_id: number;
  counter: string;
  at: string;
  recall: boolean;
  audio_url?: string | null;
}

interface WireDashboard {
  waiting: number;
  longest_wait_minutes: number | null;
  counters_open: number;
  served_today: number;
  no_show_today: number;
  services: { service: string; waiting: number; longest_wait_minutes: number | null; in_service: number; served: number; no_show: number; issued: number }[];
  counters: WireCounter[];
}

interface WireOffice {
  code: string;
  name: string;
  time_zone: string;
  office_date: string;
}

function toService(w: WireService): ServiceInfo {
  return {
    code: w.code,
    letter: w.letter,
    name_id: w.name_id,
    name_en: w.name_en,
    open: w.offered_today,
    walk_in_left: w.left?.walk_in ?? null,
    priority_left: w.left?.priority ?? null,
    priority_allowed: w.offered_today,
    stages: (w.stages ?? []).map((s) => s.code),
  };
}

function toTicket(w: WireTicket): IssuedTicket {
  return {
    id: w.id,
    number: w.ticket,
    service: w.service,
    lane: w.lane,
    estimated_wait_minutes: w.estimated_wait_minutes,
    ahead: w.ahead,
    issued_at: w.issued_at,
  };
}

function toQueueItem(w: WireVisit): QueueItem {
  return { id: w.id, number: w.ticket, service: w.service, lane: w.lane, stage: w.stage, state: w.state, issued_at: w.issued_at, waiting_minutes: w.waiting_minutes };
}

function toCurrent(w: WireVisit): CurrentVisit {
  const booking: Booking | null = w.booking_code
    ? { code: w.booking_code, name: w.applicant_name ?? undefined, applicant: w.applicant_index == null ? undefined : String(w.applicant_index + 1) }
    : null;
  return {
    id: w.id,
    number: w.ticket,
    service: w.service,
    lane: w.lane,
    stage: w.stage,
    stages: w.stages ?? [],
    state: w.state,
    calls: w.calls,
    booking,
    payment: w.booking_code ? (w.payment_not_verified ? "unverified" : "paid") : null,
  };
}

function toCounter(w: WireCounter): CounterInfo {
  return { id: w.id, name: w.name, open: w.open, services: w.services ?? [], stages: w.stages ?? [], serving: w.serving, officer: w.officer };
}

function toCall(w: WireCall): CallEvent {
  return { id: String(w.id), ticket: w.ticket, counter: w.counter, service: w.service, at: w.at, audio_url: w.audio_url ?? null, recall: w.recall };
}

// ---- kiosk --------------------------------------------------------------------------

export async function office(scope: "kiosk" | "display"): Promise<WireOffice> {
  return request("GET", "/api/v1/office", { token: deviceToken(scope) });
}

export async function kioskServices(): Promise<{ officeName: string; timeZone: string; services: ServiceInfo[] }> {
  const token = deviceToken("kiosk");
  const [o, list] = await Promise.all([office("kiosk").catch(() => null), request<WireService[]>("GET", "/api/v1/services", { token })]);
  return { officeName: o?.name ?? "", timeZone: o?.time_zone ?? "", services: list.map(toService) };
}

export async function issueTicket(service: string, lane: Lane, group?: string): Promise<IssuedTicket> {
  const w = await request<WireTicket>("POST", "/api/v1/tickets", { token: deviceToken("kiosk"), body: { service, lane, priority_group: group ?? null } });
  return toTicket(w);
}

export async function checkIn(code: string): Promise<{ tickets: IssuedTicket[]; already: boolean; paymentNotVerified: boolean }> {
  const w = await request<WireCheckIn>("POST", "/api/v1/check-ins", { token: deviceToken("kiosk"), body: { booking_code: code } });
  return { tickets: w.tickets.map(toTicket), already: w.already_checked_in, paymentNotVerified: w.flags.includes("payment_not_verified") };
}

// ---- officers -----------------------------------------------------------------------

export async function login(username: string, password: string): Promise<Session> {
  const s = await request<{ token: string; user: { username: string; display_name: string; role: string } }>("POST", "/api/v1/auth/login", { body: { username, password } });
  storeToken("officer", s.token);
  return { token: s.token, user: { name: s.user.display_name || s.user.username, role: s.user.role } };
}

export async function logout(): Promise<void> {
  const token = officerToken();
  storeToken("officer", null);
  if (token) await request("POST", "/api/v1/auth/logout", { token }).catch(() => undefined);
}

export async function me(): Promise<Session["user"]> {
  const m = await request<{ kind: string; name: string; role: string | null }>("GET", "/api/v1/auth/me", { token: officerToken() });
  if (m.kind !== "officer") throw new ApiError(401, "unauthenticated", "not an officer");
  return { name: m.name, role: m.role ?? "" };
}

export async function counters(): Promise<CounterInfo[]> {
  return (await request<WireCounter[]>("GET", "/api/v1/counters", { token: officerToken() })).map(toCounter);
}

export async function services(): Promise<ServiceInfo[]> {
  return (await request<WireService[]>("GET", "/api/v1/services", { token: officerToken() })).map(toService);
}

export async function openCounter(id: CounterInfo["id"], services: string[], stages: string[]): Promise<CounterInfo> {
  return toCounter(await request<WireCounter>("POST", `/api/v1/counters/${id}/open`, { token: officerToken(), body: { services, stages } }));
}

export async function closeCounter(id: CounterInfo["id"]): Promise<void> {
  await request("POST", `/api/v1/counters/${id}/close`, { token: officerToken() });
}

export async function queue(counter: CounterInfo["id"]): Promise<QueueItem[]> {
  return (await request<WireVisit[]>("GET", `/api/v1/counters/${counter}/queue`, { token: officerToken() })).map(toQueueItem);
}

export async function current(counter: CounterInfo["id"]): Promise<CurrentVisit | null> {
  const w = await request<WireVisit | null>("GET", `/api/v1/counters/${counter}/current`, { token: officerToken() });
  return w ? toCurrent(w) : null;
}

export type CounterAction = "call-next" | "recall" | "start" | "no-show" | "park" | "finish";

/** Runs a counter action; the desk re-reads its state afterwards. */
export async function act(counter: CounterInfo["id"], action: CounterAction): Promise<void> {
  await request<WireVisit>("POST", `/api/v1/counters/${counter}/${action}`, { token: officerToken() });
}

/** Calls one given ticket (audited by the hub); `force` passes the starvation bound (supervisors). */
export async function callGiven(counter: CounterInfo["id"], ticket: string, force = false): Promise<void> {
  await request("POST", `/api/v1/counters/${counter}/call`, { token: officerToken(), body: { ticket, force } });
}

export async function transfer(counter: CounterInfo["id"], stage: string): Promise<void> {
  await request("POST", `/api/v1/counters/${counter}/transfer`, { token: officerToken(), body: { stage } });
}

export async function checkNik(nik: string, birthDate: string): Promise<NikCheck> {
  try {
    const v = await request<{ valid: boolean; warnings: { message_id: string; message_en: string }[] }>("POST", "/api/v1/checks/nik", {
      token: officerToken(),
      body: { nik, birth_date: birthDate || null },
    });
    return { valid: v.valid, warnings: v.warnings.map((w) => (lang() === "en" ? w.message_en : w.message_id)), message: "" };
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return { valid: false, warnings: [], message: err.message };
    throw err;
  }
}

// ---- display and head ---------------------------------------------------------------

export async function recentCalls(): Promise<CallEvent[]> {
  return (await request<WireCall[]>("GET", "/api/v1/calls/recent", { token: deviceToken("display") })).map(toCall);
}

/** The spoken call's WAV (made by the hub with espeak-ng), fetched with the board's token;
 * null when the hub cannot speak (the call still shows on the board). */
export async function callAudio(call: CallEvent): Promise<Blob | null> {
  const path = call.audio_url ?? `/api/v1/calls/${call.id}/speech.wav`;
  const token = deviceToken("display");
  try {
    const res = await fetch(path.startsWith("http") ? path : hubBase() + path, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) return null;
    return await res.blob();
  } catch {
    return null;
  }
}

export async function dashboard(): Promise<Dashboard> {
  const w = await request<WireDashboard>("GET", "/api/v1/dashboard", { token: officerToken() });
  return {
    waiting: w.waiting,
    longest_wait_minutes: w.longest_wait_minutes,
    counters_open: w.counters_open,
    served_today: w.served_today,
    no_show_today: w.no_show_today,
    services: w.services.map((s) => ({ code: s.service, waiting: s.waiting, longest_wait_minutes: s.longest_wait_minutes, served: s.served, no_show: s.no_show, issued: s.issued })),
    counters: w.counters.map(toCounter),
  };
}

/** The live WebSocket path; its messages say what changed. */
export function livePath(scope: "kiosk" | "display" | "officer"): string {
  const token = scope === "officer" ? officerToken() : deviceToken(scope);
  return `/api/v1/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

/** Whether a live message is `{"type":"resync"}`: the hub dropped messages for this socket
 * (it fell behind), so what the screen shows must be read again. */
export function isResync(msg: unknown): boolean {
  return !!msg && typeof msg === "object" && (msg as { type?: unknown }).type === "resync";
}

/** A call announced on the live socket (`{"type":"call","call":{...}}`), or null. */
export function callFromLive(msg: unknown): CallEvent | null {
  if (!msg || typeof msg !== "object") return null;
  const m = msg as { type?: unknown; call?: unknown };
  if (m.type !== "call" || !m.call || typeof m.call !== "object") return null;
  const call = m.call as WireCall;
  return typeof call.ticket === "string" ? toCall(call) : null;
}

// ---- fingerprints (core/hub/src/fingerprints.rs, issue 4) ---------------------------

export type Finger =
  | "right_thumb" | "right_index" | "right_middle" | "right_ring" | "right_little"
  | "left_thumb" | "left_index" | "left_middle" | "left_ring" | "left_little";
export const RIGHT_HAND: Finger[] = ["right_thumb", "right_index", "right_middle", "right_ring", "right_little"];
export const LEFT_HAND: Finger[] = ["left_thumb", "left_index", "left_middle", "left_ring", "left_little"];
export type FingerException = "missing" | "bandaged" | "unusable";
export const FINGER_EXCEPTIONS: FingerException[] = ["missing", "bandaged", "unusable"];

export interface CapturePolicy {
  threshold: number;
  max_attempts: number;
  finger_timeout_ms: number;
}

export interface FingerView {
  finger: Finger;
  position: number;
  label_id: string;
  status: "pending" | "captured" | "exception";
  score: number | null;
  attempts: number | null;
  met_threshold: boolean | null;
  kind: FingerException | null;
  reason: string | null;
  recorded_by: string | null;
  confirmed_by: string | null;
}

export interface FingerprintsView {
  visit_id: number;
  session_id: number | null;
  saved_at: string | null;
  saved_by: string | null;
  complete: boolean;
  policy: { plan: Finger[]; capture: CapturePolicy; supervisor_confirms: FingerException[] };
  fingers: FingerView[];
  /** The hub offers its simulated reader (demo mode): what a plain browser captures with. */
  simulated_reader: boolean;
}

/** One finger captured: the capture loop's best print (hub simulated reader or the desktop app). */
export interface FingerCapture {
  reader: string;
  finger: Finger;
  /** WSQ, base64: what the hub stores. */
  wsq: string;
  /** PNG data URL for the preview. */
  preview: string;
  width: number;
  height: number;
  ppi: number;
  score: number;
  attempts: number;
  met_threshold: boolean;
  attempt_scores: number[];
}

export type FingerInput =
  | { status: "captured"; finger: Finger; wsq: string; score: number; attempts: number }
  | { status: "exception"; finger: Finger; kind: FingerException; reason: string; supervisor: Approver | null }
  | { status: "kept"; finger: Finger };

export async function getFingerprints(visitId: number | string): Promise<FingerprintsView> {
  return request("GET", `/api/v1/visits/${encodeURIComponent(String(visitId))}/fingerprints`, { token: officerToken() });
}

export async function saveFingerprints(visitId: number | string, fingers: FingerInput[]): Promise<FingerprintsView> {
  return request("PUT", `/api/v1/visits/${encodeURIComponent(String(visitId))}/fingerprints`, { token: officerToken(), body: { fingers } });
}

/** The hub's simulated reader (only when the hub runs with demo data). */
export async function simulatedFingerCapture(finger: Finger): Promise<FingerCapture> {
  return request("POST", "/api/v1/devices/simulated-fingerprint/capture", { token: officerToken(), body: { finger } });
}

// ---- files (PDF, CSV) ---------------------------------------------------------------

/** Fetches a file with the officer's token (a plain link cannot carry it) and opens it:
 * PDFs in a new tab to print, other files as a download. */
export async function openFile(path: string, fileName: string): Promise<void> {
  const res = await fetch(hubBase() + path, { headers: { Authorization: `Bearer ${officerToken() ?? ""}` } });
  if (!res.ok) {
    let message = res.statusText;
    let code = `http_${res.status}`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message_id?: string; message_en?: string } };
      code = body.error?.code ?? code;
      message = (lang() === "en" ? body.error?.message_en : body.error?.message_id) ?? message;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, code, message);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  if (res.headers.get("content-type")?.startsWith("application/pdf")) a.target = "_blank";
  else a.download = fileName;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- passport photo (core/hub/src/photo.rs) -----------------------------------------

export interface PhotoPoint {
  x: number;
  y: number;
}

export interface PhotoRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One photo check: measured value, configured bounds, verdict, what to change. */
export interface PhotoCheck {
  name: string;
  value: number | null;
  threshold: { min?: number; max?: number };
  pass: boolean;
  message: string;
  message_en: string;
}

/** What the hub found in one frame (loket-photo-checks' FrameReport), in frame pixels. */
export interface PhotoFrameReport {
  width: number;
  height: number;
  passed: boolean;
  faces_found: number;
  face: {
    rect: PhotoRect;
    right_eye: PhotoPoint;
    left_eye: PhotoPoint;
    nose_tip: PhotoPoint;
    mouth: PhotoPoint;
    chin: PhotoPoint;
    crown: PhotoPoint;
  } | null;
  other_faces: PhotoRect[];
  guide: { rect: PhotoRect; centre_x: number; eye_band: [number, number]; crown_band: [number, number]; chin_y: number };
  checks: PhotoCheck[];
}

export interface PhotoFrameCheck {
  passed: boolean;
  failed: string[];
  /** Consecutive passing frames after which the preview takes the photo by itself. */
  auto_capture_frames: number;
  report: PhotoFrameReport;
}

export interface StoredPhoto {
  photo_id: number;
  visit_id: number;
  width: number;
  height: number;
  bytes: number;
  passed: boolean;
  failed: string[];
  taken_by: string;
  taken_at: string;
  report: PhotoFrameReport;
  details: Record<string, unknown>;
}

/** Checks one preview frame (JPEG) on the hub. */
export async function checkPhotoFrame(frame: Blob, signal?: AbortSignal): Promise<PhotoFrameCheck> {
  return request("POST", "/api/v1/photo/check", { token: officerToken(), body: frame, signal });
}

/** Sends the chosen frame: the hub makes the 35x45 photo and stores it (sealed) with the visit. */
export async function storePhoto(visitId: number | string, frame: Blob): Promise<StoredPhoto> {
  return request("POST", `/api/v1/visits/${encodeURIComponent(String(visitId))}/photo`, { token: officerToken(), body: frame });
}

/** The visit's stored photo (metadata and report), or null when none was taken yet. */
export async function storedPhoto(visitId: number | string): Promise<StoredPhoto | null> {
  try {
    return await request("GET", `/api/v1/visits/${encodeURIComponent(String(visitId))}/photo/report`, { token: officerToken() });
  } catch (err) {
    if (err instanceof ApiError && err.code === "photo_not_found") return null;
    throw err;
  }
}

/** The visit's photo as a JPEG blob (a plain <img src> cannot carry the token). */
export async function photoJpeg(visitId: number | string): Promise<Blob> {
  const res = await fetch(`${hubBase()}/api/v1/visits/${encodeURIComponent(String(visitId))}/photo`, {
    headers: { Authorization: `Bearer ${officerToken() ?? ""}` },
  });
  if (!res.ok) {
    let body: { error?: { code?: string; message_id?: string; message_en?: string } } = {};
    try {
      body = await res.json();
    } catch {
      // not JSON
    }
    const message = (lang() === "en" ? body.error?.message_en : body.error?.message_id) ?? res.statusText;
    throw new ApiError(res.status, body.error?.code ?? `http_${res.status}`, message);
  }
  return res.blob();
}

// ---- BAP (core/hub/src/bap.rs) ------------------------------------------------------

export type BapStepName = "identity" | "old_passport" | "reason" | "incident" | "history" | "documents" | "assessment" | "outcome";
export const BAP_STEPS: BapStepName[] = ["identity", "old_passport", "reason", "incident", "history", "documents", "assessment", "outcome"];
export const BAP_DOCUMENTS = ["ektp", "family_card", "birth_certificate", "diploma", "marriage_book", "police_report", "damaged_passport", "village_letter"] as const;
export const DAMAGE_STATES = ["water_damaged", "torn", "pages_missing", "burnt", "data_page_damaged", "other"] as const;

export interface BookFee {
  electronic: boolean;
  validity: "five_years" | "ten_years";
}

export type BapReason =
  | { kind: "lost"; police_report_number: string; police_report_date: string | null; police_station: string }
  | { kind: "damaged"; state: string | null; description: string };

export type BapOutcome =
  | { kind: "approve_with_charge"; book: BookFee }
  | { kind: "waive_force_majeure"; book: BookFee }
  | { kind: "suspend"; months: number; approval?: { by: { username: string; role: string }; at: string } | null };

export interface BapInterview {
  identity: { full_name: string; nik: string; birth_place: string; birth_date: string | null; occupation: string; address: string; phone: string };
  old_passport: { number: string | null; mrz: [string, string] | null; issued_on: string | null; expires_on: string | null; issuing_office: string };
  reason: BapReason | null;
  force_majeure_claimed: boolean;
  chronology: string;
  incident_place: string;
  incident_date: string | null;
  travel_purpose: string;
  past_use: string;
  past_applications: string;
  documents: string[];
  assessment: string;
  outcome: BapOutcome | null;
}

export interface Message {
  code: string;
  message_id: string;
  message_en: string;
}

export interface BapMissing extends Message {
  step: BapStepName;
}

export interface FeeQuote {
  basis: string;
  lines: { item: string; amount: number }[];
  total: number;
}

export interface Bap {
  id: string;
  version: number;
  number: string;
  revision: number;
  visit_id: number | null;
  status: "draft" | "completed" | "signed";
  locked: boolean;
  latest: boolean;
  bap: {
    interview: BapInterview;
    examiner: { username: string; role: string };
    signatures: null | { supervisor: { username: string }; at: string; applicant: { kind: string } };
    amendment: null | { amends_version: number; reason: string; by: { username: string }; at: string };
  };
  missing: BapMissing[];
  next_step: BapStepName | null;
  warnings: Message[];
  fees: FeeQuote | null;
  versions: { version: number; status: string; updated_at: string }[];
}

/** A supervisor's own log-in typed at the counter, for a suspension or the signature. */
export interface Approver {
  username: string;
  password: string;
}

/** The message of a hub message object in the current language. */
export function say(m: { message_id: string; message_en: string }): string {
  return lang() === "en" ? m.message_en : m.message_id;
}

export async function startBap(visitId: number | string): Promise<Bap> {
  return request("POST", "/api/v1/baps", { token: officerToken(), body: { visit_id: Number(visitId) } });
}

export async function getBap(id: string, version?: number): Promise<Bap> {
  return request("GET", `/api/v1/baps/${encodeURIComponent(id)}${version ? `?version=${version}` : ""}`, { token: officerToken() });
}

export async function saveBap(id: string, answers: BapInterview, revision: number): Promise<Bap> {
  return request("PUT", `/api/v1/baps/${encodeURIComponent(id)}`, { token: officerToken(), body: { answers: { ...answers, outcome: null }, revision } });
}

export async function decideBap(id: string, outcome: BapOutcome, approver: Approver | null, revision: number): Promise<Bap> {
  const choice = outcome.kind === "suspend" ? { kind: "suspend", months: outcome.months } : outcome;
  return request("POST", `/api/v1/baps/${encodeURIComponent(id)}/decide`, { token: officerToken(), body: { outcome: choice, approver, revision } });
}

export async function completeBap(id: string, revision: number): Promise<Bap> {
  return request("POST", `/api/v1/baps/${encodeURIComponent(id)}/complete`, { token: officerToken(), body: { revision } });
}

export async function signBap(id: string, supervisor: Approver | null, applicantSignature: SignatureInput, revision: number): Promise<Bap> {
  return request("POST", `/api/v1/baps/${encodeURIComponent(id)}/sign`, {
    token: officerToken(),
    body: { supervisor, applicant_signature: applicantSignature, revision },
  });
}

export async function amendBap(id: string, reason: string): Promise<Bap> {
  return request("POST", `/api/v1/baps/${encodeURIComponent(id)}/amend`, { token: officerToken(), body: { reason } });
}

export interface OfficePrintJob {
  job: string;
  state: "pending" | "completed" | "unknown";
  printer: string | null;
  copies: number;
}

/** Prints one of the hub's PDF routes (as this officer may read it) on the office printer. */
export async function printAtOffice(document: string, copies = 1): Promise<OfficePrintJob> {
  return request("POST", "/api/v1/office-print", { token: officerToken(), body: { document, copies } });
}

export function bapPdfPath(bap: Bap): string {
  return `/api/v1/baps/${encodeURIComponent(bap.id)}/pdf?version=${bap.version}`;
}

export async function printBap(bap: Bap): Promise<void> {
  await openFile(`/api/v1/baps/${encodeURIComponent(bap.id)}/pdf?version=${bap.version}`, `bap-${bap.number}.pdf`);
}

// ---- pickup (core/hub/src/pickup.rs) ------------------------------------------------

export type SignatureInput = { kind: "paper" } | { kind: "drawn"; png: string };

export type PickupState = "not_ready_yet" | "ready" | "overdue_for_cancellation" | "collected" | "cancelled";

export interface Pickup {
  receipt: string;
  visit_id: number | null;
  booking_code: string | null;
  applicant_nik: string;
  applicant_name: string;
  passport_number: string | null;
  visit_date: string;
  ready_on: string | null;
  ready_date: string;
  state: PickupState;
  status: null | { status: string; expected?: string; collect_by?: string; since?: string };
  collected_at: string | null;
  handover: null | { approval: { collector: string; collector_name: string | null; overdue: boolean }; at: string };
  cancelled_at: string | null;
  cancel_reason: string | null;
}

export type CollectorInput = { kind: "applicant" } | { kind: "family"; name: string; relation: string } | { kind: "proxy"; name: string };

export interface PresentedInput {
  receipt: string | null;
  id: { kind: "ektp" | "passport" | "driving_licence"; number: string } | null;
  family_card: { number: string; shows_relation: boolean } | null;
  power_of_attorney: { signed_by_applicant: boolean; names_collector: boolean } | null;
}

export async function findPickups(by: "receipt" | "nik" | "visit_id", value: string): Promise<Pickup[]> {
  return request("GET", `/api/v1/pickups?${by}=${encodeURIComponent(value.trim())}`, { token: officerToken() });
}

export async function handOver(receipt: string, collector: CollectorInput, presented: PresentedInput, signature: SignatureInput, passportNumber: string | null): Promise<Pickup> {
  return request("POST", "/api/v1/pickups/handover", {
    token: officerToken(),
    body: { receipt, collector, presented, signature, passport_number: passportNumber || null },
  });
}

export async function overduePickups(): Promise<Pickup[]> {
  return request("GET", "/api/v1/pickups/overdue", { token: officerToken() });
}

export interface RegisterPickupInput {
  receipt: string;
  visit_id?: number | null;
  nik?: string | null;
  applicant_name?: string | null;
  booking_code?: string | null;
  passport_number?: string | null;
  ready_on?: string | null;
}

/** Registers a passport as ready (or updates one not collected yet). */
export async function registerPickup(input: RegisterPickupInput): Promise<Pickup> {
  const body: Record<string, unknown> = { receipt: input.receipt.trim() };
  for (const [k, v] of Object.entries(input)) {
    if (k === "receipt" || v == null || (typeof v === "string" && !v.trim())) continue;
    body[k] = typeof v === "string" ? v.trim() : v;
  }
  return request("POST", "/api/v1/pickups", { token: officerToken(), body });
}

/** Cancels a passport not collected (supervisor, head), with the reason. */
export async function cancelPickup(receipt: string, reason: string): Promise<Pickup> {
  return request("POST", "/api/v1/pickups/cancel", { token: officerToken(), body: { receipt, reason } });
}

export async function printPickupReceipt(receipt: string): Promise<void> {
  await openFile(`/api/v1/pickups/receipt.pdf?receipt=${encodeURIComponent(receipt)}`, `tanda-terima-${receipt}.pdf`);
}

export async function printPickupRegister(date?: string): Promise<void> {
  await openFile(`/api/v1/pickups/register.pdf${date ? `?date=${date}` : ""}`, `register-${date ?? "hari-ini"}.pdf`);
}

export interface KioskPickupAnswer {
  status: "not_found" | "not_ready_yet" | "ready" | "overdue" | "collected" | "cancelled";
  expected?: string;
  collect_by?: string;
  message_id: string;
  message_en: string;
}

/** The kiosk's "is my passport ready?": statuses and dates only. */
export async function kioskPickupStatus(code: string): Promise<{ found: number; answers: KioskPickupAnswer[] }> {
  return request("POST", "/api/v1/kiosk/pickup-status", { token: deviceToken("kiosk"), body: { code } });
}

// ---- the head's report (core/hub/src/report.rs) -------------------------------------

export interface DurationStats {
  count: number;
  mean_seconds: number;
  median_seconds: number;
  p90_seconds: number;
  max_seconds: number;
}

export interface GroupFigures {
  issued: number;
  walk_in: number;
  appointment: number;
  priority: number;
  served: number;
  no_shows: number;
  outcomes: Record<string, number>;
  waiting: DurationStats;
  waiting_all_stages: DurationStats;
  stages: { stage: string; service_time: DurationStats }[];
}

export interface Report {
  office_name: string;
  time_zone: string;
  generated_at: string;
  from: string;
  to: string;
  closed_days: string[];
  counter_names: { id: number; name: string }[];
  total: GroupFigures;
  services: { service: string; figures: GroupFigures }[];
  service_lanes: { service: string; lane: string; figures: GroupFigures }[];
  counters: {
    counter: number;
    officer: string | null;
    sittings: number;
    served: number;
    mean_service_seconds: number;
    occupied_seconds: number;
    open_seconds: number;
    idle_seconds: number;
  }[];
  arrivals_per_hour: number[];
  quotas: { service: string; lane: string; quota: number; used: number }[];
  baps: { signed_by_outcome: [string, number][]; unsigned: number; unpriced: number };
  fees: { item: string; unit_rupiah: number; count: number; total_rupiah: number }[];
  fees_total_rupiah: number;
  skipped_visits: number[];
}

export type ReportRange = { period: "day" | "week" | "month"; date: string } | { from: string; to: string };

export function reportPdfPath(range: ReportRange): string {
  return `/api/v1/reports/export.pdf?${reportQuery(range)}`;
}

function reportQuery(range: ReportRange): string {
  if (!("period" in range)) return `from=${range.from}&to=${range.to}`;
  // Without a date the hub uses its own office day.
  return range.date ? `date=${range.date}&period=${range.period}` : `period=${range.period}`;
}

export async function report(range: ReportRange): Promise<Report> {
  return request("GET", `/api/v1/reports?${reportQuery(range)}`, { token: officerToken() });
}

export async function downloadReport(range: ReportRange, kind: "csv" | "pdf"): Promise<void> {
  const stem = "period" in range ? `laporan-${range.period}-${range.date}` : `laporan-${range.from}-${range.to}`;
  await openFile(`/api/v1/reports/export.${kind}?${reportQuery(range)}`, `${stem}.${kind}`);
}

// ---- sync with central (core/hub/src/sync.rs) --------------------------------------

export type SyncLink = "not_enrolled" | "unknown" | "up" | "down" | "central_unavailable" | "refused";

/** What every screen may see of the link to central (the live `sync` message). */
export interface SyncSummary {
  link: SyncLink;
  pending: number;
  pendingBytes: number;
  lastSuccess: Date | null;
  errors: number;
}

/** The whole sync status (supervisor, head, admin). */
export interface SyncStatus extends SyncSummary {
  enrolled: boolean;
  office: string | null;
  central: string | null;
  pendingEvents: number;
  pendingFiles: number;
  pendingFileBytes: number;
  lastError: string | null;
  nextRetryAt: Date | null;
  itemErrors: { item: string; reason: string; at: Date | null }[];
  conflicts: { bookingCode: string; rule: string }[];
}

interface WireSyncSummary {
  link: SyncLink;
  pending: number;
  pending_bytes: number;
  last_success: string | null;
  errors: number;
}

interface WireSyncStatus {
  enrolled: boolean;
  office: string | null;
  central: string | null;
  link: SyncLink;
  pending_events: number;
  pending_event_bytes: number;
  pending_blobs: number;
  pending_blob_bytes: number;
  pending_bytes: number;
  last_success: string | null;
  last_attempt: string | null;
  last_error: string | null;
  next_retry_at: string | null;
  errors: { item: string; reason: string; at: string }[];
  conflicts: { booking_code: string; rule: string; cursor: number }[];
}

function date(s: string | null | undefined): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export async function syncStatus(): Promise<SyncStatus> {
  const w = await request<WireSyncStatus>("GET", "/api/v1/sync/status", { token: officerToken() });
  return {
    enrolled: w.enrolled,
    office: w.office,
    central: w.central,
    link: w.link,
    pending: w.pending_events + w.pending_blobs,
    pendingBytes: w.pending_bytes,
    pendingEvents: w.pending_events,
    pendingFiles: w.pending_blobs,
    pendingFileBytes: w.pending_blob_bytes,
    lastSuccess: date(w.last_success),
    lastError: w.last_error,
    nextRetryAt: date(w.next_retry_at),
    errors: w.errors.length,
    itemErrors: w.errors.map((e) => ({ item: e.item, reason: e.reason, at: date(e.at) })),
    conflicts: w.conflicts.map((c) => ({ bookingCode: c.booking_code, rule: c.rule })),
  };
}

/** The sync summary on the live socket (`{"type":"sync","sync":{...}}`), or null. */
export function syncFromLive(msg: unknown): SyncSummary | null {
  if (!msg || typeof msg !== "object") return null;
  const m = msg as { type?: unknown; sync?: unknown };
  if (m.type !== "sync" || !m.sync || typeof m.sync !== "object") return null;
  const w = m.sync as WireSyncSummary;
  if (typeof w.link !== "string") return null;
  return { link: w.link, pending: w.pending ?? 0, pendingBytes: w.pending_bytes ?? 0, lastSuccess: date(w.last_success), errors: w.errors ?? 0 };
}
