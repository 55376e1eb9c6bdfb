// The fingerprint tab of a visit at the photo/fingerprint stage: the office's finger plan
// as two hands, status per finger, capture with the reader (the capture loop retries until
// the office's threshold; attempts and scores shown), exceptions with a reason and, where
// the office requires it, the supervisor's own log-in; then the whole session goes to the
// hub. The reader is the desktop app's (Tauri commands, USB on the counter PC), else the
// hub's simulated one (demo mode), else none (said plainly).

import { useEffect, useState } from "preact/hooks";
import * as api from "../api";
import { ApiError } from "../http";
import { t, useLang } from "../i18n";
import { registerVisitStep, type VisitStepProps } from "../steps";

registerVisitStep({
  id: "fingerprint",
  label: () => t("fp.tab"),
  appliesTo: (visit) => visit.stage === "photo_fingerprint_interview" || visit.stage === "photo_fingerprint",
  render: (props) => <FingerprintTab {...props} />,
});

type Reader = "tauri" | "hub" | "none";

type Local =
  | { status: "pending" }
  | { status: "captured"; capture: api.FingerCapture }
  | { status: "exception"; kind: api.FingerException; reason: string; supervisor: api.Approver | null };

/** A reader failure: its code (driver's `ScanError::code`, or the hub's) and message. */
interface ReaderFailure {
  code: string;
  message: string;
}

function inDesktopApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

function failureOf(err: unknown): ReaderFailure {
  if (err instanceof ApiError) {
    const inner = err.details as { code?: string };
    return { code: err.code === "fingerprint_reader_failed" ? String(inner.code ?? "other") : err.code, message: err.message };
  }
  if (err && typeof err === "object" && "message_id" in err) {
    const e = err as { code?: string; message_id: string; message_en: string };
    return { code: e.code ?? "other", message: api.say(e) };
  }
  return { code: "other", message: err instanceof Error ? err.message : String(err) };
}

async function captureWith(reader: Reader, finger: api.Finger, policy: api.CapturePolicy): Promise<api.FingerCapture> {
  if (reader === "tauri") {
    const { invoke } = await import("@tauri-apps/api/core");
    return invoke<api.FingerCapture>("fingerprint_capture", { finger, policy });
  }
  return api.simulatedFingerCapture(finger);
}

/** What to do about a reader failure, by its code. */
function helpFor(code: string): string {
  switch (code) {
    case "no_device":
    case "fingerprint_reader_off":
      return t("fp.error.no_device");
    case "unplugged":
      return t("fp.error.unplugged");
    case "timeout":
      return t("fp.error.timeout");
    case "permission_denied":
      return t("fp.error.permission_denied");
    default:
      return t("fp.error.other");
  }
}

function fromSaved(f: api.FingerView): Local {
  // Saved prints stay on the hub (never sent back): shown by status and score only.
  if (f.status === "captured")
    return {
      status: "captured",
      capture: { reader: "", finger: f.finger, wsq: "", preview: "", width: 0, height: 0, ppi: 0, score: f.score ?? 0, attempts: f.attempts ?? 1, met_threshold: f.met_threshold ?? false, attempt_scores: [] },
    };
  if (f.status === "exception") return { status: "exception", kind: f.kind ?? "unusable", reason: f.reason ?? "", supervisor: null };
  return { status: "pending" };
}

