// End-to-end in a real browser engine: Debian's Chromium driven by playwright-core, against
// the UI served by a `loket hub --demo` started by tests/suites/ui-e2e.sh (HUB_URL).
//
// Demo facts (accounts, tokens, counters) come from tests/suites/lib/common.sh; bookings
// are made for today by the demo as DEMO<yymmdd><n> (core/hub/src/demo.rs).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const require = createRequire(new URL("../../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const HUB = process.env.HUB_URL;
const ROOT = path.resolve(new URL("../../..", import.meta.url).pathname);
const ARTIFACTS = process.env.LOKET_ARTIFACTS ?? path.join(ROOT, "artifacts");
const SHOTS = [path.join(ARTIFACTS, "screenshots"), path.join(ROOT, "docs", "screenshots")];
const DEMO = JSON.parse(process.env.LOKET_DEMO_JSON ?? "{}");

let browser;

before(async () => {
  assert.ok(HUB, "HUB_URL must point at a running demo hub");
  browser = await chromium.launch({
    executablePath: process.env.LOKET_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  SHOTS.forEach((d) => fs.mkdirSync(d, { recursive: true }));
});

after(async () => {
  await browser?.close();
});

async function page(width = 1920, height = 1080) {
  const context = await browser.newContext({ viewport: { width, height }, locale: "id-ID" });
  const p = await context.newPage();
  p.on("pageerror", (err) => console.error("page error:", err.message));
  return p;
}

// The screenshots the README shows; every other one goes to the artifacts only.
const README_SHOTS = new Set(["kiosk", "kiosk-priority", "kiosk-ticket", "kiosk-portrait", "counter", "display", "head"]);

async function shot(p, name) {
  const buf = await p.screenshot({ type: "png" });
  const dirs = README_SHOTS.has(name) ? SHOTS : SHOTS.slice(0, 1);
  for (const d of dirs) fs.writeFileSync(path.join(d, `${name}.png`), buf);
}

/** Types like a USB scanner: keystrokes into the focused field, then Enter. Waits until the
 * screen has put the focus in `testid` first, or the keystrokes would fall on the page. */
async function scan(p, testid, text) {
  await p.waitForFunction((id) => document.activeElement?.getAttribute("data-testid") === id, testid);
  await p.keyboard.type(text);
  await p.keyboard.press("Enter");
}

async function api(method, route, { token, body } = {}) {
  const res = await fetch(HUB + route, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data };
}

async function headToken() {
  const r = await api("POST", "/api/v1/auth/login", { body: { username: DEMO.head.username, password: DEMO.head.password } });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.token;
}

/** The demo's booking `n` for today's office date. */
async function demoBooking(n) {
  const office = await api("GET", "/api/v1/office", { token: DEMO.kioskToken });
  assert.equal(office.status, 200);
  const [y, m, d] = office.data.office_date.split("-");
  return { code: `DEMO${y.slice(2)}${m}${d}${n}`, date: office.data.office_date };
}

async function officerLogin(p, user, password) {
  await p.fill("[data-testid=login-user]", user);
  await p.fill("[data-testid=login-password]", password);
  await p.click("[data-testid=login-submit]");
}

async function openCounter(p, counterId) {
  await p.goto(`${HUB}/#/counter`);
  await officerLogin(p, DEMO.officer.username, DEMO.officer.password);
  await p.click(`[data-testid=counter-${counterId}]`);
  await p.click("[data-testid=open-submit]");
  await p.waitForSelector("[data-testid=queue-count]");
}

const kioskUrl = () => `${HUB}/?print=off&token=${encodeURIComponent(DEMO.kioskToken)}#/kiosk`;
const displayUrl = () => `${HUB}/?token=${encodeURIComponent(DEMO.displayToken)}#/display`;

test("walk-in ticket: kiosk -> counter -> display board with spoken call -> finished", async (t) => {
  const kiosk = await page();
  await kiosk.goto(kioskUrl());
  await kiosk.click("[data-testid=service-new_passport]");
  await kiosk.click("[data-testid=take-ticket]");
  const number = (await kiosk.textContent("[data-testid=ticket-number]")).trim();
  assert.match(number, /^[A-Z]\d{3}$/);

  const board = await page();
  const wavs = [];
  board.on("response", (r) => {
    if (/speech|audio|\.wav/.test(r.url()) && r.status() === 200) wavs.push({ url: r.url(), type: r.headers()["content-type"] ?? "" });
  });
  await board.goto(displayUrl());
  await board.waitForSelector("[data-testid=link-state][data-state=open]");

  const counter = await page();
  await openCounter(counter, DEMO.counterId);
  await counter.waitForSelector(`[data-testid=queue-item][data-number="${number}"]`);
  // Call by the key printed on the button.
  await counter.keyboard.press("F1");
  await counter.waitForFunction((n) => document.querySelector("[data-testid=current-number]")?.textContent?.trim() === n, number);

  await board.waitForFunction((n) => document.querySelector("[data-testid=board-number]")?.textContent?.trim() === n, number, { timeout: 15_000 });
  assert.equal((await board.textContent("[data-testid=board-counter]")).trim(), "Loket 1");
  await t.test("the board fetches the spoken call (WAV made by the hub with espeak-ng)", async () => {
    const deadline = Date.now() + 15_000;
    while (wavs.length === 0 && Date.now() < deadline) await board.waitForTimeout(200);
    assert.ok(wavs.length > 0, "the board fetched the spoken call");
    assert.match(wavs[0].type, /audio\/(wav|x-wav|wave)/);
  });

  await shot(counter, "counter");
  await shot(board, "display");

  await counter.keyboard.press("F3");
  await counter.waitForSelector("[data-testid=current-state][data-state=in_service]");
  await counter.keyboard.press("F8");
  await counter.waitForSelector("[data-testid=current-number]", { state: "detached" });
  for (const p of [kiosk, board, counter]) await p.context().close();
});

test("a display board that missed a call shows it when the hub tells it to resync", async () => {
  const board = await page();
  // Between the board and the hub: drops the board's call messages while `dropCalls`, and
  // lets the test speak as the hub.
  let dropCalls = false;
  let socket;
  await board.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
    const hub = ws.connectToServer();
    hub.onMessage((m) => {
      if (!(dropCalls && String(m).includes('"type":"call"'))) ws.send(m);
    });
    ws.onMessage((m) => hub.send(m));
    socket = ws;
  });
  await board.goto(displayUrl());
  await board.waitForSelector("[data-testid=link-state][data-state=open]");
  dropCalls = true;
  const ticket = await api("POST", "/api/v1/tickets", { token: DEMO.kioskToken, body: { service: "new_passport" } });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
  const number = ticket.data.ticket;
  const token = await officerToken();
  const desk = DEMO.counterId;
  for (const [step, body] of [["open"], ["call", { ticket: number }]]) {
    const r = await api("POST", `/api/v1/counters/${desk}/${step}`, { token, body });
    assert.equal(r.status, 200, `${step}: ${JSON.stringify(r.data)}`);
  }
  try {
    const shown = () => board.evaluate(() => document.querySelector("[data-testid=board-number]")?.textContent?.trim() ?? "");
    await board.waitForTimeout(1500);
    assert.notEqual(await shown(), number, "the call was dropped on its way to the board");
    socket.send(JSON.stringify({ type: "resync" }));
    await board.waitForFunction((n) => document.querySelector("[data-testid=board-number]")?.textContent?.trim() === n, number, { timeout: 10_000 });
  } finally {
    // The desk is free again for the tests after this one, whatever happened.
    for (const step of ["start", "finish", "close"]) await api("POST", `/api/v1/counters/${desk}/${step}`, { token });
    await board.context().close();
  }
});

