import { defineConfig } from "vite";

// The hub serves dist/ at its root; every route is a hash route (#/kiosk ...), so the
// files work from any path and from the desktop app's bundled copy.
export default defineConfig({
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 300 },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target: process.env.LOKET_HUB ?? "http://127.0.0.1:8080", ws: true },
      "/healthz": process.env.LOKET_HUB ?? "http://127.0.0.1:8080",
    },
  },
});
