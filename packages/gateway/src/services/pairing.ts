import { randomInt } from "node:crypto";
import {
  KEYS,
  LIMITS,
  type PairingCode,
  type TelegramPairing,
  TelegramPairingSchema,
} from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Clock, SettingsStore } from "../ports";
import { readBotInfo } from "./telegram-bot-info";

/** No 0/O, 1/I/L: codes are read off a screen and typed on a phone. */
export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

const StoredCodeSchema = z.object({ userId: z.string(), expiresAt: z.number() });
const CurrentCodeSchema = z.object({ code: z.string() });
const ReverseSchema = z.object({ userId: z.string() });

export type RedeemResult =
  | { ok: true; pairing: TelegramPairing }
  | { ok: false; reason: "malformed" | "unknown-or-expired" };

export interface PairingServiceDeps {
  settings: SettingsStore;
  clock: Clock;
  /** For the instruction and deep link; read from the cached bot info when absent. */
  botUsername?: string;
}

/**
 * Links Telegram accounts to users. A code made in the web app is redeemed once from Telegram
 * (`/pair CODE` or the deep link); the pairing is stored in the user's partition and mirrored in a
 * reverse-lookup partition so the webhook finds the user from the Telegram user id in one read.
 */
export class PairingService {
  constructor(private readonly deps: PairingServiceDeps) {}

  async createCode(userId: string): Promise<PairingCode> {
    const { settings, clock } = this.deps;
    const code = randomCode();
    const expiresAtMs = clock.now().getTime() + LIMITS.pairingCodeTtlSeconds * 1000;
    const expiresAt = Math.floor(expiresAtMs / 1000);
    // A new code replaces the user's previous one, so at most one code per user is redeemable.
    const previous = CurrentCodeSchema.safeParse(await settings.get(userId, KEYS.telegram.currentCode));
    if (previous.success) {
      await settings.delete(KEYS.telegram.codesPartition, KEYS.settings.pairingCode(previous.data.code));
    }
    await settings.put(
      KEYS.telegram.codesPartition,
      KEYS.settings.pairingCode(code),
      { userId, expiresAt },
      { expiresAt },
    );
    await settings.put(userId, KEYS.telegram.currentCode, { code }, { expiresAt });
    const username = this.deps.botUsername ?? (await readBotInfo(settings))?.username;
    const bot = username ? `@${username}` : "the bot";
    return {
      code,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      instruction: `Send /pair ${code} to ${bot} on Telegram within ${LIMITS.pairingCodeTtlSeconds / 60} minutes.`,
      ...(username ? { deepLink: `https://t.me/${username}?start=${code}` } : {}),
    };
  }

  /** Single use: the code is taken atomically, so two redeems of one code cannot both win. */
  async redeem(
    input: string,
    telegramUser: { id: number; username?: string | undefined },
  ): Promise<RedeemResult> {
    const code = normalizeCode(input);
    if (!code) return { ok: false, reason: "malformed" };
    const { settings, clock } = this.deps;
    const taken = StoredCodeSchema.safeParse(
      await settings.take(KEYS.telegram.codesPartition, KEYS.settings.pairingCode(code)),
    );
    // TTL deletion is lazy (DynamoDB may keep an expired item for days): check the time ourselves.
    if (!taken.success || taken.data.expiresAt * 1000 <= clock.now().getTime()) {
      return { ok: false, reason: "unknown-or-expired" };
    }
    const { userId } = taken.data;
    await settings.delete(userId, KEYS.telegram.currentCode);
    // A Telegram account pairs with one user: pairing again moves it.
    const before = await this.lookup(telegramUser.id);
    if (before && before !== userId) {
      await settings.delete(before, KEYS.settings.telegramPairing(telegramUser.id));
    }
    const pairing: TelegramPairing = {
      telegramUserId: telegramUser.id,
      userId,
      ...(telegramUser.username ? { username: telegramUser.username.slice(0, 64) } : {}),
      pairedAt: clock.now().toISOString(),
    };
    await settings.put(userId, KEYS.settings.telegramPairing(telegramUser.id), pairing);
    await settings.put(KEYS.telegram.userPartition(telegramUser.id), KEYS.telegram.userPairing, { userId });
    return { ok: true, pairing };
  }

  /** The user a Telegram account is paired with, if any. */
  async lookup(telegramUserId: number): Promise<string | undefined> {
    const found = ReverseSchema.safeParse(
      await this.deps.settings.get(KEYS.telegram.userPartition(telegramUserId), KEYS.telegram.userPairing),
    );
    return found.success ? found.data.userId : undefined;
  }

  async list(userId: string): Promise<TelegramPairing[]> {
    const items = await this.deps.settings.list(userId, KEYS.settings.telegramPairingPrefix);
    return items.flatMap((item) => {
      const parsed = TelegramPairingSchema.safeParse(item.value);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Removes a pairing from the web app (or `/unpair`). Unknown pairings are a no-op. */
  async unpair(userId: string, telegramUserId: number): Promise<void> {
    const { settings } = this.deps;
    await settings.delete(userId, KEYS.settings.telegramPairing(telegramUserId));
    await settings.delete(userId, KEYS.telegram.conversation(telegramUserId));
    if ((await this.lookup(telegramUserId)) === userId) {
      await settings.delete(KEYS.telegram.userPartition(telegramUserId), KEYS.telegram.userPairing);
    }
  }
}

function randomCode(): string {
  let code = "";
  for (let i = 0; i < LIMITS.pairingCodeLength; i++) {
    code += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
  }
  return code;
}

/** Accepts what people type: lower case, spaces or dashes in between. */
export function normalizeCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, "").toUpperCase();
  if (code.length !== LIMITS.pairingCodeLength) return undefined;
  for (const ch of code) if (!PAIRING_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}
