// The hub's front page: which screen should this browser be?

import { t, useLang } from "../i18n";
import { Emblem, LangSwitch } from "../components/chrome";
import { IconInfo, IconSpeaker, IconTicket, IconUser } from "../components/icons";

const ROLES = [
  { id: "kiosk", icon: IconTicket },
  { id: "counter", icon: IconUser },
  { id: "display", icon: IconSpeaker },
  { id: "head", icon: IconInfo },
] as const;

export function Home() {
  useLang();
  return (
    <div class="home">
      <header class="officer-head">
        <div class="brand small">
          <Emblem />
          <div class="brand-office">{t("app.name")}</div>
        </div>
        <LangSwitch />
      </header>
      <main class="home-main">
        <h1>{t("home.title")}</h1>
        <div class="home-grid">
          {ROLES.map((r) => (
            <a class="home-card" href={`#/${r.id}`} data-testid={`role-${r.id}`}>
              <r.icon size={56} />
              <span class="home-title">{t(`home.${r.id}`)}</span>
              <span class="home-hint">{t(`home.${r.id}.hint`)}</span>
            </a>
          ))}
        </div>
      </main>
    </div>
  );
}
