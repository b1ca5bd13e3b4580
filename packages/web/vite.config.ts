import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w @serverless-openclaw/web` with OPENCLAW_LOCAL_URL=http://127.0.0.1:<port> proxies
// /config.json, the API, the WebSocket and the local Cognito to a running local mode (`npm start`).
const local = process.env.OPENCLAW_LOCAL_URL;

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: local
    ? {
        proxy: {
          "/config.json": local,
          "/api": local,
          "/cognito": local,
          "/ws": { target: local.replace(/^http/, "ws"), ws: true },
        },
      }
    : undefined,
});
