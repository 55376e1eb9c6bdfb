// The real Tauri window (loket-desktop) under Xvfb, driven through tauri-driver and
// WebKitWebDriver: it opens on the hub's counter page, an officer logs in, opens a counter
// and calls the ticket a kiosk took; the counter's photo step runs its live preview from
// WebKitGTK's mock camera; the kiosk gets no camera; screenshots of the window are kept.
// One test runs the app without WebDriver (WebKit lets a WebDriver session answer camera
// requests itself) to check the app's own permission answers on a LAN address.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import http from "node:http";
import { WebDriver } from "../lib/webdriver.mjs";

const HUB = process.env.HUB_URL;
const APP = process.env.LOKET_DESKTOP_BIN;
const DRIVER = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
const DEMO = JSON.parse(process.env.LOKET_DEMO_JSON ?? "{}");
const ARTIFACTS = process.env.LOKET_ARTIFACTS;

async function api(method, route, token, body) {
  const res = await fetch(HUB + route, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, data: await res.json().catch(() => null) };
}

test("desktop app in the counter role: log in, open a counter, call the next ticket", async () => {
  assert.ok(HUB && APP, "HUB_URL and LOKET_DESKTOP_BIN are set by desktop.sh");
  const ticket = await api("POST", "/api/v1/tickets", DEMO.kioskToken, { service: "pickup", lane: "walk_in" });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
  const number = ticket.data.ticket;

  const wd = await WebDriver.start(DRIVER, {
    "tauri:options": { application: APP, args: ["--role", "counter", "--hub", HUB, "--log-dir", path.join(ARTIFACTS, "desktop-logs")] },
  });
  try {
    // The window starts on the bundled page and moves to the hub's counter page by itself.
    await wd.waitFor("[data-testid=login-user]", 60_000);
    assert.ok((await wd.url()).startsWith(HUB), "the window shows the hub's page");
    await wd.type("[data-testid=login-user]", DEMO.officer.username);
    await wd.type("[data-testid=login-password]", DEMO.officer.password);
    await wd.click("[data-testid=login-submit]");
    await wd.click(`[data-testid=counter-${DEMO.desktopCounterId}]`);
    await wd.click("[data-testid=open-submit]");
    await wd.waitFor(`[data-testid=queue-item][data-number="${number}"]`);
    await wd.click("[data-testid=action-call-next]");
    const shown = await wd.waitForText("[data-testid=current-number]", (t) => t.trim() === number);
    assert.equal(shown.trim(), number);
    fs.mkdirSync(path.join(ARTIFACTS, "screenshots"), { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, "screenshots", "desktop-counter-webdriver.png"), await wd.screenshotPng());
  } finally {
    await wd.quit();
  }
  const current = await api("GET", `/api/v1/counters/${DEMO.desktopCounterId}/current`, DEMO.kioskToken);
  assert.equal(current.status, 403, "the kiosk token may not read a counter");
});

async function login(user, password) {
  const r = await fetch(HUB + "/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: user, password }),
  });
  const data = await r.json();
  assert.equal(r.status, 200, JSON.stringify(data));
  return data.token;
}

function screenshot(name, png) {
  fs.mkdirSync(path.join(ARTIFACTS, "screenshots"), { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, "screenshots", `${name}.png`), png);
}

// The camera in the page, as the photo step asks for it; `audio` asks for the microphone
// instead. Resolves to what happened (WebDriver's async script: the last argument is `done`).
const ASK_CAMERA = `
const done = arguments[arguments.length - 1];
const audio = arguments[0] === "audio";
const out = { secure: window.isSecureContext, mediaDevices: !!navigator.mediaDevices?.getUserMedia };
if (!out.mediaDevices) { done(out); return; }
navigator.mediaDevices.getUserMedia(audio ? { audio: true, video: false } : { video: true, audio: false })
  .then((s) => { out.granted = true; s.getTracks().forEach((t) => t.stop()); done(out); },
        (e) => { out.granted = false; out.error = e.name; done(out); });
`;