test("M-Paspor booking check-in at the kiosk gives the booking's tickets", async () => {
  const kiosk = await page();
  await kiosk.goto(kioskUrl());
  await kiosk.click("[data-testid=kiosk-booking]");
  const booking = await demoBooking(2); // three applicants, paid
  // A USB scanner types into the focused field and ends with Enter.
  await scan(kiosk, "booking-code", booking.code);
  await kiosk.waitForSelector("[data-testid=ticket-screen]");
  const numbers = await kiosk.$$eval("[data-testid=ticket-number]", (els) => els.map((e) => e.textContent.trim()));
  assert.equal(numbers.length, 3, "one ticket per applicant of the booking");
  numbers.forEach((n) => assert.match(n, /^[A-Z]\d{3}$/));
  await shot(kiosk, "kiosk-checked-in");

  // The booking for tomorrow: the kiosk names the right day.
  await kiosk.click("[data-testid=ticket-done]");
  await kiosk.click("[data-testid=kiosk-booking]");
  await scan(kiosk, "booking-code", (await demoBooking(5)).code);
  await kiosk.waitForSelector("[data-testid=kiosk-error]");
  assert.match(await kiosk.textContent("[data-testid=kiosk-error-title]"), /bukan untuk hari ini/);

  // Unknown booking: a clear message and the way back.
  await kiosk.click("[data-testid=kiosk-back]");
  await kiosk.click("[data-testid=kiosk-booking]");
  await scan(kiosk, "booking-code", "TIDAKADA123");
  await kiosk.waitForSelector("[data-testid=kiosk-error]");
  assert.match(await kiosk.textContent("[data-testid=kiosk-error-title]"), /tidak ditemukan/i);
  await kiosk.click("[data-testid=kiosk-back]");
  await kiosk.waitForSelector("[data-testid=service-new_passport]");
  await kiosk.context().close();
});

test("quota used up: the kiosk says so and what to do instead", async () => {
  // The head sets today's walk-in quota of one service to zero.
  const { date } = await demoBooking(1);
  const set = await api("PUT", `/api/v1/quotas/${date}`, {
    token: await headToken(),
    body: { quotas: [{ service: DEMO.fullService, walk_in: 0, appointment: 10, priority: 5 }] },
  });
  assert.equal(set.status, 200, JSON.stringify(set.data));
  const kiosk = await page();
  await kiosk.goto(kioskUrl());
  await kiosk.click(`[data-testid=service-${DEMO.fullService}]`);
  await kiosk.click("[data-testid=take-ticket]");
  await kiosk.waitForSelector("[data-testid=kiosk-error]");
  assert.match(await kiosk.textContent("[data-testid=kiosk-error-title]"), /kuota/i);
  assert.match(await kiosk.textContent("[data-testid=kiosk-error-title]"), /hilang/i);
  assert.match(await kiosk.textContent("[data-testid=kiosk-error]"), /M-Paspor/);
  await shot(kiosk, "kiosk-quota");
  await kiosk.context().close();
});

