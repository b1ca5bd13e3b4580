import { describe, expect, it } from "vitest";
import { chromiumFromEnv, DEFAULT_CHROMIUM_PATH } from "../../src/chromium";
import {
  browserEnv,
  buildOpenClawConfig,
  CHROMIUM_QUIET_FLAGS,
  LEAN_BOOT_ENV,
  leanBootEnv,
} from "../../src/openclaw-config";
import { shouldBackUp } from "../../src/state-archive";

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
