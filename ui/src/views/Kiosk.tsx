// The kiosk in the hall: one decision per screen, huge colour-coded buttons, plain words,
// "Kembali" everywhere, back to the start after idle. Works with a finger, a USB barcode
// scanner (it types into the focused booking field and presses Enter) or a keyboard.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { JSX } from "preact";
import { t, tDynamic, useLang } from "../i18n";
import { ApiError } from "../http";
import * as api from "../api";
import { Clock, Emblem, LangSwitch } from "../components/chrome";
import {
  IconAlert,
  IconBack,
  IconChild,
  IconElderly,
  IconInfo,
  IconPassport,
  IconPickup,
  IconPregnant,
  IconPriority,
  IconQr,
  IconRenew,
  IconSick,
  IconTicket,
} from "../components/icons";
import { ticketPrinter } from "../printing";

/** Seconds without a touch before a screen other than the start goes back to the start. */
export const IDLE_SECONDS = 45;
/** Seconds the ticket stays on screen. */
const TICKET_SECONDS = 20;

type Screen =
  | { kind: "start" }
  | { kind: "priority-group" }
  | { kind: "priority-service"; group: string }
  | { kind: "confirm"; service: api.ServiceInfo; lane: api.Lane; group?: string }
  | { kind: "booking" }
  | { kind: "pickup-check" }
  | { kind: "ticket"; tickets: api.IssuedTicket[]; printed: "printing" | "ok" | "failed"; printReason?: string; checkIn: null | { already: boolean; paymentNotVerified: boolean } }
  | { kind: "error"; title: string; next: string };

const SERVICE_ICONS: Record<string, (p: { size?: number }) => JSX.Element> = {
  new_passport: IconPassport,
  replacement: IconRenew,
  lost_damaged: IconAlert,
  pickup: IconPickup,
  information: IconInfo,
};

const GROUPS: { code: string; icon: (p: { size?: number }) => JSX.Element }[] = [
  { code: "elderly", icon: IconElderly },
  { code: "child_under_five", icon: IconChild },
  { code: "disability", icon: IconPriority },
  { code: "pregnant", icon: IconPregnant },
  { code: "sick", icon: IconSick },
];

export function serviceName(s: { code: string; name_id?: string; name_en?: string }): string {
  return tDynamic(`svc.${s.code}`, s.name_id ?? s.code);
}

