// The photo tab of a visit whose service has a photo stage: live preview from the counter's
// webcam (getUserMedia, in the browser and in the desktop app alike), every frame checked by
// the hub (POST /api/v1/photo/check) with the face box, the 35x45 guide and each check's
// result drawn over the picture, capture on Space or by itself after N passing frames in a
// row (the AutoCapture rule of loket-photo-checks), then the stored 35x45 photo and its
// report, with a retake.
//
// Frames: one request in flight at a time; frames the hub has no time for are dropped, never
// queued, so the overlay always describes the newest picture.

import { useEffect, useRef, useState } from "preact/hooks";
import * as api from "../api";
import { ApiError } from "../http";
import { lang, t, tDynamic, useLang } from "../i18n";
import { registerVisitStep, type VisitStepProps } from "../steps";

const PHOTO_STAGES = ["photo_fingerprint_interview", "photo_fingerprint"];

registerVisitStep({
  id: "photo",
  label: () => t("photo.tab"),
  appliesTo: (visit) => visit.stages.some((s) => PHOTO_STAGES.includes(s)),
  render: (props) => <PhotoTab {...props} />,
});

/** Longest side of a frame sent for checking (a 1280x720 webcam frame goes as it is). */
const MAX_FRAME_SIDE = 1280;
/** At most this many checks per second (the camera gives 30). */
const MAX_FPS = 30;

/** Fires once after `needed` passing frames in a row (loket-photo-checks' AutoCapture). */
export class AutoCapture {
  private streak = 0;
  private done = false;
  constructor(public needed: number) {
    this.needed = Math.max(1, Math.floor(needed));
  }
  observe(passed: boolean): { state: "waiting"; streak: number } | { state: "capture" } | { state: "done" } {
    if (this.done) return { state: "done" };
    if (!passed) {
      this.streak = 0;
      return { state: "waiting", streak: 0 };
    }
    this.streak += 1;
    if (this.streak >= this.needed) {
      this.done = true;
      return { state: "capture" };
    }
    return { state: "waiting", streak: this.streak };
  }
  reset(): void {
    this.streak = 0;
    this.done = false;
  }
}

type CameraState = "starting" | "live" | "stopped" | "none" | "busy" | "denied" | "unsupported" | "error" | "hub";

function cameraProblem(err: unknown): { state: CameraState; detail: string } {
  const name = err instanceof DOMException || err instanceof Error ? err.name : "";
  const detail = err instanceof Error ? err.message || err.name : String(err);
  switch (name) {
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return { state: "none", detail };
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return { state: "busy", detail };
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return { state: "denied", detail };
    default:
      return { state: "error", detail };
  }
}

function describe(err: unknown): string {
  return err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
}

function say(c: api.PhotoCheck): string {
  return lang() === "en" ? c.message_en : c.message;
}

