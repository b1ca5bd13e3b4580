import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LEAN_BOOT_ENV, Redactor } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { chromiumFromEnv, DEFAULT_CHROMIUM_PATH } from "../../src/chromium";
import { createJsonLogger } from "../../src/logger";
import {
  browserEnv,
  buildOpenClawConfig,
  CHROMIUM_QUIET_FLAGS,
  leanBootEnv,
} from "../../src/openclaw-config";
import { OpenClawHost } from "../../src/openclaw-host";
import { shouldBackUp } from "../../src/state-archive";
import { stableLoopbackPort } from "../../src/supervisor";

const base = { llm: undefined, gatewayToken: "t".repeat(32), logFile: "/w/logs/openclaw.log" };
const launch = { executablePath: "/usr/bin/chromium", cdpPort: 41234, noSandbox: true };

describe("OpenClaw's browser block", () => {
  it("is off unless a launch is given", () => {
    expect(buildOpenClawConfig(base).config.browser).toEqual({ enabled: false });
  });

  it("launches the given Chromium headless on a loopback DevTools port, evaluate off, private network refused", () => {
    const browser = buildOpenClawConfig({ ...base, browser: launch }).config.browser;
    expect(browser).toEqual({
      enabled: true,
      executablePath: "/usr/bin/chromium",
      headless: true,
      noSandbox: true,
      attachOnly: false,
      evaluateEnabled: false,
      defaultProfile: "openclaw",
      // A cdpPort and no cdpUrl: OpenClaw launches it itself at http://127.0.0.1:<port>.
      profiles: { openclaw: { cdpPort: 41234 } },
      extraArgs: [...CHROMIUM_QUIET_FLAGS],
      ssrfPolicy: { dangerouslyAllowPrivateNetwork: false },
    });
    expect(JSON.stringify(browser)).not.toMatch(/cdpUrl|0\.0\.0\.0/);
  });

  it("keeps the sandbox when it can, and opens only the listed private hosts", () => {
    const browser = buildOpenClawConfig({
      ...base,
      browser: { ...launch, noSandbox: false, allowedHostnames: ["127.0.0.1"] },
    }).config.browser as Record<string, unknown>;
    expect(browser.noSandbox).toBe(false);
    expect(browser.ssrfPolicy).toEqual({
      dangerouslyAllowPrivateNetwork: false,
      allowedHostnames: ["127.0.0.1"],
    });
  });

  it("passes the flags that keep Chromium off the network", () => {
    for (const flag of [
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ]) {
      expect(CHROMIUM_QUIET_FLAGS).toContain(flag);
    }
    // Never a flag that would widen what the browser reaches or exposes.
    expect(CHROMIUM_QUIET_FLAGS.join(" ")).not.toMatch(/remote-debugging-address|proxy|user-data-dir/);
  });

  it("starts OpenClaw's browser control server only with the browser, headless, XDG dirs in the task", () => {
    expect(leanBootEnv()).toEqual(LEAN_BOOT_ENV);
    expect(leanBootEnv({ browser: true })).not.toHaveProperty("OPENCLAW_SKIP_BROWSER_CONTROL_SERVER");
    expect(leanBootEnv({ browser: true }).OPENCLAW_SKIP_CANVAS_HOST).toBe("1");
    expect(browserEnv("/w/tmp")).toEqual({
      OPENCLAW_BROWSER_HEADLESS: "1",
      XDG_CONFIG_HOME: "/w/tmp/chromium",
      XDG_CACHE_HOME: "/w/tmp/chromium",
    });
  });

  it("leaves Chromium's profile out of the state backup", () => {
    expect(shouldBackUp("browser/openclaw/user-data/Default/Cookies")).toBe(false);
    expect(shouldBackUp("browser")).toBe(false);
    expect(shouldBackUp("agents/main/agent/openclaw-agent.sqlite")).toBe(true);
  });
});

describe("chromiumFromEnv", () => {
  const exists = (paths: string[]) => (p: string) => paths.includes(p);

  it("finds Debian's Chromium by default and nothing when the image has none", () => {
    expect(chromiumFromEnv({}, exists([DEFAULT_CHROMIUM_PATH]), false)).toEqual({
      path: DEFAULT_CHROMIUM_PATH,
      noSandbox: false,
      allowedHostnames: [],
    });
    expect(chromiumFromEnv({}, exists([]), false)).toBeUndefined();
    expect(
      chromiumFromEnv({ CHROMIUM_PATH: "/opt/chrome/chrome" }, exists([DEFAULT_CHROMIUM_PATH])),
    ).toBeUndefined();
    expect(
      chromiumFromEnv({ CHROMIUM_PATH: "/opt/chrome/chrome" }, exists(["/opt/chrome/chrome"]))?.path,
    ).toBe("/opt/chrome/chrome");
  });

  it("drops the sandbox as root or when told to, and reads the allowed hosts", () => {
    const found = exists([DEFAULT_CHROMIUM_PATH]);
    expect(chromiumFromEnv({}, found, true)?.noSandbox).toBe(true);
    expect(chromiumFromEnv({ CHROMIUM_NO_SANDBOX: "1" }, found, false)?.noSandbox).toBe(true);
    expect(chromiumFromEnv({ CHROMIUM_NO_SANDBOX: "0" }, found, true)?.noSandbox).toBe(false);
    expect(
      chromiumFromEnv({ BROWSER_ALLOWED_HOSTS: " 127.0.0.1, localhost ,," }, found)?.allowedHostnames,
    ).toEqual(["127.0.0.1", "localhost"]);
  });
});

describe("the DevTools port in OpenClaw's config", () => {
  const chromium = { path: "/usr/bin/chromium", noSandbox: true, allowedHostnames: [] };
  const writeConfig = async (workDir: string) => {
    const redactor = new Redactor();
    const host = new OpenClawHost({
      runtime: { home: workDir, node: "node", entry: "openclaw.mjs", binDir: undefined },
      workDir,
      redactor,
      logger: createJsonLogger({ redactor, write: () => undefined }),
    });
    await host.writeConfig(undefined, chromium);
    return readFile(host.layout.configPath, "utf8");
  };

  it("is the same on every boot of a work dir, so a browser user's config does not change (OpenClaw boots ~3 s slower when it does)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cdp-port-"));
    try {
      const first = await writeConfig(dir);
      expect(first).toMatch(/"cdpPort": \d+/);
      expect(await writeConfig(dir)).toBe(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("moves to another free loopback port when the usual one is taken", async () => {
    const seed = `seed-${process.pid}-${Date.now()}`;
    const usual = await stableLoopbackPort(seed);
    expect(await stableLoopbackPort(seed)).toBe(usual);
    expect(usual).toBeGreaterThanOrEqual(20_000);
    expect(usual).toBeLessThan(30_000);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: "127.0.0.1", port: usual }, resolve));
    try {
      const other = await stableLoopbackPort(seed);
      expect(other).not.toBe(usual);
      // and it is free: it can be bound
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once("error", reject);
        probe.listen({ host: "127.0.0.1", port: other }, resolve);
      });
      await new Promise((resolve) => probe.close(resolve));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
