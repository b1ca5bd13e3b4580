import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Logger, Redactor } from "@serverless-openclaw/shared";
import type { ChromiumOptions } from "./chromium";
import { EmbeddedAgentClient } from "./embedded-agent";
import { EMBEDDED_AGENT_PROGRAM } from "./embedded-agent-program";
import { AgentTaskError } from "./errors";
import type { LlmChoice } from "./llm-choice";
import { type ChatEvent, streamChat } from "./openclaw-chat";
import { browserEnv, buildOpenClawConfig, leanBootEnv } from "./openclaw-config";
import type { ToolEventSource } from "./openclaw-events";
import type { OpenClawRuntime } from "./openclaw-runtime";
import { handOver, NEVER_TO_OPENCLAW, type OpenClawUser } from "./openclaw-user";
import { cliGatewayCall, forgetStoppedPrompt } from "./stopped-prompt";
import { freeLoopbackPort, OpenClawSupervisor, type ProcessExit, stableLoopbackPort } from "./supervisor";

/** Where one task keeps OpenClaw's files, all under WORK_DIR (ephemeral storage on Fargate). */
export function workLayout(workDir: string) {
  return {
    stateDir: join(workDir, "state"),
    configPath: join(workDir, "openclaw.json"),
    home: join(workDir, "home"),
    tmp: join(workDir, "tmp"),
    logFile: join(workDir, "logs", "openclaw.log"),
  };
}

export interface OpenClawHostOptions {
  runtime: OpenClawRuntime;
  workDir: string;
  logger: Logger;
  redactor: Redactor;
  /** NODE_COMPILE_CACHE for OpenClaw (the image warms one at build time). */
  compileCacheDir?: string;
  /** Environment passed through to OpenClaw as is (PATH, LANG, TZ, proxies…); never our secrets. */
  passEnv?: Record<string, string | undefined>;
  /** Run OpenClaw as another uid (the image); its files are handed over to it before each start. */
  user?: OpenClawUser;
  onLine?: (line: string) => void;
  /**
   * "embedded" (the default): OpenClaw's embedded agent in a host process of ours
   * (embedded-agent-program.ts), no gateway; the gateway is used anyway when the browser is on (its
   * browser control server is a gateway service), and when the host cannot find OpenClaw's internals
   * (an upgrade moved them). "gateway": `openclaw gateway run` and its chat completions endpoint.
   */
  mode?: OpenClawMode;
}

export type OpenClawMode = "gateway" | "embedded";

/**
 * Embedded: 0.57x the gateway's time from a message to an Idle agent to its first token, with the same
 * tool activity (docs/performance.md, "Cold path").
 */
export const DEFAULT_OPENCLAW_MODE: OpenClawMode = "embedded";

/** OpenClaw's exit code for a configuration-class start-up failure (sysexits EX_CONFIG). */
export const EX_CONFIG = 78;

/** OpenClaw's own request for another start (it exits 1 with this in its last output). */
const RETRY_STARTUP = /Retry startup so the new config can be validated/;

/** Writes OpenClaw's config, starts it on a free loopback port and talks to it. */
export class OpenClawHost {
  private supervisor: OpenClawSupervisor | undefined;
  private embedded: EmbeddedAgentClient | undefined;
  private readonly token = randomBytes(24).toString("base64url");
  private browserOn = false;
  /** The embedded host could not load OpenClaw's agent in this task: the gateway runs instead. */
  private embeddedUnavailable = false;
  /** OpenClaw's environment, for its CLI talking to the running gateway. */
  private env: Record<string, string> | undefined;
  readonly layout;

  constructor(private readonly options: OpenClawHostOptions) {
    this.layout = workLayout(options.workDir);
    options.redactor.add(this.token);
  }

  get running(): boolean {
    return this.supervisor?.running ?? false;
  }

  endpoint(): { baseUrl: string; token: string } | undefined {
    return this.baseUrl ? { baseUrl: this.baseUrl, token: this.token } : undefined;
  }

  get baseUrl(): string | undefined {
    return this.embedded ? undefined : this.supervisor?.baseUrl;
  }

  /** How OpenClaw runs in this task (set by start()). */
  get mode(): OpenClawMode {
    return this.embedded ? "embedded" : "gateway";
  }

  /**
   * Where the chat's tool activity comes from: the embedded host itself, or undefined in gateway mode
   * (the task then subscribes over the gateway's WebSocket, openclaw-events.ts). Set by start().
   */
  get embeddedToolEvents(): ToolEventSource | undefined {
    return this.embedded;
  }

