import { lang } from "./i18n";

// Talking to the office hub: JSON over HTTP with a bearer token, and a live WebSocket that
// reconnects by itself. The pages are served by the hub, so every path is relative to it.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Machine-readable reason from the hub (`quota_exhausted`, `unknown_booking`…). */
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The hub's address: the page's own origin, or `?hub=` when the pages come from elsewhere
 * (the Vite dev server, the desktop app's bundled copy). */
export function hubBase(): string {
  const fromQuery = new URLSearchParams(location.search).get("hub");
  if (fromQuery) return fromQuery.replace(/\/$/, "");
  if (location.protocol === "http:" || location.protocol === "https:") return location.origin;
  return "http://127.0.0.1:8080";
}

const TOKEN_PREFIX = "loket.token.";

export function storedToken(scope: string): string | null {
  try {
    return sessionStorage.getItem(TOKEN_PREFIX + scope) ?? localStorage.getItem(TOKEN_PREFIX + scope);
  } catch {
    return null;
  }
}

/** Officer sessions live in sessionStorage (gone when the window closes); device tokens
 * (kiosk, display) in localStorage so the screen survives a restart. */
export function storeToken(scope: string, token: string | null, persistent = false): void {
  try {
    const store = persistent ? localStorage : sessionStorage;
    if (token) store.setItem(TOKEN_PREFIX + scope, token);
    else {
      sessionStorage.removeItem(TOKEN_PREFIX + scope);
      localStorage.removeItem(TOKEN_PREFIX + scope);
    }
  } catch {
    // storage disabled: the token lasts as long as the page
  }
}

export async function request<T>(
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  // A Blob (a camera frame) goes as it is; anything else as JSON.
  const raw = typeof Blob !== "undefined" && opts.body instanceof Blob ? opts.body : null;
  if (raw) headers["Content-Type"] = raw.type || "application/octet-stream";
  else if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(hubBase() + path, {
      method,
      headers,
      body: raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: opts.signal,
    });
  } catch (err) {
    throw new ApiError(0, "network", err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const obj = (data && typeof data === "object" ? data : {}) as Record<string, unknown>;
    const inner = (obj.error && typeof obj.error === "object" ? obj.error : obj) as Record<string, unknown>;
    const code = String(inner.code ?? (typeof obj.error === "string" ? obj.error : "") ?? "") || `http_${res.status}`;
    const localized = lang() === "en" ? (inner.message_en ?? inner.message_id) : (inner.message_id ?? inner.message_en);
    const message = String(localized ?? inner.message ?? text ?? res.statusText);
    throw new ApiError(res.status, code, message, inner);
  }
  return data as T;
}

export type LiveState = "connecting" | "open" | "closed";

/**
 * Runs `run` at most once per `ms` however often it is asked: the first request runs at
 * once, requests during the wait run once at its end (so the last state is always read).
 * Live messages come in bursts at busy moments; a view that re-reads on each would read
 * the same queue many times over.
 */
export class Throttle {
  private timer: number | undefined;
  private wanted = false;

  constructor(
    private readonly run: () => void,
    private readonly ms: number,
  ) {}

  request(): void {
    if (this.timer !== undefined) {
      this.wanted = true;
      return;
    }
    this.run();
    this.timer = window.setTimeout(() => this.end(), this.ms);
  }

  private end(): void {
    this.timer = undefined;
    if (this.wanted) {
      this.wanted = false;
      this.request();
    }
  }

  cancel(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.wanted = false;
  }
}

/**
 * A WebSocket to the hub that comes back by itself: exponential back-off from 0.5 s to
 * 10 s, reset after a good connection. `onMessage` gets each parsed JSON message.
 */
export class LiveSocket {
  private ws: WebSocket | null = null;
  private delay = 500;
  private stopped = false;
  private timer: number | undefined;

  constructor(
    private readonly path: () => string,
    private readonly onMessage: (msg: unknown) => void,
    private readonly onState: (s: LiveState) => void,
  ) {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.onState("connecting");
    const url = hubBase().replace(/^http/, "ws") + this.path();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this.onState("open");
    };
    ws.onmessage = (ev) => {
      try {
        this.onMessage(JSON.parse(String(ev.data)));
      } catch {
        // not JSON: ignore
      }
    };
    ws.onclose = () => {
      this.ws = null;
      this.onState("closed");
      this.retry();
    };
    ws.onerror = () => ws.close();
  }

  private retry(): void {
    if (this.stopped) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, 10_000);
  }

  close(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close();
  }
}
