import {
  INTERRUPTED_ERROR,
  KEYS,
  LIMITS,
  type PendingMessage,
  readSettings,
  SECRET_NAMES,
  type StartupStep,
} from "@serverless-openclaw/shared";
import { AgentSocket } from "./agent-socket";
import { AgentState } from "./agent-state";
import { type AgentTaskDeps, type AgentTaskTimings, DEFAULT_TIMINGS } from "./agent-task-deps";
import type { ChromiumOptions } from "./chromium";
import { AgentTaskError, EXIT_CODES } from "./errors";
import { KeepWarmGuard } from "./keep-warm-guard";
import { type LlmResolution, resolveLlm } from "./llm-choice";
import { OpenClawEvents, type ToolEventSource } from "./openclaw-events";
import { OpenClawHost } from "./openclaw-host";
import { WebReplySink } from "./sinks/web";
import { SkillInstaller } from "./skills-install";
import { TaskStateReporter } from "./task-state";
import { TurnRunner } from "./turns";

export type StopReason =
  | "idle"
  | "settings-changed"
  | "signal"
  | "shutdown-requested"
  | "replaced"
  | "openclaw-crashed"
  | "boot-failed";

/** What the user reads when the agent goes Idle for a reason worth telling. */
const IDLE_MESSAGES: Partial<Record<StopReason, string>> = {
  "settings-changed": "Settings applied: restarting the agent with them.",
};

/**
 * One run of the agent task: boot (restore state ∥ read settings, write config, start OpenClaw),
 * connect to the gateway, answer messages, and stop (idle, SIGTERM, agent.shutdown) by the same
 * path: finish or abandon the running turn, Stopping, stop OpenClaw, back up, Idle.
 */
export class AgentTask {
  private readonly timings: AgentTaskTimings;
  private readonly web: WebReplySink;
  private readonly reporter: TaskStateReporter;
  private readonly host: OpenClawHost;
  private readonly skills: SkillInstaller;
  private readonly state: AgentState;
  private runner: TurnRunner | undefined;
  private events: OpenClawEvents | undefined;
  private socket: AgentSocket | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopping: Promise<number> | undefined;
  private resolveDone!: (code: number) => void;
  private readonly done = new Promise<number>((r) => {
    this.resolveDone = r;
  });
  private openClawStarted = false;
  private inactivityMs = LIMITS.inactivityMinutesDefault * 60_000;
  /** The user saved new settings while this task ran: stop at the next idle moment to apply them. */
  private settingsChanged = false;
  private browserWanted = false;
  /** The user's keep-warm hours: an idle task inside them does not stop (keep-warm-guard.ts). */
  private readonly keepWarm: KeepWarmGuard;
  /** Milliseconds from run() to each step, for the log and the boot bench. */
  readonly marks: Partial<Record<StartupStep | "ready" | "connected", number>> = {};

