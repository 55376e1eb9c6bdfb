// Line icons drawn for Loket (24 x 24 grid, stroke = currentColor), so they follow the
// button's colour and stay sharp at kiosk size.

import type { JSX } from "preact";

type P = { size?: number; title?: string };

function Svg(props: P & { children: JSX.Element | JSX.Element[] }) {
  const s = props.size ?? 48;
  return (
    <svg
      width={s}
      height={s}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      role={props.title ? "img" : undefined}
      aria-hidden={props.title ? undefined : "true"}
      aria-label={props.title}
    >
      {props.children}
    </svg>
  );
}

export const IconPassport = (p: P) => (
  <Svg {...p}>
    <rect x="5" y="2.5" width="14" height="19" rx="2" />
    <circle cx="12" cy="10" r="3.2" />
    <path d="M8.8 10h6.4M12 6.8c-1 1-1.4 2-1.4 3.2s.4 2.2 1.4 3.2c1-1 1.4-2 1.4-3.2s-.4-2.2-1.4-3.2" />
    <path d="M9 17h6" />
  </Svg>
);

export const IconRenew = (p: P) => (
  <Svg {...p}>
    <path d="M20 11a8 8 0 0 0-14.3-4.9L4 8" />
    <path d="M4 3.5V8h4.5" />
    <path d="M4 13a8 8 0 0 0 14.3 4.9L20 16" />
    <path d="M20 20.5V16h-4.5" />
  </Svg>
);

export const IconAlert = (p: P) => (
  <Svg {...p}>
    <path d="M12 3 2.5 20h19L12 3Z" />
    <path d="M12 9.5v5" />
    <path d="M12 17.4v.1" />
  </Svg>
);

export const IconPickup = (p: P) => (
  <Svg {...p}>
    <path d="M3.5 8 12 3.5 20.5 8v8L12 20.5 3.5 16V8Z" />
    <path d="M3.5 8 12 12.5 20.5 8M12 12.5v8" />
  </Svg>
);

export const IconInfo = (p: P) => (
  <Svg {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 11v6" />
    <path d="M12 7.4v.1" />
  </Svg>
);

export const IconQr = (p: P) => (
  <Svg {...p}>
    <rect x="3" y="3" width="7" height="7" rx="1" />
    <rect x="14" y="3" width="7" height="7" rx="1" />
    <rect x="3" y="14" width="7" height="7" rx="1" />
    <path d="M14 14h3v3h-3zM20 14v.1M17 20h4M20 17v3" />
  </Svg>
);

export const IconPriority = (p: P) => (
  <Svg {...p}>
    <circle cx="11" cy="4.5" r="1.8" />
    <path d="M11 7.5v6h5l2.5 5.5" />
    <path d="M11 10h4.5" />
    <path d="M8.5 11.2a5.5 5.5 0 1 0 7.6 7.3" />
  </Svg>
);

export const IconElderly = (p: P) => (
  <Svg {...p}>
    <circle cx="10" cy="4" r="1.8" />
    <path d="M10 7v6l-2 8M10 13l3 8M10 9l-3 3M10 9l4 2" />
    <path d="M17 11v10M15.5 11h1.5" />
  </Svg>
);

export const IconChild = (p: P) => (
  <Svg {...p}>
    <circle cx="12" cy="6" r="2.6" />
    <path d="M12 8.6V15M8 11l4-1 4 1M9.5 21l2.5-6 2.5 6" />
  </Svg>
);

export const IconPregnant = (p: P) => (
  <Svg {...p}>
    <circle cx="11" cy="4" r="1.8" />
    <path d="M11 7v4c3 0 5 1.5 5 3.5S14 18 11 18v3M11 11l-2.5 3" />
    <path d="M9 21h4" />
  </Svg>
);

export const IconSick = (p: P) => (
  <Svg {...p}>
    <rect x="3" y="6" width="18" height="14" rx="2" />
    <path d="M9 6V4h6v2M12 10v6M9 13h6" />
  </Svg>
);

export const IconBack = (p: P) => (
  <Svg {...p}>
    <path d="M10 5 3 12l7 7" />
    <path d="M3 12h18" />
  </Svg>
);

export const IconCheck = (p: P) => (
  <Svg {...p}>
    <path d="m4 12.5 5 5L20 6.5" />
  </Svg>
);

export const IconTicket = (p: P) => (
  <Svg {...p}>
    <path d="M3 7a2 2 0 0 0 2-2h14a2 2 0 0 0 2 2v3a2 2 0 0 0 0 4v3a2 2 0 0 0-2 2H5a2 2 0 0 0-2-2v-3a2 2 0 0 0 0-4V7Z" />
    <path d="M9 5v14" stroke-dasharray="2 2" />
  </Svg>
);

export const IconSpeaker = (p: P) => (
  <Svg {...p}>
    <path d="M4 9v6h4l5 4V5L8 9H4Z" />
    <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />
  </Svg>
);

export const IconUser = (p: P) => (
  <Svg {...p}>
    <circle cx="12" cy="8" r="4" />
    <path d="M4 21c1-4 4-6 8-6s7 2 8 6" />
  </Svg>
);
