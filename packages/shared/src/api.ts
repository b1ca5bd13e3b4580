import * as z from "zod";
import { ChatChannelSchema, ConversationIdSchema } from "./ids";
import { LIMITS } from "./limits";
import { ChannelPairingSchema, ConversationMetaSchema, PairingNoticeSchema } from "./records";

/**
 * The management HTTP API (JWT-protected, behind API Gateway's HTTP API).
 * Every error body is `{ error: { code, message } }`.
 */
export const API_ROUTES = {
  getSettings: "GET /settings",
  putSettings: "PUT /settings",
  listConversations: "GET /conversations",
  createConversation: "POST /conversations",
  renameConversation: "PATCH /conversations/{conversationId}",
  deleteConversation: "DELETE /conversations/{conversationId}",
  getMessages: "GET /conversations/{conversationId}/messages",
  getAgent: "GET /agent",
  stopAgent: "POST /agent/stop",
  /** Sign out everywhere: closes every open browser socket of the user (the web app also revokes tokens). */
  closeSessions: "POST /sessions/close",
  /** Custom and built-in skills (docs/skills.md); bodies in skills.ts. PUT takes the zip as the body. */
  listSkills: "GET /skills",
  putSkill: "PUT /skills/{name}",
  patchSkill: "PATCH /skills/{name}",
  deleteSkill: "DELETE /skills/{name}",
  /** Not JWT-protected: checked with the X-Telegram-Bot-Api-Secret-Token header. */
  telegramWebhook: "POST /telegram/webhook",
  /** Scheduled prompts (docs/schedules.md); bodies in schedules.ts. */
  listSchedules: "GET /schedules",
  createSchedule: "POST /schedules",
  updateSchedule: "PATCH /schedules/{scheduleId}",
  deleteSchedule: "DELETE /schedules/{scheduleId}",
  /** Agent-hours and estimated cost per month (usage.ts). */
  getUsage: "GET /usage",
  /** Pairing for every chat channel (`telegram`, `discord`, `slack`): codes, paired accounts, unpairing. */
  createChannelPairingCode: "POST /channels/{channel}/pairing-code",
  listChannelPairings: "GET /channels/{channel}/pairings",
  deleteChannelPairing: "DELETE /channels/{channel}/pairings/{externalUserId}",
  /** What the owner of a paired account should know (records.ts PairingNotice), and dismissing it. */
  listChannelNotices: "GET /channels/{channel}/notices",
  dismissChannelNotice: "DELETE /channels/{channel}/notices/{externalUserId}",
  /** Not JWT-protected: Ed25519 signature (X-Signature-Ed25519) with the app's public key. */
  discordInteractions: "POST /discord/interactions",
  /** Not JWT-protected: Slack signing secret (X-Slack-Signature v0, 5-minute window). */
  slackEvents: "POST /slack/events",
  slackCommands: "POST /slack/commands",
} as const;

/**
 * Routes called by other services' servers (no JWT), each served by its own Lambda, deployed only
 * when its channel is on. Every other route is JWT-protected and served by the http-api Lambda.
 */
export const PUBLIC_ROUTES = {
  telegramWebhook: "telegram-webhook",
  discordInteractions: "discord-interactions",
  slackEvents: "slack-events",
  slackCommands: "slack-events",
} as const satisfies Partial<Record<keyof typeof API_ROUTES, string>>;
export type PublicRouteName = keyof typeof PUBLIC_ROUTES;

/**
 * The agent HTTP API (the task → gateway, SigV4-signed on AWS): the header in which a task names the
 * user it serves; the gateway checks it against the TaskState row of the calling task.
 */
export const AGENT_USER_HEADER = "x-agent-user-id";

export const ApiErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;

const TitleSchema = z
  .string()
  .trim()
  .min(1, "title must not be empty")
  .max(LIMITS.maxTitleChars, `title must be at most ${LIMITS.maxTitleChars} characters`);

export const CreateConversationSchema = z.strictObject({
  conversationId: ConversationIdSchema.optional(),
  title: TitleSchema.optional(),
});
export const RenameConversationSchema = z.strictObject({ title: TitleSchema });

export const ConversationListSchema = z.object({ conversations: z.array(ConversationMetaSchema) });

export const HistoryQuerySchema = z.object({
  before: z.string().max(512).optional(),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int()
    .min(1, "limit must be at least 1")
    .max(LIMITS.historyPageMax, `limit must be at most ${LIMITS.historyPageMax}`)
    .optional(),
});

export const PairingCodeSchema = z.object({
  code: z.string(),
  expiresAt: z.iso.datetime(),
  /** e.g. "Send /pair ABCD1234 to @my_bot on Telegram". */
  instruction: z.string(),
  deepLink: z.string().optional(),
});
export type PairingCode = z.infer<typeof PairingCodeSchema>;

/** The web app's button that makes a pairing code (Settings → Telegram, Discord, Slack); the bots name it. */
export const PAIRING_CODE_BUTTON = "Get a pairing code";

export const ChannelPairingListSchema = z.object({ pairings: z.array(ChannelPairingSchema) });
export const PairingNoticeListSchema = z.object({ notices: z.array(PairingNoticeSchema) });

export const ChatChannelParamSchema = ChatChannelSchema;
export const ExternalUserIdParamSchema = z
  .string()
  .min(1, "externalUserId must not be empty")
  .max(128, "externalUserId must be at most 128 characters")
  .regex(/^[A-Za-z0-9:_-]+$/, "externalUserId may contain only letters, digits, ':', '-' and '_'");
