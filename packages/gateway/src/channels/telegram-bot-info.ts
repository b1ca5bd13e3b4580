import { KEYS } from "@serverless-openclaw/shared";
import type { Api } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import * as z from "zod";
import type { SettingsStore } from "../ports";

const flag = z.boolean().catch(false);
/** getMe's answer; flags a newer Bot API adds are kept, missing ones read as false. */
const BotInfoSchema = z.looseObject({
  id: z.number().int(),
  is_bot: z.literal(true),
  first_name: z.string(),
  username: z.string(),
  can_join_groups: flag,
  can_read_all_group_messages: flag,
  supports_inline_queries: flag,
  can_connect_to_business: flag,
  has_main_web_app: flag,
  has_topics_enabled: flag,
  allows_users_to_create_topics: flag,
  can_manage_bots: flag,
  supports_join_request_queries: flag,
}) satisfies z.ZodType<UserFromGetMe>;

/** The cached getMe result, if the webhook registration or an earlier cold start stored it. */
export async function readBotInfo(settings: SettingsStore): Promise<UserFromGetMe | undefined> {
  const parsed = BotInfoSchema.safeParse(
    await settings.get(KEYS.telegram.botPartition, KEYS.telegram.botInfo),
  );
  return parsed.success ? parsed.data : undefined;
}

export async function writeBotInfo(settings: SettingsStore, info: UserFromGetMe): Promise<void> {
  await settings.put(KEYS.telegram.botPartition, KEYS.telegram.botInfo, info);
}

/**
 * Bot info for grammY without a getMe round trip on every cold start: read the cached copy, and
 * only when it is missing (or belongs to another token) ask Telegram once and store the answer.
 */
export async function loadBotInfo(deps: {
  settings: SettingsStore;
  api: Api;
  token: string;
}): Promise<UserFromGetMe> {
  const cached = await readBotInfo(deps.settings);
  if (cached && String(cached.id) === botIdFromToken(deps.token)) return cached;
  const info = await deps.api.getMe();
  await writeBotInfo(deps.settings, info);
  return info;
}

/** A bot token is `<bot id>:<secret>`. */
export function botIdFromToken(token: string): string {
  return token.split(":", 1)[0] ?? "";
}
