// A small W3C WebDriver client (fetch only), enough to drive the Tauri window through
// tauri-driver: find, type, click, read text, run a script, screenshot.

// The W3C WebDriver element reference key.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriver {
  constructor(base, sessionId) {
    this.base = base;
    this.id = sessionId;
  }

  static async start(base, capabilities, timeoutMs = 60_000) {
    const res = await call(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } }, timeoutMs);
    return new WebDriver(base, res.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    const id = v?.[ELEMENT] ?? v?.ELEMENT;
    if (!id) throw new Error(`no element reference for ${css}: ${JSON.stringify(v)}`);
    return id;
  }

  /** Waits until `css` matches an element (pages load and navigate on their own). */
  async waitFor(css, timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    let last;
    while (Date.now() < until) {
      try {
        return await this.find(css);
      } catch (err) {
        last = err;
        await sleep(250);
      }
    }
    throw new Error(`element ${css} did not appear within ${timeoutMs} ms: ${last?.message ?? ""}`);
  }

  async waitForText(css, predicate, timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < until) {
      try {
        text = await this.text(await this.find(css));
        if (predicate(text)) return text;
      } catch {
        // not there yet
      }
      await sleep(250);
    }
    throw new Error(`text of ${css} never matched; last seen ${JSON.stringify(text)}`);
  }

  async type(css, text) {
    const el = await this.waitFor(css);
    await this.cmd("POST", `/element/${el}/clear`, {});
    await this.cmd("POST", `/element/${el}/value`, { text });
  }

  async click(css) {
    const el = await this.waitFor(css);
    await this.cmd("POST", `/element/${el}/click`, {});
  }

  async text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  async url() {
    return this.cmd("GET", "/url");
  }

  /** Runs `script` (a function body; `arguments` are `args`) in the page, returns its value. */
  async execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Runs `script` in the page; it calls `arguments[arguments.length - 1](value)` when done. */
  async executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  async screenshotPng() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async quit() {
    await call(this.base, "DELETE", `/session/${this.id}`).catch(() => undefined);
  }
}

async function call(base, method, path, body, timeoutMs = 30_000) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok || (data.value && data.value.error)) {
    const v = data.value ?? {};
    throw new Error(`${method} ${path}: ${res.status} ${v.error ?? ""} ${v.message ?? ""}`.trim());
  }
  return data.value;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
