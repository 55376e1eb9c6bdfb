// The waiting-room board: the called number and its counter readable across a hall, the
// last calls, a gentle chime and then the hub's spoken call. Reconnects by itself.

import { useEffect, useRef, useState } from "preact/hooks";
import { t, tDynamic, useLang } from "../i18n";
import { ApiError, LiveSocket, type LiveState } from "../http";
import * as api from "../api";
import { Clock, Emblem, LinkDot } from "../components/chrome";
import { IconSpeaker } from "../components/icons";

const KEPT_CALLS = 6;

/** A soft two-note chime (E5 then C5), synthesised so the board needs no sound files. */
export async function chime(ctx: AudioContext): Promise<void> {
  const start = ctx.currentTime + 0.05;
  const notes: [number, number][] = [
    [659.25, 0],
    [523.25, 0.45],
  ];
  for (const [freq, at] of notes) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start + at);
    gain.gain.exponentialRampToValueAtTime(0.35, start + at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 1.1);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + at);
    osc.stop(start + at + 1.2);
  }
  await new Promise((r) => setTimeout(r, 1600));
}

/** Plays calls one after another: chime, then the spoken WAV. */
class Announcer {
  private queue: api.CallEvent[] = [];
  private playing = false;
  ctx: AudioContext | null = null;

  constructor(private readonly onBlocked: (blocked: boolean) => void) {
    try {
      this.ctx = new AudioContext();
      this.onBlocked(this.ctx.state !== "running");
      this.ctx.onstatechange = () => this.onBlocked(this.ctx?.state !== "running");
    } catch {
      this.ctx = null;
    }
  }

  unlock(): void {
    this.ctx?.resume().catch(() => undefined);
  }

  say(call: api.CallEvent): void {
    this.queue.push(call);
    if (!this.playing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.playing = true;
    while (this.queue.length) {
      const call = this.queue.shift()!;
      try {
        if (this.ctx && this.ctx.state === "running") await chime(this.ctx);
        const wav = await api.callAudio(call);
        if (wav) await playOnce(wav);
      } catch {
        // a call without sound still shows on the board
      }
    }
    this.playing = false;
  }
}

function playOnce(wav: Blob): Promise<void> {
  const url = URL.createObjectURL(wav);
  return new Promise<void>((resolve) => {
    const audio = new Audio(url);
    audio.preload = "auto";
    audio.onended = () => resolve();
    audio.onerror = () => resolve();
    audio.play().catch(() => resolve());
    setTimeout(resolve, 15_000);
  }).finally(() => URL.revokeObjectURL(url));
}

export function Display() {
  useLang();
  const [calls, setCalls] = useState<api.CallEvent[]>([]);
  const [link, setLink] = useState<LiveState>("connecting");
  const [blocked, setBlocked] = useState(false);
  const [flash, setFlash] = useState(0);
  const [officeName, setOfficeName] = useState("");
  const [unregistered, setUnregistered] = useState(false);
  const announcer = useRef<Announcer | null>(null);
  const seen = useRef(new Set<string>());

  useEffect(() => {
    document.body.classList.add("role-display");
    announcer.current = new Announcer(setBlocked);
    api
      .office("display")
      .then((o) => setOfficeName(o.name))
      .catch(() => undefined);
    const accept = (list: api.CallEvent[], speak: boolean) => {
      const fresh = list.filter((c) => !seen.current.has(c.id));
      fresh.forEach((c) => seen.current.add(c.id));
      if (!fresh.length) return;
      setCalls((old) => [...fresh.slice().reverse(), ...old].slice(0, KEPT_CALLS));
      if (speak) {
        setFlash((n) => n + 1);
        fresh.forEach((c) => announcer.current?.say(c));
      }
    };
    api
      .recentCalls()
      .then((list) => accept(list.slice(0, KEPT_CALLS).reverse(), false))
      .catch((err) => setUnregistered(err instanceof ApiError && err.status === 401));
    // Calls missed while the socket was down or behind are shown, not spoken (late).
    const reread = () =>
      api
        .recentCalls()
        .then((list) => accept(list.slice(0, KEPT_CALLS).reverse(), false))
        .catch(() => undefined);
    const live = new LiveSocket(
      () => api.livePath("display"),
      (msg) => {
        const call = api.callFromLive(msg);
        if (call) accept([call], true);
        else if (api.isResync(msg)) reread();
      },
      (s) => {
        setLink(s);
        if (s === "open") reread();
      },
    );
    return () => {
      live.close();
      document.body.classList.remove("role-display");
    };
  }, []);

  const [now, ...earlier] = calls;
  return (
    <div class="board" onClick={() => announcer.current?.unlock()}>
      <header class="board-head">
        <div class="brand">
          <Emblem />
          <div class="brand-office">{officeName || t("app.office")}</div>
        </div>
        <Clock />
      </header>
      <main class="board-main">
        <section class={`board-now ${now ? `tone-${now.service}` : ""}`} data-testid="board-now" key={flash} aria-live="assertive">
          {unregistered ? (
            <div class="board-empty" data-testid="board-unregistered">
              {t("device.unregistered")}
              <div class="board-service">{t("device.unregistered.next", { kind: "display" })}</div>
            </div>
          ) : now ? (
            <>
              <div class="board-label">{t("display.now")}</div>
              <div class="board-number" data-testid="board-number">
                {now.ticket}
              </div>
              <div class="board-to">{t("display.to")}</div>
              <div class="board-counter" data-testid="board-counter">
                {now.counter}
              </div>
              <div class="board-service">{tDynamic(`svc.${now.service}`, now.service)}</div>
            </>
          ) : (
            <div class="board-empty">{t("display.waiting")}</div>
          )}
        </section>
        <aside class="board-last">
          <h2>{t("display.last")}</h2>
          <ol data-testid="board-last">
            {earlier.map((c) => (
              <li class={`tone-${c.service}`}>
                <span class="last-number">{c.ticket}</span>
                <span class="last-counter">{c.counter}</span>
              </li>
            ))}
          </ol>
        </aside>
      </main>
      <footer class="board-foot">
        <LinkDot state={link} />
        {blocked && (
          <button type="button" class="sound-unlock" data-testid="sound-unlock" onClick={() => announcer.current?.unlock()}>
            <IconSpeaker size={28} /> {t("display.sound")}
          </button>
        )}
      </footer>
    </div>
  );
}
