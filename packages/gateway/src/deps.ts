import type { Logger } from "@serverless-openclaw/shared";
import type { Stores } from "./adapters/stores";
import type { ClientPush, Clock, Scheduler, TaskRunner, TokenVerifier } from "./ports";

// The Logger interface lives in shared (one for every process); re-exported for the gateway's own files.
export type { LogAttributes, Logger } from "@serverless-openclaw/shared";

/** Counters for dashboards (Powertools Metrics on AWS, a no-op locally). */
export interface Metrics {
  count(name: string, value?: number): void;
}

export interface GatewayConfig {
  /** Browser origins allowed to call the HTTP API (the SPA's CloudFront URL, or the local server). `*` allows any. */
  allowedOrigins: readonly string[];
  /** Shown while the agent wakes ("usually ~N s"). */
  typicalWakeSeconds: number;
  /** Whether the Telegram bot is set up in this deployment (pairing routes answer 409 otherwise). */
  telegramEnabled: boolean;
  /** The bot's @username, for pairing instructions and deep links. */
  telegramBotUsername?: string;
  /** The inactivity timeout of users who never chose one (deploy context `inactivityMinutes`). */
  defaultInactivityMinutes?: number;
  /** Whether the Discord app (interactions endpoint) is set up; pairing answers 409 otherwise. */
  discordEnabled?: boolean;
  /**
   * The server (guild) channels where `/ask` is answered; its replies are public there. DMs with the bot
   * are always answered. None: DMs only, so an agent's replies never land in a shared channel unasked.
   */
  discordChannelIds?: readonly string[];
  /** Whether the Slack app (events and commands endpoints) is set up. */
  slackEnabled?: boolean;
  /** Slack Web API base URL for the gateway's own messages and the chat relay (tests); Slack's when absent. */
  slackApiBaseUrl?: string;
  /** Telegram Bot API root for the chat relay (tests, a self-hosted Bot API); Telegram's when absent. */
  telegramApiRoot?: string;
  /** Discord API base URL for the chat relay (tests); Discord's when absent. */
  discordApiBaseUrl?: string;
  /** Deployment default cap on a user's monthly estimated agent cost, USD (0 or absent = none). */
  monthlyBudgetUsd?: number;
  /**
   * Tests whose fake agents need no LLM: messages and wakes go to an agent even for a user without an
   * AI provider. Never set in a deployment or in local mode.
   */
  skipLlmSetupCheck?: boolean;
  /** Local mode (npm start): the no-provider message also names its environment options. */
  localMode?: boolean;
  /** The agent task's size, for the cost estimate (default: shared DEFAULT_TASK_SIZE). */
  taskSize?: { vcpu: number; memoryGb: number };
}

/** Every storage port (the same `Stores` createStores builds), and what the handlers reach besides. */
export interface GatewayDeps extends Stores {
  taskRunner: TaskRunner;
  /** Browser connections (client WebSocket API). */
  clientPush: ClientPush;
  /** Agent connections (agent WebSocket API). */
  agentPush: ClientPush;
  tokenVerifier: TokenVerifier;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Scheduled prompts; absent where none is set up (the schedule routes then answer 409). */
  scheduler?: Scheduler;
  config: GatewayConfig;
}

export const DEFAULT_GATEWAY_CONFIG: GatewayConfig = {
  allowedOrigins: [],
  typicalWakeSeconds: 60,
  telegramEnabled: false,
};

// One real clock for handlers and stores alike (it lives with the stores' time helpers).
export { systemClock } from "./adapters/clock";

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export const noopMetrics: Metrics = { count: () => {} };
