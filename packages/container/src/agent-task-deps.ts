import type { ClientPush, Stores } from "@serverless-openclaw/gateway/agent";
import type { Logger, PendingMessage, Redactor } from "@serverless-openclaw/shared";
import { LIMITS } from "@serverless-openclaw/shared";
import type { AgentLinkRelay } from "./adapters/agent-link-relay";
import type { ChromiumOptions } from "./chromium";
import type { OpenClawMode } from "./openclaw-host";
import type { OpenClawRuntime } from "./openclaw-runtime";
import type { OpenClawUser } from "./openclaw-user";
import type { ReplySink } from "./sinks/reply-sink";

// What one run of the agent task is given (runtime.ts builds it from the parsed environment; the tests'
// harness from theirs) and its timings.

export interface AgentTaskTimings {
  /** Overrides Settings.inactivityMinutes (tests). */
  inactivityMs?: number;
  /** The deployment's timeout for users who never chose one (deploy context inactivityMinutes). */
  defaultInactivityMinutes?: number;
  shutdownGraceMs: number;
  heartbeatIntervalMs: number;
  turnTimeoutMs: number;
  pendingRescanMs: number;
  openClawReadyTimeoutMs: number;
  pingIntervalMs: number;
  /** How often an idle task held by a keep-warm window re-reads it (a change applies within this). */
  keepWarmRefreshMs: number;
}

export const DEFAULT_TIMINGS: AgentTaskTimings = {
  shutdownGraceMs: 25_000,
  heartbeatIntervalMs: LIMITS.heartbeatIntervalMs,
  turnTimeoutMs: LIMITS.turnTimeoutMs,
  pendingRescanMs: 30_000,
  openClawReadyTimeoutMs: 180_000,
  pingIntervalMs: 4 * 60_000,
  keepWarmRefreshMs: 60_000,
};

export interface AgentTaskDeps {
  userId: string;
  agentSecret: string;
  agentWsUrl: string;
  /** The gateway's stores as this task reaches them (createRpcStores: its own user's data only). */
  stores: Stores;
  /** Browser connections (API Gateway Management API of the client API). */
  clientPush: ClientPush;
  /** Signs the agent $connect (IAM) on AWS. */
  signConnect?: (url: string) => Promise<Record<string, string>>;
  runtime: OpenClawRuntime;
  workDir: string;
  logger: Logger;
  redactor: Redactor;
  timings?: Partial<AgentTaskTimings>;
  /** Local mode: a key from the task's env (ANTHROPIC_API_KEY…, in envApiKeys) may stand in for Settings. */
  envFallback?: boolean;
  /** Those keys, from the parsed TaskEnv (env.ts envApiKeys); the raw environment never reaches the task. */
  envApiKeys?: Readonly<Record<string, string | undefined>>;
  /** What OpenClaw inherits from the task's environment (env.ts openClawPassEnv: PATH, locale, TZ, proxies). */
  openClawPassEnv?: Readonly<Record<string, string>>;
  compileCacheDir?: string;
  /** How OpenClaw runs (env OPENCLAW_MODE; default "embedded"); see openclaw-host.ts. */
  openClawMode?: OpenClawMode;
  /** env STATE_CHECKPOINTS: "per-turn" (default) or "stop-only" (to measure what checkpoints cost). */
  stateCheckpoints?: "per-turn" | "stop-only";
  /** The uid OpenClaw runs as when it is not this process's (the image: root task, `node` OpenClaw). */
  openclawUser?: OpenClawUser;
  /** Chromium in this image; OpenClaw's browser tool is on when it is set and Settings turn it on. */
  chromium?: ChromiumOptions;
  /** The gateway's chat relay, reached over this task's agent link (the Telegram/Discord/Slack sinks use it). */
  relay?: AgentLinkRelay;
  /** Extra sinks for a message (Telegram), besides the web sink every message gets. */
  extraSinks?: (message: PendingMessage) => ReplySink[];
  onOpenClawLine?: (line: string) => void;
  now?: () => Date;
}
