// The head's report: a range (day, week, month or any dates), the figures as tables with
// simple SVG charts, and the CSV and PDF of exactly the same figures. Also the passports
// past the 30-day pickup period.

import { useEffect, useState } from "preact/hooks";
import * as api from "../api";
import { ApiError } from "../http";
import { t, tDynamic, useLang } from "../i18n";
import { OfficePrintButton } from "../components/OfficePrint";

function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const mins = (seconds: number) => (seconds / 60).toLocaleString(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const rupiah = (n: number) => `Rp ${n.toLocaleString("id-ID")}`;

function describe(err: unknown): string {
  return err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
}

export function ReportView() {
  useLang();
  const [period, setPeriod] = useState<"day" | "week" | "month" | "range">("day");
  // Empty until the first answer: the hub then picks its own office day (which may differ
  // from this computer's date near midnight).
  const [date, setDate] = useState("");
  const [from, setFrom] = useState(todayIso());
  const [to, setTo] = useState(todayIso());
  const [data, setData] = useState<api.Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const range: api.ReportRange = period === "range" ? { from, to } : { period, date };

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.report(range);
      setData(r);
      if (!date) {
        setDate(r.from);
        setFrom(r.from);
        setTo(r.to);
      }
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    load();
    // Load once for today; later loads come from the form.
  }, []);

  const download = (kind: "csv" | "pdf") => api.downloadReport(range, kind).catch((err) => setError(describe(err)));

  return (
    <div class="report" data-testid="report">
      <form
        class="report-range card"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <div class="chips" role="radiogroup" aria-label={t("report.period")}>
          {(["day", "week", "month", "range"] as const).map((p) => (
            <label class="chip check">
              <input type="radio" name="period" data-testid={`report-period-${p}`} checked={period === p} onChange={() => setPeriod(p)} />
              {t(`report.period.${p}`)}
            </label>
          ))}
        </div>
        {period === "range" ? (
          <>
            <label>
              {t("report.from")}
              <input type="date" data-testid="report-from" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
            </label>
            <label>
              {t("report.to")}
              <input type="date" data-testid="report-to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
            </label>
          </>
        ) : (
          <label>
            {t("report.date")}
            <input type="date" data-testid="report-date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
          </label>
        )}
        <button type="submit" class="btn primary" data-testid="report-show" disabled={busy}>
          {t("report.show")}
        </button>
        <button type="button" class="btn plain" data-testid="report-csv" onClick={() => download("csv")}>
          {t("report.csv")}
        </button>
        <button type="button" class="btn plain" data-testid="report-pdf" onClick={() => download("pdf")}>
          {t("report.pdf")}
        </button>
        <OfficePrintButton testid="report-office-print" document={() => (range ? api.reportPdfPath(range) : null)} />
      </form>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {data && <Figures r={data} />}
      <Overdue />
    </div>
  );
}