test("desktop app in the counter role: the photo step's live preview runs from the camera (WebKitGTK mock camera)", async () => {
  // desktop.sh starts tauri-driver with LOKET_TEST_MOCK_CAMERA=1 (test-only): WebKitGTK's
  // generated camera stands in for a webcam. A new-passport walk-in goes through its
  // document check at Loket 1 by API; Loket 2 serves its photo stage in the window.
  const ticket = await api("POST", "/api/v1/tickets", DEMO.kioskToken, { service: "new_passport", lane: "walk_in" });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
  const number = ticket.data.ticket;
  const officer2 = await login("officer2", "officer2-demo");
  for (const [step, body] of [["open"], ["call", { ticket: number }], ["start"], ["finish"]]) {
    const r = await api("POST", `/api/v1/counters/${DEMO.counterId}/${step}`, officer2, body);
    assert.equal(r.status, 200, `${step}: ${JSON.stringify(r.data)}`);
  }
  await api("POST", `/api/v1/counters/${DEMO.counterId}/close`, officer2);

  const wd = await WebDriver.start(DRIVER, {
    "tauri:options": { application: APP, args: ["--role", "counter", "--hub", HUB, "--log-dir", path.join(ARTIFACTS, "desktop-logs-camera")] },
  });
  try {
    await wd.waitFor("[data-testid=login-user]", 60_000);
    await wd.type("[data-testid=login-user]", "officer2");
    await wd.type("[data-testid=login-password]", "officer2-demo");
    await wd.click("[data-testid=login-submit]");
    await wd.click("[data-testid=counter-2]");
    await wd.click("[data-testid=open-submit]");
    await wd.click(`[data-testid=queue-item][data-number="${number}"] [data-testid=call-given]`);
    await wd.waitForText("[data-testid=current-number]", (t) => t.trim() === number);
    await wd.click("[data-testid=step-tab-photo]");
    await wd.waitFor("[data-testid=photo-step]");

    // The live preview: the <video> plays camera frames, the hub checks them (the list of
    // checks is shown), and no camera problem is reported.
    const until = Date.now() + 60_000;
    let state = {};
    while (Date.now() < until) {
      state = await wd.execute(`
        const v = document.querySelector("[data-testid=photo-video]");
        const problem = document.querySelector("[data-testid=photo-camera-error]");
        return {
          videoWidth: v ? v.videoWidth : 0, videoHeight: v ? v.videoHeight : 0,
          playing: !!v && !v.paused && v.readyState >= 2,
          checks: document.querySelectorAll("[data-testid^=photo-check-]").length,
          problem: problem ? problem.dataset.kind + ": " + problem.textContent : null,
          secure: window.isSecureContext,
        };`);
      if (state.problem || (state.videoWidth > 0 && state.playing && state.checks >= 12)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    screenshot("desktop-counter-photo-webdriver", await wd.screenshotPng());
    assert.equal(state.problem, null, `the photo step reports a camera problem: ${JSON.stringify(state)}`);
    assert.ok(state.secure, "the hub's page is a secure context");
    assert.ok(state.videoWidth > 0 && state.videoHeight > 0, `the preview shows camera frames: ${JSON.stringify(state)}`);
    assert.ok(state.playing, "the preview plays");
    assert.ok(state.checks >= 12, `the hub's checks of the live frames are listed: ${JSON.stringify(state)}`);
    const text = await wd.text(await wd.find("[data-testid=photo-step]"));
    assert.ok(!/tidak dapat dipakai/i.test(text), "no 'kamera tidak dapat dipakai' message");
  } finally {
    await wd.quit();
  }
});

test("desktop app in the kiosk role prints the ticket on its LAN thermal printer (ESC/POS on port 9100)", async () => {
  // A LAN ticket printer: a listener that keeps what it receives. It never answers the
  // status request, like many cheap printers; the app prints anyway.
  const received = [];
  const printer = net.createServer((socket) => {
    const chunks = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => received.push(Buffer.concat(chunks)));
  });
  await new Promise((resolve) => printer.listen(0, "127.0.0.1", resolve));
  const port = printer.address().port;
  const wd = await WebDriver.start(DRIVER, {
    "tauri:options": {
      application: APP,
      args: [
        "--role", "kiosk", "--hub", HUB, "--device-token", DEMO.kioskToken,
        "--ticket-printer", `tcp://127.0.0.1:${port}`, "--paper-width", "58",
        "--log-dir", path.join(ARTIFACTS, "desktop-logs"),
      ],
    },
  });
  try {
    await wd.waitFor("[data-testid=service-pickup]", 60_000);
    await wd.click("[data-testid=service-pickup]");
    await wd.click("[data-testid=take-ticket]");
    const number = (await wd.waitForText("[data-testid=ticket-number]", (t) => /^[A-Z]\d{3}$/.test(t.trim()))).trim();
    await wd.waitFor("[data-testid=ticket-print-state][data-state=ok]", 20_000);
    const deadline = Date.now() + 10_000;
    while (!received.some((b) => b.includes(number)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const bytes = received.find((b) => b.includes(number));
    assert.ok(bytes, `the printer received ticket ${number}`);
    assert.ok(bytes.includes(Buffer.from([0x1d, 0x56])), "the ticket ends with a paper cut (GS V)");
    assert.ok(bytes.includes(Buffer.from([0x1d, 0x28, 0x6b])), "the ticket carries a QR code (GS ( k)");
    fs.writeFileSync(path.join(ARTIFACTS, "desktop-kiosk-ticket.escpos"), bytes);
    // No camera for the kiosk, even with the mock camera on and a WebDriver session that
    // would grant it: the camera API is switched off in this role.
    const camera = await wd.executeAsync(ASK_CAMERA);
    assert.notEqual(camera.granted, true, `the kiosk got the camera: ${JSON.stringify(camera)}`);
    assert.equal(camera.mediaDevices, false, `the kiosk page has no camera API: ${JSON.stringify(camera)}`);
  } finally {
    await wd.quit();
    printer.close();
  }
});

test("desktop app with its embedded hub: starts `loket hub` itself, shows its pages, stops it on exit", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "loket-embedded-"));
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const hub = `http://127.0.0.1:${port}`;
  const healthy = async () => {
    try {
      return (await fetch(`${hub}/healthz`)).ok;
    } catch {
      return false;
    }
  };
  assert.equal(await healthy(), false, "nothing listens there before the app starts");
  const wd = await WebDriver.start(DRIVER, {
    "tauri:options": {
      application: APP,
      args: [
        "--role", "counter", "--hub", "embedded", "--hub-data", dataDir, "--hub-listen", `127.0.0.1:${port}`,
        "--hub-binary", process.env.LOKET_BIN, "--hub-ui", process.env.LOKET_UI_DIST, "--hub-demo",
        "--log-dir", path.join(ARTIFACTS, "desktop-logs-embedded"),
      ],
    },
  });
  try {
    await wd.waitFor("[data-testid=login-user]", 90_000);
    assert.ok((await wd.url()).startsWith(hub), "the window shows the embedded hub's page");
    assert.ok(await healthy(), "the embedded hub answers /healthz");
    assert.ok(fs.existsSync(path.join(dataDir, "loket.db")) || fs.readdirSync(dataDir).length > 0, "the hub keeps its data in the given folder");
    await wd.type("[data-testid=login-user]", DEMO.officer.username);
    await wd.type("[data-testid=login-password]", DEMO.officer.password);
    await wd.click("[data-testid=login-submit]");
    await wd.waitFor(`[data-testid=counter-${DEMO.desktopCounterId}]`);
  } finally {
    await wd.quit();
  }
  const deadline = Date.now() + 15_000;
  while ((await healthy()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(await healthy(), false, "the embedded hub stops with the app");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// A stand-in hub for the app's own permission answers: /healthz, and a page that asks for
// the camera, then for the microphone, and posts what happened back here.
const PROBE_PAGE = `<!doctype html><meta charset="utf-8"><title>probe</title><body><video muted playsinline></video><script>
(async () => {
  const out = { secure: window.isSecureContext, mediaDevices: !!navigator.mediaDevices?.getUserMedia };
  if (out.mediaDevices) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      const v = document.querySelector("video");
      v.srcObject = s;
      await v.play().catch(() => undefined);
      for (let i = 0; i < 50 && !v.videoWidth; i++) await new Promise((r) => setTimeout(r, 100));
      out.video = { granted: true, width: v.videoWidth };
      s.getTracks().forEach((t) => t.stop());
    } catch (e) { out.video = { granted: false, error: e.name }; }
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      s.getTracks().forEach((t) => t.stop());
      out.audio = { granted: true };
    } catch (e) { out.audio = { granted: false, error: e.name }; }
  }
  await fetch("/result", { method: "POST", body: JSON.stringify(out) });
})();
</script>`;

function lanAddress() {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return null;
}

/** The shared objects mapped by the `loket-desktop` process below `root` (xvfb-run's group). */
function appLibraries(root) {
  const children = new Map();
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = /^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1];
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // gone meanwhile
    }
  }
  const todo = [String(root)];
  while (todo.length) {
    const pid = todo.shift();
    let comm = "";
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      continue; // gone meanwhile (xvfb-run's helpers come and go)
    }
    if (comm === "loket-desktop") {
      const maps = fs.readFileSync(`/proc/${pid}/maps`, "utf8");
      return [...new Set(maps.split("\n").map((l) => l.split(/\s+/)[5]).filter((f) => f && f.includes(".so")))];
    }
    todo.push(...(children.get(pid) ?? []));
  }
  throw new Error("no loket-desktop process found");
}

