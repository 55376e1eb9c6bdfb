// The office head's dashboard: numbers first, then where people wait.

import { useCallback, useEffect, useState } from "preact/hooks";
import { t, tDynamic, useLang } from "../i18n";
import { LiveSocket, Throttle, type LiveState } from "../http";
import * as api from "../api";
import { Clock, Emblem, LangSwitch, LinkDot } from "../components/chrome";
import { SyncBadge, SyncCard, noteSync } from "../components/sync";
import { Login } from "./Counter";
import { ReportView } from "./Report";
import { PassportsView } from "../visit-steps/pickup";

export function Head() {
  useLang();
  const [loggedIn, setLoggedIn] = useState(Boolean(api.officerToken()));
  const [data, setData] = useState<api.Dashboard | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [link, setLink] = useState<LiveState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<"today" | "report" | "passports">(location.hash.includes("report") ? "report" : location.hash.includes("passports") ? "passports" : "today");
  const [sync, setSync] = useState<api.SyncStatus | null>(null);
  const [syncError, setSyncError] = useState<string | null>(null);

  const refreshSync = useCallback(async () => {
    try {
      setSync(await api.syncStatus());
      setSyncError(null);
    } catch (err) {
      setSyncError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  const refresh = useCallback(async () => {
    try {
      setData(await api.dashboard());
      setUpdated(new Date());
      setError(null);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 401) {
        await api.logout();
        setLoggedIn(false);
      } else setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  useEffect(() => {
    document.body.classList.add("role-head");
    return () => document.body.classList.remove("role-head");
  }, []);

  useEffect(() => {
    if (!loggedIn) return undefined;
    refresh();
    refreshSync();
    const reread = new Throttle(refresh, 500);
    let pendingSync: number | undefined;
    const live = new LiveSocket(
      () => api.livePath("officer"),
      (msg) => {
        if (noteSync(msg)) {
          // The link changed: re-read the details (items in error, conflicts) soon.
          window.clearTimeout(pendingSync);
          pendingSync = window.setTimeout(refreshSync, 1000);
          return;
        }
        // Many events arrive together at busy moments: refresh at most twice a second
        // (a wait restarted by every message would not refresh while they keep coming).
        reread.request();
      },
      setLink,
    );
    const poll = window.setInterval(() => {
      refresh();
      refreshSync();
    }, 15_000);
    return () => {
      live.close();
      window.clearInterval(poll);
      reread.cancel();
      window.clearTimeout(pendingSync);
    };
  }, [loggedIn, refresh, refreshSync]);

  const maxWaiting = Math.max(1, ...(data?.services.map((s) => s.waiting) ?? [1]));
  return (
    <div class="officer head-view">
      <header class="officer-head">
        <div class="brand small">
          <Emblem />
          <div>
            <div class="brand-office">{t("home.head")}</div>
            <div class="brand-sub">{t("head.title")}</div>
          </div>
        </div>
        <Clock />
        <div class="head-tools">
          {loggedIn && <SyncBadge />}
          {loggedIn && <LinkDot state={link} />}
          <LangSwitch />
          {loggedIn && (
            <button
              type="button"
              class="btn plain"
              onClick={async () => {
                await api.logout();
                setLoggedIn(false);
              }}
            >
              {t("common.logout")}
            </button>
          )}
        </div>
      </header>
      {loggedIn && (
        <div class="tabs head-tabs" role="tablist">
          <button type="button" role="tab" data-testid="head-tab-today" aria-selected={tab === "today"} class={tab === "today" ? "on" : ""} onClick={() => setTab("today")}>
            {t("head.tab.today")}
          </button>
          <button type="button" role="tab" data-testid="head-tab-report" aria-selected={tab === "report"} class={tab === "report" ? "on" : ""} onClick={() => setTab("report")}>
            {t("head.tab.report")}
          </button>
          <button type="button" role="tab" data-testid="head-tab-passports" aria-selected={tab === "passports"} class={tab === "passports" ? "on" : ""} onClick={() => setTab("passports")}>
            {t("passports.tab")}
          </button>
        </div>
      )}
      {!loggedIn ? (
        <Login title={t("home.head")} onLogin={() => setLoggedIn(true)} />
      ) : tab === "report" ? (
        <main class="dash">
          <ReportView />
        </main>
      ) : tab === "passports" ? (
        <main class="dash">
          <PassportsView />
        </main>
      ) : !data ? (
        <p class="muted pad">{error ?? t("common.loading")}</p>
      ) : (
        <main class="dash" data-testid="dashboard">
          <div class="kpis">
            <Kpi id="waiting" label={t("head.waiting")} value={String(data.waiting)} />
            <Kpi id="longest" label={t("head.longest")} value={data.longest_wait_minutes == null ? "–" : t("common.minutes", { n: data.longest_wait_minutes })} warn={(data.longest_wait_minutes ?? 0) >= 60} />
            <Kpi id="counters" label={t("head.counters")} value={String(data.counters_open)} />
            <Kpi id="served" label={t("head.served")} value={String(data.served_today)} />
            <Kpi id="noshow" label={t("head.noshow")} value={String(data.no_show_today)} />
          </div>
          <div class="dash-grid">
            <section class="card">
              <h2>{t("head.per_service")}</h2>
              <table class="svc-table" data-testid="service-table">
                <thead>
                  <tr>
                    <th>{t("head.service")}</th>
                    <th class="num">{t("head.col.waiting")}</th>
                    <th />
                    <th class="num">{t("head.col.longest")}</th>
                    <th class="num">{t("head.col.served")}</th>
                    <th class="num">{t("head.col.issued")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.services.map((s) => (
                    <tr class={`tone-${s.code}`}>
                      <td>
                        <span class="swatch" /> {tDynamic(`svc.${s.code}`, s.code)}
                      </td>
                      <td class="num strong">{s.waiting}</td>
                      <td class="bar-cell">
                        <span class="bar" style={{ width: `${(100 * s.waiting) / maxWaiting}%` }} />
                      </td>
                      <td class="num">{s.longest_wait_minutes == null ? "–" : t("common.minutes", { n: s.longest_wait_minutes })}</td>
                      <td class="num">{s.served}</td>
                      <td class="num">{s.issued}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section class="card">
              <h2>{t("head.counters.list")}</h2>
              <ul class="counter-list">
                {data.counters.map((c) => (
                  <li class={c.open ? "open" : "closed"}>
                    <span class="c-name">{c.name}</span>
                    <span class="c-state">{!c.open ? t("head.counter.closed") : c.serving ? t("head.counter.serving", { ticket: c.serving }) : t("head.counter.idle")}</span>
                    {c.officer && <span class="c-officer">{c.officer}</span>}
                  </li>
                ))}
              </ul>
            </section>
          </div>
          <SyncCard status={sync} error={syncError} />
          {updated && <p class="muted small">{t("head.updated", { time: updated.toLocaleTimeString() })}</p>}
        </main>
      )}
    </div>
  );
}

function Kpi(props: { id: string; label: string; value: string; warn?: boolean }) {
  return (
    <div class={`kpi ${props.warn ? "warn" : ""}`} data-testid={`kpi-${props.id}`}>
      <div class="kpi-value">{props.value}</div>
      <div class="kpi-label">{props.label}</div>
    </div>
  );
}
