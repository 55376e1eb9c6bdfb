// The link to central as the officer screens show it: a small badge (online/offline,
// pending count, last sync) fed by the live socket's `sync` messages, and the head's card
// with the details (items in error, conflicts) from GET /api/v1/sync/status.

import { useEffect, useState } from "preact/hooks";
import { lang, t, tDynamic, useLang } from "../i18n";
import * as api from "../api";

let latest: api.SyncSummary | null = null;
const listeners = new Set<(s: api.SyncSummary | null) => void>();

/** Takes a live message; returns true when it was the sync summary (nothing else to do). */
export function noteSync(msg: unknown): boolean {
  const s = api.syncFromLive(msg);
  if (!s) return false;
  latest = s;
  listeners.forEach((f) => f(s));
  return true;
}

/** The latest summary, re-rendering on every new one. */
export function useSyncSummary(): api.SyncSummary | null {
  const [s, setS] = useState(latest);
  useEffect(() => {
    listeners.add(setS);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

function time(d: Date | null): string {
  if (!d) return "";
  const locale = lang() === "id" ? "id-ID" : "en-GB";
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" }) : d.toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function linkText(link: api.SyncLink): string {
  return tDynamic(`sync.link.${link}`, link);
}

/** The header badge: shown once the hub has said how its link to central is. */
export function SyncBadge(props: { summary?: api.SyncSummary | null }) {
  useLang();
  const live = useSyncSummary();
  const s = props.summary ?? live;
  if (!s || s.link === "not_enrolled") return null;
  const online = s.link === "up";
  const title = [linkText(s.link), t("sync.pending", { n: s.pending }), s.lastSuccess ? t("sync.last", { time: time(s.lastSuccess) }) : t("sync.never")].join(" · ");
  return (
    <span class={`sync-badge ${online ? "on" : "off"} ${s.errors > 0 ? "has-errors" : ""}`} data-testid="sync-badge" data-link={s.link} data-pending={s.pending} title={title} role="status">
      <span class="dot" aria-hidden="true" />
      <span class="sync-link">{online ? t("sync.badge.online") : t("sync.badge.offline")}</span>
      {s.pending > 0 && <span class="sync-pending">{t("sync.pending", { n: s.pending })}</span>}
      <span class="sync-last">{s.lastSuccess ? t("sync.last", { time: time(s.lastSuccess) }) : t("sync.never")}</span>
    </span>
  );
}

/** The head's card: link, what waits, last sync, items in error, conflicts. */
export function SyncCard(props: { status: api.SyncStatus | null; error?: string | null }) {
  useLang();
  const s = props.status;
  return (
    <section class="card sync-card" data-testid="sync-card">
      <h2>{t("sync.title")}</h2>
      {!s ? (
        <p class="muted">{props.error ?? t("common.loading")}</p>
      ) : !s.enrolled ? (
        <p class="muted" data-testid="sync-not-enrolled">
          {t("sync.link.not_enrolled")}. {t("sync.enrol_hint")}
        </p>
      ) : (
        <>
          <p class="sync-state">
            <SyncBadge summary={s} /> <span data-testid="sync-link">{linkText(s.link)}</span>
            {s.office && <span class="muted"> · {t("sync.office", { office: s.office })}</span>}
          </p>
          <dl class="sync-facts">
            <dt>{t("sync.pending_detail")}</dt>
            <dd data-testid="sync-pending">
              {t("sync.events", { n: s.pendingEvents })}, {t("sync.files", { n: s.pendingFiles, size: bytes(s.pendingFileBytes) })}
            </dd>
            <dt>{t("sync.last_success")}</dt>
            <dd>{s.lastSuccess ? time(s.lastSuccess) : t("sync.never")}</dd>
            {s.lastError && s.link !== "up" && (
              <>
                <dt>{t("sync.last_error")}</dt>
                <dd class="sync-error">{s.lastError}</dd>
              </>
            )}
            {s.nextRetryAt && s.link !== "up" && (
              <>
                <dt>{t("sync.next_retry")}</dt>
                <dd>{time(s.nextRetryAt)}</dd>
              </>
            )}
          </dl>
          <h3>{t("sync.errors")}</h3>
          {s.itemErrors.length === 0 ? (
            <p class="muted">{t("common.none")}</p>
          ) : (
            <ul class="sync-list" data-testid="sync-errors">
              {s.itemErrors.map((e) => (
                <li>
                  <code>{e.item}</code> {e.reason}
                </li>
              ))}
            </ul>
          )}
          <h3>{t("sync.conflicts")}</h3>
          {s.conflicts.length === 0 ? (
            <p class="muted">{t("common.none")}</p>
          ) : (
            <ul class="sync-list" data-testid="sync-conflicts">
              {s.conflicts.map((c) => (
                <li>
                  <code>{c.bookingCode}</code> {tDynamic(`sync.rule.${c.rule}`, c.rule)}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
