// The hub's LAN API as the views use it. Every route, shape and token rule comes from the
// hub's docs/api.md; this file is the one place that knows them.

import { ApiError, request, storedToken, storeToken } from "./http";

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
  ticket: string;
  counter: string;
  service: string;
  at: string;
  audio_url: string | null;
  id: string;
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
  nik?: string;
  birth_date?: string;
  service?: string;
  slot?: string;
  payment?: string;
  billing_code?: string;
  [key: string]: unknown;
}

export interface CurrentVisit {
  id: string | number;
  number: string;
  service: string;
  lane: string;
  stage: string;
  state: string;
  calls: number;
  booking: Booking | null;
  payment: "paid" | "unpaid" | "unverified" | null;
  notes: string;
}

export interface CounterInfo {
  id: string | number;
  name: string;
  number: string;
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
  quota_left: number | null;
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
  if (c.includes("unknown_booking") || c.includes("booking_not_found") || (c.includes("not_found") && c.includes("booking"))) return "unknown_booking";
  if (c.includes("wrong_day") || c.includes("not_today")) return "wrong_day";
  if (c.includes("wrong_office") || c.includes("other_office")) return "wrong_office";
  if (c.includes("too_early")) return "too_early";
  if (c.includes("too_late")) return "too_late";
  if (c.includes("unpaid") || c.includes("not_paid") || c.includes("payment")) return "unpaid";
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

// ---- kiosk --------------------------------------------------------------------------

export async function kioskServices(): Promise<{ officeName: string; services: ServiceInfo[] }> {
  return request("GET", "/api/kiosk/services", { token: deviceToken("kiosk") });
}

export async function issueTicket(service: string, lane: Lane, group?: string): Promise<IssuedTicket> {
  return request("POST", "/api/kiosk/tickets", { token: deviceToken("kiosk"), body: { service, lane, priority_group: group ?? null } });
}

export async function checkIn(code: string): Promise<IssuedTicket> {
  return request("POST", "/api/kiosk/check-in", { token: deviceToken("kiosk"), body: { code } });
}

// ---- officers -----------------------------------------------------------------------

export async function login(username: string, password: string): Promise<Session> {
  const s = await request<Session>("POST", "/api/auth/login", { body: { username, password } });
  storeToken("officer", s.token);
  return s;
}

export async function logout(): Promise<void> {
  const token = officerToken();
  storeToken("officer", null);
  if (token) await request("POST", "/api/auth/logout", { token }).catch(() => undefined);
}

export async function me(): Promise<Session["user"]> {
  return request("GET", "/api/auth/me", { token: officerToken() });
}

export async function counters(): Promise<CounterInfo[]> {
  return request("GET", "/api/counters", { token: officerToken() });
}

export async function services(): Promise<ServiceInfo[]> {
  return request("GET", "/api/services", { token: officerToken() });
}

export async function openCounter(id: CounterInfo["id"], services: string[], stages: string[]): Promise<CounterInfo> {
  return request("POST", `/api/counters/${id}/open`, { token: officerToken(), body: { services, stages } });
}

export async function closeCounter(id: CounterInfo["id"]): Promise<void> {
  await request("POST", `/api/counters/${id}/close`, { token: officerToken() });
}

export async function queue(counter: CounterInfo["id"]): Promise<QueueItem[]> {
  return request("GET", `/api/counters/${counter}/queue`, { token: officerToken() });
}

export async function current(counter: CounterInfo["id"]): Promise<CurrentVisit | null> {
  return request("GET", `/api/counters/${counter}/current`, { token: officerToken() });
}

export type CounterAction = "call-next" | "recall" | "start" | "no-show" | "park" | "finish";

export async function act(counter: CounterInfo["id"], action: CounterAction): Promise<CurrentVisit | null> {
  return request("POST", `/api/counters/${counter}/${action}`, { token: officerToken() });
}

export async function transfer(counter: CounterInfo["id"], stage: string): Promise<CurrentVisit | null> {
  return request("POST", `/api/counters/${counter}/transfer`, { token: officerToken(), body: { stage } });
}

export async function saveNotes(visit: CurrentVisit["id"], notes: string): Promise<void> {
  await request("PUT", `/api/visits/${visit}/notes`, { token: officerToken(), body: { notes } });
}

export async function checkNik(nik: string, birthDate: string): Promise<NikCheck> {
  return request("POST", "/api/checks/nik", { token: officerToken(), body: { nik, birth_date: birthDate || null } });
}

// ---- display and head ---------------------------------------------------------------

export async function recentCalls(): Promise<CallEvent[]> {
  return request("GET", "/api/display/calls", { token: deviceToken("display") });
}

export function callAudioUrl(call: CallEvent): string | null {
  return call.audio_url;
}

export async function dashboard(): Promise<Dashboard> {
  return request("GET", "/api/dashboard", { token: officerToken() });
}

/** The live WebSocket path; its messages say what changed. */
export function livePath(scope: "kiosk" | "display" | "officer"): string {
  const token = scope === "officer" ? officerToken() : deviceToken(scope);
  return `/api/live${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

/** A call announced on the live socket, or null for other messages. */
export function callFromLive(msg: unknown): CallEvent | null {
  if (!msg || typeof msg !== "object") return null;
  const m = msg as Record<string, unknown>;
  const body = (m.call ?? m.data ?? m) as Record<string, unknown>;
  const kind = String(m.type ?? m.kind ?? m.event ?? "");
  if (kind && kind !== "call" && kind !== "called" && kind !== "recall" && kind !== "recalled") return null;
  if (!body.ticket) return null;
  return body as unknown as CallEvent;
}
