import * as z from "zod";
import { ToolActivityListSchema } from "./activity";
import {
  ChannelSchema,
  ChatChannelSchema,
  ClientMessageIdSchema,
  ConversationIdSchema,
  UserIdSchema,
} from "./ids";
import { AgentStateSchema, StartupStepSchema } from "./lifecycle";
import { LIMITS } from "./limits";

/** Where the agent should send a reply besides the user's web connections. */
export const ReplyTargetSchema = z.discriminatedUnion("channel", [
  z.object({ channel: z.literal("web") }),
  z.object({
    channel: z.literal("telegram"),
    chatId: z.number().int(),
    messageId: z.number().int().optional(),
  }),
  z.object({ channel: z.literal("schedule"), scheduleId: z.string().max(128) }),
  z.object({
    channel: z.literal("discord"),
    applicationId: z.string().regex(/^\d{1,32}$/),
    /** The interaction's token: the reply edits its original response (valid 15 minutes). */
    interactionToken: z.string().min(1).max(1000),
    /** Where to post instead once the interaction token has expired (needs the bot token). */
    channelId: z
      .string()
      .regex(/^\d{1,32}$/)
      .optional(),
  }),
  z.object({
    channel: z.literal("slack"),
    /** A DM (D…) or channel (C…/G…) id. */
    channelId: z.string().regex(/^[A-Z0-9]{1,32}$/),
    /** Reply in this thread (app mentions). */
    threadTs: z
      .string()
      .regex(/^\d+\.\d+$/)
      .optional(),
    /** A status message the gateway posted ("Waking up the agent…"): the reply replaces it. */
    messageTs: z
      .string()
      .regex(/^\d+\.\d+$/)
      .optional(),
  }),
]);
export type ReplyTarget = z.infer<typeof ReplyTargetSchema>;

/** A message waiting for the agent (PendingMessages). Deleted only once its turn is stored. */
export const PendingMessageSchema = z.object({
  userId: UserIdSchema,
  /** Sort key: `<receivedAt ISO>#<uuid>`, so a query returns messages in arrival order. */
  id: z.string().max(200),
  clientMessageId: ClientMessageIdSchema,
  conversationId: ConversationIdSchema,
  text: z.string().max(LIMITS.maxMessageChars),
  channel: ChannelSchema,
  replyTo: ReplyTargetSchema,
  receivedAt: z.iso.datetime(),
});
export type PendingMessage = z.infer<typeof PendingMessageSchema>;

export const RoleSchema = z.enum(["user", "assistant"]);

/** One stored message of a conversation (Conversations table). */
export const StoredMessageSchema = z.object({
  conversationId: ConversationIdSchema,
  messageId: z.string().max(200),
  clientMessageId: ClientMessageIdSchema,
  role: RoleSchema,
  text: z.string(),
  channel: ChannelSchema,
  createdAt: z.iso.datetime(),
  /** Set on an assistant message that is an error explanation rather than a model reply. */
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      /** Whether sending the same message again may work (the history keeps its Retry button). */
      retryable: z.boolean().optional(),
    })
    .optional(),
  /** On a reply: the tool calls the agent made while answering, in order (shown after a reload). */
  activity: ToolActivityListSchema.optional(),
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

/** The title of a conversation created empty (POST /conversations); its first message replaces it. */
export const UNTITLED_TITLE = "New conversation";

/** A conversation's title: its first message, on one line, cut to the title limit. */
export function conversationTitle(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line.length <= LIMITS.maxTitleChars) return line || UNTITLED_TITLE;
  return `${line.slice(0, LIMITS.maxTitleChars - 1).trimEnd()}…`;
}

export const ConversationMetaSchema = z.object({
  conversationId: ConversationIdSchema,
  title: z.string().max(LIMITS.maxTitleChars),
  channel: ChannelSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ConversationMeta = z.infer<typeof ConversationMetaSchema>;

/** The agent's state as stored in TaskState and shown to the user. */
export const TaskStateSchema = z.object({
  userId: UserIdSchema,
  state: AgentStateSchema,
  /** Incremented on every write: the condition of every conditional update. */
  version: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime(),
  taskArn: z.string().optional(),
  /** The capacity the task runs on (absent = Spot): the run is priced by it when booked. */
  capacity: z.enum(["spot", "on-demand"]).optional(),
  /** When the current start began (Starting) or the task reached Running. */
  startedAt: z.iso.datetime().optional(),
  runningAt: z.iso.datetime().optional(),
  heartbeatAt: z.iso.datetime().optional(),
  step: StartupStepSchema.optional(),
  stepAt: z.iso.datetime().optional(),
  agentConnectionId: z.string().optional(),
  /** SHA-256 of the per-start secret the task must present when it connects. */
  agentSecretHash: z.string().optional(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() }).optional(),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

export const ConnectionSchema = z.object({
  connectionId: z.string().min(1).max(128),
  userId: UserIdSchema,
  kind: z.enum(["client", "agent"]),
  connectedAt: z.iso.datetime(),
  /** Epoch seconds; DynamoDB TTL attribute. */
  expiresAt: z.number().int(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

/**
 * How a Telegram pairing was stored before chat channels were one model: still read (as a
 * ChannelPairing) so those pairings keep working; never written or served any more.
 */
export const TelegramPairingSchema = z.object({
  telegramUserId: z.number().int(),
  userId: UserIdSchema,
  username: z.string().max(64).optional(),
  pairedAt: z.iso.datetime(),
});
export type TelegramPairing = z.infer<typeof TelegramPairingSchema>;

/** A paired account on any chat channel (what the pairing routes serve; new pairings are stored so). */
export const ChannelPairingSchema = z.object({
  channel: ChatChannelSchema,
  /** Telegram user id, Discord user id (snowflake), or Slack `<teamId>:<userId>`. */
  externalUserId: z.string().min(1).max(128),
  userId: UserIdSchema,
  username: z.string().max(64).optional(),
  pairedAt: z.iso.datetime(),
});
export type ChannelPairing = z.infer<typeof ChannelPairingSchema>;

/**
 * Something the owner of a paired chat account should know, shown in the web app's Settings until
 * dismissed (kept 30 days): the account unpaired itself from the chat app, or someone tried to pair it
 * with another web account (`otherAccount`), which was refused.
 */
export const PairingNoticeSchema = z.object({
  channel: ChatChannelSchema,
  externalUserId: z.string().min(1).max(128),
  username: z.string().max(64).optional(),
  kind: z.enum(["unpaired-from-channel", "move-refused"]),
  otherAccount: z.string().max(LIMITS.accountLabelChars).optional(),
  at: z.iso.datetime(),
});
export type PairingNotice = z.infer<typeof PairingNoticeSchema>;
