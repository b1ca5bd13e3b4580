import * as z from "zod";
import { ToolActivityListSchema, ToolActivitySchema } from "./activity";
import { ClientMessageIdSchema, ConversationIdSchema } from "./ids";
import { AgentStateSchema, StartupStepSchema } from "./lifecycle";
import { LIMITS } from "./limits";
import { PendingMessageSchema, StoredMessageSchema } from "./records";
import { AgentRelayResultSchema, AgentRelaySchema } from "./relay";

// ───────────── browser → gateway (web WebSocket, $default route) ─────────────

export const ChatSendSchema = z.strictObject({
  type: z.literal("chat.send"),
  conversationId: ConversationIdSchema,
  clientMessageId: ClientMessageIdSchema,
  text: z
    .string({ error: "text must be a string" })
    .trim()
    .min(1, "text must not be empty")
    .max(LIMITS.maxMessageChars, `text must be at most ${LIMITS.maxMessageChars} characters`),
});

export const ChatCancelSchema = z.strictObject({
  type: z.literal("chat.cancel"),
  clientMessageId: ClientMessageIdSchema,
});

/** Pre-warm: the UI sends this when the chat opens or the user starts typing. */
export const AgentWakeSchema = z.strictObject({ type: z.literal("agent.wake") });
export const StatusGetSchema = z.strictObject({ type: z.literal("status.get") });
export const PingSchema = z.strictObject({ type: z.literal("ping") });

export const HistoryGetSchema = z.strictObject({
  type: z.literal("history.get"),
  conversationId: ConversationIdSchema,
  /** Opaque cursor from a previous page's `nextCursor`: returns older messages. */
  before: z.string().max(512).optional(),
  limit: z.number().int().min(1).max(LIMITS.historyPageMax).optional(),
});

export const ClientMessageSchema = z.discriminatedUnion(
  "type",
  [ChatSendSchema, ChatCancelSchema, AgentWakeSchema, StatusGetSchema, PingSchema, HistoryGetSchema],
  {
    error: "type must be one of: chat.send, chat.cancel, agent.wake, status.get, ping, history.get",
  },
);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ChatSend = z.infer<typeof ChatSendSchema>;

// ───────────── gateway/agent → browser (pushed through @connections) ─────────────

export const ErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const AgentStatusEventSchema = z.object({
  type: z.literal("agent.status"),
  state: AgentStateSchema,
  /** The current start-up step while Starting. */
  step: StartupStepSchema.optional(),
  /** When the current start began, so the UI can show elapsed time. */
  startedAt: z.iso.datetime().optional(),
  /** A typical wake time for this deployment, for "usually ~N s". */
  typicalWakeSeconds: z.number().optional(),
  /** A human sentence, e.g. "Waking up the agent…". */
  message: z.string().optional(),
  /** Set when the last start failed; the next message retries. */
  error: ErrorBodySchema.optional(),
  /**
   * Why the agent went Idle, when a page should act on it: "settings-changed" means it stopped to
   * take new settings, and an open page starts it again at once (so the next message finds it warm).
   */
  idleReason: z.enum(["settings-changed"]).optional(),
});
export type AgentStatusEvent = z.infer<typeof AgentStatusEventSchema>;

export const ChatAckEventSchema = z.object({
  type: z.literal("chat.ack"),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
  /** queued: stored and waiting for the agent; delivered: handed to a running agent; duplicate: seen before. */
  state: z.enum(["queued", "delivered", "duplicate"]),
});

/** The agent began working on the message (the chat shows it thinking until text or a tool call arrives). */
export const ChatStartedEventSchema = z.object({
  type: z.literal("chat.started"),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
});

/** A tool call of the running turn started or ended; the same `activity.id` again replaces it. */
export const ChatActivityEventSchema = z.object({
  type: z.literal("chat.activity"),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
  activity: ToolActivitySchema,
});