test("a wrong password is refused with a message, nothing opens", async () => {
  const p = await page();
  await p.goto(`${HUB}/#/counter`);
  await officerLogin(p, DEMO.officer.username, "salah-sekali");
  await p.waitForSelector("[data-testid=login-error]");
  assert.match(await p.textContent("[data-testid=login-error]"), /salah/i);
  assert.equal(await p.$("[data-testid=open-counter]"), null);
  await p.context().close();
});

test("a kiosk token is refused on counter functions", async () => {
  const call = await api("POST", `/api/v1/counters/${DEMO.counterId}/call-next`, { token: DEMO.kioskToken });
  assert.equal(call.status, 403, JSON.stringify(call.data));
  const queue = await api("GET", `/api/v1/counters/${DEMO.counterId}/queue`, { token: DEMO.kioskToken });
  assert.equal(queue.status, 403);
  // The same token may take a ticket.
  const ticket = await api("POST", "/api/v1/tickets", { token: DEMO.kioskToken, body: { service: "information", lane: "walk_in" } });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
});

test("screenshots of every role at 1920x1080, kiosk also portrait", async () => {
  const kiosk = await page();
  await kiosk.goto(kioskUrl());
  await kiosk.waitForSelector("[data-testid=service-new_passport]");
  await shot(kiosk, "kiosk");
  await kiosk.click("[data-testid=kiosk-priority]");
  await shot(kiosk, "kiosk-priority");
  await kiosk.click("[data-testid=group-elderly]");
  await kiosk.click("[data-testid=service-replacement]");
  await kiosk.click("[data-testid=take-ticket]");
  await kiosk.waitForSelector("[data-testid=ticket-screen]");
  await shot(kiosk, "kiosk-ticket");
  await kiosk.context().close();

  const portrait = await page(1080, 1920);
  await portrait.goto(kioskUrl());
  await portrait.waitForSelector("[data-testid=service-new_passport]");
  await shot(portrait, "kiosk-portrait");
  await portrait.context().close();

  const head = await page();
  await head.goto(`${HUB}/#/head`);
  await officerLogin(head, DEMO.head.username, DEMO.head.password);
  await head.waitForSelector("[data-testid=dashboard]");
  const waiting = Number((await head.textContent("[data-testid=kpi-waiting] .kpi-value")).trim());
  assert.ok(Number.isInteger(waiting) && waiting >= 1, "tickets taken above are waiting");
  await shot(head, "head");
  await head.context().close();

  const home = await page();
  await home.goto(`${HUB}/`);
  await home.waitForSelector("[data-testid=role-kiosk]");
  await home.click("[data-testid=lang-switch]");
  assert.match(await home.textContent("h1"), /Choose/);
  await home.context().close();
});

// ---- issue 8: BAP, pickup, the head's report, the kiosk's "is my passport ready?" ----------

async function officerToken(user = DEMO.officer.username, password = DEMO.officer.password) {
  const r = await api("POST", "/api/v1/auth/login", { body: { username: user, password } });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.token;
}

/**
 * Takes ticket `number` through its document check at Loket 1 by API, as officer `user`, so
 * that it waits for its next stage; Loket 1 is closed again afterwards.
 */
async function throughDocumentCheck(number, user = DEMO.officer.username, password = DEMO.officer.password) {
  const token = await officerToken(user, password);
  const desk = DEMO.counterId;
  for (const [step, body] of [["open"], ["call", { ticket: number }], ["start"], ["finish"]]) {
    const r = await api("POST", `/api/v1/counters/${desk}/${step}`, { token, body });
    assert.equal(r.status, 200, `${step}: ${JSON.stringify(r.data)}`);
  }
  await api("POST", `/api/v1/counters/${desk}/close`, { token });
}

