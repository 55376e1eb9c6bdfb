// A signature drawn with a finger, pen or mouse on a canvas; hands back a PNG data URL
// (or null when cleared). Keyboard users choose "signed on the printed page" instead.

import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";

export function SignaturePad(props: { onChange: (png: string | null) => void; testid?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const drawn = useRef(false);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, c.width, c.height);
  }, []);

  const point = (e: PointerEvent): [number, number] => {
    const c = canvas.current!;
    const r = c.getBoundingClientRect();
    return [((e.clientX - r.left) * c.width) / r.width, ((e.clientY - r.top) * c.height) / r.height];
  };

  const clear = () => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, c.width, c.height);
    drawn.current = false;
    props.onChange(null);
  };

  return (
    <div class="signature-pad">
      <canvas
        ref={canvas}
        width={600}
        height={200}
        data-testid={props.testid ?? "signature-canvas"}
        aria-label={t("sign.pad")}
        onPointerDown={(e) => {
          const ctx = canvas.current?.getContext("2d");
          if (!ctx) return;
          drawing.current = true;
          (e.target as HTMLCanvasElement).setPointerCapture(e.pointerId);
          const [x, y] = point(e);
          ctx.strokeStyle = "#0b2545";
          ctx.lineWidth = 3;
          ctx.lineCap = "round";
          ctx.beginPath();
          ctx.moveTo(x, y);
        }}
        onPointerMove={(e) => {
          const ctx = canvas.current?.getContext("2d");
          if (!drawing.current || !ctx) return;
          const [x, y] = point(e);
          ctx.lineTo(x, y);
          ctx.stroke();
          drawn.current = true;
        }}
        onPointerUp={() => {
          drawing.current = false;
          if (drawn.current && canvas.current) props.onChange(canvas.current.toDataURL("image/png"));
        }}
      />
      <button type="button" class="btn plain" onClick={clear}>
        {t("sign.clear")}
      </button>
    </div>
  );
}