  constructor(private readonly deps: AgentTaskDeps) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    const { stores, logger } = deps;
    this.keepWarm = new KeepWarmGuard(
      async () => readSettings(await stores.settings.get(deps.userId, KEYS.settings.settings)).keepWarm,
      this.timings.keepWarmRefreshMs,
    );
    this.web = new WebReplySink(deps.userId, stores.connections, deps.clientPush, logger);
    this.reporter = new TaskStateReporter(
      deps.userId,
      deps.agentSecret,
      stores.taskState,
      this.web,
      logger,
      deps.now,
    );
    deps.redactor.add(deps.agentSecret);
    this.host = new OpenClawHost({
      runtime: deps.runtime,
      workDir: deps.workDir,
      logger,
      redactor: deps.redactor,
      compileCacheDir: deps.compileCacheDir,
      mode: deps.openClawMode,
      ...(deps.openclawUser ? { user: deps.openclawUser } : {}),
      passEnv: { ...deps.openClawPassEnv },
      onLine: deps.onOpenClawLine,
    });
    this.state = new AgentState({
      userId: deps.userId,
      blobs: stores.blobs,
      stateDir: this.host.layout.stateDir,
      workDir: deps.workDir,
      runtime: deps.runtime,
      logger,
      checkpoints: deps.stateCheckpoints,
    });
    this.skills = new SkillInstaller({
      userId: deps.userId,
      blobs: stores.blobs,
      settings: stores.settings,
      stateDir: this.host.layout.stateDir,
      configPath: this.host.layout.configPath,
      logger,
    });
  }

  private booting: Promise<void> = Promise.resolve();
  private stopRequested = false;

  /** Where OpenClaw listens and its token (benchmarks compare calling it directly with the bridge). */
  openClawEndpoint(): { baseUrl: string; token: string } | undefined {
    return this.host.endpoint();
  }

  /** Runs until the task stops; resolves with the process exit code. */
  run(): Promise<number> {
    this.booting = this.boot();
    return this.done;
  }

  private async boot(): Promise<void> {
    const t0 = performance.now();
    const mark = (name: keyof AgentTask["marks"]) => {
      this.marks[name] = Math.round(performance.now() - t0);
    };
    const { deps } = this;
    const { logger, stores, userId } = deps;
    try {
      const row = await this.reporter.read();
      const startedAt = row.startedAt;
      // Steps are reported one after another, off the boot's critical path; the last one is
      // awaited before connecting so no step can reach the browser after the Running status.
      let reported = Promise.resolve();
      const step = (s: StartupStep) => {
        mark(s);
        reported = reported.then(() => this.reporter.step(s, startedAt));
        return reported;
      };

      // Restoring state and reading settings do not depend on each other.
      step("restoring-state");
      const [resolution] = await Promise.all([this.readLlm(), this.state.restore()]);
      if (!resolution.ok) logger.warn("no usable LLM configured", { code: resolution.code });

      if (this.stopRequested) return;
      step("writing-config");
      const secretEnv = await this.host.writeConfig(
        resolution.ok ? resolution.llm : undefined,
        this.browser(),
      );
      for (const value of Object.values(secretEnv)) deps.redactor.add(value);
      // After the restore (an old archive may hold a skills dir) and the config it amends.
      await this.syncSkills();

      if (this.stopRequested) return;
      step("starting-openclaw");
      this.openClawStarted = true;
      await this.host.startReady(
        secretEnv,
        (exit) => {
          logger.error("OpenClaw exited unexpectedly", { ...exit });
          void this.stop("openclaw-crashed");
        },
        this.timings.openClawReadyTimeoutMs,
      );
      mark("ready");
      logger.info("openclaw ready", { mode: this.host.mode });
      if (this.stopRequested) return;

      await step("connecting");
      const endpoint = this.host.endpoint();
      // Tool activity: from the embedded host itself, or over the gateway's WebSocket protocol, opened
      // now, off any turn's path.
      let tools: ToolEventSource | undefined = this.host.embeddedToolEvents;
      if (!tools && endpoint) {
        this.events = new OpenClawEvents({ ...endpoint, logger });
        this.events.start();
        tools = this.events;
      }
      this.runner = new TurnRunner({
        userId,
        pending: stores.pending,
        conversations: stores.conversations,
        sinksFor: (m) => [this.web, ...(deps.extraSinks?.(m) ?? [])],
        chat: (r) => this.host.chat(r),
        llmProblem: () =>
          resolution.ok
            ? undefined
            : { code: resolution.code, message: resolution.message, retryable: false },
        logger,
        now: deps.now,
        turnTimeoutMs: this.timings.turnTimeoutMs,
        // The embedded host prepares OpenClaw's agent runtime inside its first turn (the work the
        // gateway does before /readyz): that turn also gets the start-up's allowance.
        ...(this.host.mode === "embedded" ? { firstTurnExtraMs: this.timings.openClawReadyTimeoutMs } : {}),
        agentAlive: () => this.host.alive(),
        afterTurn: async (message, { stopped, reply }) => {
          if (stopped) await this.forgetStopped(message);
          return this.state.checkpoint(reply ? { pendingId: message.id, reply } : undefined);
        },
        replyInState: (message) => this.state.replyInState(message),
        answered: (message) => this.state.answered(message),
        ...(tools ? { toolEvents: tools.onTool.bind(tools) } : {}),
      });
      this.state.prepare();
      this.connect(() => mark("connected"));
      this.startTimers();
      logger.info("agent task booted", { marks: this.marks });
    } catch (err) {
      logger.error("boot failed", { error: err });
      const code =
        err instanceof AgentTaskError && err.code.startsWith("OPENCLAW")
          ? EXIT_CODES.openclaw
          : EXIT_CODES.unexpected;
      void this.stop("boot-failed", code);
    }
  }

  /**
   * A turn the user stopped must not come back: OpenClaw would hand its prompt to the next turn of
   * the conversation. Done before the next turn starts.
   */
  private async forgetStopped(message: PendingMessage): Promise<void> {
    const { logger } = this.deps;
    const started = performance.now();
    try {
      const rewound = await this.host.forgetStoppedPrompt(message.conversationId, message.text);
      logger.info("stopped prompt removed from the agent's session", {
        pendingId: message.id,
        rewound,
        ms: Math.round(performance.now() - started),
      });
    } catch (err) {
      logger.error("could not remove the stopped prompt from the agent's session", {
        pendingId: message.id,
        error: err,
      });
    }
  }

  /**
   * Custom skills and built-in switches; a failure is logged and never stops the agent.
   * A custom skill added or removed reaches the running OpenClaw live (its skills-dir watcher). A
   * built-in switched on or off is a config change, which OpenClaw 2026.9 detects but, on a loaded
   * machine, was seen never to apply to the running gateway (`config change detected`, then no
   * `config change applied` for five minutes, turns or not): so the task restarts, as after a settings
   * change, once nothing is left to answer, and the next OpenClaw reads the new switches at start.
   */
  private async syncSkills(): Promise<void> {
    const { logger } = this.deps;
    const builtinsChanged = await this.skills.sync().catch((err: unknown) => {
      logger.error("could not install skills", { error: err });
      return false;
    });
    if (builtinsChanged && this.openClawStarted && !this.stopRequested) {
      logger.info("built-in skills switched: restarting once there is nothing to answer");
      this.settingsChanged = true;
    }
  }

  private async readLlm(): Promise<LlmResolution> {
    const { stores, userId, envApiKeys = {}, envFallback = false } = this.deps;
    const [raw, apiKey] = await Promise.all([
      stores.settings.get(userId, KEYS.settings.settings),
      stores.secrets.get(SECRET_NAMES.llmApiKey(userId)),
    ]);
    this.deps.redactor.add(apiKey);
    const settings = readSettings(raw);
    const chosen = typeof raw === "object" && raw !== null && "inactivityMinutes" in raw;
    const minutes = chosen
      ? settings.inactivityMinutes
      : (this.timings.defaultInactivityMinutes ?? settings.inactivityMinutes);
    this.inactivityMs = this.timings.inactivityMs ?? minutes * 60_000;
    this.browserWanted = settings.browserEnabled;
    this.keepWarm.set(settings.keepWarm, this.deps.now?.() ?? new Date());
    return resolveLlm(settings, apiKey, envApiKeys, envFallback);
  }

  /** Chromium for OpenClaw when the user turned the browser on; the image decides whether there is one. */
  private browser(): ChromiumOptions | undefined {
    if (!this.browserWanted) return undefined;
    if (!this.deps.chromium) {
      this.deps.logger.warn(
        "the browser is on in Settings but this image has no Chromium (deploy with -c browser=true); starting without it",
      );
      return undefined;
    }
    return this.deps.chromium;
  }

  private connect(onFirstOpen: () => void): void {
    const { deps } = this;
    let first = true;
    this.socket = new AgentSocket({
      url: deps.agentWsUrl,
      userId: deps.userId,
      secret: deps.agentSecret,
      logger: deps.logger,
      sign: deps.signConnect,
      pingIntervalMs: this.timings.pingIntervalMs,
      onOpen: () => {
        if (first) onFirstOpen();
        // Skills changed while booting or while disconnected: no push reached us then.
        void this.syncSkills();
        first = false;
        // Everything that waited while we were away, in order; pushed messages join the same queue.
        this.runner
          ?.drain()
          .catch((err: unknown) => deps.logger.error("could not list pending messages", { error: err }));
      },
      onMessage: (message) => {
        switch (message.type) {
          case "agent.deliver":
            this.runner?.enqueue(message.message);
            break;
          case "agent.cancel":
            this.runner?.cancel(message.clientMessageId);
            break;
          case "agent.skills-changed":
            void this.syncSkills();
            break;
          case "agent.shutdown":
            deps.logger.info("shutdown requested by the gateway", { reason: message.reason });
            void this.stop("shutdown-requested");
            break;
          case "agent.relay-result":
            deps.relay?.settle(message);
            break;
          case "agent.settings-changed":
            // Picked up by the idle check below, once nothing is running or queued.
            deps.logger.info("settings changed: stopping once there is nothing to answer");
            this.settingsChanged = true;
            break;
        }
      },
      onRejected: (status) => {
        deps.logger.warn("the gateway no longer accepts this task", { status });
        void this.stop("replaced");
      },
    });
    const socket = this.socket;
    deps.relay?.attach((frame) => socket.send(frame));
    this.socket.start();
  }

  private startTimers(): void {
    const { logger } = this.deps;
    const every = (ms: number, fn: () => Promise<void>) => {
      const timer = setInterval(
        () => void fn().catch((err: unknown) => logger.warn("timer failed", { error: err })),
        ms,
      );
      timer.unref();
      this.timers.push(timer);
    };
    every(this.timings.heartbeatIntervalMs, async () => {
      // The heartbeat is the task's liveness check (ECS ignores an image HEALTHCHECK, and a RunTask task
      // is not replaced when unhealthy): none while OpenClaw does not answer, so the watchdog stops a
      // task whose OpenClaw hangs once the heartbeat is stale (LIMITS.heartbeatStaleMs).
      if (!(await this.host.alive())) {
        logger.warn("OpenClaw does not answer /healthz; no heartbeat");
        return;
      }
      if (!this.socket?.isOpen) return;
      if (!(await this.reporter.heartbeat())) void this.stop("replaced");
    });
    every(this.timings.pendingRescanMs, async () => {
      if (this.socket?.isOpen) await this.runner?.drain();
    });
    every(Math.min(5_000, Math.max(250, this.inactivityMs / 4)), async () => {
      const runner = this.runner;
      if (!runner || runner.busy) return;
      if (this.settingsChanged) {
        void this.stop("settings-changed");
        return;
      }
      const now = this.deps.now?.().getTime() ?? Date.now();
      if (now - runner.lastActivityAt < this.inactivityMs) return;
      // Inside the user's keep-warm hours an idle agent stays up, so a message then is answered warm.
      if (await this.keepWarm.holds(new Date(now))) return;
      if (!runner.busy) void this.stop("idle");
    });
  }

  /** The one way out: idle, SIGTERM, agent.shutdown, crash. Idempotent. */
  stop(reason: StopReason, exitCode?: number): Promise<number> {
    this.stopRequested = true;
    // Let an unfinished boot reach a point where it checks the flag (at most OpenClaw's start).
    this.stopping ??= this.booting
      .catch(() => undefined)
      .then(() => this.shutdown(reason, exitCode))
      .then((code) => {
        this.resolveDone(code);
        return code;
      });
    return this.stopping;
  }

  private async shutdown(reason: StopReason, exitCode?: number): Promise<number> {
    const { logger } = this.deps;
    logger.info("agent task stopping", { reason });
    for (const timer of this.timers) clearInterval(timer);
    let code: number = exitCode ?? (reason === "openclaw-crashed" ? EXIT_CODES.openclaw : EXIT_CODES.ok);
    try {
      const turn = await this.runner?.shutdown(
        reason === "openclaw-crashed" ? 0 : this.timings.shutdownGraceMs,
      );
      if (turn) logger.info("turns stopped", { turn });
      const ours = await this.reporter.stopping().catch((err: unknown) => {
        logger.warn("could not record Stopping", { error: err });
        return false;
      });
      if (ours) await this.reporter.push("Stopping");
      await this.socket?.close();
      this.deps.relay?.close();
      this.events?.close();
      if (this.openClawStarted) await this.host.stop();
      // Never overwrite saved state with a half-restored dir, nor the state of a newer task that
      // replaced this one (the row then carries another start's secret).
      const replaced =
        !ours &&
        (await this.reporter.read().then(
          (r) => r.state !== "Idle",
          () => true,
        ));
      if (this.state.restored && this.openClawStarted && !replaced) await this.state.saveAtStop();
      this.state.close();
      const interrupted = ours && (await this.leftWork(reason));
      if (ours && (await this.reporter.idle(interrupted ? INTERRUPTED_ERROR : undefined))) {
        await this.reporter.push(
          "Idle",
          interrupted ? INTERRUPTED_ERROR.message : IDLE_MESSAGES[reason],
          // An open page starts it again with the new settings (web chat-app.tsx).
          !interrupted && reason === "settings-changed" ? "settings-changed" : undefined,
        );
      }
    } catch (err) {
      logger.error("error while stopping", { error: err });
      if (code === EXIT_CODES.ok) code = EXIT_CODES.unexpected;
      await this.host.stop().catch(() => undefined);
    }
    logger.info("agent task stopped", { reason, exitCode: code });
    return code;
  }

  /**
   * Whether a run stopped from outside (SIGTERM, OpenClaw crashing) leaves messages unanswered. An idle
   * stop never does, and a stop the user or the gateway asked for must not start the agent again.
   */
  private async leftWork(reason: StopReason): Promise<boolean> {
    if (reason !== "signal" && reason !== "openclaw-crashed") return false;
    const left = await this.deps.stores.pending.list(this.deps.userId, 1).catch(() => []);
    return left.length > 0;
  }
}
