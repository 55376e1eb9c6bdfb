// The real Tauri window (loket-desktop) under Xvfb, driven through tauri-driver and
// WebKitWebDriver: it opens on the hub's counter page, an officer logs in, opens a counter
// and calls the ticket a kiosk took; a screenshot of the window is kept.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
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