/** Turns a hub refusal into the words the applicant reads and what to do next. */
export function explain(err: unknown, serviceLabel = ""): { title: string; next: string } {
  if (!(err instanceof ApiError)) return { title: t("kiosk.error.generic"), next: t("kiosk.error.generic.next") };
  const d = err.details as Record<string, unknown>;
  switch (api.refusalKind(err)) {
    case "quota":
      return { title: t("kiosk.error.quota", { service: serviceLabel || String(d.service ?? "") }), next: t("kiosk.error.quota.next") };
    case "unknown_booking":
      return { title: t("kiosk.error.unknown_booking"), next: t("kiosk.error.unknown_booking.next") };
    case "wrong_day":
      // The hub's message names the booked date.
      return { title: t("kiosk.error.wrong_day"), next: d.booking_date ? t("kiosk.error.wrong_day.next", { date: formatDate(String(d.booking_date)) }) : err.message };
    case "wrong_office":
      return { title: t("kiosk.error.wrong_office"), next: t("kiosk.error.wrong_office.next") };
    case "too_early":
      return { title: t("kiosk.error.too_early"), next: d.opens_at ? t("kiosk.error.too_early.next", { time: String(d.opens_at) }) : err.message };
    case "too_late":
      return { title: t("kiosk.error.too_late"), next: t("kiosk.error.too_late.next") };
    case "unpaid":
      return { title: t("kiosk.error.unpaid"), next: t("kiosk.error.unpaid.next") };
    case "cancelled":
      return { title: t("kiosk.error.cancelled"), next: t("kiosk.error.cancelled.next") };
    case "already":
      return { title: t("kiosk.error.already"), next: t("kiosk.error.already.next", { ticket: String(d.ticket ?? d.number ?? "") }) };
    case "not_offered":
      return { title: t("kiosk.error.not_offered"), next: t("kiosk.error.not_offered.next") };
    default:
      // The hub's own message says what to do next, in the current language.
      return { title: t("kiosk.error.generic"), next: err.status > 0 && err.message ? err.message : t("kiosk.error.generic.next") };
  }
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("id-ID", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

export function Kiosk() {
  useLang();
  const [screen, setScreen] = useState<Screen>({ kind: "start" });
  const [services, setServices] = useState<api.ServiceInfo[] | null>(null);
  const [office, setOffice] = useState<string>("");
  const [timeZone, setTimeZone] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [unregistered, setUnregistered] = useState(false);
  const [idleLeft, setIdleLeft] = useState(IDLE_SECONDS);
  const lastTouch = useRef(Date.now());

  const refresh = useCallback(async () => {
    try {
      const info = await api.kioskServices();
      setServices(info.services);
      setOffice(info.officeName);
      setTimeZone(info.timeZone);
      setUnregistered(false);
    } catch (err) {
      setUnregistered(err instanceof ApiError && err.status === 401);
      setServices((s) => s ?? []);
    }
  }, []);

  useEffect(() => {
    document.body.classList.add("role-kiosk");
    const stop = (e: Event) => e.preventDefault();
    window.addEventListener("contextmenu", stop);
    refresh();
    const id = window.setInterval(refresh, 15_000);
    return () => {
      document.body.classList.remove("role-kiosk");
      window.removeEventListener("contextmenu", stop);
      window.clearInterval(id);
    };
  }, [refresh]);

  // Idle: any touch, click or key resets the clock; off the start screen, idle goes home.
  useEffect(() => {
    const touch = () => {
      lastTouch.current = Date.now();
      setIdleLeft(IDLE_SECONDS);
    };
    const events = ["pointerdown", "keydown", "touchstart"];
    events.forEach((e) => window.addEventListener(e, touch, { capture: true }));
    const id = window.setInterval(() => {
      const limit = screen.kind === "ticket" ? TICKET_SECONDS : IDLE_SECONDS;
      const left = limit - Math.floor((Date.now() - lastTouch.current) / 1000);
      setIdleLeft(left);
      if (left <= 0 && screen.kind !== "start") {
        setScreen({ kind: "start" });
        refresh();
      }
    }, 500);
    return () => {
      events.forEach((e) => window.removeEventListener(e, touch, { capture: true }));
      window.clearInterval(id);
    };
  }, [screen.kind, refresh]);

  const go = (s: Screen) => {
    lastTouch.current = Date.now();
    setScreen(s);
  };
  const home = () => {
    go({ kind: "start" });
    refresh();
  };

  const showTickets = async (tickets: api.IssuedTicket[], checkIn: null | { already: boolean; paymentNotVerified: boolean }) => {
    go({ kind: "ticket", tickets, printed: "printing", checkIn });
    let ok = true;
    let reason: string | undefined;
    for (const ticket of tickets) {
      const svc = services?.find((s) => s.code === ticket.service);
      const result = await ticketPrinter().print({
        visitId: String(ticket.id),
        number: ticket.number,
        serviceName: svc ? serviceName(svc) : ticket.service,
        laneName: tDynamic(`lane.${ticket.lane}`, ticket.lane),
        officeName: office || t("app.office"),
        timeZone: timeZone || undefined,
        issuedAt: new Date(ticket.issued_at || Date.now()),
        estimatedWaitMinutes: ticket.estimated_wait_minutes,
        ahead: ticket.ahead,
      });
      if (!result.ok) {
        ok = false;
        reason ??= result.reason;
        console.warn("ticket not printed", result.reason);
      }
    }
    setScreen((s) => (s.kind === "ticket" && s.tickets === tickets ? { ...s, printed: ok ? "ok" : "failed", printReason: reason } : s));
  };

  const take = async (service: api.ServiceInfo, lane: api.Lane, group?: string) => {
    if (busy) return;
    setBusy(true);
    try {
      const ticket = await api.issueTicket(service.code, lane, group);
      await showTickets([ticket], null);
    } catch (err) {
      go({ kind: "error", ...explain(err, serviceName(service)) });
    } finally {
      setBusy(false);
    }
  };

  const checkIn = async (code: string) => {
    if (busy || !code.trim()) return;
    setBusy(true);
    try {
      const result = await api.checkIn(code.trim());
      await showTickets(result.tickets, { already: result.already, paymentNotVerified: result.paymentNotVerified });
    } catch (err) {
      go({ kind: "error", ...explain(err) });
    } finally {
      setBusy(false);
    }
  };

  let body: JSX.Element;
  if (unregistered) {
    body = (
      <div class="kiosk-step error-screen" data-testid="kiosk-unregistered" role="alert">
        <h1 class="step-title">{t("device.unregistered")}</h1>
        <p class="error-next">{t("device.unregistered.next", { kind: "kiosk" })}</p>
      </div>
    );
  } else switch (screen.kind) {
    case "start":
      body = (
        <StartScreen
          services={services}
          onService={(s) => go({ kind: "confirm", service: s, lane: "walk_in" })}
          onBooking={() => go({ kind: "booking" })}
          onPriority={() => go({ kind: "priority-group" })}
          onPickupCheck={() => go({ kind: "pickup-check" })}
        />
      );
      break;
    case "priority-group":
      body = (
        <Step title={t("kiosk.priority.title")} question={t("kiosk.priority.question")} onBack={home}>
          <div class="kiosk-grid groups">
            {GROUPS.map((g) => (
              <button type="button" class="kbtn tone-priority" data-testid={`group-${g.code}`} onClick={() => go({ kind: "priority-service", group: g.code })}>
                <span class="kbtn-icon">
                  <g.icon size={72} />
                </span>
                <span class="kbtn-text">
                  <span class="kbtn-title">{tDynamic(`grp.${g.code}`, g.code)}</span>
                </span>
              </button>
            ))}
          </div>
        </Step>
      );
      break;
    case "priority-service": {
      const group = screen.group;
      body = (
        <Step title={t("kiosk.priority.title")} question={t("kiosk.priority.service")} onBack={() => go({ kind: "priority-group" })}>
          <ServiceButtons services={(services ?? []).filter((s) => s.priority_allowed !== false)} lane="priority" onPick={(s) => go({ kind: "confirm", service: s, lane: "priority", group })} />
        </Step>
      );
      break;
    }
    case "confirm": {
      const { service, lane, group } = screen;
      const Icon = SERVICE_ICONS[service.code] ?? IconTicket;
      body = (
        <Step
          title={t("kiosk.confirm.title")}
          onBack={() => (lane === "priority" && group ? go({ kind: "priority-service", group }) : home())}
        >
          <div class={`confirm-card tone-${service.code}`}>
            <span class="confirm-icon">
              <Icon size={120} />
            </span>
            <dl>
              <dt>{t("kiosk.confirm.service")}</dt>
              <dd data-testid="confirm-service">{serviceName(service)}</dd>
              <dt>{t("kiosk.confirm.lane")}</dt>
              <dd>
                {tDynamic(`lane.${lane}`, lane)}
                {group ? ` · ${tDynamic(`grp.${group}`, group)}` : ""}
              </dd>
            </dl>
          </div>
          <button type="button" class="kbtn-primary" data-testid="take-ticket" disabled={busy} onClick={() => take(service, lane, group)} autoFocus>
            <IconTicket size={56} />
            {t("kiosk.confirm.take")}
          </button>
        </Step>
      );
      break;
    }
    case "booking":
      body = <BookingScreen busy={busy} onBack={home} onSubmit={checkIn} />;
      break;
    case "pickup-check":
      body = <PickupCheckScreen onBack={home} />;
      break;
    case "ticket": {
      const many = screen.tickets.length > 1;
      body = (
        <div class="kiosk-step ticket-screen" data-testid="ticket-screen">
          <h1 class="step-title">{screen.checkIn ? t("kiosk.booking.checked_in") : t("kiosk.ticket.thanks")}</h1>
          {screen.checkIn?.already && <p class="step-question">{t("kiosk.booking.again")}</p>}
          {many && <p class="step-question">{t("kiosk.booking.people", { n: screen.tickets.length })}</p>}
          <div class={`ticket-cards ${many ? "many" : ""}`}>
            {screen.tickets.map((tk) => {
              const svc = services?.find((s) => s.code === tk.service);
              return (
                <div class={`ticket-card tone-${tk.service}`}>
                  <div class="ticket-label">{t("display.now")}</div>
                  <div class="ticket-number" data-testid="ticket-number">
                    {tk.number}
                  </div>
                  <div class="ticket-service">
                    {svc ? serviceName(svc) : tDynamic(`svc.${tk.service}`, tk.service)} · {tDynamic(`lane.${tk.lane}`, tk.lane)}
                  </div>
                  {tk.estimated_wait_minutes != null && (
                    <div class="ticket-wait" data-testid="ticket-wait">
                      {t("kiosk.ticket.wait")}: <strong>± {t("common.minutes", { n: tk.estimated_wait_minutes })}</strong>
                      {tk.ahead != null && <span> · {t("kiosk.ticket.ahead", { n: tk.ahead })}</span>}
                    </div>
                  )}
                </div>
              );
            })}
          </div>
          {screen.checkIn?.paymentNotVerified && <p class="print-state failed">{t("kiosk.booking.unverified")}</p>}
          <p class={`print-state ${screen.printed}`} role="status" data-testid="ticket-print-state" data-state={screen.printed}>
            {screen.printed === "printing" ? t("kiosk.ticket.printing") : screen.printed === "ok" ? t("kiosk.ticket.printed") : t("kiosk.ticket.print_failed")}
          </p>
          {screen.printReason && <p class="print-reason" data-testid="ticket-print-reason">{screen.printReason}</p>}
          <button type="button" class="kbtn-primary" data-testid="ticket-done" onClick={home}>
            {t("kiosk.ticket.done")}
          </button>
        </div>
      );
      break;
    }
    case "error":
      body = (
        <div class="kiosk-step error-screen" data-testid="kiosk-error" role="alert">
          <div class="error-icon">
            <IconAlert size={120} />
          </div>
          <h1 class="step-title" data-testid="kiosk-error-title">
            {screen.title}
          </h1>
          <p class="error-next">{screen.next}</p>
          <BackButton onClick={home} big />
        </div>
      );
      break;
  }

  return (
    <div class="kiosk" data-screen={screen.kind}>
      <header class="kiosk-head">
        <div class="brand">
          <Emblem />
          <div>
            <div class="brand-office">{office || t("app.office")}</div>
            <div class="brand-sub">{t("kiosk.welcome")}</div>
          </div>
        </div>
        <Clock />
        <LangSwitch class="lang-big" />
      </header>
      <main class="kiosk-body">{body}</main>
      <footer class="kiosk-foot">
        {screen.kind !== "start" && idleLeft <= 15 && idleLeft > 0 ? <span class="idle-warning">{t("kiosk.idle", { n: idleLeft })}</span> : <span>{t("kiosk.footer")}</span>}
      </footer>
    </div>
  );
}

function StartScreen(props: {
  services: api.ServiceInfo[] | null;
  onService: (s: api.ServiceInfo) => void;
  onBooking: () => void;
  onPriority: () => void;
  onPickupCheck: () => void;
}) {
  return (
    <div class="kiosk-step start">
      <h1 class="step-title">{t("kiosk.choose")}</h1>
      {props.services == null ? <p class="muted">{t("common.loading")}</p> : <ServiceButtons services={props.services} lane="walk_in" onPick={props.onService} />}
      <div class="kiosk-grid secondary">
        <button type="button" class="kbtn tone-booking" data-testid="kiosk-booking" onClick={props.onBooking}>
          <span class="kbtn-icon">
            <IconQr size={72} />
          </span>
          <span class="kbtn-text">
            <span class="kbtn-title">{t("kiosk.booking")}</span>
            <span class="kbtn-hint">{t("kiosk.booking.hint")}</span>
          </span>
        </button>
        <button type="button" class="kbtn tone-priority" data-testid="kiosk-priority" onClick={props.onPriority}>
          <span class="kbtn-icon">
            <IconPriority size={72} />
          </span>
          <span class="kbtn-text">
            <span class="kbtn-title">{t("kiosk.priority")}</span>
            <span class="kbtn-hint">{t("kiosk.priority.hint")}</span>
          </span>
        </button>
        <button type="button" class="kbtn tone-pickup" data-testid="kiosk-pickup-check" onClick={props.onPickupCheck}>
          <span class="kbtn-icon">
            <IconPickup size={72} />
          </span>
          <span class="kbtn-text">
            <span class="kbtn-title">{t("kiosk.pickup")}</span>
            <span class="kbtn-hint">{t("kiosk.pickup.hint")}</span>
          </span>
        </button>
      </div>
    </div>
  );
}

function ServiceButtons(props: { services: api.ServiceInfo[]; lane: api.Lane; onPick: (s: api.ServiceInfo) => void }) {
  return (
    <div class="kiosk-grid services">
      {props.services.map((s) => {
        const Icon = SERVICE_ICONS[s.code] ?? IconTicket;
        const left = props.lane === "priority" ? s.priority_left : s.walk_in_left;
        return (
          <button type="button" class={`kbtn tone-${s.code}`} data-testid={`service-${s.code}`} data-letter={s.letter} onClick={() => props.onPick(s)}>
            <span class="kbtn-letter" aria-hidden="true">
              {s.letter}
            </span>
            <span class="kbtn-icon">
              <Icon size={72} />
            </span>
            <span class="kbtn-text">
              <span class="kbtn-title">{serviceName(s)}</span>
              <span class="kbtn-hint">{tDynamic(`svc.${s.code}.hint`, "")}</span>
            </span>
            {left != null && <span class={`kbtn-quota ${left <= 0 ? "none" : ""}`}>{left <= 0 ? t("kiosk.quota.none") : t("kiosk.quota.left", { n: left })}</span>}
          </button>
        );
      })}
    </div>
  );
}

function Step(props: { title: string; question?: string; onBack: () => void; children: JSX.Element | JSX.Element[] }) {
  return (
    <div class="kiosk-step">
      <h1 class="step-title">{props.title}</h1>
      {props.question && <p class="step-question">{props.question}</p>}
      <div class="step-body">{props.children}</div>
      <BackButton onClick={props.onBack} />
    </div>
  );
}

function BackButton(props: { onClick: () => void; big?: boolean }) {
  return (
    <button type="button" class={`kbtn-back ${props.big ? "big" : ""}`} data-testid="kiosk-back" onClick={props.onClick}>
      <IconBack size={44} />
      {t("common.back")}
    </button>
  );
}

function BookingScreen(props: { busy: boolean; onBack: () => void; onSubmit: (code: string) => void }) {
  const [code, setCode] = useState("");
  const input = useRef<HTMLInputElement>(null);
  // Keep the focus in the field so a USB scanner's keystrokes always land there.
  useEffect(() => {
    input.current?.focus();
    const refocus = () => window.setTimeout(() => input.current?.focus(), 0);
    window.addEventListener("pointerup", refocus);
    return () => window.removeEventListener("pointerup", refocus);
  }, []);
  return (
    <div class="kiosk-step booking">
      <h1 class="step-title">{t("kiosk.booking.title")}</h1>
      <p class="step-question">{t("kiosk.booking.scan")}</p>
      <form
        class="booking-form"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit(code);
        }}
      >
        <label class="booking-label" for="booking-code">
          <IconQr size={56} />
          {t("kiosk.booking.code")}
        </label>
        <input
          id="booking-code"
          ref={input}
          data-testid="booking-code"
          class="booking-input"
          value={code}
          onInput={(e) => setCode((e.target as HTMLInputElement).value.toUpperCase())}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          inputMode="text"
          maxLength={64}
        />
        <button type="submit" class="kbtn-primary" data-testid="booking-submit" disabled={props.busy || !code.trim()}>
          {t("kiosk.booking.submit")}
        </button>
      </form>
      <BackButton onClick={props.onBack} />
    </div>
  );
}