test("BAP at the counter: guided interview, suspension refused without a supervisor, approve, sign, amend", async () => {
  // A lost/damaged ticket (priority lane: another test empties its walk-in quota), taken
  // through its document check by API so that it waits for the BAP stage at Loket 3.
  const ticket = await api("POST", "/api/v1/tickets", {
    token: DEMO.kioskToken,
    body: { service: "lost_damaged", lane: "priority", priority_group: "elderly" },
  });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
  const number = ticket.data.ticket;
  // Loket 1 (the only document-check desk) was opened under "officer" by the first test:
  // only that officer (or a supervisor) may work it.
  await throughDocumentCheck(number);

  const p = await page();
  await openCounter(p, 3);
  await p.waitForSelector(`[data-testid=queue-item][data-number="${number}"]`);
  await p.click(`[data-testid=queue-item][data-number="${number}"] [data-testid=call-given]`);
  await p.waitForFunction((n) => document.querySelector("[data-testid=current-number]")?.textContent?.trim() === n, number);
  await p.keyboard.press("F3");
  await p.click("role=tab[name='BAP']");
  await p.waitForSelector("[data-testid=bap][data-status=draft]");

  const fill = async (id, value) => p.fill(`[data-testid=${id}]`, value);
  await p.click("[data-testid=bap-step-identity]");
  await fill("bap-full-name", "Siti Aminah");
  await fill("bap-nik", "3171014509900001");
  await fill("bap-birth-date", "1990-09-05");
  await p.click("[data-testid=bap-next]");
  await fill("bap-passport-number", "C1234567");
  await p.click("[data-testid=bap-next]");
  await p.check("[data-testid=bap-reason-lost]");
  await fill("bap-police-number", "LP/B/123/XI/2024");
  await fill("bap-police-date", "2024-11-20");
  await fill("bap-police-station", "Polsek Menteng");
  await p.click("[data-testid=bap-next]");
  await fill("bap-chronology", "Tas berisi paspor tertinggal di kereta");
  await fill("bap-incident-place", "KRL Manggarai");
  await fill("bap-incident-date", "2024-11-19");
  await p.click("[data-testid=bap-next]");
  await fill("bap-travel-purpose", "Umrah");
  await fill("bap-past-use", "Perjalanan ke Malaysia");
  await fill("bap-past-applications", "Tidak ada");
  await p.click("[data-testid=bap-next]");
  for (const doc of ["ektp", "family_card", "birth_certificate", "police_report"]) await p.check(`[data-testid=bap-doc-${doc}]`);
  await p.click("[data-testid=bap-next]");
  await fill("bap-assessment", "Keterangan konsisten");
  await p.click("[data-testid=bap-next]");
  await p.waitForSelector("[data-testid=bap-step-outcome].on");

  // A suspension without a supervisor's log-in is refused, with the reason on screen.
  await p.check("[data-testid=bap-outcome-suspend]");
  await fill("bap-months", "12");
  await p.click("[data-testid=bap-decide]");
  await p.waitForSelector("[data-testid=bap-error]");
  assert.match(await p.textContent("[data-testid=bap-error]"), /supervisor/i);

  await p.check("[data-testid=bap-outcome-approve_with_charge]");
  await p.click("[data-testid=bap-decide]");
  await p.waitForSelector("[data-testid=bap-fee-total]");
  assert.match(await p.textContent("[data-testid=bap-fee-total]"), /1\.950\.000/);
  await p.click("[data-testid=bap-complete]");
  await p.waitForSelector("[data-testid=bap][data-status=completed]");
  await shot(p, "counter-bap");

  // The head signs as superior with their own log-in: the BAP is locked.
  await fill("bap-sign-user", DEMO.head.username);
  await fill("bap-sign-password", DEMO.head.password);
  await p.click("[data-testid=bap-sign-submit]");
  await p.waitForSelector("[data-testid=bap][data-status=signed]");
  await fill("bap-amend-reason", "Nomor paspor lama salah ketik");
  await p.click("[data-testid=bap-amend-submit]");
  await p.waitForSelector("[data-testid=bap][data-status=draft]");
  assert.match(await p.textContent("[data-testid=bap-status]"), /2/);
  assert.match(await p.textContent("[data-testid=bap-amendment]"), /salah ketik/);
  await p.context().close();
});

test("pickup: the kiosk says the passport is ready (no personal data), the counter hands it over with a drawn signature", async () => {
  const officer = await officerToken();
  const office = await api("GET", "/api/v1/office", { token: DEMO.kioskToken });
  const today = new Date(`${office.data.office_date}T00:00:00Z`);
  const yesterday = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
  const reg = await api("POST", "/api/v1/pickups", {
    token: officer,
    body: { receipt: "E2E-0001", nik: "3171014509900001", applicant_name: "Siti Aminah", passport_number: "E1234567", ready_on: yesterday },
  });
  assert.equal(reg.status, 200, JSON.stringify(reg.data));

  const kiosk = await page();
  await kiosk.goto(kioskUrl());
  await kiosk.click("[data-testid=kiosk-pickup-check]");
  await scan(kiosk, "pickup-check-code", "e2e-0001");
  await kiosk.waitForSelector("[data-testid=pickup-check-answer][data-status=ready]");
  const said = await kiosk.textContent("[data-testid=pickup-check-answers]");
  assert.match(said, /sudah selesai/);
  assert.doesNotMatch(said, /Siti|3171014509900001|E1234567/);
  await shot(kiosk, "kiosk-pickup");
  await kiosk.click("[data-testid=kiosk-back]");
  await kiosk.click("[data-testid=service-pickup]");
  await kiosk.click("[data-testid=take-ticket]");
  const number = (await kiosk.textContent("[data-testid=ticket-number]")).trim();
  await kiosk.context().close();

  const p = await page();
  await openCounter(p, DEMO.desktopCounterId);
  await p.waitForSelector(`[data-testid=queue-item][data-number="${number}"]`);
  await p.click(`[data-testid=queue-item][data-number="${number}"] [data-testid=call-given]`);
  await p.waitForFunction((n) => document.querySelector("[data-testid=current-number]")?.textContent?.trim() === n, number);
  await p.click("role=tab[name='Penyerahan paspor']");
  await p.fill("[data-testid=pickup-query]", "E2E-0001");
  await p.click("[data-testid=pickup-find]");
  await p.waitForSelector("[data-testid=pickup-state]");
  // Without the ID the hub refuses with its own message.
  await p.check("[data-testid=pickup-collector-applicant]");
  await p.fill("[data-testid=pickup-receipt]", "E2E-0001");
  await p.check("[data-testid=pickup-sign-paper]");
  await p.click("[data-testid=pickup-handover]");
  await p.waitForSelector("[data-testid=pickup-handover-error]");
  assert.match(await p.textContent("[data-testid=pickup-handover-error]"), /identitas/i);
  await p.fill("[data-testid=pickup-id-number]", "3171014509900001");
  // Draw the signature on the canvas.
  await p.click("text=Tanda tangan di layar");
  const box = await (await p.$("[data-testid=pickup-signature]")).boundingBox();
  await p.mouse.move(box.x + 40, box.y + 60);
  await p.mouse.down();
  for (let i = 1; i <= 12; i++) await p.mouse.move(box.x + 40 + i * 25, box.y + 60 + (i % 2 ? 30 : -10));
  await p.mouse.up();
  await p.click("[data-testid=pickup-handover]");
  await p.waitForSelector("[data-testid=pickup-done]");
  await shot(p, "counter-pickup");
  const found = await api("GET", "/api/v1/pickups?receipt=E2E-0001", { token: officer });
  assert.equal(found.data[0].handover.signature.kind, "drawn");
  await p.context().close();
});