function Figures(props: { r: api.Report }) {
  const { r } = props;
  const total = r.total;
  const counterName = (id: number) => r.counter_names.find((c) => c.id === id)?.name ?? `#${id}`;
  const bapTotal = r.baps.signed_by_outcome.reduce((s, [, n]) => s + n, 0);
  return (
    <div class="report-figures" data-testid="report-figures" data-from={r.from} data-to={r.to}>
      <p class="muted">
        {r.from === r.to ? r.from : `${r.from} – ${r.to}`} · {t("report.generated", { time: new Date(r.generated_at).toLocaleString() })}
      </p>
      <div class="kpis">
        <Kpi id="issued" label={t("report.issued")} value={String(total.issued)} />
        <Kpi id="served" label={t("report.served")} value={String(total.served)} />
        <Kpi id="noshows" label={t("report.noshows")} value={String(total.no_shows)} />
        <Kpi id="wait" label={t("report.wait.mean")} value={t("report.min", { n: mins(total.waiting.mean_seconds) })} />
        <Kpi id="p90" label={t("report.wait.p90")} value={t("report.min", { n: mins(total.waiting.p90_seconds) })} />
        <Kpi id="fees" label={t("report.fees")} value={rupiah(r.fees_total_rupiah)} />
      </div>
      <div class="dash-grid">
        <section class="card">
          <h2>{t("report.per_service")}</h2>
          <table class="svc-table" data-testid="report-services">
            <thead>
              <tr>
                <th>{t("head.service")}</th>
                <th>{t("report.lane")}</th>
                <th class="num">{t("report.issued")}</th>
                <th class="num">{t("report.served")}</th>
                <th class="num">{t("report.noshows")}</th>
                <th class="num">{t("report.wait.mean")}</th>
                <th class="num">{t("report.wait.median")}</th>
                <th class="num">P90</th>
                <th class="num">{t("report.wait.max")}</th>
              </tr>
            </thead>
            <tbody>
              {r.service_lanes.map((s) => (
                <tr class={`tone-${s.service}`}>
                  <td>
                    <span class="swatch" /> {tDynamic(`svc.${s.service}`, s.service)}
                  </td>
                  <td>{tDynamic(`lane.${s.lane}`, s.lane)}</td>
                  <td class="num">{s.figures.issued}</td>
                  <td class="num">{s.figures.served}</td>
                  <td class="num">{s.figures.no_shows}</td>
                  <td class="num">{mins(s.figures.waiting.mean_seconds)}</td>
                  <td class="num">{mins(s.figures.waiting.median_seconds)}</td>
                  <td class="num">{mins(s.figures.waiting.p90_seconds)}</td>
                  <td class="num">{mins(s.figures.waiting.max_seconds)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr class="strong">
                <td>{t("report.total")}</td>
                <td />
                <td class="num" data-testid="report-total-issued">
                  {total.issued}
                </td>
                <td class="num">{total.served}</td>
                <td class="num">{total.no_shows}</td>
                <td class="num">{mins(total.waiting.mean_seconds)}</td>
                <td class="num">{mins(total.waiting.median_seconds)}</td>
                <td class="num">{mins(total.waiting.p90_seconds)}</td>
                <td class="num">{mins(total.waiting.max_seconds)}</td>
              </tr>
            </tfoot>
          </table>
          <p class="muted small">{t("report.minutes_note")}</p>
        </section>
        <section class="card">
          <h2>{t("report.arrivals")}</h2>
          <Bars data={r.arrivals_per_hour.map((n, h) => ({ label: String(h).padStart(2, "0"), value: n }))} testid="report-arrivals" vertical />
          <h2>{t("report.wait.per_service")}</h2>
          <Bars data={r.services.map((s) => ({ label: tDynamic(`svc.${s.service}`, s.service), value: s.figures.waiting.mean_seconds / 60 }))} format={(v) => t("report.min", { n: v.toFixed(1) })} testid="report-waits" />
        </section>
        <section class="card">
          <h2>{t("report.stages")}</h2>
          <table class="svc-table">
            <thead>
              <tr>
                <th>{t("report.stage")}</th>
                <th class="num">{t("report.count")}</th>
                <th class="num">{t("report.wait.mean")}</th>
                <th class="num">{t("report.wait.median")}</th>
                <th class="num">P90</th>
                <th class="num">{t("report.wait.max")}</th>
              </tr>
            </thead>
            <tbody>
              {total.stages.map((s) => (
                <tr>
                  <td>{tDynamic(`stage.${s.stage}`, s.stage)}</td>
                  <td class="num">{s.service_time.count}</td>
                  <td class="num">{mins(s.service_time.mean_seconds)}</td>
                  <td class="num">{mins(s.service_time.median_seconds)}</td>
                  <td class="num">{mins(s.service_time.p90_seconds)}</td>
                  <td class="num">{mins(s.service_time.max_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card">
          <h2>{t("report.counters")}</h2>
          <table class="svc-table" data-testid="report-counters">
            <thead>
              <tr>
                <th>{t("report.counter")}</th>
                <th>{t("report.officer")}</th>
                <th class="num">{t("report.served")}</th>
                <th class="num">{t("report.service_mean")}</th>
                <th class="num">{t("report.open")}</th>
                <th class="num">{t("report.idle")}</th>
              </tr>
            </thead>
            <tbody>
              {r.counters.map((c) => (
                <tr>
                  <td>{counterName(c.counter)}</td>
                  <td>{c.officer ?? "–"}</td>
                  <td class="num">{c.served}</td>
                  <td class="num">{mins(c.mean_service_seconds)}</td>
                  <td class="num">{mins(c.open_seconds)}</td>
                  <td class="num">{mins(c.idle_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card">
          <h2>{t("report.quotas")}</h2>
          <Bars
            data={r.quotas.map((q) => ({ label: `${tDynamic(`svc.${q.service}`, q.service)} · ${tDynamic(`lane.${q.lane}`, q.lane)}`, value: q.used, max: q.quota }))}
            format={(v, max) => `${v} / ${max ?? "–"}`}
            testid="report-quotas"
          />
        </section>
        <section class="card">
          <h2>{t("report.baps")}</h2>
          <table class="svc-table" data-testid="report-baps">
            <tbody>
              {r.baps.signed_by_outcome.map(([k, n]) => (
                <tr>
                  <td>{tDynamic(`bap.outcome.${k}`, k)}</td>
                  <td class="num">{n}</td>
                </tr>
              ))}
              <tr class="strong">
                <td>{t("report.total")}</td>
                <td class="num">{bapTotal}</td>
              </tr>
              <tr>
                <td>{t("report.baps.unsigned")}</td>
                <td class="num">{r.baps.unsigned}</td>
              </tr>
            </tbody>
          </table>
          <h2>{t("report.fees")}</h2>
          <table class="svc-table" data-testid="report-fees">
            <tbody>
              {r.fees.map((f) => (
                <tr>
                  <td>{tDynamic(`fee.${f.item}`, f.item)}</td>
                  <td class="num">
                    {f.count} × {rupiah(f.unit_rupiah)}
                  </td>
                  <td class="num">{rupiah(f.total_rupiah)}</td>
                </tr>
              ))}
              <tr class="strong">
                <td>{t("report.total")}</td>
                <td />
                <td class="num" data-testid="report-fees-total">
                  {rupiah(r.fees_total_rupiah)}
                </td>
              </tr>
            </tbody>
          </table>
        </section>
      </div>
      {r.skipped_visits.length > 0 && <p class="form-error">{t("report.skipped", { n: r.skipped_visits.length })}</p>}
    </div>
  );
}

function Kpi(props: { id: string; label: string; value: string }) {
  return (
    <div class="kpi" data-testid={`report-kpi-${props.id}`}>
      <div class="kpi-value">{props.value}</div>
      <div class="kpi-label">{props.label}</div>
    </div>
  );
}

/** A plain SVG bar chart: horizontal rows (label, bar, value) or vertical columns. */
function Bars(props: { data: { label: string; value: number; max?: number }[]; format?: (v: number, max?: number) => string; vertical?: boolean; testid?: string }) {
  const { data } = props;
  const top = Math.max(1, ...data.map((d) => Math.max(d.value, d.max ?? 0)));
  const fmt = props.format ?? ((v: number) => String(Math.round(v)));
  if (props.vertical) {
    const w = 24;
    const h = 120;
    return (
      <svg class="chart" data-testid={props.testid} viewBox={`0 0 ${data.length * w} ${h + 18}`} role="img" aria-label={t("report.arrivals")}>
        {data.map((d, i) => {
          const bh = (d.value / top) * h;
          return (
            <g>
              <rect x={i * w + 3} y={h - bh} width={w - 6} height={bh} class="chart-bar">
                <title>{`${d.label}: ${fmt(d.value)}`}</title>
              </rect>
              <text x={i * w + w / 2} y={h + 14} text-anchor="middle" class="chart-label">
                {d.label}
              </text>
            </g>
          );
        })}
      </svg>
    );
  }
  const row = 26;
  return (
    <svg class="chart" data-testid={props.testid} viewBox={`0 0 600 ${Math.max(1, data.length) * row}`} role="img">
      {data.map((d, i) => {
        const y = i * row;
        return (
          <g>
            <text x={0} y={y + 17} class="chart-label">
              {d.label}
            </text>
            {d.max != null && <rect x={230} y={y + 5} width={(d.max / top) * 280} height={16} class="chart-quota" />}
            <rect x={230} y={y + 5} width={(d.value / top) * 280} height={16} class={`chart-bar ${d.max != null && d.value > d.max ? "over" : ""}`} />
            <text x={596} y={y + 17} text-anchor="end" class="chart-value">
              {fmt(d.value, d.max)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Overdue() {
  const [list, setList] = useState<api.Pickup[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .overduePickups()
      .then(setList)
      .catch((err) => setError(describe(err)));
  }, []);
  return (
    <section class="card" data-testid="report-overdue">
      <h2>{t("report.overdue")}</h2>
      {error && <p class="form-error">{error}</p>}
      {list && list.length === 0 && <p class="muted">{t("report.overdue.none")}</p>}
      {list && list.length > 0 && (
        <table class="svc-table">
          <thead>
            <tr>
              <th>{t("pickup.receipt")}</th>
              <th>{t("counter.record.name")}</th>
              <th>{t("pickup.ready_date")}</th>
              <th>{t("report.overdue.since")}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr>
                <td>{p.receipt}</td>
                <td>{p.applicant_name}</td>
                <td>{p.ready_date}</td>
                <td>{p.status?.since ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