export const ChatDeltaEventSchema = z.object({
  type: z.literal("chat.delta"),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
  /** 0, 1, 2, … per turn, so a client can drop repeats and notice gaps. */
  seq: z.number().int().nonnegative(),
  /** Text to append. */
  text: z.string(),
  /**
   * Which run of the turn sent it. A new agent that answers the message again after a crash streams
   * the reply afresh from seq 0 under a new id: the client replaces the partial text instead of
   * appending to it.
   */
  stream: z.string().max(64).optional(),
});

export const ChatFinalEventSchema = z.object({
  type: z.literal("chat.final"),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
  messageId: z.string(),
  /** The whole reply. */
  text: z.string(),
  createdAt: z.iso.datetime(),
  /** Every tool call of the turn, final state (a tab that missed the live events catches up). */
  activity: ToolActivityListSchema.optional(),
});

export const ChatErrorEventSchema = z.object({
  type: z.literal("chat.error"),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
  code: z.string(),
  message: z.string(),
  /** Whether sending the same message again may work. */
  retryable: z.boolean(),
  /** Tool calls the turn made before it failed. */
  activity: ToolActivityListSchema.optional(),
});

export const HistoryPageEventSchema = z.object({
  type: z.literal("history.page"),
  conversationId: ConversationIdSchema,
  /** Oldest first. */
  messages: z.array(StoredMessageSchema),
  /** Pass as `before` to get the previous (older) page; absent on the oldest page. */
  nextCursor: z.string().optional(),
});
export type HistoryPage = Omit<z.infer<typeof HistoryPageEventSchema>, "type">;

export const PongEventSchema = z.object({ type: z.literal("pong") });

export const ErrorEventSchema = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
});

export const ServerEventSchema = z.discriminatedUnion("type", [
  AgentStatusEventSchema,
  ChatAckEventSchema,
  ChatStartedEventSchema,
  ChatActivityEventSchema,
  ChatDeltaEventSchema,
  ChatFinalEventSchema,
  ChatErrorEventSchema,
  HistoryPageEventSchema,
  PongEventSchema,
  ErrorEventSchema,
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;

// ───────────── gateway ↔ agent task (agent WebSocket) ─────────────

/** Gateway → agent: a message to answer now (it is also in PendingMessages). */
export const AgentDeliverSchema = z.object({
  type: z.literal("agent.deliver"),
  message: PendingMessageSchema,
});
export const AgentCancelSchema = z.object({
  type: z.literal("agent.cancel"),
  clientMessageId: ClientMessageIdSchema,
});
/** Gateway → agent: stop now (user pressed stop, or the watchdog). */
export const AgentShutdownSchema = z.object({
  type: z.literal("agent.shutdown"),
  reason: z.string().max(200),
});
/** Gateway → agent: the user's skills changed; reinstall them (OpenClaw reloads skills live). */
export const AgentSkillsChangedSchema = z.object({ type: z.literal("agent.skills-changed") });
/**
 * Gateway → agent: the user saved new settings (provider, model, key, timeout…). OpenClaw reads them at
 * start, so the task stops as soon as it has nothing to answer; the next message starts it with them.
 */
export const AgentSettingsChangedSchema = z.object({ type: z.literal("agent.settings-changed") });
export const GatewayToAgentSchema = z.discriminatedUnion("type", [
  AgentDeliverSchema,
  AgentCancelSchema,
  AgentShutdownSchema,
  AgentSkillsChangedSchema,
  AgentSettingsChangedSchema,
  AgentRelayResultSchema,
]);
export type GatewayToAgent = z.infer<typeof GatewayToAgentSchema>;

/** Agent → gateway: keep-alive (API Gateway drops connections idle for 10 minutes). */
export const AgentPingSchema = z.strictObject({ type: z.literal("agent.ping") });
export const AgentToGatewaySchema = z.discriminatedUnion("type", [AgentPingSchema, AgentRelaySchema]);
export type AgentToGateway = z.infer<typeof AgentToGatewaySchema>;
