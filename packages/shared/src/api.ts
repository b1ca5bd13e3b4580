import * as z from "zod";
import { ConversationIdSchema } from "./ids";
import { LIMITS } from "./limits";
import { ConversationMetaSchema, TelegramPairingSchema } from "./records";

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
  createPairingCode: "POST /telegram/pairing-code",
  listPairings: "GET /telegram/pairings",
  deletePairing: "DELETE /telegram/pairings/{telegramUserId}",
  /** Not JWT-protected: checked with the X-Telegram-Bot-Api-Secret-Token header. */
  telegramWebhook: "POST /telegram/webhook",
} as const;

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

export const PairingListSchema = z.object({ pairings: z.array(TelegramPairingSchema) });

export const TelegramUserIdParamSchema = z.coerce
  .number({ error: "telegramUserId must be a number" })
  .int("telegramUserId must be a whole number")
  .positive("telegramUserId must be positive");
