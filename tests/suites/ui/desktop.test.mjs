// The real Tauri window (loket-desktop) under Xvfb, driven through tauri-driver and
// WebKitWebDriver: it opens on the hub's counter page, an officer logs in, opens a counter
// and calls the ticket a kiosk took; a screenshot of the window is kept.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
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
