// The pickup tab of a passport pickup visit: find the passport (receipt, NIK or visit), who
// collects and what they show, the hub's checks (each missing document refused with its
// own message), the collector's signature (drawn, or on the printed register page), the
// receipt and the day's register. Also the passports desk (counter and head): register a
// passport as ready, and cancel one not collected within 30 days (supervisor, head).

import { useEffect, useState } from "preact/hooks";
import * as api from "../api";
import { ApiError } from "../http";
import { t, useLang } from "../i18n";
import { registerVisitStep, type VisitStepProps } from "../steps";
import { SignaturePad } from "../components/SignaturePad";

registerVisitStep({
  id: "pickup",
  label: () => t("pickup.tab"),
  appliesTo: (visit) => visit.service === "pickup",
  render: (props) => <PickupTab {...props} />,
});

const RELATIONS = ["spouse", "parent", "child", "sibling", "other_household_member"] as const;

function describe(err: unknown): string {
  return err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
}

export function PickupTab(props: VisitStepProps) {
  useLang();
  const [by, setBy] = useState<"receipt" | "nik" | "visit_id">("receipt");
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<api.Pickup[] | null>(null);
  const [chosen, setChosen] = useState<api.Pickup | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setFound(null);
    setChosen(null);
    setQuery("");
    setError(null);
  }, [props.visit.id]);

  const search = async () => {
    setError(null);
    setChosen(null);
    try {
      const list = await api.findPickups(by, query);
      setFound(list);
      if (list.length === 1) setChosen(list[0]);
    } catch (err) {
      setError(describe(err));
    }
  };

  return (
    <div class="pickup" data-testid="pickup">
      <form
        class="pickup-find"
        onSubmit={(e) => {
          e.preventDefault();
          search();
        }}
      >
        <select aria-label={t("pickup.find.by")} value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value as typeof by)}>
          <option value="receipt">{t("pickup.find.receipt")}</option>
          <option value="nik">{t("pickup.find.nik")}</option>
          <option value="visit_id">{t("pickup.find.visit")}</option>
        </select>
        <input data-testid="pickup-query" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} placeholder={t(`pickup.find.${by === "visit_id" ? "visit" : by}`)} />
        <button type="submit" class="btn primary" data-testid="pickup-find" disabled={!query.trim()}>
          {t("pickup.find")}
        </button>
      </form>
      {error && (
        <p class="form-error" role="alert" data-testid="pickup-error">
          {error}
        </p>
      )}
      {found && found.length === 0 && <p class="muted">{t("pickup.none")}</p>}
      {found && found.length > 1 && (
        <ul class="pickup-list">
          {found.map((p) => (
            <li>
              <button type="button" class={`chip ${chosen?.receipt === p.receipt ? "on" : ""}`} onClick={() => setChosen(p)}>
                {p.receipt} · {p.applicant_name} · {t(`pickup.state.${p.state}`)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && <Handover key={chosen.receipt} passport={chosen} onDone={(p) => setChosen(p)} />}
      <details class="card pickup-ready-box">
        <summary data-testid="pickup-ready-open">{t("passports.ready.title")}</summary>
        <RegisterReady />
      </details>
      <div class="pickup-register">
        <button
          type="button"
          class="btn plain"
          data-testid="pickup-register-print"
          onClick={() => api.printPickupRegister().catch((err) => setError(describe(err)))}
        >
          {t("pickup.register")}
        </button>
      </div>
    </div>
  );
}

function Handover(props: { passport: api.Pickup; onDone: (p: api.Pickup) => void }) {
  const p = props.passport;
  const [kind, setKind] = useState<api.CollectorInput["kind"]>("applicant");
  const [name, setName] = useState("");
  const [relation, setRelation] = useState<(typeof RELATIONS)[number]>("spouse");
  const [receipt, setReceipt] = useState("");
  const [idKind, setIdKind] = useState<"ektp" | "passport" | "driving_licence">("ektp");
  const [idNumber, setIdNumber] = useState("");
  const [kk, setKk] = useState("");
  const [kkRelation, setKkRelation] = useState(false);
  const [poaSigned, setPoaSigned] = useState(false);
  const [poaNames, setPoaNames] = useState(false);
  const [poaShown, setPoaShown] = useState(false);
  const [passportNumber, setPassportNumber] = useState("");
  const [signMode, setSignMode] = useState<"drawn" | "paper">("drawn");
  const [png, setPng] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const summary = (
    <dl class="kv" data-testid="pickup-passport">
      <dt>{t("pickup.receipt")}</dt>
      <dd>{p.receipt}</dd>
      <dt>{t("counter.record.name")}</dt>
      <dd>{p.applicant_name}</dd>
      <dt>NIK</dt>
      <dd>{p.applicant_nik}</dd>
      <dt>{t("pickup.passport_number")}</dt>
      <dd>{p.passport_number ?? "–"}</dd>
      <dt>{t("pickup.ready_date")}</dt>
      <dd>{p.ready_date}</dd>
      <dt>{t("pickup.status")}</dt>
      <dd>
        <span class={`pill ${p.state === "ready" ? "paid" : p.state === "collected" ? "none" : "unpaid"}`} data-testid="pickup-state">
          {t(`pickup.state.${p.state}`)}
        </span>
      </dd>
    </dl>
  );

  if (p.state === "collected" || p.state === "cancelled") {
    return (
      <div class="card">
        {summary}
        {p.handover && (
          <>
            <p class="pill paid" data-testid="pickup-done">
              {t("pickup.done", { name: p.handover.approval.collector_name ?? p.applicant_name })}
            </p>
            <button type="button" class="btn plain" data-testid="pickup-receipt-print" onClick={() => api.printPickupReceipt(p.receipt).catch((err) => setError(describe(err)))}>
              {t("pickup.receipt.print")}
            </button>
          </>
        )}
        {error && <p class="form-error">{error}</p>}
      </div>
    );
  }

  const submit = async () => {
    setBusy(true);
    setError(null);
    const collector: api.CollectorInput = kind === "applicant" ? { kind } : kind === "family" ? { kind, name, relation } : { kind, name };
    const presented: api.PresentedInput = {
      receipt: receipt.trim() || null,
      id: idNumber.trim() ? { kind: idKind, number: idNumber.trim() } : null,
      family_card: kind === "family" && kk.trim() ? { number: kk.trim(), shows_relation: kkRelation } : null,
      power_of_attorney: kind === "proxy" && poaShown ? { signed_by_applicant: poaSigned, names_collector: poaNames } : null,
    };
    const signature: api.SignatureInput = signMode === "drawn" && png ? { kind: "drawn", png } : { kind: "paper" };
    try {
      props.onDone(await api.handOver(p.receipt, collector, presented, signature, passportNumber.trim() || null));
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card pickup-handover">
      {summary}
      {p.state === "overdue_for_cancellation" && <p class="pill unpaid">{t("pickup.overdue")}</p>}
      <fieldset>
        <legend>{t("pickup.collector")}</legend>
        <div class="chips" role="radiogroup">
          {(["applicant", "family", "proxy"] as const).map((k) => (
            <label class="chip check">
              <input type="radio" name="collector" data-testid={`pickup-collector-${k}`} checked={kind === k} onChange={() => setKind(k)} />
              {t(`pickup.collector.${k}`)}
            </label>
          ))}
        </div>
        <p class="muted">{t(`pickup.needs.${kind}`)}</p>
      </fieldset>
      <div class="bap-fields">
        <label class="field">
          {t("pickup.receipt.shown")}
          <input data-testid="pickup-receipt" value={receipt} onInput={(e) => setReceipt((e.target as HTMLInputElement).value.toUpperCase())} />
        </label>
        {kind !== "applicant" && (
          <label class="field">
            {t("pickup.collector.name")}
            <input data-testid="pickup-collector-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {kind === "family" && (
          <>
            <label class="field">
              {t("pickup.relation")}
              <select value={relation} onChange={(e) => setRelation((e.target as HTMLSelectElement).value as (typeof RELATIONS)[number])}>
                {RELATIONS.map((r) => (
                  <option value={r}>{t(`pickup.relation.${r}`)}</option>
                ))}
              </select>
            </label>
            <label class="field">
              {t("pickup.kk")}
              <input data-testid="pickup-kk" inputMode="numeric" maxLength={16} value={kk} onInput={(e) => setKk((e.target as HTMLInputElement).value.replace(/\D/g, ""))} />
            </label>
            <label class="chip check">
              <input type="checkbox" data-testid="pickup-kk-relation" checked={kkRelation} onChange={(e) => setKkRelation((e.target as HTMLInputElement).checked)} />
              {t("pickup.kk.relation")}
            </label>
          </>
        )}
        {kind === "proxy" && (
          <>
            <label class="chip check">
              <input type="checkbox" data-testid="pickup-poa" checked={poaShown} onChange={(e) => setPoaShown((e.target as HTMLInputElement).checked)} />
              {t("pickup.poa")}
            </label>
            {poaShown && (
              <>
                <label class="chip check">
                  <input type="checkbox" data-testid="pickup-poa-signed" checked={poaSigned} onChange={(e) => setPoaSigned((e.target as HTMLInputElement).checked)} />
                  {t("pickup.poa.signed")}
                </label>
                <label class="chip check">
                  <input type="checkbox" data-testid="pickup-poa-names" checked={poaNames} onChange={(e) => setPoaNames((e.target as HTMLInputElement).checked)} />
                  {t("pickup.poa.names")}
                </label>
              </>
            )}
          </>
        )}
        {kind !== "family" && (
          <>
            <label class="field">
              {t("pickup.id.kind")}
              <select value={idKind} onChange={(e) => setIdKind((e.target as HTMLSelectElement).value as typeof idKind)}>
                <option value="ektp">e-KTP</option>
                <option value="passport">{t("pickup.id.passport")}</option>
                <option value="driving_licence">SIM</option>
              </select>
            </label>
            <label class="field">
              {t("pickup.id.number")}
              <input data-testid="pickup-id-number" value={idNumber} onInput={(e) => setIdNumber((e.target as HTMLInputElement).value)} />
            </label>
          </>
        )}
        {!p.passport_number && (
          <label class="field">
            {t("pickup.passport_number")}
            <input data-testid="pickup-passport-number" value={passportNumber} onInput={(e) => setPassportNumber((e.target as HTMLInputElement).value.toUpperCase())} />
          </label>
        )}
      </div>
      <fieldset>
        <legend>{t("pickup.signature")}</legend>
        <div class="chips" role="radiogroup">
          <label class="chip check">
            <input type="radio" name="pickup-sign" checked={signMode === "drawn"} onChange={() => setSignMode("drawn")} />
            {t("sign.drawn")}
          </label>
          <label class="chip check">
            <input type="radio" name="pickup-sign" data-testid="pickup-sign-paper" checked={signMode === "paper"} onChange={() => setSignMode("paper")} />
            {t("sign.register")}
          </label>
        </div>
        {signMode === "drawn" && <SignaturePad onChange={setPng} testid="pickup-signature" />}
      </fieldset>
      {error && (
        <p class="form-error" role="alert" data-testid="pickup-handover-error">
          {error}
        </p>
      )}
      <button type="button" class="btn primary big" data-testid="pickup-handover" disabled={busy || (signMode === "drawn" && !png)} onClick={submit}>
        {t("pickup.handover")}
      </button>
    </div>
  );
}

/** Registers a printed passport as ready for pickup (officers at the counter, the head). */
export function RegisterReady() {
  useLang();
  const [receipt, setReceipt] = useState("");
  const [visitId, setVisitId] = useState("");
  const [nik, setNik] = useState("");
  const [name, setName] = useState("");
  const [booking, setBooking] = useState("");
  const [passportNumber, setPassportNumber] = useState("");
  const [readyOn, setReadyOn] = useState("");
  const [done, setDone] = useState<api.Pickup | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (label: string, testid: string, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}) => (
    <label class="field">
      {label}
      <input data-testid={testid} value={value} onInput={(e) => set((e.target as HTMLInputElement).value)} {...extra} />
    </label>
  );
  const submit = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const visit = Number.parseInt(visitId, 10);
      setDone(
        await api.registerPickup({
          receipt: receipt.toUpperCase(),
          visit_id: Number.isFinite(visit) ? visit : null,
          nik,
          applicant_name: name,
          booking_code: booking,
          passport_number: passportNumber.toUpperCase(),
          ready_on: readyOn || null,
        }),
      );
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="pickup-ready"
      data-testid="pickup-ready"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p class="muted">{t("passports.ready.hint")}</p>
      <div class="bap-fields">
        {field(t("pickup.receipt"), "ready-receipt", receipt, setReceipt)}
        {field(t("passports.ready.visit"), "ready-visit", visitId, (v) => setVisitId(v.replace(/\D/g, "")), { inputMode: "numeric" })}
        {field(t("passports.ready.nik"), "ready-nik", nik, (v) => setNik(v.replace(/\D/g, "")), { inputMode: "numeric", maxLength: 16 })}
        {field(t("passports.ready.name"), "ready-name", name, setName)}
        {field(t("passports.ready.booking"), "ready-booking", booking, setBooking)}
        {field(t("pickup.passport_number"), "ready-passport-number", passportNumber, setPassportNumber)}
        <label class="field">
          {t("passports.ready.on")}
          <input type="date" data-testid="ready-on" value={readyOn} onInput={(e) => setReadyOn((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      {error && (
        <p class="form-error" role="alert" data-testid="ready-error">
          {error}
        </p>
      )}
      {done && (
        <p class="pill paid" data-testid="ready-done" data-state={done.state}>
          {t("passports.ready.done", { receipt: done.receipt, state: t(`pickup.state.${done.state}`) })}
        </p>
      )}
      <button type="submit" class="btn primary" data-testid="ready-submit" disabled={busy || !receipt.trim()}>
        {t("passports.ready.submit")}
      </button>
    </form>
  );
}

/** Passports past the 30-day collection period, each with its cancellation (supervisors and
 * the head; the hub refuses others). */
export function OverduePassports() {
  useLang();
  const [list, setList] = useState<api.Pickup[] | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    api
      .overduePickups()
      .then((l) => {
        setList(l);
        setError(null);
      })
      .catch((err) => setError(describe(err)));
  useEffect(() => {
    load();
  }, []);
  const cancel = async (p: api.Pickup) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const reason = (reasons[p.receipt] ?? t("passports.overdue.reason.default")).trim();
      const done = await api.cancelPickup(p.receipt, reason);
      setNote(t("passports.overdue.cancelled", { receipt: done.receipt }));
      await load();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" data-testid="passports-overdue">
      <h2>{t("passports.overdue.title")}</h2>
      {error && (
        <p class="form-error" role="alert" data-testid="overdue-error">
          {error}
        </p>
      )}
      {note && (
        <p class="pill paid" data-testid="overdue-note">
          {note}
        </p>
      )}
      {list && list.length === 0 && <p class="muted">{t("report.overdue.none")}</p>}
      {list && list.length > 0 && (
        <table class="svc-table">
          <thead>
            <tr>
              <th>{t("pickup.receipt")}</th>
              <th>{t("counter.record.name")}</th>
              <th>{t("pickup.ready_date")}</th>
              <th>{t("report.overdue.since")}</th>
              <th>{t("passports.overdue.reason")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr data-testid="overdue-row" data-receipt={p.receipt}>
                <td>{p.receipt}</td>
                <td>{p.applicant_name}</td>
                <td>{p.ready_date}</td>
                <td>{p.status?.since ?? ""}</td>
                <td>
                  <input
                    aria-label={t("passports.overdue.reason")}
                    data-testid="overdue-reason"
                    value={reasons[p.receipt] ?? t("passports.overdue.reason.default")}
                    onInput={(e) => setReasons({ ...reasons, [p.receipt]: (e.target as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  <button type="button" class="btn plain" data-testid="overdue-cancel" disabled={busy || !(reasons[p.receipt] ?? "x").trim()} onClick={() => cancel(p)}>
                    {t("passports.overdue.cancel")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" class="btn plain" data-testid="overdue-refresh" onClick={load}>
        {t("passports.overdue.refresh")}
      </button>
    </section>
  );
}

/** The head's (and supervisors') passports tab: register ready, cancel overdue. */
export function PassportsView() {
  useLang();
  return (
    <div class="passports" data-testid="passports">
      <section class="card">
        <h2>{t("passports.ready.title")}</h2>
        <RegisterReady />
      </section>
      <OverduePassports />
    </div>
  );
}
