import * as z from "zod";

/**
 * Identifiers that end up inside DynamoDB keys. They must never contain the key separator `#`
 * and stay short, so every id is a restricted token.
 */
const token = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} may contain only letters, digits, '-' and '_'`);

export const ConversationIdSchema = token("conversationId", 64);
export const ClientMessageIdSchema = token("clientMessageId", 64);
/** Cognito `sub` (a UUID) or, in local mode, an id of the same shape. */
export const UserIdSchema = token("userId", 128);
export const MessageIdSchema = token("messageId", 128);

export type ConversationId = z.infer<typeof ConversationIdSchema>;
export type ClientMessageId = z.infer<typeof ClientMessageIdSchema>;
export type UserId = z.infer<typeof UserIdSchema>;

/** Where a message came from, and where its reply goes. */
export const CHANNELS = ["web", "telegram", "schedule", "discord", "slack"] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/** The chat channels: people write from them, pair their account, and get replies there. */
export const CHAT_CHANNELS = ["telegram", "discord", "slack"] as const;
export const ChatChannelSchema = z.enum(CHAT_CHANNELS);
export type ChatChannel = z.infer<typeof ChatChannelSchema>;