  /**
   * Step "writing-config": dirs and the config file (no user secret in it). `chromium` turns
   * OpenClaw's browser tool on (the user asked for it and the image has Chromium).
   */
  async writeConfig(llm: LlmChoice | undefined, chromium?: ChromiumOptions): Promise<Record<string, string>> {
    const { layout } = this;
    await Promise.all(
      [layout.stateDir, layout.home, layout.tmp, join(this.options.workDir, "logs")].map((d) =>
        mkdir(d, { recursive: true, mode: 0o700 }),
      ),
    );
    const browser = chromium && {
      executablePath: chromium.path,
      // The same port on every boot of this work dir, so a browser user's config does not change.
      cdpPort: await stableLoopbackPort(`cdp:${this.options.workDir}`),
      noSandbox: chromium.noSandbox,
      allowedHostnames: chromium.allowedHostnames,
    };
    const { config, env, modelRef } = buildOpenClawConfig({
      llm,
      gatewayToken: this.token,
      logFile: layout.logFile,
      browser,
    });
    this.browserOn = browser !== undefined;
    await writeFile(layout.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    this.options.logger.info("openclaw config written", {
      model: modelRef ?? "(none configured)",
      browser: browser ? { executablePath: browser.executablePath, noSandbox: browser.noSandbox } : false,
    });
    return env;
  }

  /** Step "starting-openclaw": spawns it; `ready()` waits for /readyz. */
  async start(secretEnv: Record<string, string>, onCrash: (exit: ProcessExit) => void): Promise<void> {
    const { runtime, passEnv = {}, compileCacheDir, user } = this.options;
    const { layout } = this;
    if (user) {
      // Restore, skills and config were written by the task (root): OpenClaw must own them to work.
      await handOver(
        [layout.stateDir, layout.home, layout.tmp, join(this.options.workDir, "logs"), layout.configPath],
        user,
      );
    }
    const path = [runtime.binDir, passEnv.PATH ?? "/usr/local/bin:/usr/bin:/bin"].filter(Boolean).join(":");
    const env: Record<string, string> = {
      ...definedOnly(passEnv),
      PATH: path,
      HOME: layout.home,
      TMPDIR: layout.tmp,
      NO_COLOR: "1",
      OPENCLAW_CONFIG_PATH: layout.configPath,
      OPENCLAW_STATE_DIR: layout.stateDir,
      ...leanBootEnv({ browser: this.browserOn }),
      ...(this.browserOn ? browserEnv(layout.tmp) : {}),
      ...(compileCacheDir ? { NODE_COMPILE_CACHE: compileCacheDir } : {}),
      ...secretEnv,
    };
    // Whatever a caller passes, the task's credentials and ECS endpoints never reach OpenClaw.
    for (const name of Object.keys(env)) if (NEVER_TO_OPENCLAW.test(name)) delete env[name];
    const embedded =
      (this.options.mode ?? DEFAULT_OPENCLAW_MODE) === "embedded" &&
      !this.browserOn &&
      !this.embeddedUnavailable;
    this.embedded = undefined;
    if (embedded) env.SOC_OPENCLAW_DIST = join(dirname(runtime.entry), "dist");
    const port = embedded ? 0 : await freeLoopbackPort();
    this.env = env;
    this.supervisor = new OpenClawSupervisor({
      runtime,
      port,
      env,
      cwd: this.options.workDir,
      ...(user ? { user } : {}),
      logger: this.options.logger,
      redactor: this.options.redactor,
      onLine: this.options.onLine,
      program: embedded ? { args: ["--input-type=module", "--eval", EMBEDDED_AGENT_PROGRAM] } : undefined,
    });
    this.supervisor.onCrash(onCrash);
    this.supervisor.start();
    const pipes = this.supervisor.pipes;
    if (embedded && pipes) this.embedded = new EmbeddedAgentClient(pipes.input, pipes.output);
  }

  /**
   * start() then ready(), with one more start when OpenClaw's first one exits with EX_CONFIG (78).
   * OpenClaw gives that code to an invalid config, and also to any error while it reads its config
   * snapshot (that pipeline opens its state database and loads plugin metadata, and reports a failure
   * there as the config being invalid: `read failed: …`), which happens at a fresh agent's first start
   * on a loaded machine, with or without a tool policy; the next start reads the same file fine. Its
   * embedding guide asks for exactly one retry. The same one retry when it exits 1 asking for it
   * ("Refusing to run automatic gateway startup migrations because the selected config changed during
   * startup (config validity changed). Retry startup so the new config can be validated."): its two
   * reads of the same, unchanged file disagreed, seen on a loaded machine. A crash after start-up goes
   * to `onCrash`; one during start-up is this method's to handle (it throws when the retry fails too).
   */
  async startReady(
    secretEnv: Record<string, string>,
    onCrash: (exit: ProcessExit) => void,
    timeoutMs: number,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let booting = true;
      await this.start(secretEnv, (exit) => {
        if (!booting) onCrash(exit);
      });
      try {
        await this.ready(timeoutMs);
        if (this.embedded && !(await this.embeddedStarted(timeoutMs))) {
          // Not a failed start: the gateway is the same OpenClaw, only slower to the first token.
          attempt--;
          continue;
        }
        booting = false;
        return;
      } catch (error) {
        const exit = this.supervisor?.exitStatus;
        const asksForRetry =
          exit?.code === 1 && (this.supervisor?.lastOutput ?? []).some((l) => RETRY_STARTUP.test(l));
        if (attempt > 1 || (exit?.code !== EX_CONFIG && !asksForRetry)) {
          booting = false;
          throw error;
        }
        this.options.logger.warn(
          asksForRetry
            ? "OpenClaw asked for its start-up to be retried (its config read differently during start-up); starting it once more"
            : "OpenClaw refused to start with EX_CONFIG (78); starting it once more",
          { ...exit },
        );
      }
    }
  }

