import { LEAN_BOOT_ENV } from "@serverless-openclaw/shared";
import type { LlmChoice } from "./llm-choice";

/** The env var through which OpenClaw reads the key of a custom provider (a SecretRef, not a literal). */
export const LLM_KEY_ENV = "SOC_LLM_API_KEY";
/**
 * The gateway token goes to OpenClaw through the environment (a SecretRef in the config), not in the
 * file: the token is new on every boot, and OpenClaw boots ~4 s slower whenever the config differs
 * from the one it last started with (measured 18.3 vs 14.3 s). With the token out of it, the config of
 * a returning user is the same boot after boot, and the restored state remembers it.
 */
export const GATEWAY_TOKEN_ENV = "SOC_GATEWAY_TOKEN";

/** Custom provider ids we register with OpenClaw for the providers it has no bundled plugin for. */
const CUSTOM_PROVIDER_ID = { deepseek: "deepseek", "openai-compatible": "compat" } as const;
const DEEPSEEK_BASE_URL = "https://api.deepseek.com";
/** OpenClaw accepts a non-secret marker for keyless local servers (Ollama, vLLM on loopback or LAN). */
const KEYLESS_MARKER = "not-needed";

export interface OpenClawConfigInput {
  /** undefined: no provider configured; OpenClaw still boots, the bridge answers with how to fix it. */
  llm: LlmChoice | undefined;
  gatewayToken: string;
  logFile: string;
  /** OpenClaw's browser tool: on with these launch settings, off when undefined. */
  browser?: BrowserLaunch;
}

/** How OpenClaw launches its managed Chromium (see docs/browser.md). */
export interface BrowserLaunch {
  /** Chromium binary (Debian's `chromium` in the browser image: /usr/bin/chromium). */
  executablePath: string;
  /** Loopback port for Chromium's DevTools endpoint; picked free by the host, never exposed. */
  cdpPort: number;
  /** Chromium's sandbox needs user namespaces, which containers (Fargate) and root do not give it. */
  noSandbox: boolean;
  /**
   * Private hosts the browser may open anyway (tests: "127.0.0.1"). Empty in a deployment: the
   * default SSRF policy keeps the agent's browser away from loopback, the VPC and the task metadata
   * endpoint (169.254.170.2), which hands out the task role's credentials.
   */
  allowedHostnames?: readonly string[];
}

/**
 * Added to OpenClaw's own launch flags (it already passes some of these; repeating them keeps the
 * guarantee ours): no background traffic to Google (component updates, sync, field trials, Safe
 * Browsing, crash reports, domain reliability, hyperlink pings), no QUIC, no first-run UI.
 */
export const CHROMIUM_QUIET_FLAGS: readonly string[] = [
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--disable-domain-reliability",
  "--disable-client-side-phishing-detection",
  "--disable-breakpad",
  "--disable-default-apps",
  "--no-pings",
  "--no-first-run",
  "--no-default-browser-check",
  "--metrics-recording-only",
];

/**
 * OpenClaw's `browser` block. Key names checked against `openclaw config schema` and the browser
 * plugin of openclaw 2026.9.6 (dist/config-*.mjs resolveBrowserConfig, chrome-*.mjs launch args).
 * One managed profile, `openclaw`, launched headless on a loopback DevTools port; the user data
 * dir is OpenClaw's `<state dir>/browser/openclaw/user-data` (left out of the state backup).
 * `act:evaluate` (arbitrary page JS) stays off: `text`, `snapshot` and `navigate` read pages.
 */
export function browserConfig(launch: BrowserLaunch | undefined): Record<string, unknown> {
  if (!launch) return { enabled: false };
  const allowed = [...(launch.allowedHostnames ?? [])];
  return {
    enabled: true,
    executablePath: launch.executablePath,
    headless: true,
    noSandbox: launch.noSandbox,
    attachOnly: false,
    evaluateEnabled: false,
    defaultProfile: "openclaw",
    profiles: { openclaw: { cdpPort: launch.cdpPort } },
    extraArgs: [...CHROMIUM_QUIET_FLAGS],
    ssrfPolicy: {
      dangerouslyAllowPrivateNetwork: false,
      ...(allowed.length > 0 ? { allowedHostnames: allowed } : {}),
    },
  };
}

/**
 * OpenClaw's tool policy, written explicitly rather than left to its defaults (key names from
 * OpenClaw 2026.9.6 docs/gateway/config-tools/tool-policy.md and docs/tools/exec-approvals.md):
 * - `exec` (and `process`, files, web, sessions, memory) stay on: running commands for its user is the
 *   product. `exec` runs on the gateway host (the task's container; there is no sandbox runtime on
 *   Fargate) in `full` mode, without approval prompts, because nobody is there to approve them. What
 *   keeps that safe is outside OpenClaw: the container holds nothing of any other user's
 *   (docs/security.md).
 * - `elevated` is off: there is nothing to escape to, and it must never be turned on from a chat.
 * - `gateway`, `plugins` and `openclaw` are denied: they let the model read and rewrite OpenClaw's own
 *   configuration, install plugins and run setup. The task writes OpenClaw's config at every boot;
 *   the model does not get to change which channels, ports or plugins it runs with.
 */