test("the head's report shows the day's figures and downloads the same figures as CSV", async () => {
  const head = await page();
  await head.goto(`${HUB}/#/head`);
  await officerLogin(head, DEMO.head.username, DEMO.head.password);
  await head.waitForSelector("[data-testid=dashboard]");
  await head.click("[data-testid=head-tab-report]");
  await head.waitForSelector("[data-testid=report-figures]");
  const json = await api("GET", "/api/v1/reports", { token: await headToken() });
  assert.equal(json.status, 200, JSON.stringify(json.data));
  assert.equal(Number((await head.textContent("[data-testid=report-total-issued]")).trim()), json.data.total.issued);
  assert.ok(json.data.total.issued >= 3, "the tickets of the tests above are in today's report");
  assert.ok(await head.$("[data-testid=report-arrivals] rect"), "the arrivals chart is drawn");
  await shot(head, "head-report");
  const [download] = await Promise.all([head.waitForEvent("download"), head.click("[data-testid=report-csv]")]);
  const csv = fs.readFileSync(await download.path(), "utf8");
  assert.equal(csv.split("\n")[0], "section,service,lane,counter,officer,key,figure,value");
  assert.ok(csv.includes(`total,,,,,,issued,${json.data.total.issued}\n`), "the CSV has the same total");
  await head.context().close();
});

