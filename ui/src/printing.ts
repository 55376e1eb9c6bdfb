// The kiosk prints tickets through an adapter, so the same kiosk view works in a browser
// (the page's own print, silent with Chromium's --kiosk-printing), in the desktop app, and
// with the ESC/POS driver once the printing work registers its adapter.

export interface TicketToPrint {
  /** The hub's visit id (the thermal ticket's QR code carries it). */
  visitId: string;
  number: string;
  serviceName: string;
  laneName: string;
  officeName: string;
  issuedAt: Date;
  /** The office's time zone label from the hub (WIB, WITA, WIT), when known. */
  timeZone?: string;
  estimatedWaitMinutes: number | null;
  ahead: number | null;
}

export type PrintResult = { ok: true } | { ok: false; reason: string };

export interface TicketPrinter {
  /** A short name for logs and the technician's screen. */
  readonly name: string;
  print(ticket: TicketToPrint): Promise<PrintResult>;
}

/** Prints the ticket layout (`#print-area`, see styles.css `@media print`) with the page's print. */
export class BrowserPrinter implements TicketPrinter {
  readonly name = "browser";

  async print(ticket: TicketToPrint): Promise<PrintResult> {
    const area = document.getElementById("print-area") ?? document.body.appendChild(Object.assign(document.createElement("div"), { id: "print-area" }));
    area.replaceChildren(renderTicket(ticket));
    try {
      window.print();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** For screens without a printer (a spare kiosk in a browser, tests): prints nothing. */
export class NoPrinter implements TicketPrinter {
  readonly name = "none";
  readonly printed: TicketToPrint[] = [];
  async print(ticket: TicketToPrint): Promise<PrintResult> {
    this.printed.push(ticket);
    return { ok: true };
  }
}

/** The desktop app's thermal printer (ESC/POS over USB or LAN) through its `print_ticket`
 * command; the app's error message (paper out, no printer...) comes back as the reason. */
export class DesktopThermalPrinter implements TicketPrinter {
  readonly name = "escpos";

  async print(ticket: TicketToPrint): Promise<PrintResult> {
    try {
      const { invoke } = await import("@tauri-apps/api/core");
      await invoke("print_ticket", {
        ticket: {
          number: ticket.number,
          serviceName: ticket.serviceName,
          laneName: ticket.laneName,
          officeName: ticket.officeName,
          issuedAt: ticket.issuedAt.toISOString(),
          timeZone: ticket.timeZone || null,
          estimatedWaitMinutes: ticket.estimatedWaitMinutes,
          visitId: ticket.visitId,
        },
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }
}

let active: TicketPrinter = new URLSearchParams(location.search).get("print") === "off" ? new NoPrinter() : new BrowserPrinter();

/** In the desktop app, a desk configured with a thermal printer prints through it. */
export async function adoptDesktopPrinter(): Promise<void> {
  try {
    const { invoke } = await import("@tauri-apps/api/core");
    const info = await invoke<{ ticket_printer?: boolean }>("desktop_info");
    if (info.ticket_printer) setTicketPrinter(new DesktopThermalPrinter());
  } catch {
    // Not allowed for this role, or an older app: keep the page's own print.
  }
}

/** Lets a driver (the desktop app's ESC/POS printer, a test) take over printing. */
export function setTicketPrinter(printer: TicketPrinter): void {
  active = printer;
}

export function ticketPrinter(): TicketPrinter {
  return active;
}

function renderTicket(t: TicketToPrint): HTMLElement {
  const el = (tag: string, cls: string, text: string) => {
    const e = document.createElement(tag);
    e.className = cls;
    e.textContent = text;
    return e;
  };
  const root = document.createElement("div");
  root.className = "paper-ticket";
  root.append(
    el("div", "pt-office", t.officeName),
    el("div", "pt-label", "NOMOR ANTREAN"),
    el("div", "pt-number", t.number),
    el("div", "pt-service", `${t.serviceName} · ${t.laneName}`),
    el(
      "div",
      "pt-wait",
      t.estimatedWaitMinutes == null ? "" : `Perkiraan tunggu ± ${t.estimatedWaitMinutes} menit${t.ahead == null ? "" : ` · ${t.ahead} orang di depan`}`,
    ),
    el("div", "pt-time", t.issuedAt.toLocaleString("id-ID", { dateStyle: "full", timeStyle: "short" })),
    el("div", "pt-foot", "Tunggu nomor Anda dipanggil di layar. Layanan tanpa calo."),
  );
  return root;
}