  /**
   * Whether the embedded host loaded OpenClaw's agent. When it could not find OpenClaw's internals (an
   * upgrade moved them) it says so and exits: logged, and false, so that startReady runs the gateway
   * instead. A host that died otherwise is a failed start (thrown, like the gateway's).
   */
  private async embeddedStarted(timeoutMs: number): Promise<boolean> {
    const embedded = this.embedded;
    const supervisor = this.supervisor;
    if (!embedded || !supervisor) return true;
    let timer: NodeJS.Timeout | undefined;
    const started = await Promise.race([
      embedded.started,
      new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (started === "timeout")
      throw new AgentTaskError(
        "OPENCLAW_START_TIMEOUT",
        `OpenClaw's embedded agent was not loaded after ${timeoutMs} ms.`,
      );
    if (started.ok) return true;
    // Wait for the host's exit while start-up still owns it, so it is not taken for a crash.
    await supervisor.stop();
    if (started.reason === "exited")
      throw new AgentTaskError(
        "OPENCLAW_EXITED",
        `OpenClaw's embedded agent host exited during start-up (code ${supervisor.exitStatus?.code}); see the task log.`,
      );
    this.embeddedUnavailable = true;
    this.embedded = undefined;
    this.options.logger.warn(
      "OpenClaw's embedded agent is not available in this OpenClaw version; falling back to the gateway (slower first token)",
      { reason: started.message },
    );
    return false;
  }

  /**
   * Gateway: /readyz. Embedded: at once (startReady then waits for the host to have imported OpenClaw's
   * agent command, ~1 s, so a host that cannot is replaced by the gateway before any turn); the agent
   * runtime itself is prepared by the first turn.
   */
  async ready(timeoutMs: number): Promise<void> {
    if (!this.supervisor) throw new Error("OpenClaw was not started");
    if (!this.embedded) await this.supervisor.waitReady(timeoutMs);
  }

  chat(request: { sessionKey: string; text: string; signal: AbortSignal }): AsyncIterable<ChatEvent> {
    if (this.embedded) return this.embedded.chat(request);
    const baseUrl = this.baseUrl;
    if (!baseUrl) throw new Error("OpenClaw is not running");
    return streamChat({ ...request, baseUrl, token: this.token });
  }

  /** Removes a stopped turn's prompt from its session (see stopped-prompt.ts). */
  async forgetStoppedPrompt(sessionKey: string, text: string): Promise<boolean> {
    if (this.embedded) return this.embedded.forget(sessionKey, text);
    const baseUrl = this.baseUrl;
    if (!baseUrl || !this.env) return false;
    const call = cliGatewayCall({
      node: this.options.runtime.node,
      entry: this.options.runtime.entry,
      url: baseUrl.replace(/^http/, "ws"),
      token: this.token,
      env: this.env,
    });
    return forgetStoppedPrompt(call, sessionKey, text);
  }

  /** Whether OpenClaw still answers (used to tell an LLM failure from OpenClaw dying mid-turn). */
  async alive(): Promise<boolean> {
    if (!this.supervisor?.running) return false;
    if (this.embedded) return true;
    try {
      const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  async stop(graceMs?: number): Promise<void> {
    await this.supervisor?.stop(graceMs);
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
