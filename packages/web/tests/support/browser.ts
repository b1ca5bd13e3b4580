import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";

/** Debian's Chromium, driven by playwright-core (see /work/shared/notes/local-aws.md). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Waits until the chat shows exactly `count` finished replies of the agent. */
export async function repliesDone(page: Page, count: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid="message"][data-role="assistant"][data-status="done"]')
        .length === n,
    count,
    { timeout },
  );
}

/** A production build of the web app in a temp dir (vitest's NODE_ENV=test would pick React's dev build). */
export async function buildWeb(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "web-e2e-"));
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      mode: "production",
      configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)),
      build: { outDir: dir, emptyOutDir: true },
      logLevel: "silent",
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

/** Serves a built app and its /config.json on loopback, as CloudFront or local mode would. */
export async function serveWeb(
  dir: string,
  config: () => unknown,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/config.json") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(config()));
      return;
    }
    const file = normalize(join(dir, path === "/" ? "index.html" : path));
    const inside = file.startsWith(dir) && statSync(file, { throwIfNoEntry: false })?.isFile();
    const target = inside ? file : join(dir, "index.html");
    res.writeHead(200, { "Content-Type": TYPES[extname(target)] ?? "application/octet-stream" });
    res.end(readFileSync(target));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
