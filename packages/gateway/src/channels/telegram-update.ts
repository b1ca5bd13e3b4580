import { KEYS, LIMITS } from "@serverless-openclaw/shared";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import * as z from "zod";
import type { Clock, SettingsStore } from "../ports";

const int = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/**
 * The parts of an update the bot reads. `z.object` drops every other field, so grammY only ever
 * sees data that was checked here, whatever the body held.
 */
export const TelegramUpdateSchema = z.object({
  update_id: int.nonnegative(),
  message: z
    .object({
      message_id: int,
      date: int,
      chat: z.object({ id: int, type: z.enum(["private", "group", "supergroup", "channel"]) }),
      from: z
        .object({
          id: int.positive(),
          is_bot: z.boolean(),
          first_name: z.string().max(256),
          username: z.string().max(64).optional(),
        })
        .optional(),
      text: z.string().max(LIMITS.maxMessageChars).optional(),
      entities: z
        .array(z.object({ type: z.string().max(64), offset: int.nonnegative(), length: int.nonnegative() }))
        .max(200)
        .optional(),
    })
    // Entities describe the text; without text (a fuzzed or odd update) grammY's command matching
    // would read a missing string, so they are dropped with it.
    .transform((m) => (m.text === undefined ? { ...m, entities: undefined } : m))
    .optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdateSchema>;

export type UpdateOutcome = "handled" | "duplicate" | "ignored";

export interface ProcessUpdateDeps {
  bot: Bot;
  settings: SettingsStore;
  clock: Clock;
}

/**
 * One update, as the webhook and long polling both handle it: validate, drop what the bot does not
 * serve (without a single write), claim the update_id so a redelivered update is handled once, and
 * run the bot. If the bot fails, the claim is released so Telegram's retry gets another chance; the
 * chat message itself is idempotent on `tg-<update_id>`, so a retry never enqueues twice.
 */
export async function processTelegramUpdate(deps: ProcessUpdateDeps, body: unknown): Promise<UpdateOutcome> {
  const parsed = TelegramUpdateSchema.safeParse(body);
  if (!parsed.success) return "ignored";
  const update = parsed.data;
  const message = update.message;
  if (!message?.from || message.from.is_bot || message.chat.type !== "private") return "ignored";

  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  const key = KEYS.telegram.update(update.update_id);
  const claimed = await deps.settings.putIfAbsent(
    KEYS.telegram.updatesPartition,
    key,
    { receivedAt: nowSeconds },
    { expiresAt: nowSeconds + LIMITS.dedupeTtlSeconds },
  );
  if (!claimed) return "duplicate";
  try {
    // Safe: the schema above is a strict subset of Telegram's Update type.
    await deps.bot.handleUpdate(update as Update);
  } catch (error) {
    await deps.settings.delete(KEYS.telegram.updatesPartition, key);
    throw error;
  }
  return "handled";
}
