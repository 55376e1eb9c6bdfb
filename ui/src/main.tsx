// Routes by the URL's hash: #/kiosk, #/counter, #/display, #/head; the bare page lists the
// roles. In the desktop app's bundled copy (no hash, tauri: origin) it shows "connecting".

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { lang } from "./i18n";
import { Kiosk } from "./views/Kiosk";
import { Counter } from "./views/Counter";
import { Display } from "./views/Display";
import { Head } from "./views/Head";
import { Home } from "./views/Home";
// Visit steps register themselves with the counter view (steps.ts).
import "./visit-steps/fingerprint";
import "./visit-steps/photo";
import "./visit-steps/bap";
import "./visit-steps/pickup";
import { Connect, type DesktopInfo } from "./views/Connect";
import { adoptDesktopPrinter } from "./printing";
import "./styles.css";

export function routeOf(hash: string): string {
  const path = hash.replace(/^#\/?/, "").split("?")[0];
  return path.split("/")[0] ?? "";
}

function inDesktopShell(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

function App() {
  const [route, setRoute] = useState(routeOf(location.hash));
  const [desktop, setDesktop] = useState<DesktopInfo | null>(null);
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    if (!inDesktopShell() || location.protocol.startsWith("http") && location.hostname !== "tauri.localhost") return;
    import("@tauri-apps/api/core")
      .then(({ invoke }) => invoke<DesktopInfo>("desktop_info"))
      .then(setDesktop)
      .catch(() => undefined);
  }, []);
  switch (route) {
    case "kiosk":
      return <Kiosk />;
    case "counter":
      return <Counter />;
    case "display":
      return <Display />;
    case "head":
      return <Head />;
    default:
      return desktop ? <Connect info={desktop} /> : <Home />;
  }
}

document.documentElement.lang = lang();
if (inDesktopShell() && routeOf(location.hash) === "kiosk") void adoptDesktopPrinter();
const root = document.getElementById("app");
if (root) render(<App />, root);
