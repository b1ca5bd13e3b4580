import * as z from "zod";

/**
 * The chat relay (agent task → gateway): how a task replies on Telegram, Discord and Slack without
 * holding a bot token. The task names one of its own user's pending messages and what to show; the
 * gateway sends it, with its bot token, to that message's chat only (docs/security.md, "Bot replies").
 */

/** Longest text one relay call carries (Telegram's 4096 characters as HTML escapes grow a little). */
export const RELAY_MAX_TEXT = 16_384;

const text = z.string().min(1).max(RELAY_MAX_TEXT);

/**
 * A message the relay sent, as the task may name it again to edit it: the platform's id and the
 * gateway's proof (a MAC over user, pending message, chat and id) that the relay sent it for this
 * pending message. A task cannot edit a message it did not get back from the relay.
 */
export const RelayHandleSchema = z.strictObject({
  id: z.string().min(1).max(64),
  proof: z.string().min(1).max(128),
});
export type RelayHandle = z.infer<typeof RelayHandleSchema>;

export const RelayCallSchema = z.discriminatedUnion("op", [
  /** "typing…" in the message's Telegram chat. */
  z.strictObject({ op: z.literal("telegram.typing") }),
  /** A new message in the message's Telegram chat; `html`: parse_mode HTML, else plain text. */
  z.strictObject({ op: z.literal("telegram.send"), text, html: z.boolean() }),
  z.strictObject({ op: z.literal("telegram.edit"), message: RelayHandleSchema, text, html: z.boolean() }),
  /** A bot message in the message's Discord channel (after its interaction token expired). */
  z.strictObject({ op: z.literal("discord.send"), text }),
  z.strictObject({ op: z.literal("discord.edit"), message: RelayHandleSchema, text }),
  /**
   * Slack: `first` replaces the status message the gateway posted for this message (when there is
   * one); otherwise a new message in the message's channel (and thread).
   */
  z.strictObject({ op: z.literal("slack.send"), text, first: z.boolean() }),
  z.strictObject({ op: z.literal("slack.edit"), message: RelayHandleSchema, text }),
]);
export type RelayCall = z.infer<typeof RelayCallSchema>;

/** What a relay call answers: the sent message, for sends. */
export const RelayResultSchema = z.strictObject({ message: RelayHandleSchema.optional() });
export type RelayResult = z.infer<typeof RelayResultSchema>;

/**
 * A refused or failed relay call. `status` and `description` are the platform's own (Telegram's
 * error_code and description, Discord's and Slack's error), so the sink can tell a formatting error
 * or a deleted message from a real failure.
 */
export const RelayFailureSchema = z.strictObject({
  code: z.string().max(64),
  message: z.string().max(1000),
  status: z.number().int().optional(),
  description: z.string().max(1000).optional(),
});
export type RelayFailure = z.infer<typeof RelayFailureSchema>;

/** Agent → gateway over the agent WebSocket: one relay call, answered by `agent.relay-result` with the same id. */
export const AgentRelaySchema = z.strictObject({
  type: z.literal("agent.relay"),
  id: z.string().min(1).max(64),
  pendingId: z.string().min(1).max(200),
  call: RelayCallSchema,
});
export type AgentRelay = z.infer<typeof AgentRelaySchema>;

/** Gateway → agent: the answer to `agent.relay` `id`: its result, or (only) an error. */
export const AgentRelayResultSchema = z.strictObject({
  type: z.literal("agent.relay-result"),
  id: z.string().max(64),
  result: RelayResultSchema.optional(),
  error: RelayFailureSchema.optional(),
});
export type AgentRelayResult = z.infer<typeof AgentRelayResultSchema>;