/** "Paspor sudah jadi?": a booking code or receipt number in, the status out (the hub
 * answers with statuses and dates only, never a name). */
function PickupCheckScreen(props: { onBack: () => void }) {
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [answers, setAnswers] = useState<api.KioskPickupAnswer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
  }, []);
  const ask = async () => {
    if (!code.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      setAnswers((await api.kioskPickupStatus(code.trim())).answers);
    } catch (err) {
      setError(explain(err).next);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="kiosk-step booking pickup-check">
      <h1 class="step-title">{t("kiosk.pickup.title")}</h1>
      <p class="step-question">{t("kiosk.pickup.question")}</p>
      <form
        class="booking-form"
        onSubmit={(e) => {
          e.preventDefault();
          ask();
        }}
      >
        <label class="booking-label" for="pickup-code">
          <IconQr size={56} />
          {t("kiosk.pickup.code")}
        </label>
        <input
          id="pickup-code"
          ref={input}
          data-testid="pickup-check-code"
          class="booking-input"
          value={code}
          onInput={(e) => {
            setCode((e.target as HTMLInputElement).value.toUpperCase());
            setAnswers(null);
          }}
          autoComplete="off"
          spellcheck={false}
          maxLength={40}
        />
        <button type="submit" class="kbtn-primary" data-testid="pickup-check-submit" disabled={busy || !code.trim()}>
          {t("kiosk.pickup.submit")}
        </button>
      </form>
      {error && <p class="error-next" role="alert">{error}</p>}
      {answers && (
        <ul class="pickup-answers" data-testid="pickup-check-answers" role="status">
          {answers.map((a, i) => (
            <li class={`pickup-answer ${a.status}`} data-testid="pickup-check-answer" data-status={a.status}>
              {answers.length > 1 && <strong>{t("kiosk.pickup.nth", { n: i + 1 })} </strong>}
              {api.say(a)}
            </li>
          ))}
        </ul>
      )}
      <BackButton onClick={props.onBack} />
    </div>
  );
}
