/**
 * Environment switches that make OpenClaw boot lean (measured in /work/shared/notes/openclaw.md: 12–13 s
 * instead of 14–16 s) and keep it from phoning home or polling channels: the agent task sets them on
 * every start, the test kit on the OpenClaw it starts, and the image's compile-cache warm-up
 * (docker/openclaw/warm-compile-cache.mjs, plain JS at build time; a test keeps it in step).
 */
export const LEAN_BOOT_ENV: Readonly<Record<string, string>> = {
  OPENCLAW_NO_AUTO_UPDATE: "1",
  OPENCLAW_DISABLE_BONJOUR: "1",
  OPENCLAW_SKIP_CHANNELS: "1",
  OPENCLAW_SKIP_CRON: "1",
  OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: "1",
  OPENCLAW_SKIP_CANVAS_HOST: "1",
  OPENCLAW_SKIP_GMAIL_WATCHER: "1",
};
