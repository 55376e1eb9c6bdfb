// The BAP tab of a lost/damaged passport visit: the guided interview (one step at a time,
// what is still missing always listed), the outcome with its fees, print, the signatures
// (the supervisor types their own log-in), and amendments of a signed BAP.

import { useEffect, useState } from "preact/hooks";
import type { JSX } from "preact";
import * as api from "../api";
import { ApiError } from "../http";
import { t, tDynamic, useLang } from "../i18n";
import { registerVisitStep, type VisitStepProps } from "../steps";
import { SignaturePad } from "../components/SignaturePad";
import { OfficePrintButton } from "../components/OfficePrint";

registerVisitStep({
  id: "bap",
  label: () => t("bap.tab"),
  appliesTo: (visit) => visit.service === "lost_damaged",
  render: (props) => <BapTab {...props} />,
});

function describe(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

const rupiah = (n: number) => `Rp ${n.toLocaleString("id-ID")}`;

export function BapTab(props: VisitStepProps) {
  useLang();
  const { visit } = props;
  const [bap, setBap] = useState<api.Bap | null>(null);
  const [draft, setDraft] = useState<api.BapInterview | null>(null);
  const [step, setStep] = useState<api.BapStepName>("identity");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(true);

  const take = (b: api.Bap, jump = false) => {
    setBap(b);
    setDraft(b.bap.interview);
    setSaved(true);
    if (jump && b.next_step) setStep(b.next_step);
  };

  useEffect(() => {
    setError(null);
    api
      .startBap(visit.id)
      .then((b) => take(b, true))
      .catch((err) => setError(describe(err)));
  }, [visit.id]);

  const run = async (work: () => Promise<api.Bap>, jump = false) => {
    setBusy(true);
    setError(null);
    try {
      take(await work(), jump);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  if (!bap || !draft) return <p class="muted">{error ?? t("common.loading")}</p>;

  const locked = bap.locked || !bap.latest;
  const edit = (change: (d: api.BapInterview) => api.BapInterview) => {
    if (locked) return;
    setDraft(change(structuredClone(draft)));
    setSaved(false);
  };
  const save = (next?: api.BapStepName) =>
    run(async () => {
      const b = saved ? bap : await api.saveBap(bap.id, draft, bap.revision);
      if (next) setStep(next);
      return b;
    });
  const stepIndex = api.BAP_STEPS.indexOf(step);
  const missingHere = bap.missing.filter((m) => m.step === step);

  return (
    <div class="bap" data-testid="bap" data-status={bap.status}>
      <div class="bap-head">
        <strong data-testid="bap-number">{bap.number}</strong>
        <span class={`pill ${bap.status === "signed" ? "paid" : bap.status === "completed" ? "warn" : "none"}`} data-testid="bap-status">
          {t(`bap.status.${bap.status}`)}
          {bap.version > 1 ? ` · ${t("bap.version", { n: bap.version })}` : ""}
        </span>
        {bap.versions.length > 1 && (
          <select
            aria-label={t("bap.versions")}
            value={String(bap.version)}
            onChange={(e) => run(() => api.getBap(bap.id, Number((e.target as HTMLSelectElement).value)))}
          >
            {bap.versions.map((v) => (
              <option value={String(v.version)}>
                {t("bap.version", { n: v.version })} · {t(`bap.status.${v.status as "draft"}`)}
              </option>
            ))}
          </select>
        )}
        {!saved && <span class="muted">{t("bap.unsaved")}</span>}
      </div>

      <div class="bap-body">
        <nav class="bap-steps" aria-label={t("bap.steps")}>
          <ol>
            {api.BAP_STEPS.map((s) => {
              const n = bap.missing.filter((m) => m.step === s).length;
              return (
                <li>
                  <button type="button" class={`bap-step ${s === step ? "on" : ""} ${n ? "todo" : "done"}`} data-testid={`bap-step-${s}`} onClick={() => (saved || locked ? setStep(s) : save(s))}>
                    {t(`bap.step.${s}`)}
                    {n > 0 && <span class="count">{n}</span>}
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>

        <section class="bap-form" aria-label={t(`bap.step.${step}`)}>
          <h3>{t(`bap.step.${step}`)}</h3>
          <fieldset disabled={locked || busy}>
            {step === "outcome" ? (
              <OutcomeForm bap={bap} onDecide={(o, approver) => run(() => api.decideBap(bap.id, o, approver, bap.revision))} />
            ) : (
              <StepFields step={step} draft={draft} edit={edit} />
            )}
          </fieldset>
          {missingHere.length > 0 && (
            <ul class="bap-missing" data-testid="bap-missing-here">
              {missingHere.map((m) => (
                <li>{api.say(m)}</li>
              ))}
            </ul>
          )}
          {step === "identity" &&
            bap.warnings.map((w) => (
              <p class="pill warn">{api.say(w)}</p>
            ))}
          {!locked && step !== "outcome" && (
            <div class="bap-actions">
              <button type="button" class="btn plain" data-testid="bap-save" disabled={busy || saved} onClick={() => save()}>
                {t("common.save")}
              </button>
              <button type="button" class="btn primary" data-testid="bap-next" disabled={busy} onClick={() => save(api.BAP_STEPS[Math.min(stepIndex + 1, api.BAP_STEPS.length - 1)])}>
                {t("bap.save_next")}
              </button>
            </div>
          )}
        </section>
      </div>

      {error && (
        <p class="form-error" role="alert" data-testid="bap-error">
          {error}
        </p>
      )}

      <Lifecycle bap={bap} busy={busy} saved={saved} run={run} onError={setError} />
    </div>
  );
}

function Text(props: { label: string; value: string; onInput: (v: string) => void; testid?: string; area?: boolean; type?: string }) {
  return (
    <label class="field">
      {props.label}
      {props.area ? (
        <textarea data-testid={props.testid} rows={3} value={props.value} onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)} />
      ) : (
        <input data-testid={props.testid} type={props.type ?? "text"} value={props.value} onInput={(e) => props.onInput((e.target as HTMLInputElement).value)} />
      )}
    </label>
  );
}

function StepFields(props: { step: api.BapStepName; draft: api.BapInterview; edit: (f: (d: api.BapInterview) => api.BapInterview) => void }) {
  const { step, draft: d, edit } = props;
  const set = <K extends keyof api.BapInterview>(k: K, v: api.BapInterview[K]) => edit((x) => ({ ...x, [k]: v }));
  const id = d.identity;
  const setId = (k: keyof api.BapInterview["identity"], v: string) => edit((x) => ({ ...x, identity: { ...x.identity, [k]: k === "birth_date" ? v || null : v } }));
  const old = d.old_passport;
  const setOld = (k: "number" | "issued_on" | "expires_on" | "issuing_office", v: string) =>
    edit((x) => ({ ...x, old_passport: { ...x.old_passport, [k]: k === "issuing_office" ? v : v.trim() ? v : null } }));
  let body: JSX.Element;
  switch (step) {
    case "identity":
      body = (
        <>
          <Text label={t("bap.f.full_name")} testid="bap-full-name" value={id.full_name} onInput={(v) => setId("full_name", v)} />
          <Text label={t("bap.f.nik")} testid="bap-nik" value={id.nik} onInput={(v) => setId("nik", v.replace(/\D/g, "").slice(0, 16))} />
          <Text label={t("bap.f.birth_place")} value={id.birth_place} onInput={(v) => setId("birth_place", v)} />
          <Text label={t("bap.f.birth_date")} testid="bap-birth-date" type="date" value={id.birth_date ?? ""} onInput={(v) => setId("birth_date", v)} />
          <Text label={t("bap.f.occupation")} value={id.occupation} onInput={(v) => setId("occupation", v)} />
          <Text label={t("bap.f.address")} value={id.address} onInput={(v) => setId("address", v)} />
          <Text label={t("bap.f.phone")} value={id.phone} onInput={(v) => setId("phone", v)} />
        </>
      );
      break;
    case "old_passport": {
      const mrz = old.mrz ?? ["", ""];
      const setMrz = (i: 0 | 1, v: string) =>
        edit((x) => {
          const next: [string, string] = [...(x.old_passport.mrz ?? ["", ""])] as [string, string];
          next[i] = v.toUpperCase().replace(/\s/g, "");
          return { ...x, old_passport: { ...x.old_passport, mrz: next[0] || next[1] ? next : null } };
        });
      body = (
        <>
          <Text label={t("bap.f.passport_number")} testid="bap-passport-number" value={old.number ?? ""} onInput={(v) => setOld("number", v.toUpperCase())} />
          <Text label={t("bap.f.mrz1")} value={mrz[0]} onInput={(v) => setMrz(0, v)} />
          <Text label={t("bap.f.mrz2")} value={mrz[1]} onInput={(v) => setMrz(1, v)} />
          <Text label={t("bap.f.issued_on")} type="date" value={old.issued_on ?? ""} onInput={(v) => setOld("issued_on", v)} />
          <Text label={t("bap.f.expires_on")} type="date" value={old.expires_on ?? ""} onInput={(v) => setOld("expires_on", v)} />
          <Text label={t("bap.f.issuing_office")} value={old.issuing_office} onInput={(v) => setOld("issuing_office", v)} />
        </>
      );
      break;
    }
    case "reason": {
      const r = d.reason;
      body = (
        <>
          <div class="chips" role="radiogroup">
            {(["lost", "damaged"] as const).map((k) => (
              <label class="chip check">
                <input
                  type="radio"
                  name="bap-reason"
                  data-testid={`bap-reason-${k}`}
                  checked={r?.kind === k}
                  onChange={() =>
                    set(
                      "reason",
                      k === "lost" ? { kind: "lost", police_report_number: "", police_report_date: null, police_station: "" } : { kind: "damaged", state: null, description: "" },
                    )
                  }
                />
                {t(`bap.reason.${k}`)}
              </label>
            ))}
          </div>
          {r?.kind === "lost" && (
            <>
              <Text label={t("bap.f.police_number")} testid="bap-police-number" value={r.police_report_number} onInput={(v) => set("reason", { ...r, police_report_number: v })} />
              <Text label={t("bap.f.police_date")} testid="bap-police-date" type="date" value={r.police_report_date ?? ""} onInput={(v) => set("reason", { ...r, police_report_date: v || null })} />
              <Text label={t("bap.f.police_station")} testid="bap-police-station" value={r.police_station} onInput={(v) => set("reason", { ...r, police_station: v })} />
            </>
          )}
          {r?.kind === "damaged" && (
            <>
              <label class="field">
                {t("bap.f.damage_state")}
                <select data-testid="bap-damage-state" value={r.state ?? ""} onChange={(e) => set("reason", { ...r, state: (e.target as HTMLSelectElement).value || null })}>
                  <option value="">–</option>
                  {api.DAMAGE_STATES.map((s) => (
                    <option value={s}>{t(`bap.damage.${s}`)}</option>
                  ))}
                </select>
              </label>
              <Text label={t("bap.f.damage_description")} area value={r.description} onInput={(v) => set("reason", { ...r, description: v })} />
            </>
          )}
          <label class="chip check">
            <input type="checkbox" data-testid="bap-force-majeure" checked={d.force_majeure_claimed} onChange={(e) => set("force_majeure_claimed", (e.target as HTMLInputElement).checked)} />
            {t("bap.f.force_majeure")}
          </label>
        </>
      );
      break;
    }
    case "incident":
      body = (
        <>
          <Text label={t("bap.f.chronology")} testid="bap-chronology" area value={d.chronology} onInput={(v) => set("chronology", v)} />
          <Text label={t("bap.f.incident_place")} testid="bap-incident-place" value={d.incident_place} onInput={(v) => set("incident_place", v)} />
          <Text label={t("bap.f.incident_date")} testid="bap-incident-date" type="date" value={d.incident_date ?? ""} onInput={(v) => set("incident_date", v || null)} />
        </>
      );
      break;
    case "history":
      body = (
        <>
          <Text label={t("bap.f.travel_purpose")} testid="bap-travel-purpose" value={d.travel_purpose} onInput={(v) => set("travel_purpose", v)} />
          <Text label={t("bap.f.past_use")} testid="bap-past-use" area value={d.past_use} onInput={(v) => set("past_use", v)} />
          <Text label={t("bap.f.past_applications")} testid="bap-past-applications" area value={d.past_applications} onInput={(v) => set("past_applications", v)} />
        </>
      );
      break;
    case "documents":
      body = (
        <ul class="checklist">
          {api.BAP_DOCUMENTS.map((doc) => (
            <li>
              <label>
                <input
                  type="checkbox"
                  data-testid={`bap-doc-${doc}`}
                  checked={d.documents.includes(doc)}
                  onChange={(e) => set("documents", (e.target as HTMLInputElement).checked ? [...d.documents, doc] : d.documents.filter((x) => x !== doc))}
                />
                {t(`bap.doc.${doc}`)}
              </label>
            </li>
          ))}
        </ul>
      );
      break;
    case "assessment":
      body = <Text label={t("bap.f.assessment")} testid="bap-assessment" area value={d.assessment} onInput={(v) => set("assessment", v)} />;
      break;
    default:
      body = <></>;
  }
  return <div class="bap-fields">{body}</div>;
}

function OutcomeForm(props: { bap: api.Bap; onDecide: (o: api.BapOutcome, approver: api.Approver | null) => void }) {
  const current = props.bap.bap.interview.outcome;
  const [kind, setKind] = useState<api.BapOutcome["kind"]>(current?.kind ?? "approve_with_charge");
  const [electronic, setElectronic] = useState(current && current.kind !== "suspend" ? current.book.electronic : true);
  const [validity, setValidity] = useState<api.BookFee["validity"]>(current && current.kind !== "suspend" ? current.book.validity : "ten_years");
  const [months, setMonths] = useState(current?.kind === "suspend" ? current.months : 6);
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const decide = () => {
    const book = { electronic, validity };
    const outcome: api.BapOutcome = kind === "suspend" ? { kind, months } : { kind, book };
    props.onDecide(outcome, kind === "suspend" && user.trim() ? { username: user.trim(), password } : null);
    setPassword("");
  };
  return (
    <div class="bap-outcome">
      <div class="chips" role="radiogroup">
        {(["approve_with_charge", "waive_force_majeure", "suspend"] as const).map((k) => (
          <label class="chip check">
            <input type="radio" name="bap-outcome" data-testid={`bap-outcome-${k}`} checked={kind === k} onChange={() => setKind(k)} />
            {t(`bap.outcome.${k}`)}
          </label>
        ))}
      </div>
      {kind !== "suspend" ? (
        <div class="bap-fields">
          <label class="chip check">
            <input type="checkbox" checked={electronic} onChange={(e) => setElectronic((e.target as HTMLInputElement).checked)} />
            {t("bap.f.electronic")}
          </label>
          <label class="field">
            {t("bap.f.validity")}
            <select value={validity} onChange={(e) => setValidity((e.target as HTMLSelectElement).value as api.BookFee["validity"])}>
              <option value="ten_years">{t("bap.validity.ten_years")}</option>
              <option value="five_years">{t("bap.validity.five_years")}</option>
            </select>
          </label>
        </div>
      ) : (
        <div class="bap-fields">
          <label class="field">
            {t("bap.f.months")}
            <input type="number" min={6} max={24} data-testid="bap-months" value={months} onInput={(e) => setMonths(Number((e.target as HTMLInputElement).value))} />
          </label>
          <p class="muted">{t("bap.supervisor.needed")}</p>
          <label class="field">
            {t("bap.f.supervisor_user")}
            <input data-testid="bap-approver-user" autoComplete="off" value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field">
            {t("bap.f.supervisor_password")}
            <input data-testid="bap-approver-password" type="password" autoComplete="off" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </label>
        </div>
      )}
      <button type="button" class="btn primary" data-testid="bap-decide" onClick={decide}>
        {t("bap.decide")}
      </button>
      {current && (
        <p class="pill paid" data-testid="bap-decided">
          {t(`bap.outcome.${current.kind}`)}
          {current.kind === "suspend" ? ` · ${t("bap.months", { n: current.months })}` : ""}
          {current.kind === "suspend" && current.approval ? ` · ${t("bap.approved_by", { name: current.approval.by.username })}` : ""}
        </p>
      )}
      {props.bap.fees && (
        <table class="svc-table fees" data-testid="bap-fees">
          <tbody>
            {props.bap.fees.lines.map((l) => (
              <tr>
                <td>{tDynamic(`fee.${l.item}`, l.item)}</td>
                <td class="num">{rupiah(l.amount)}</td>
              </tr>
            ))}
            <tr class="strong">
              <td>{t("bap.fees.total")}</td>
              <td class="num" data-testid="bap-fee-total">
                {rupiah(props.bap.fees.total)}
              </td>
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}

function Lifecycle(props: { bap: api.Bap; busy: boolean; saved: boolean; run: (w: () => Promise<api.Bap>) => void; onError: (e: string | null) => void }) {
  const { bap, busy, run } = props;
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [mode, setMode] = useState<"paper" | "drawn">("paper");
  const [png, setPng] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const print = async () => {
    try {
      await api.printBap(bap);
    } catch (err) {
      props.onError(describe(err));
    }
  };
  if (!bap.latest) {
    return (
      <div class="bap-lifecycle">
        <button type="button" class="btn plain" onClick={print}>
          {t("bap.print")}
        </button>
      </div>
    );
  }
  return (
    <div class="bap-lifecycle" data-testid="bap-lifecycle">
      {bap.status === "draft" && (
        <>
          {bap.missing.length > 0 ? (
            <details class="bap-all-missing">
              <summary>{t("bap.missing", { n: bap.missing.length })}</summary>
              <ul>
                {bap.missing.map((m) => (
                  <li>{api.say(m)}</li>
                ))}
              </ul>
            </details>
          ) : (
            <p class="pill paid">{t("bap.ready")}</p>
          )}
          <button type="button" class="btn primary" data-testid="bap-complete" disabled={busy || !props.saved || bap.missing.length > 0} onClick={() => run(() => api.completeBap(bap.id, bap.revision))}>
            {t("bap.complete")}
          </button>
        </>
      )}
      {bap.status !== "draft" && (
        <>
          <button type="button" class="btn plain" data-testid="bap-print" onClick={print}>
            {t("bap.print")}
          </button>
          <OfficePrintButton testid="bap-office-print" document={() => api.bapPdfPath(bap)} />
        </>
      )}
      {bap.status === "completed" && (
        <div class="bap-sign card" data-testid="bap-sign">
          <h4>{t("bap.sign.title")}</h4>
          <p class="muted">{t("bap.sign.hint")}</p>
          <div class="chips" role="radiogroup">
            <label class="chip check">
              <input type="radio" name="bap-sign-mode" checked={mode === "paper"} onChange={() => setMode("paper")} />
              {t("sign.paper")}
            </label>
            <label class="chip check">
              <input type="radio" name="bap-sign-mode" checked={mode === "drawn"} onChange={() => setMode("drawn")} />
              {t("sign.drawn")}
            </label>
          </div>
          {mode === "drawn" && <SignaturePad onChange={setPng} testid="bap-signature" />}
          <label class="field">
            {t("bap.f.supervisor_user")}
            <input data-testid="bap-sign-user" autoComplete="off" value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field">
            {t("bap.f.supervisor_password")}
            <input data-testid="bap-sign-password" type="password" autoComplete="off" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </label>
          <button
            type="button"
            class="btn primary"
            data-testid="bap-sign-submit"
            disabled={busy || (mode === "drawn" && !png)}
            onClick={() => {
              const signature: api.SignatureInput = mode === "drawn" && png ? { kind: "drawn", png } : { kind: "paper" };
              run(() => api.signBap(bap.id, user.trim() ? { username: user.trim(), password } : null, signature, bap.revision));
              setPassword("");
            }}
          >
            {t("bap.sign.submit")}
          </button>
        </div>
      )}
      {bap.status === "signed" && (
        <div class="bap-amend card" data-testid="bap-amend">
          <p class="pill paid">{t("bap.locked", { name: bap.bap.signatures?.supervisor.username ?? "" })}</p>
          <label class="field">
            {t("bap.amend.reason")}
            <input data-testid="bap-amend-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" class="btn plain" data-testid="bap-amend-submit" disabled={busy || !reason.trim()} onClick={() => run(() => api.amendBap(bap.id, reason))}>
            {t("bap.amend")}
          </button>
        </div>
      )}
      {bap.bap.amendment && (
        <p class="muted" data-testid="bap-amendment">
          {t("bap.amendment", { v: bap.bap.amendment.amends_version, reason: bap.bap.amendment.reason })}
        </p>
      )}
    </div>
  );
}
