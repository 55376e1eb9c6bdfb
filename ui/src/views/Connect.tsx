// Shown by the desktop app's bundled copy while the office hub does not answer yet; the app
// moves the window to the hub's page by itself (src-tauri/src/roles.rs).

import { useEffect, useState } from "preact/hooks";
import { t, tDynamic, useLang } from "../i18n";
import { Emblem } from "../components/chrome";

export interface DesktopInfo {
  role: string;
  hub: string;
  version: string;
  ticket_printer?: boolean;
}

export function Connect(props: { info: DesktopInfo }) {
  useLang();
  const [dots, setDots] = useState(0);
  useEffect(() => {
    const id = window.setInterval(() => setDots((d) => (d + 1) % 4), 600);
    return () => window.clearInterval(id);
  }, []);
  return (
    <div class="connect" data-testid="connect">
      <Emblem />
      <h1>{t("connect.title")}</h1>
      <p>{t("connect.hint", { hub: props.info.hub })}</p>
      <p class="muted">
        {t("connect.role", { role: tDynamic(`home.${props.info.role}`, props.info.role) })} · v{props.info.version} {".".repeat(dots)}
      </p>
    </div>
  );
}
