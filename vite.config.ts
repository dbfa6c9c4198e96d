// Vite serves and builds the front end in `ui/` into `dist/`, which the Tauri shell embeds
// (`frontendDist` in tauri.conf.json). The dev server port is fixed because `devUrl` names it.
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: "ui",
  // The Svelte config sits beside this file, one level above the Vite root.
  plugins: [svelte({ configFile: "../svelte.config.js" })],
  // Keep the Rust compiler's output visible when run by `tauri dev`.
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    // The web view is WebKitGTK on Linux, WKWebView on macOS, WebView2 on Windows.
    target: ["safari16", "chrome110"],
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
