// The counter officer's desk: dense but calm. The current applicant and the next action
// are always in view, every action has a function key printed on its button, nothing hides
// behind hover.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { t, tDynamic, useLang } from "../i18n";
import { ApiError, LiveSocket, Throttle, type LiveState } from "../http";
import * as api from "../api";
import { Clock, Emblem, LangSwitch, LinkDot } from "../components/chrome";
import { SyncBadge, noteSync } from "../components/sync";
import { IconUser } from "../components/icons";
import { documentsFor } from "../documents";
import { stepsFor } from "../steps";

type ActionDef = { key: string; action: api.CounterAction | "transfer"; label: () => string; tone: string; needs: "none" | "called" | "any-current" };

/** The counter's actions and their keys, in the order of the action bar. */
export const ACTIONS: ActionDef[] = [
  { key: "F1", action: "call-next", label: () => t("counter.action.next"), tone: "primary", needs: "none" },
  { key: "F2", action: "recall", label: () => t("counter.action.recall"), tone: "plain", needs: "called" },
  { key: "F3", action: "start", label: () => t("counter.action.start"), tone: "plain", needs: "called" },
  { key: "F4", action: "no-show", label: () => t("counter.action.noshow"), tone: "warn", needs: "called" },
  { key: "F6", action: "transfer", label: () => t("counter.action.transfer"), tone: "plain", needs: "any-current" },
  { key: "F7", action: "park", label: () => t("counter.action.park"), tone: "plain", needs: "any-current" },
  { key: "F8", action: "finish", label: () => t("counter.action.finish"), tone: "good", needs: "any-current" },
];

export function Counter() {
  useLang();
  const [user, setUser] = useState<api.Session["user"] | null>(null);
  const [checked, setChecked] = useState(false);
  const [counter, setCounter] = useState<api.CounterInfo | null>(null);

  useEffect(() => {
    document.body.classList.add("role-counter");
    if (api.officerToken()) {
      api
        .me()
        .then(setUser)
        .catch(() => api.logout())
        .finally(() => setChecked(true));
    } else setChecked(true);
    return () => document.body.classList.remove("role-counter");
  }, []);

  const logout = async () => {
    if (counter) await api.closeCounter(counter.id).catch(() => undefined);
    await api.logout();
    setCounter(null);
    setUser(null);
  };

  return (
    <div class="officer">
      <header class="officer-head">
        <div class="brand small">
          <Emblem />
          <div>
            <div class="brand-office">{t("home.counter")}</div>
            {counter && <div class="brand-sub">{counter.name}</div>}
          </div>
        </div>
        <Clock />
        <div class="head-tools">
          {user && <SyncBadge />}
          {user && (
            <span class="who" data-testid="officer-name">
              <IconUser size={22} /> {user.name}
            </span>
          )}
          <LangSwitch />
          {user && (
            <button type="button" class="btn plain" data-testid="logout" onClick={logout}>
              {t("common.logout")}
            </button>
          )}
        </div>
      </header>
      {!checked ? (
        <p class="muted pad">{t("common.loading")}</p>
      ) : !user ? (
        <Login onLogin={(s) => setUser(s.user)} />
      ) : !counter ? (
        <OpenCounter onOpen={setCounter} />
      ) : (
        <Desk counter={counter} onClose={() => setCounter(null)} />
      )}
    </div>
  );
}

export function Login(props: { onLogin: (s: api.Session) => void; title?: string }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="login card"
      data-testid="login-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          props.onLogin(await api.login(username.trim(), password));
        } catch (err) {
          setError(err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 400) ? t("counter.login.wrong") : err instanceof Error ? err.message : String(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1>{props.title ?? t("counter.login.title")}</h1>
      <label>
        {t("counter.login.user")}
        <input data-testid="login-user" name="username" autoComplete="username" value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} autoFocus required />
      </label>
      <label>
        {t("counter.login.password")}
        <input data-testid="login-password" name="password" type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} required />
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" class="btn primary big" data-testid="login-submit" disabled={busy}>
        {t("counter.login.submit")}
      </button>
    </form>
  );
}

