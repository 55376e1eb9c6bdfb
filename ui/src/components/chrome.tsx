// Pieces every view shares: the language switch, the clock, the link-state dot.

import { useEffect, useState } from "preact/hooks";
import { lang, setLang, t, useLang } from "../i18n";
import type { LiveState } from "../http";

export function LangSwitch(props: { class?: string }) {
  useLang();
  return (
    <button
      type="button"
      class={`lang-switch ${props.class ?? ""}`}
      data-testid="lang-switch"
      onClick={() => setLang(lang() === "id" ? "en" : "id")}
    >
      {t("lang.switch")}
    </button>
  );
}

export function useNow(everyMs = 1000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), everyMs);
    return () => window.clearInterval(id);
  }, [everyMs]);
  return now;
}

export function Clock(props: { seconds?: boolean }) {
  const l = useLang();
  const now = useNow();
  const locale = l === "id" ? "id-ID" : "en-GB";
  return (
    <div class="clock" aria-live="off">
      <div class="clock-time">
        {now.toLocaleTimeString(locale, {
          hour: "2-digit",
          minute: "2-digit",
          second: props.seconds ? "2-digit" : undefined,
        })}
      </div>
      <div class="clock-date">
        {now.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" })}
      </div>
    </div>
  );
}

export function LinkDot(props: { state: LiveState; compact?: boolean }) {
  useLang();
  const online = props.state === "open";
  return (
    <span class={`link-dot ${online ? "on" : "off"} ${props.compact ? "compact" : ""}`} data-testid="link-state" data-state={props.state} title={online ? t("common.online") : t("common.offline")}>
      <span class="dot" aria-hidden="true" />
      <span class="label-long">{online ? t("common.online") : t("common.offline")}</span>
      <span class="label-short">{online ? t("common.online") : t("common.offline_short")}</span>
    </span>
  );
}

export function Emblem() {
  return (
    <svg class="emblem" viewBox="0 0 64 64" width="48" height="48" aria-hidden="true">
      <rect x="2" y="2" width="60" height="60" rx="14" fill="#F5B700" />
      <rect x="18" y="12" width="28" height="40" rx="3" fill="#0B3D91" />
      <path d="M22 18h20" stroke="#F5B700" stroke-width="2.5" />
      <path d="M27 25v17h11" fill="none" stroke="#fff" stroke-width="4.5" />
    </svg>
  );
}