test("fingerprints at the counter: ten-print session with the hub's simulated reader, one exception confirmed by a supervisor", async () => {
  // A new passport ticket (priority lane: another test empties walk-in quotas), taken
  // through its document check by API so that it waits for the photo/fingerprint stage.
  const ticket = await api("POST", "/api/v1/tickets", {
    token: DEMO.kioskToken,
    body: { service: "new_passport", lane: "priority", priority_group: "pregnant" },
  });
  assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
  const number = ticket.data.ticket;
  const visitId = ticket.data.id;
  // Loket 1 (the only document-check desk) was opened under "officer" by the first test:
  // only that officer (or a supervisor) may work it.
  await throughDocumentCheck(number);

  // Loket 2 serves the photo and fingerprint stages.
  const p = await page();
  await openCounter(p, 2);
  await p.waitForSelector(`[data-testid=queue-item][data-number="${number}"]`);
  await p.click(`[data-testid=queue-item][data-number="${number}"] [data-testid=call-given]`);
  await p.waitForFunction((n) => document.querySelector("[data-testid=current-number]")?.textContent?.trim() === n, number);
  await p.click("role=tab[name='Sidik jari']");
  await p.waitForSelector("[data-testid=fingerprint]");
  assert.equal(await p.getAttribute("[data-testid=fp-reader]", "data-reader"), "hub", "a plain browser uses the demo hub's simulated reader");
  assert.ok(await p.isDisabled("[data-testid=fp-save]"), "nothing to save before the plan is done");

  const fingers = ["right_thumb", "right_index", "right_middle", "right_ring", "right_little", "left_thumb", "left_index", "left_middle", "left_ring"];
  for (const f of fingers) {
    await p.click(`[data-testid=fp-finger-${f}]`);
    await p.click("[data-testid=fp-capture]");
    await p.waitForSelector(`[data-testid=fp-finger-${f}][data-status=captured]`, { timeout: 30_000 });
    if (f === "right_thumb") {
      // The simulated thumb needs a second attempt: both scores are shown, the best kept.
      await p.click(`[data-testid=fp-finger-${f}]`);
      assert.equal(await p.getAttribute("[data-testid=fp-result]", "data-attempts"), "2");
      assert.match(await p.textContent("[data-testid=fp-attempts]"), /2 kali percobaan: \d+, \d+/);
      assert.match(await p.textContent("[data-testid=fp-score]"), /Mutu cukup/);
    }
  }

  // The left little finger is missing: an exception with a reason, and (the office's
  // default) the supervisor's own log-in. A wrong password is refused by the hub.
  const except = async (password) => {
    await p.click("[data-testid=fp-finger-left_little]");
    if (!(await p.isVisible("[data-testid=fp-exception-reason]"))) await p.click("[data-testid=fp-exception] summary");
    await p.selectOption("[data-testid=fp-exception-kind]", "missing");
    await p.fill("[data-testid=fp-exception-reason]", "Amputasi sejak lahir");
    await p.fill("[data-testid=fp-exception-user]", DEMO.supervisor?.username ?? "supervisor");
    await p.fill("[data-testid=fp-exception-password]", password);
    await p.click("[data-testid=fp-exception-save]");
    await p.waitForSelector("[data-testid=fp-finger-left_little][data-status=exception]");
  };
  await except("not-the-password");
  await p.click("[data-testid=fp-save]");
  await p.waitForSelector("[data-testid=fp-save-error]");
  assert.match(await p.textContent("[data-testid=fp-save-error]"), /supervisor/i);
  await except(DEMO.supervisor?.password ?? "supervisor-demo");
  await p.click("[data-testid=fp-save]");
  await p.waitForSelector("[data-testid=fp-saved]");
  await shot(p, "counter-fingerprint");

  // What the hub keeps: the whole plan, scores, the confirmed exception; no image back.
  const stored = await api("GET", `/api/v1/visits/${visitId}/fingerprints`, { token: await officerToken() });
  assert.equal(stored.status, 200, JSON.stringify(stored.data));
  assert.equal(stored.data.complete, true);
  const byFinger = Object.fromEntries(stored.data.fingers.map((f) => [f.finger, f]));
  assert.equal(byFinger.right_thumb.status, "captured");
  assert.equal(byFinger.right_thumb.attempts, 2);
  assert.ok(byFinger.right_index.score >= stored.data.policy.capture.threshold);
  assert.equal(byFinger.left_little.status, "exception");
  assert.equal(byFinger.left_little.kind, "missing");
  assert.equal(byFinger.left_little.confirmed_by, DEMO.supervisor?.username ?? "supervisor");
  assert.ok(!JSON.stringify(stored.data).includes("wsq"), "no image leaves the hub");
  // Kiosk tokens read nothing of it.
  const kiosk = await api("GET", `/api/v1/visits/${visitId}/fingerprints`, { token: DEMO.kioskToken });
  assert.equal(kiosk.status, 403);
  await p.context().close();
  // The applicant moves on: Loket 2 is free for the next test's call.
  const officer = await officerToken();
  for (const step of ["start", "finish"]) {
    const r = await api("POST", `/api/v1/counters/2/${step}`, { token: officer });
    assert.equal(r.status, 200, `${step}: ${JSON.stringify(r.data)}`);
  }
});

test("passports desk: the head registers passports as ready and cancels one not collected within 30 days", async () => {
  const office = await api("GET", "/api/v1/office", { token: DEMO.kioskToken });
  const today = new Date(`${office.data.office_date}T00:00:00Z`);
  const daysAgo = (n) => new Date(today.getTime() - n * 86_400_000).toISOString().slice(0, 10);

  // Counter officers may not read the list of passports past 30 days.
  const officer = await officerToken();
  assert.equal((await api("GET", "/api/v1/pickups/overdue", { token: officer })).status, 403);

  const head = await page();
  await head.goto(`${HUB}/#/head`);
  await officerLogin(head, DEMO.head.username, DEMO.head.password);
  await head.waitForSelector("[data-testid=dashboard]");
  await head.click("[data-testid=head-tab-passports]");
  await head.waitForSelector("[data-testid=pickup-ready]");

  // Ready yesterday: ready for pickup.
  await head.fill("[data-testid=ready-receipt]", "E2E-0101");
  await head.fill("[data-testid=ready-nik]", "3171014509900001");
  await head.fill("[data-testid=ready-name]", "Dewi Lestari");
  await head.fill("[data-testid=ready-passport-number]", "E7000101");
  await head.fill("[data-testid=ready-on]", daysAgo(1));
  await head.click("[data-testid=ready-submit]");
  await head.waitForSelector("[data-testid=ready-done][data-state=ready]");
  assert.match(await head.textContent("[data-testid=ready-done]"), /E2E-0101/);

  // Ready 40 days ago: flagged for cancellation, and on the list.
  await head.fill("[data-testid=ready-receipt]", "E2E-0102");
  await head.fill("[data-testid=ready-passport-number]", "E7000102");
  await head.fill("[data-testid=ready-on]", daysAgo(40));
  await head.click("[data-testid=ready-submit]");
  await head.waitForSelector("[data-testid=ready-done][data-state=overdue_for_cancellation]");
  await head.click("[data-testid=overdue-refresh]");
  const row = '[data-testid=overdue-row][data-receipt="E2E-0102"]';
  await head.waitForSelector(row);
  assert.equal(await head.$('[data-testid=overdue-row][data-receipt="E2E-0101"]'), null, "a ready passport is not overdue");
  await shot(head, "head-passports");

  // Cancel it with a reason.
  await head.fill(`${row} [data-testid=overdue-reason]`, "Tidak diambil dalam 30 hari (uji e2e)");
  await head.click(`${row} [data-testid=overdue-cancel]`);
  await head.waitForSelector("[data-testid=overdue-note]");
  assert.match(await head.textContent("[data-testid=overdue-note]"), /E2E-0102/);
  await head.waitForSelector(row, { state: "detached" });
  const found = await api("GET", "/api/v1/pickups?receipt=E2E-0102", { token: officer });
  assert.equal(found.data[0].state, "cancelled");
  assert.equal(found.data[0].cancel_reason, "Tidak diambil dalam 30 hari (uji e2e)");
  await head.context().close();
});