/** Draws the guide, the face and its marks over a frame of `report.width` x `report.height`. */
function drawOverlay(canvas: HTMLCanvasElement, report: api.PhotoFrameReport | null): void {
  const g = canvas.getContext("2d");
  if (!g) return;
  if (!report) {
    g.clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  if (canvas.width !== report.width || canvas.height !== report.height) {
    canvas.width = report.width;
    canvas.height = report.height;
  }
  g.clearRect(0, 0, canvas.width, canvas.height);
  const unit = Math.max(2, report.height / 240);
  const guide = report.guide;
  const r = guide.rect;
  const ok = (name: string) => report.checks.find((c) => c.name === name)?.pass ?? false;
  // Outside the guide: dimmed.
  g.fillStyle = "rgba(4, 29, 71, 0.35)";
  g.fillRect(0, 0, r.x, report.height);
  g.fillRect(r.x + r.width, 0, report.width - r.x - r.width, report.height);
  // The 35x45 guide and its target lines.
  g.lineWidth = unit;
  g.strokeStyle = "#f5b700";
  g.strokeRect(r.x, r.y, r.width, r.height);
  g.setLineDash([unit * 4, unit * 3]);
  g.beginPath();
  g.moveTo(guide.centre_x, r.y);
  g.lineTo(guide.centre_x, r.y + r.height);
  g.stroke();
  g.strokeStyle = ok("eye_line") ? "rgba(15, 122, 67, 0.9)" : "rgba(245, 183, 0, 0.9)";
  for (const y of guide.eye_band) {
    g.beginPath();
    g.moveTo(r.x, y);
    g.lineTo(r.x + r.width, y);
    g.stroke();
  }
  g.strokeStyle = ok("head_size") ? "rgba(15, 122, 67, 0.9)" : "rgba(245, 183, 0, 0.9)";
  for (const y of [...guide.crown_band, guide.chin_y]) {
    g.beginPath();
    g.moveTo(guide.centre_x - r.width * 0.2, y);
    g.lineTo(guide.centre_x + r.width * 0.2, y);
    g.stroke();
  }
  g.setLineDash([]);
  // Other faces: red boxes.
  g.strokeStyle = "#b91c1c";
  for (const o of report.other_faces) g.strokeRect(o.x, o.y, o.width, o.height);
  const face = report.face;
  if (!face) return;
  g.lineWidth = unit * 1.5;
  g.strokeStyle = report.passed ? "#0f7a43" : "#b91c1c";
  g.strokeRect(face.rect.x, face.rect.y, face.rect.width, face.rect.height);
  g.fillStyle = "#f5b700";
  for (const p of [face.right_eye, face.left_eye, face.chin, face.crown]) {
    g.beginPath();
    g.arc(p.x, p.y, unit * 2, 0, Math.PI * 2);
    g.fill();
  }
  g.strokeStyle = "#f5b700";
  g.lineWidth = unit;
  g.beginPath();
  g.moveTo(face.right_eye.x, face.right_eye.y);
  g.lineTo(face.left_eye.x, face.left_eye.y);
  g.moveTo(face.crown.x, face.crown.y);
  g.lineTo(face.chin.x, face.chin.y);
  g.stroke();
}

function Checks(props: { checks: api.PhotoCheck[]; testid: string }) {
  return (
    <ul class="photo-checks" data-testid={props.testid}>
      {props.checks.map((c) => (
        <li class={c.pass ? "pass" : "fail"} data-testid={`photo-check-${c.name}`} data-pass={c.pass ? "1" : "0"}>
          <span class="mark" aria-hidden="true">
            {c.pass ? "✓" : "✗"}
          </span>
          <span class="name">{tDynamic(`photo.check.${c.name}`, c.name)}</span>
          <span class="msg">{say(c)}</span>
        </li>
      ))}
    </ul>
  );
}

export function PhotoTab(props: VisitStepProps) {
  useLang();
  const visitId = props.visit.id;
  const videoRef = useRef<HTMLVideoElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const loopRef = useRef<{ stop: boolean; timer?: number }>({ stop: true });
  const autoRef = useRef(new AutoCapture(5));
  const lastFrameRef = useRef<Blob | null>(null);
  const savingRef = useRef(false);
  const [camera, setCamera] = useState<CameraState>("stopped");
  const [cameraDetail, setCameraDetail] = useState("");
  const [check, setCheck] = useState<api.PhotoFrameCheck | null>(null);
  const [streak, setStreak] = useState(0);
  const [fps, setFps] = useState(0);
  const [stored, setStored] = useState<api.StoredPhoto | null>(null);
  const [storedUrl, setStoredUrl] = useState<string | null>(null);
  const [how, setHow] = useState<"auto" | "manual" | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const stopCamera = () => {
    loopRef.current.stop = true;
    window.clearTimeout(loopRef.current.timer);
    streamRef.current?.getTracks().forEach((tr) => tr.stop());
    streamRef.current = null;
    if (videoRef.current) videoRef.current.srcObject = null;
  };

  /** The current video frame as a JPEG blob (at most MAX_FRAME_SIDE on its longest side). */
  const grab = async (): Promise<Blob | null> => {
    const video = videoRef.current;
    if (!video || video.readyState < 2 || !video.videoWidth) return null;
    const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    const g = canvas.getContext("2d");
    if (!g) return null;
    g.drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob((b) => resolve(b), "image/jpeg", 0.9));
  };

  const save = async (frame: Blob, mode: "auto" | "manual") => {
    if (savingRef.current) return;
    savingRef.current = true;
    setSaving(true);
    setError(null);
    try {
      const photo = await api.storePhoto(visitId, frame);
      const jpeg = await api.photoJpeg(visitId);
      stopCamera();
      setCamera("stopped");
      setStored(photo);
      setHow(mode);
      setStoredUrl((old) => {
        if (old) URL.revokeObjectURL(old);
        return URL.createObjectURL(jpeg);
      });
    } catch (err) {
      setError(describe(err));
      autoRef.current.reset();
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  };

  const captureNow = async () => {
    const frame = (await grab()) ?? lastFrameRef.current;
    if (frame) await save(frame, "manual");
  };

  /** Checks frames one at a time; a frame taken while the hub is busy is simply not taken. */
  const runLoop = () => {
    const loop = { stop: false, timer: undefined as number | undefined };
    loopRef.current = loop;
    const times: number[] = [];
    const tick = async () => {
      if (loop.stop) return;
      const started = performance.now();
      const frame = savingRef.current ? null : await grab();
      if (frame && !loop.stop) {
        try {
          const result = await api.checkPhotoFrame(frame);
          if (loop.stop) return;
          lastFrameRef.current = frame;
          const auto = autoRef.current;
          if (auto.needed !== result.auto_capture_frames) {
            auto.needed = Math.max(1, result.auto_capture_frames);
          }
          setCheck(result);
          if (overlayRef.current) drawOverlay(overlayRef.current, result.report);
          const now = performance.now();
          times.push(now);
          while (times.length && now - times[0] > 2000) times.shift();
          setFps(times.length > 1 ? ((times.length - 1) * 1000) / (now - times[0]) : 0);
          const decision = auto.observe(result.passed);
          setStreak(decision.state === "waiting" ? decision.streak : auto.needed);
          if (decision.state === "capture") {
            await save(frame, "auto");
            if (loop.stop) return;
          }
          setError(null);
        } catch (err) {
          if (loop.stop) return;
          setError(describe(err));
          // Photo checks missing on the hub, or this visit not at this counter: frames would
          // be refused again; the message says what to do and "Coba lagi" starts over.
          if (err instanceof ApiError && [401, 403, 409, 503].includes(err.status)) {
            stopCamera();
            setCamera("hub");
            setCameraDetail(describe(err));
            return;
          }
          // A refused frame or the hub away: wait a moment before the next one.
          loop.timer = window.setTimeout(tick, 1000);
          return;
        }
      }
      const wait = Math.max(0, 1000 / MAX_FPS - (performance.now() - started));
      loop.timer = window.setTimeout(tick, frame ? wait : 50);
    };
    tick();
  };

  const startCamera = async () => {
    stopCamera();
    setError(null);
    setCheck(null);
    setStreak(0);
    autoRef.current.reset();
    if (overlayRef.current) drawOverlay(overlayRef.current, null);
    if (!navigator.mediaDevices?.getUserMedia) {
      setCamera("unsupported");
      return;
    }
    setCamera("starting");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
        audio: false,
      });
      streamRef.current = stream;
      const video = videoRef.current;
      if (!video) {
        stream.getTracks().forEach((tr) => tr.stop());
        return;
      }
      video.srcObject = stream;
      await video.play().catch(() => undefined);
      setCamera("live");
      runLoop();
    } catch (err) {
      const problem = cameraProblem(err);
      setCamera(problem.state);
      setCameraDetail(problem.detail);
    }
  };

  const retake = () => {
    setStored(null);
    setHow(null);
    setStoredUrl((old) => {
      if (old) URL.revokeObjectURL(old);
      return null;
    });
    startCamera();
  };

  // A new visit: show its stored photo if it has one, else start the camera.
  useEffect(() => {
    let gone = false;
    setStored(null);
    setStoredUrl(null);
    setHow(null);
    api
      .storedPhoto(visitId)
      .then(async (photo) => {
        if (gone) return;
        if (photo) {
          const jpeg = await api.photoJpeg(visitId);
          if (gone) return;
          setStored(photo);
          setStoredUrl(URL.createObjectURL(jpeg));
          setCamera("stopped");
        } else {
          startCamera();
        }
      })
      .catch((err) => {
        if (gone) return;
        setError(describe(err));
        startCamera();
      });
    return () => {
      gone = true;
      stopCamera();
    };
  }, [visitId]);

  useEffect(() => () => {
    if (storedUrl) URL.revokeObjectURL(storedUrl);
  }, [storedUrl]);

  // Space takes the photo (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== "Space" && e.key !== " ") return;
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (camera !== "live" || savingRef.current) return;
      e.preventDefault();
      captureNow();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [camera]);

  const needed = check?.auto_capture_frames ?? autoRef.current.needed;
  const problem = ["none", "busy", "denied", "unsupported", "error", "hub"].includes(camera);

  return (
    <div class="photo" data-testid="photo-step">
      <div class="photo-head">
        <h3>{t("photo.title")}</h3>
        <p class="muted">{t("photo.hint", { n: needed })}</p>
      </div>
      {error && (
        <p class="form-error" role="alert" data-testid="photo-error">
          {error}
        </p>
      )}
      {stored ? (
        <div class="photo-stored" data-testid="photo-stored" data-passed={stored.passed ? "1" : "0"} data-how={how ?? ""}>
          <figure>
            {storedUrl && <img src={storedUrl} alt={t("photo.stored")} data-testid="photo-stored-img" width={stored.width} height={stored.height} />}
            <figcaption>
              <span>
                <strong>{t("photo.stored")}</strong>
                {how && <span class="muted"> · {t(how === "auto" ? "photo.auto" : "photo.manual")}</span>}
              </span>
              <span class="block muted">{t("photo.stored.size", { w: stored.width, h: stored.height, kb: Math.round(stored.bytes / 1024) })}</span>
              <span class={`pill ${stored.passed ? "paid" : "warn"}`}>{t(stored.passed ? "photo.stored.passed" : "photo.stored.failed")}</span>
            </figcaption>
          </figure>
          <div>
            <Checks checks={stored.report.checks ?? []} testid="photo-stored-checks" />
            <button type="button" class="btn primary" data-testid="photo-retake" onClick={retake}>
              {t("photo.retake")}
            </button>
          </div>
        </div>
      ) : (
        <div class="photo-live">
          <div class="photo-view">
            <video ref={videoRef} data-testid="photo-video" muted playsInline autoPlay />
            <canvas ref={overlayRef} class="photo-overlay" data-testid="photo-overlay" data-face={check?.report.face ? "1" : "0"} data-passed={check?.passed ? "1" : "0"} />
            {camera === "starting" && <p class="photo-status">{t("photo.starting")}</p>}
            {problem && (
              <div class="photo-problem" role="alert" data-testid="photo-camera-error" data-kind={camera}>
                <p>{t(`photo.camera.${camera}` as "photo.camera.none", { detail: cameraDetail })}</p>
                <button type="button" class="btn primary" data-testid="photo-camera-retry" onClick={startCamera}>
                  {t("photo.camera.retry")}
                </button>
              </div>
            )}
          </div>
          <div class="photo-side">
            <p class="photo-streak" data-testid="photo-streak" data-streak={streak} data-needed={needed}>
              {check ? t("photo.streak", { streak, needed }) : t("photo.waiting")}
            </p>
            {fps > 0 && (
              <p class="muted" data-testid="photo-fps" data-fps={fps.toFixed(1)}>
                {t("photo.fps", { fps: fps.toFixed(1) })}
              </p>
            )}
            {check && <Checks checks={check.report.checks} testid="photo-checks" />}
            <button type="button" class="btn primary" data-testid="photo-capture" aria-keyshortcuts="Space" disabled={camera !== "live" || saving} onClick={captureNow}>
              <kbd>Spasi</kbd> {saving ? t("photo.saving") : t("photo.capture")}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