export function FingerprintTab(props: VisitStepProps) {
  useLang();
  const { visit } = props;
  const [view, setView] = useState<api.FingerprintsView | null>(null);
  const [local, setLocal] = useState<Map<api.Finger, Local>>(new Map());
  const [current, setCurrent] = useState<api.Finger | null>(null);
  const [busy, setBusy] = useState(false);
  const [capturing, setCapturing] = useState<api.Finger | null>(null);
  const [failure, setFailure] = useState<ReaderFailure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);

  const load = (v: api.FingerprintsView) => {
    setView(v);
    setLocal(new Map(v.fingers.map((f) => [f.finger, fromSaved(f)])));
    setCurrent(v.fingers.find((f) => f.status === "pending")?.finger ?? v.policy.plan[0] ?? null);
    setDirty(false);
  };

  useEffect(() => {
    setError(null);
    setFailure(null);
    api
      .getFingerprints(visit.id)
      .then(load)
      .catch((err) => setError(failureOf(err).message));
  }, [visit.id]);

  if (!view) return <p class="muted">{error ?? t("common.loading")}</p>;

  const reader: Reader = inDesktopApp() ? "tauri" : view.simulated_reader ? "hub" : "none";
  const plan = view.policy.plan;
  const statusOf = (f: api.Finger): Local["status"] | "not_planned" => (plan.includes(f) ? local.get(f)?.status ?? "pending" : "not_planned");
  const set = (f: api.Finger, l: Local) => {
    const next = new Map(local);
    next.set(f, l);
    setLocal(next);
    setDirty(true);
    if (l.status !== "pending") {
      const after = plan.slice(plan.indexOf(f) + 1).concat(plan).find((g) => g !== f && (next.get(g)?.status ?? "pending") === "pending");
      if (after) setCurrent(after);
    }
  };
  const open = plan.filter((f) => statusOf(f) === "pending").length;

  const capture = async (f: api.Finger) => {
    setBusy(true);
    setCapturing(f);
    setFailure(null);
    setError(null);
    setCurrent(f);
    try {
      const c = await captureWith(reader, f, view.policy.capture);
      set(f, { status: "captured", capture: c });
    } catch (err) {
      setFailure(failureOf(err));
    } finally {
      setBusy(false);
      setCapturing(null);
    }
  };

  const save = async () => {
    const fingers: api.FingerInput[] = [];
    for (const f of plan) {
      const l = local.get(f);
      if (l?.status === "captured") {
        // Saved earlier: the hub keeps the print, the page never had it back.
        if (!l.capture.wsq) fingers.push({ status: "kept", finger: f });
        else fingers.push({ status: "captured", finger: f, wsq: l.capture.wsq, score: l.capture.score, attempts: l.capture.attempts });
      } else if (l?.status === "exception") {
        fingers.push({ status: "exception", finger: f, kind: l.kind, reason: l.reason, supervisor: l.supervisor });
      }
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await api.saveFingerprints(visit.id, fingers);
      // The previews stay on screen; the prints now live on the hub (a later save keeps them).
      const kept = new Map(local);
      for (const [f, l] of kept) if (l.status === "captured") kept.set(f, { ...l, capture: { ...l.capture, wsq: "" } });
      setView(saved);
      setLocal(kept);
      setDirty(false);
    } catch (err) {
      setError(failureOf(err).message);
    } finally {
      setBusy(false);
    }
  };

  const selected = current ? local.get(current) : undefined;
  const savedCount = view.fingers.filter((f) => f.status !== "pending").length;

  return (
    <div class="fp" data-testid="fingerprint" data-complete={String(view.complete && !dirty)}>
      <div class="fp-head">
        <p class="muted" data-testid="fp-plan">
          {t("fp.plan", { n: plan.length, threshold: view.policy.capture.threshold, max: view.policy.capture.max_attempts })}
        </p>
        <span class={`pill ${reader === "none" ? "unpaid" : "none"}`} data-testid="fp-reader" data-reader={reader}>
          {reader === "tauri" ? t("fp.reader.tauri") : reader === "hub" ? t("fp.reader.hub") : t("fp.error.title")}
        </span>
      </div>
      {reader === "none" && (
        <p class="pill unpaid block" role="alert" data-testid="fp-no-reader">
          {t("fp.reader.none")}
        </p>
      )}

      <div class="fp-hands">
        {([["fp.hand.right", api.RIGHT_HAND], ["fp.hand.left", api.LEFT_HAND]] as const).map(([label, hand]) => (
          <section class="fp-hand" aria-label={t(label)}>
            <h3>{t(label)}</h3>
            <ol>
              {hand.map((f) => {
                const st = statusOf(f);
                const l = local.get(f);
                return (
                  <li>
                    <button
                      type="button"
                      class={`fp-finger ${st} ${current === f ? "on" : ""}`}
                      data-testid={`fp-finger-${f}`}
                      data-status={st}
                      disabled={st === "not_planned"}
                      aria-pressed={current === f}
                      onClick={() => setCurrent(f)}
                    >
                      <span class="fp-name">{t(`fp.finger.${f}`)}</span>
                      <span class="fp-state">
                        {t(`fp.status.${st}`)}
                        {l?.status === "captured" ? ` · ${l.capture.score}` : ""}
                      </span>
                    </button>
                  </li>
                );
              })}
            </ol>
          </section>
        ))}
      </div>

      {current && plan.includes(current) && (
        <section class="fp-detail card" aria-label={t(`fp.finger.${current}`)} data-testid="fp-detail">
          <h3>{t(`fp.finger.${current}`)}</h3>
          {capturing === current && <p class="pill warn block" role="status" data-testid="fp-capturing">{t("fp.capturing", { finger: t(`fp.finger.${current}`).toLowerCase() })}</p>}
          {selected?.status === "captured" && <CaptureResult capture={selected.capture} threshold={view.policy.capture.threshold} />}
          {selected?.status === "exception" && (
            <p class="pill warn" data-testid="fp-exception-recorded">
              {t("fp.exception.recorded", { kind: t(`fp.exception.${selected.kind}`), reason: selected.reason })}
              {" · "}
              {view.fingers.find((f) => f.finger === current)?.confirmed_by && !dirty
                ? t("fp.exception.confirmed", { who: view.fingers.find((f) => f.finger === current)?.confirmed_by ?? "" })
                : selected.supervisor
                  ? t("fp.exception.pending_confirmation")
                  : ""}
            </p>
          )}
          {failure && (
            <div class="pill unpaid block" role="alert" data-testid="fp-error" data-code={failure.code}>
              <strong>{t("fp.error.title")}: </strong>
              {failure.message}
              <span class="block">{helpFor(failure.code)}</span>
            </div>
          )}
          <div class="fp-actions">
            <button type="button" class="btn primary" data-testid="fp-capture" disabled={busy || reader === "none"} onClick={() => capture(current)}>
              {selected?.status === "captured" ? t("fp.retake") : t("fp.capture")}
            </button>
            {selected && selected.status !== "pending" && (
              <button type="button" class="btn plain" data-testid="fp-undo" disabled={busy} onClick={() => set(current, { status: "pending" })}>
                {t("fp.undo")}
              </button>
            )}
          </div>
          <ExceptionForm
            key={current}
            finger={current}
            needsSupervisor={(k) => view.policy.supervisor_confirms.includes(k)}
            disabled={busy}
            onRecord={(kind, reason, supervisor) => set(current, { status: "exception", kind, reason, supervisor })}
          />
        </section>
      )}

      <div class="fp-save">
        {open > 0 ? (
          <p class="muted" data-testid="fp-open">
            {t("fp.save.incomplete", { n: open })}
          </p>
        ) : view.complete && !dirty ? (
          <p class="pill paid" data-testid="fp-saved">
            {t("fp.saved", { n: savedCount })}
            {view.saved_at && view.saved_by ? ` · ${t("fp.saved.at", { when: new Date(view.saved_at).toLocaleTimeString(), who: view.saved_by })}` : ""}
          </p>
        ) : null}
        {error && (
          <p class="pill unpaid block" role="alert" data-testid="fp-save-error">
            {error}
          </p>
        )}
        <button type="button" class="btn primary" data-testid="fp-save" disabled={busy || open > 0 || !dirty} onClick={save}>
          {t("fp.save")}
        </button>
      </div>
    </div>
  );
}