// ---- passport photo: fake camera -> checks -> auto-capture -> stored on the hub ----------

/** Width and height of a baseline or progressive JPEG (its SOF marker). */
function jpegSize(buf) {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

/** RGBA pixels -> one YUV 4:2:0 frame (BT.601, studio range), as Chromium's fake camera reads it. */
function i420(rgba, width, height) {
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (n) => Math.max(0, Math.min(255, Math.round(n)));
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const k = (row * width + col) * 4;
      y[row * width + col] = clamp(16 + (65.481 * rgba[k] + 128.553 * rgba[k + 1] + 24.966 * rgba[k + 2]) / 255);
    }
  }
  for (let row = 0; row < height; row += 2) {
    for (let col = 0; col < width; col += 2) {
      let r = 0, g = 0, b = 0;
      for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
        const k = ((row + dr) * width + col + dc) * 4;
        r += rgba[k] / 4;
        g += rgba[k + 1] / 4;
        b += rgba[k + 2] / 4;
      }
      const j = (row / 2) * (width / 2) + col / 2;
      u[j] = clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      v[j] = clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return Buffer.concat([y, u, v]);
}

/**
 * A .y4m video for Chromium's fake camera, made now from the public-domain astronaut
 * portrait the photo-check tests use: its top rows repeated for head room (as in
 * core/photo-checks), cropped to 35x45 by `loket photo check --crop`, and shown in the
 * middle of a 720x540 webcam frame whose sides continue the photo's edges.
 */