/**
 * Runs the app (no WebDriver) in `role` against a stand-in hub on `host`; the probe's result,
 * with `libraries`: what the app's own process has mapped once the page has run.
 */
async function probeCamera(role, host) {
  let deliver;
  const result = new Promise((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    if (req.url === "/healthz") return res.end("ok");
    if (req.method === "POST" && req.url === "/result") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.end("{}");
        deliver(JSON.parse(body));
      });
      return;
    }
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(PROBE_PAGE);
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  const hub = `http://${host}:${server.address().port}`;
  const logDir = path.join(ARTIFACTS, `desktop-logs-probe-${role}`);
  fs.rmSync(logDir, { recursive: true, force: true });
  const args = ["-a", "-s", "-screen 0 1280x800x24", APP, "--role", role, "--hub", hub, "--log-dir", logDir];
  if (role === "kiosk") args.push("--device-token", DEMO.kioskToken);
  // Its own process group, so that the app and its X server stop together.
  const app = spawn("xvfb-run", args, {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, LOKET_TEST_MOCK_CAMERA: "1" },
  });
  try {
    const out = await Promise.race([
      result,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no probe result from the ${role} window within 60 s`)), 60_000)),
    ]);
    return { ...out, libraries: appLibraries(app.pid) };
  } finally {
    try {
      process.kill(-app.pid, "SIGTERM");
    } catch {
      // already gone
    }
    server.closeAllConnections();
    server.close();
  }
}

test("software rendering (the default) keeps the OpenGL driver out of the app's own process", async () => {
  // Mesa's driver (linked to LLVM) costs a process ~50 MB; WebKit's web process still loads
  // it, the app's process needs none of it when the page is drawn in software.
  const display = await probeCamera("display", "127.0.0.1");
  assert.equal(display.mediaDevices !== undefined, true, "the page ran");
  assert.ok(display.libraries.some((l) => /libwebkit2gtk/.test(l)), `WebKit is in the app: ${display.libraries.length} libraries`);
  const gl = display.libraries.filter((l) => /_dri\.so|libLLVM|libEGL_mesa|libGLX_mesa/.test(l));
  assert.deepEqual(gl, [], "no OpenGL driver mapped in the app process");
  const logDir = path.join(ARTIFACTS, "desktop-logs-probe-display");
  const log = fs.readdirSync(logDir).map((f) => fs.readFileSync(path.join(logDir, f), "utf8")).join("");
  assert.match(log, /OpenGL driver in the app process.*KeptOut/);
});

test("desktop app's own camera permission, hub on a LAN address: counter gets the camera only, kiosk none", async (t) => {
  const host = lanAddress();
  if (!host) return t.skip("this machine has no LAN address");
  // WebKit treats plain http on a LAN address as insecure (no camera API); the counter's
  // window marks http secure, and its permission handler grants video and refuses audio.
  const counter = await probeCamera("counter", host);
  assert.equal(counter.secure, true, `counter: the hub's http page is a secure context: ${JSON.stringify(counter)}`);
  assert.equal(counter.mediaDevices, true, JSON.stringify(counter));
  assert.equal(counter.video?.granted, true, `counter: camera granted: ${JSON.stringify(counter)}`);
  assert.ok(counter.video.width > 0, `counter: camera frames arrive: ${JSON.stringify(counter)}`);
  assert.deepEqual(counter.audio, { granted: false, error: "NotAllowedError" }, "counter: the microphone is refused");
  const log = fs.readdirSync(path.join(ARTIFACTS, "desktop-logs-probe-counter")).map((f) => fs.readFileSync(path.join(ARTIFACTS, "desktop-logs-probe-counter", f), "utf8")).join("");
  assert.match(log, /webview permission request.*allow=true/, "the app's handler granted the camera");
  assert.match(log, /webview permission request.*allow=false/, "the app's handler refused the microphone");

  const kiosk = await probeCamera("kiosk", host);
  assert.equal(kiosk.secure, false, `kiosk: http stays insecure outside the counter: ${JSON.stringify(kiosk)}`);
  assert.equal(kiosk.mediaDevices, false, `kiosk: no camera API: ${JSON.stringify(kiosk)}`);
  assert.equal(kiosk.video, undefined);
});