export const TOOL_POLICY = {
  exec: { host: "gateway", mode: "full" },
  elevated: { enabled: false },
  deny: ["gateway", "plugins", "openclaw"],
} as const;

export interface OpenClawConfigOutput {
  /** Written to OPENCLAW_CONFIG_PATH. Holds no user secret (keys go through `env`). */
  config: Record<string, unknown>;
  /** Extra environment for the OpenClaw process: the API key, under the name OpenClaw reads. */
  env: Record<string, string>;
  /** The model ref OpenClaw's agent uses, e.g. "anthropic/claude-sonnet-4-5". */
  modelRef: string | undefined;
}

/**
 * OpenClaw's config for one task. Key names checked against `openclaw config schema` and the
 * provider docs of openclaw 2026.9.6 (docs/providers/anthropic.md, openai/setup.md, deepseek.md,
 * gateway/local-models.md, gateway/config-secrets-env.md).
 *
 * Everything that spends money or CPU in the background, or could open a second door to the
 * user's agent, is off: heartbeats, cron, update checks, mDNS, the control UI, the browser, memory
 * search, and every channel (our gateway owns the Telegram bot; OpenClaw polling it too would make
 * Telegram drop our webhook); the browser only when the user turned it on and the image has one.
 * The gateway listens on loopback only, behind a random token.
 */
export function buildOpenClawConfig(input: OpenClawConfigInput): OpenClawConfigOutput {
  const { llm } = input;
  const env: Record<string, string> = { [GATEWAY_TOKEN_ENV]: input.gatewayToken };
  let providers: Record<string, unknown> = {};
  let modelRef: string | undefined;

  if (llm) {
    switch (llm.provider) {
      case "anthropic":
      case "openai": {
        // Bundled provider plugins: they read the key from their standard env var.
        modelRef = `${llm.provider}/${llm.model}`;
        if (llm.apiKey)
          env[llm.provider === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"] = llm.apiKey;
        break;
      }
      case "deepseek":
      case "openai-compatible": {
        const id = CUSTOM_PROVIDER_ID[llm.provider];
        const baseUrl = llm.provider === "deepseek" ? (llm.baseUrl ?? DEEPSEEK_BASE_URL) : llm.baseUrl;
        if (llm.apiKey) env[LLM_KEY_ENV] = llm.apiKey;
        providers = {
          [id]: {
            baseUrl,
            api: "openai-completions",
            apiKey: llm.apiKey ? { source: "env", provider: "default", id: LLM_KEY_ENV } : KEYLESS_MARKER,
            models: [{ id: llm.model, name: llm.model }],
          },
        };
        modelRef = `${id}/${llm.model}`;
        break;
      }
    }
  }

  const config: Record<string, unknown> = {
    models: { mode: "merge", catalogRefresh: { enabled: false }, providers },
    agents: {
      defaults: {
        ...(modelRef ? { model: { primary: modelRef } } : {}),
        heartbeat: { every: "0m" },
      },
    },
    gateway: {
      mode: "local",
      bind: "loopback",
      auth: { mode: "token", token: { source: "env", provider: "default", id: GATEWAY_TOKEN_ENV } },
      controlUi: { enabled: false },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    update: { checkOnStart: false },
    telemetry: { enabled: false },
    cron: { enabled: false },
    discovery: { mdns: { mode: "off" } },
    browser: browserConfig(input.browser),
    memory: { search: { enabled: false } },
    tools: structuredClone(TOOL_POLICY),
    logging: { file: input.logFile },
  };
  return { config, env, modelRef };
}

/**
 * Environment that makes OpenClaw boot lean (measured in /work/shared/notes/openclaw.md: 12–13 s
 * instead of 14–16 s) and keeps it from phoning home or polling channels.
 */
export function leanBootEnv(options: { browser?: boolean } = {}): Record<string, string> {
  const env = { ...LEAN_BOOT_ENV };
  if (options.browser) delete env.OPENCLAW_SKIP_BROWSER_CONTROL_SERVER;
  return env;
}

/**
 * Environment for OpenClaw when its browser is on: headless whatever the display, and Chromium's
 * XDG config and cache under the task's work dir (OpenClaw would default them to /tmp/openclaw).
 */
export function browserEnv(tmpDir: string): Record<string, string> {
  return {
    OPENCLAW_BROWSER_HEADLESS: "1",
    XDG_CONFIG_HOME: `${tmpDir}/chromium`,
    XDG_CACHE_HOME: `${tmpDir}/chromium`,
  };
}