async function fakeCameraVideo(dir) {
  const portrait = fs.readFileSync(path.join(ROOT, "core/photo-checks/tests/images/astronaut.png")).toString("base64");
  const helper = await page(800, 600);
  const padded = await helper.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height + 120;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0, img.width, 1, 0, 0, img.width, 120);
    g.drawImage(img, 0, 120);
    return c.toDataURL("image/png").split(",")[1];
  }, portrait);
  const paddedFile = path.join(dir, "astronaut-head-room.png");
  const cropFile = path.join(dir, "astronaut-35x45.jpg");
  fs.writeFileSync(paddedFile, Buffer.from(padded, "base64"));
  const loket = process.env.LOKET_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target"), "debug", "loket");
  const { spawnSync } = await import("node:child_process");
  const run = spawnSync(loket, ["photo", "check", paddedFile, "--crop", cropFile], { encoding: "utf8" });
  assert.ok(fs.existsSync(cropFile), `loket photo check --crop made no crop: ${run.stderr}`);
  const [width, height] = [720, 540];
  const rgba = await helper.evaluate(
    async ({ b64, width, height }) => {
      const img = new Image();
      img.src = `data:image/jpeg;base64,${b64}`;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = width;
      c.height = height;
      const g = c.getContext("2d");
      const inner = Math.round((height * 35) / 45);
      const left = (width - inner) / 2;
      g.drawImage(img, 0, 0, 1, img.height, 0, 0, left, height);
      g.drawImage(img, img.width - 1, 0, 1, img.height, left + inner, 0, width - left - inner, height);
      g.drawImage(img, left, 0, inner, height);
      const data = g.getImageData(0, 0, width, height).data;
      let s = "";
      for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
      return btoa(s);
    },
    { b64: fs.readFileSync(cropFile).toString("base64"), width, height },
  );
  await helper.context().close();
  const frame = i420(Buffer.from(rgba, "base64"), width, height);
  const video = path.join(dir, "camera.y4m");
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F15:1 Ip A1:1 C420jpeg\n`)];
  for (let n = 0; n < 2; n++) parts.push(Buffer.from("FRAME\n"), frame);
  fs.writeFileSync(video, Buffer.concat(parts));
  return video;
}

test("photo step: live preview from the camera, checks drawn over it, auto-capture, the 35x45 photo stored on the hub", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loket-photo-"));
  const video = await fakeCameraVideo(dir);
  // Its own browser: the camera flags apply to a whole browser, not to one page.
  const cameraBrowser = await chromium.launch({
    executablePath: process.env.LOKET_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    // A walk-in that went through its document check: it waits for the photo stage, which
    // Loket 2 serves.
    const ticket = await api("POST", "/api/v1/tickets", {
      token: DEMO.kioskToken,
      body: { service: "new_passport", lane: "priority", priority_group: "disability" },
    });
    assert.equal(ticket.status, 200, JSON.stringify(ticket.data));
    const number = ticket.data.ticket;
    await throughDocumentCheck(number, "officer2", "officer2-demo");

    const context = await cameraBrowser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "id-ID" });
    await context.grantPermissions(["camera"], { origin: HUB });
    const p = await context.newPage();
    p.on("pageerror", (err) => console.error("page error:", err.message));
    const checks = [];
    const checkTimes = [];
    const stores = [];
    p.on("response", async (r) => {
      const url = r.url();
      if (r.request().method() !== "POST") return;
      if (url.endsWith("/api/v1/photo/check") && r.status() === 200) {
        checkTimes.push(Date.now());
        checks.push(await r.json().catch(() => null));
      }
      if (/\/api\/v1\/visits\/\d+\/photo$/.test(url)) stores.push({ status: r.status(), body: await r.json().catch(() => null) });
    });
    await openCounter(p, 2);
    await p.waitForSelector(`[data-testid=queue-item][data-number="${number}"]`);
    await p.click(`[data-testid=queue-item][data-number="${number}"] [data-testid=call-given]`);
    await p.waitForFunction((n) => document.querySelector("[data-testid=current-number]")?.textContent?.trim() === n, number);
    await p.click("role=tab[name='Foto']");

    // The overlay: guide, face box and marks drawn over the live picture.
    await p.waitForFunction(() => {
      const c = document.querySelector("[data-testid=photo-overlay]");
      if (!c || c.dataset.face !== "1" || !c.width) return false;
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) drawn++;
      return drawn > 1000;
    }, null, { timeout: 60_000 });
    await shot(p, "counter-photo-live").catch(() => undefined);

    // Auto-capture: the stored photo replaces the preview, every check of its frame passed.
    await p.waitForSelector("[data-testid=photo-stored][data-how=auto]", { timeout: 60_000 });
    const stored = stores.find((s) => s.status === 200)?.body;
    assert.ok(stored, `the photo was stored: ${JSON.stringify(stores)}`);
    assert.equal(stored.passed, true, JSON.stringify(stored.failed));
    const passing = checks.filter((c) => c?.passed);
    assert.ok(checks.length >= passing.length && passing.length >= passing[0].auto_capture_frames, `${passing.length} passing frames before the capture`);
    assert.equal(passing[0].report.checks.length, 12);
    assert.ok(passing[0].report.checks.every((c) => c.pass && c.message === "Sudah baik."));
    assert.equal(await p.locator("[data-testid=photo-stored-checks] [data-pass='1']").count(), 12);
    const span = (checkTimes.at(-1) - checkTimes[0]) / 1000;
    console.log(`photo step: ${checks.length} frames checked, ${span > 0 ? ((checks.length - 1) / span).toFixed(1) : "?"} per second against this hub build`);
    await shot(p, "counter-photo");

    // On the hub: a JPEG of 35:45 proportions, read back by the officer serving the visit.
    const officer = await officerToken();
    const res = await fetch(`${HUB}/api/v1/visits/${stored.visit_id}/photo`, { headers: { Authorization: `Bearer ${officer}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/jpeg");
    const jpeg = Buffer.from(await res.arrayBuffer());
    const size = jpegSize(jpeg);
    assert.ok(size && size.width >= 413 && size.height >= 531, JSON.stringify(size));
    assert.ok(Math.abs(size.width / size.height - 35 / 45) < 0.01, JSON.stringify(size));

    // Retake, and this time the officer takes it with Space.
    await p.click("[data-testid=photo-retake]");
    await p.waitForSelector("[data-testid=photo-overlay][data-face='1']", { timeout: 60_000 });
    await p.keyboard.press("Space");
    await p.waitForSelector("[data-testid=photo-stored][data-how=manual]", { timeout: 60_000 });
    assert.ok(stores.filter((s) => s.status === 200).length >= 2);
    await context.close();
  } finally {
    await cameraBrowser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a counter re-reads its queue a few times, not once per ticket, during a burst, and ends up current", async () => {
  const counter = await page();
  await openCounter(counter, DEMO.counterId);
  let reads = 0;
  counter.on("request", (r) => {
    if (new URL(r.url()).pathname === `/api/v1/counters/${DEMO.counterId}/queue`) reads += 1;
  });
  // Room in today's quota of a service the counter serves, then 30 tickets back to back:
  // 30 live messages to the counter.
  const { date } = await demoBooking(1);
  const set = await api("PUT", `/api/v1/quotas/${date}`, {
    token: await headToken(),
    body: { quotas: [{ service: "replacement", walk_in: 500, appointment: 10, priority: 50 }] },
  });
  assert.equal(set.status, 200, JSON.stringify(set.data));
  const start = Date.now();
  for (let i = 0; i < 30; i++) {
    const r = await api("POST", "/api/v1/tickets", { token: DEMO.kioskToken, body: { service: "replacement" } });
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
  const burstMs = Date.now() - start;
  const queue = await api("GET", `/api/v1/counters/${DEMO.counterId}/queue`, { token: await officerToken() });
  assert.equal(queue.status, 200, JSON.stringify(queue.data));
  // The last read comes after the burst: the counter shows the whole queue.
  await counter.waitForFunction(
    (n) => document.querySelector("[data-testid=queue-count]")?.textContent?.trim() === String(n),
    queue.data.length,
  );
  // At most one read per 300 ms of the burst, plus the first and the last (and the
  // 10-second poll); without the throttle every ticket was a read.
  const bound = Math.ceil(burstMs / 300) + 3;
  assert.ok(reads <= bound && reads < 30, `${reads} reads of the queue for 30 tickets in ${burstMs} ms`);
  await counter.context().close();
});
