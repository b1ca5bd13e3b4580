import type { PendingMessage, ReplyTarget } from "@serverless-openclaw/shared";
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

let seq = 0;
/**
 * A pending message a reply sink answers (user `u-1` unless overridden), with an id of its own: what
 * the relay finds in the user's queue when a sink calls it.
 */
export function pendingFor(replyTo: ReplyTarget, overrides: Partial<PendingMessage> = {}): PendingMessage {
  seq += 1;
  return {
    userId: "u-1",
    id: `2026-11-25T12:00:00.000Z#${seq}`,
    clientMessageId: `m-${seq}`,
    conversationId: "conv",
    text: "hi",
    channel: replyTo.channel,
    replyTo,
    receivedAt: "2026-11-25T12:00:00.000Z",
    ...overrides,
  };
}
