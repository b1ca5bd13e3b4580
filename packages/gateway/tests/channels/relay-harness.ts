import type { PendingMessage } from "@serverless-openclaw/shared";
import type { SecretStore } from "../../src/ports";
import { ChatRelay, type ChatRelayPort } from "../../src/services/chat-relay";

/**
 * The gateway's chat relay in process, as a task's reply sinks reach it over the agent link: bound to
 * one user (the scope the gateway gives the link), with `queued` standing for that user's pending
 * messages. Only the WebSocket hop is skipped.
 */
export function inProcessRelay(input: {
  secrets: Pick<SecretStore, "get">;
  queued: PendingMessage[];
  userId?: string;
  telegramApiRoot?: string;
  discordApiBaseUrl?: string;
  slackApiBaseUrl?: string;
}): ChatRelayPort & { relay: ChatRelay } {
  const { secrets, queued, userId = "u-1", ...apis } = input;
  const relay = new ChatRelay({
    pending: { list: async (id, limit) => queued.filter((m) => m.userId === id).slice(0, limit ?? 100) },
    secrets,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...apis,
  });
  return { relay, call: (pendingId, call) => relay.call({ userId }, pendingId, call) };
}