function CaptureResult(props: { capture: api.FingerCapture; threshold: number }) {
  const c = props.capture;
  return (
    <div class="fp-result" data-testid="fp-result" data-score={String(c.score)} data-attempts={String(c.attempts)}>
      {c.preview && <img class="fp-preview" src={c.preview} alt={t("fp.score", { score: c.score })} width={c.width / 2} height={c.height / 2} />}
      <div>
        <p class={`pill ${c.met_threshold ? "paid" : "warn"}`} data-testid="fp-score">
          {t("fp.score", { score: c.score })} · {c.met_threshold ? t("fp.met") : t("fp.below", { threshold: props.threshold })}
        </p>
        {c.attempt_scores.length > 0 && (
          <p class="muted" data-testid="fp-attempts">
            {t("fp.attempts", { n: c.attempts, scores: c.attempt_scores.join(", ") })}
          </p>
        )}
      </div>
    </div>
  );
}

function ExceptionForm(props: {
  finger: api.Finger;
  needsSupervisor: (k: api.FingerException) => boolean;
  disabled: boolean;
  onRecord: (kind: api.FingerException, reason: string, supervisor: api.Approver | null) => void;
}) {
  const [kind, setKind] = useState<api.FingerException>("missing");
  const [reason, setReason] = useState("");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const needs = props.needsSupervisor(kind);
  return (
    <details class="fp-exception" data-testid="fp-exception">
      <summary>{t("fp.exception")}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason.trim()) return setProblem(t("fp.exception.reason_missing"));
          if (needs && (!user.trim() || !password)) return setProblem(t("fp.exception.supervisor_missing"));
          setProblem(null);
          props.onRecord(kind, reason.trim(), needs ? { username: user.trim(), password } : null);
          setPassword("");
        }}
      >
        <fieldset disabled={props.disabled}>
          <label>
            {t("fp.exception.kind")}
            <select data-testid="fp-exception-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as api.FingerException)}>
              {api.FINGER_EXCEPTIONS.map((k) => (
                <option value={k}>{t(`fp.exception.${k}`)}</option>
              ))}
            </select>
          </label>
          <label>
            {t("fp.exception.reason")}
            <input data-testid="fp-exception-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          {needs && (
            <>
              <p class="muted">{t("fp.exception.supervisor")}</p>
              <label>
                {t("fp.exception.user")}
                <input data-testid="fp-exception-user" autoComplete="off" value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
              </label>
              <label>
                {t("fp.exception.password")}
                <input data-testid="fp-exception-password" type="password" autoComplete="off" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
              </label>
            </>
          )}
          {problem && (
            <p class="pill unpaid block" role="alert" data-testid="fp-exception-problem">
              {problem}
            </p>
          )}
          <button type="submit" class="btn plain" data-testid="fp-exception-save">
            {t("fp.exception.save")}
          </button>
        </fieldset>
      </form>
    </details>
  );
}