function OpenCounter(props: { onOpen: (c: api.CounterInfo) => void }) {
  const [counters, setCounters] = useState<api.CounterInfo[] | null>(null);
  const [services, setServices] = useState<api.ServiceInfo[]>([]);
  const [chosen, setChosen] = useState<api.CounterInfo | null>(null);
  const [svc, setSvc] = useState<Set<string>>(new Set());
  const [stages, setStages] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([api.counters(), api.services()])
      .then(([c, s]) => {
        setCounters(c);
        setServices(s);
      })
      .catch((err) => setError(String(err.message ?? err)));
  }, []);

  const pick = (c: api.CounterInfo) => {
    setChosen(c);
    setSvc(new Set(c.services.length ? c.services : services.map((s) => s.code)));
    const all = new Set<string>();
    services.forEach((s) => s.stages.forEach((st) => all.add(st)));
    setStages(new Set(c.stages.length ? c.stages : [...all]));
  };
  const toggle = (set: Set<string>, v: string, put: (s: Set<string>) => void) => {
    const n = new Set(set);
    if (n.has(v)) n.delete(v);
    else n.add(v);
    put(n);
  };
  const allStages = [...new Set(services.flatMap((s) => s.stages))];

  return (
    <div class="open-counter card" data-testid="open-counter">
      <h1>{t("counter.open.title")}</h1>
      {error && <p class="form-error">{error}</p>}
      {counters == null ? (
        <p class="muted">{t("common.loading")}</p>
      ) : (
        <>
          <fieldset>
            <legend>{t("counter.open.counter")}</legend>
            <div class="chips">
              {counters.map((c) => (
                <button type="button" class={`chip ${chosen?.id === c.id ? "on" : ""}`} data-testid={`counter-${c.id}`} aria-pressed={chosen?.id === c.id} onClick={() => pick(c)}>
                  {c.name}
                  {c.officer && !c.open ? "" : c.open ? " •" : ""}
                </button>
              ))}
            </div>
          </fieldset>
          {chosen && (
            <>
              <fieldset>
                <legend>{t("counter.open.services")}</legend>
                <div class="chips">
                  {services.map((s) => (
                    <label class={`chip check tone-${s.code}`}>
                      <input type="checkbox" checked={svc.has(s.code)} onChange={() => toggle(svc, s.code, setSvc)} />
                      <span class="chip-letter">{s.letter}</span> {tDynamic(`svc.${s.code}`, s.name_id)}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset>
                <legend>{t("counter.open.stages")}</legend>
                <div class="chips">
                  {allStages.map((st) => (
                    <label class="chip check">
                      <input type="checkbox" checked={stages.has(st)} onChange={() => toggle(stages, st, setStages)} />
                      {tDynamic(`stage.${st}`, st)}
                    </label>
                  ))}
                </div>
              </fieldset>
              <button
                type="button"
                class="btn primary big"
                data-testid="open-submit"
                disabled={svc.size === 0}
                onClick={async () => {
                  try {
                    props.onOpen(await api.openCounter(chosen.id, [...svc], [...stages]));
                  } catch (err) {
                    setError(err instanceof Error ? err.message : String(err));
                  }
                }}
              >
                {t("counter.open.submit")}
              </button>
            </>
          )}
        </>
      )}
    </div>
  );
}

function Desk(props: { counter: api.CounterInfo; onClose: () => void }) {
  const { counter } = props;
  const [queue, setQueue] = useState<api.QueueItem[]>([]);
  const [visit, setVisit] = useState<api.CurrentVisit | null>(null);
  const [link, setLink] = useState<LiveState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [transferOpen, setTransferOpen] = useState(false);
  const [busy, setBusyState] = useState(false);
  const visitRef = useRef(visit);
  visitRef.current = visit;
  // Read by the key handler: a key pressed right after an action ends must see the desk as
  // it is now, not as it was when the handler's render last ran its effects.
  const busyRef = useRef(false);
  const setBusy = (value: boolean) => {
    busyRef.current = value;
    setBusyState(value);
  };
  // Refreshes overlap (live events, the poll, actions): an answer is applied only if no
  // refresh started after it has been applied already, so an older answer arriving late
  // cannot bring back a visit that was already finished (and a stream of refreshes still
  // updates the desk).
  const refreshes = useRef(0);
  const applied = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++refreshes.current;
    try {
      const [q, c] = await Promise.all([api.queue(counter.id), api.current(counter.id)]);
      if (mine < applied.current) return;
      applied.current = mine;
      setQueue(q);
      setVisit(c);
      visitRef.current = c;
    } catch (err) {
      if (mine >= applied.current) setError(describe(err));
    }
  }, [counter.id]);

  useEffect(() => {
    refresh();
    // The link to central only updates the header's badge; everything else re-reads the
    // desk, at most three times a second (every ticket of the office is a message).
    const reread = new Throttle(() => void refresh(), 300);
    const live = new LiveSocket(
      () => api.livePath("officer"),
      (msg) => noteSync(msg) || reread.request(),
      setLink,
    );
    const poll = window.setInterval(refresh, 10_000);
    return () => {
      live.close();
      reread.cancel();
      window.clearInterval(poll);
    };
  }, [refresh]);

  const run = async (def: ActionDef) => {
    if (busyRef.current || !enabled(def, visitRef.current)) return;
    if (def.action === "transfer") {
      setTransferOpen(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.act(counter.id, def.action);
      // The answer is the visit as it left this action (perhaps closed): re-read the desk.
      await refresh();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const def = ACTIONS.find((a) => a.key === e.key);
      if (!def) return;
      e.preventDefault();
      runRef.current(def);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const stagesOfService = (visit && counter.stages.length ? counter.stages : []) as string[];

  return (
    <div class="desk">
      <aside class="queue-pane" aria-label={t("counter.queue")}>
        <div class="pane-head">
          <h2>
            {t("counter.queue")} <span class="count" data-testid="queue-count">{queue.length}</span>
          </h2>
          <LinkDot state={link} compact />
        </div>
        {queue.length === 0 ? (
          <p class="muted">{t("counter.queue.empty")}</p>
        ) : (
          <ol class="queue-list" data-testid="queue-list">
            {queue.map((q) => (
              <li class={`queue-item tone-${q.service} ${q.state}`} data-testid="queue-item" data-number={q.number}>
                <span class="q-number">{q.number}</span>
                <span class="q-meta">
                  <span>{tDynamic(`svc.${q.service}`, q.service)}</span>
                  <span class="q-lane">
                    {tDynamic(`lane.${q.lane}`, q.lane)}
                    {q.state === "parked" ? ` · ${t("counter.parked")}` : ""}
                  </span>
                </span>
                <span class="q-wait">{q.waiting_minutes != null ? t("common.minutes", { n: q.waiting_minutes }) : ""}</span>
                <button
                  type="button"
                  class="btn plain q-call"
                  data-testid="call-given"
                  disabled={busy || (visit != null && visit.state !== "closed")}
                  title={t("counter.action.call_this")}
                  onClick={async () => {
                    setBusy(true);
                    setError(null);
                    try {
                      await api.callGiven(counter.id, q.number);
                      await refresh();
                    } catch (err) {
                      setError(describe(err));
                    } finally {
                      setBusy(false);
                    }
                  }}
                >
                  {t("counter.action.call_this")}
                </button>
              </li>
            ))}
          </ol>
        )}
        <button
          type="button"
          class="btn plain close-counter"
          onClick={async () => {
            await api.closeCounter(counter.id).catch(() => undefined);
            props.onClose();
          }}
        >
          {t("counter.close")}
        </button>
      </aside>

      <section class="current-pane" aria-label={t("counter.current")}>
        <div class="current-card" data-testid="current">
          {visit ? (
            <>
              <div class={`current-number tone-${visit.service}`} data-testid="current-number">
                {visit.number}
              </div>
              <div class="current-meta">
                <div class="current-service">{tDynamic(`svc.${visit.service}`, visit.service)}</div>
                <div>
                  {tDynamic(`lane.${visit.lane}`, visit.lane)} · {tDynamic(`stage.${visit.stage}`, visit.stage)}
                </div>
                <div class="muted" data-testid="current-state" data-state={visit.state}>
                  {t("counter.calls", { n: visit.calls })}
                </div>
              </div>
            </>
          ) : (
            <p class="current-none">{t("counter.current.none")}</p>
          )}
        </div>

        <div class="action-bar" role="toolbar">
          {ACTIONS.map((a) => (
            <button type="button" class={`btn action ${a.tone}`} data-testid={`action-${a.action}`} disabled={busy || !enabled(a, visit)} onClick={() => run(a)} aria-keyshortcuts={a.key}>
              <kbd>{a.key}</kbd>
              {a.label()}
            </button>
          ))}
        </div>
        {error && (
          <p class="form-error" role="alert" data-testid="desk-error">
            {error}
          </p>
        )}
        {transferOpen && visit && (
          <div class="transfer card" role="dialog" aria-label={t("counter.transfer.title")}>
            <h3>{t("counter.transfer.title")}</h3>
            <div class="chips">
              {(stagesOfService.length ? stagesOfService : ["document_check", "photo_fingerprint_interview", "bap", "decision", "photo_fingerprint"]).map((st) => (
                <button
                  type="button"
                  class="chip"
                  onClick={async () => {
                    setTransferOpen(false);
                    try {
                      await api.transfer(counter.id, st);
                      setVisit(null);
                      await refresh();
                    } catch (err) {
                      setError(describe(err));
                    }
                  }}
                >
                  {tDynamic(`stage.${st}`, st)}
                </button>
              ))}
              <button type="button" class="chip" onClick={() => setTransferOpen(false)}>
                {t("common.cancel")}
              </button>
            </div>
          </div>
        )}
        {visit && <Record visit={visit} counter={counter} />}
      </section>
    </div>
  );
}

function enabled(def: ActionDef, visit: api.CurrentVisit | null): boolean {
  if (def.needs === "none") return true;
  if (!visit) return false;
  if (def.needs === "called") return visit.state === "called";
  return true;
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return t("counter.error.forbidden");
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

function Record(props: { visit: api.CurrentVisit; counter: api.CounterInfo }) {
  const { visit } = props;
  const [tab, setTab] = useState("record");
  const [docs, setDocs] = useState<Set<string>>(new Set());
  const [nik, setNik] = useState(visit.booking?.nik ?? "");
  const [birth, setBirth] = useState(visit.booking?.birth_date ?? "");
  const [nikResult, setNikResult] = useState<api.NikCheck | null>(null);
  useEffect(() => {
    setDocs(new Set());
    setNik(visit.booking?.nik ?? "");
    setBirth(visit.booking?.birth_date ?? "");
    setNikResult(null);
    setTab("record");
  }, [visit.id]);
  const extra = stepsFor(visit);
  const payment = visit.payment;
  return (
    <div class="record card" data-testid="record">
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "record"} class={tab === "record" ? "on" : ""} onClick={() => setTab("record")}>
          {t("counter.record")}
        </button>
        {extra.map((s) => (
          <button type="button" role="tab" data-testid={`step-tab-${s.id}`} aria-selected={tab === s.id} class={tab === s.id ? "on" : ""} onClick={() => setTab(s.id)}>
            {s.label()}
          </button>
        ))}
      </div>
      {tab === "record" ? (
        <div class="record-grid">
          <section>
            <h3>{t("counter.record.booking")}</h3>
            {visit.booking ? (
              <dl class="kv" data-testid="booking-data">
                <dt>{t("counter.record.code")}</dt>
                <dd>{visit.booking.code}</dd>
                {visit.booking.name && (
                  <>
                    <dt>{t("counter.record.name")}</dt>
                    <dd>{visit.booking.name}</dd>
                  </>
                )}
                {visit.booking.applicant && (
                  <>
                    <dt>{t("counter.record.applicant")}</dt>
                    <dd>{visit.booking.applicant}</dd>
                  </>
                )}
              </dl>
            ) : (
              <p class="muted">{t("counter.record.walkin")}</p>
            )}
            <h3>{t("counter.record.payment")}</h3>
            <p class={`pill ${payment ?? "none"}`} data-testid="payment">
              {payment === "paid" ? t("counter.record.payment.paid") : payment === "unpaid" ? t("counter.record.payment.unpaid") : payment === "unverified" ? t("counter.record.payment.unverified") : t("common.none")}
            </p>
          </section>
          <section>
            <h3>{t("counter.record.nik")}</h3>
            <form
              class="nik-form"
              onSubmit={async (e) => {
                e.preventDefault();
                try {
                  setNikResult(await api.checkNik(nik, birth));
                } catch (err) {
                  setNikResult({ valid: false, warnings: [], message: err instanceof Error ? err.message : String(err) });
                }
              }}
            >
              <input data-testid="nik-input" inputMode="numeric" maxLength={16} placeholder={t("counter.record.nik.placeholder")} value={nik} onInput={(e) => setNik((e.target as HTMLInputElement).value.replace(/\D/g, ""))} />
              <label>
                {t("counter.record.birth")}
                <input type="date" value={birth} onInput={(e) => setBirth((e.target as HTMLInputElement).value)} />
              </label>
              <button type="submit" class="btn plain">
                {t("counter.record.nik.check")}
              </button>
            </form>
            {nikResult && (
              <p class={`pill ${nikResult.valid ? (nikResult.warnings.length ? "warn" : "paid") : "unpaid"}`} data-testid="nik-result">
                {nikResult.message}
                {nikResult.warnings.map((w) => (
                  <span class="block">{w}</span>
                ))}
              </p>
            )}
            <h3>{t("counter.record.docs")}</h3>
            <ul class="checklist">
              {documentsFor(visit.service).map((d) => (
                <li>
                  <label>
                    <input
                      type="checkbox"
                      checked={docs.has(d)}
                      onChange={() => {
                        const n = new Set(docs);
                        if (n.has(d)) n.delete(d);
                        else n.add(d);
                        setDocs(n);
                      }}
                    />
                    {tDynamic(`doc.${d}`, d)}
                  </label>
                </li>
              ))}
            </ul>
          </section>
        </div>
      ) : (
        extra.find((s) => s.id === tab)?.render({ visit, counter: props.counter, token: api.officerToken() })
      )}
    </div>
  );
}
