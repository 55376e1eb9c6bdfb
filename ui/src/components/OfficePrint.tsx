// "Cetak di printer kantor": sends one of the hub's PDFs to the office printer (CUPS on the
// hub) and says what happened: the job queued or printed, or the printer's refusal.

import { useState } from "preact/hooks";
import * as api from "../api";
import { ApiError } from "../http";
import { t } from "../i18n";

export function OfficePrintButton(props: { document: () => string | null; testid?: string }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const print = async () => {
    const document = props.document();
    if (!document || busy) return;
    setBusy(true);
    setResult({ ok: true, text: t("print.office.sending") });
    try {
      const job = await api.printAtOffice(document);
      const printer = job.printer ?? t("print.office.default");
      const key = job.state === "completed" ? "print.office.done" : "print.office.queued";
      setResult({ ok: true, text: t(key, { printer, job: job.job }) });
    } catch (err) {
      setResult({ ok: false, text: err instanceof ApiError || err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const id = props.testid ?? "office-print";
  return (
    <span class="office-print">
      <button type="button" class="btn plain" data-testid={id} disabled={busy} onClick={print}>
        {t("print.office")}
      </button>
      {result && (
        <span role="status" class={`office-print-result ${result.ok ? "ok" : "failed"}`} data-testid={`${id}-result`} data-ok={String(result.ok)}>
          {result.text}
        </span>
      )}
    </span>
  );
}
