import { randomInt } from "node:crypto";
import {
  type ChannelPairing,
  ChannelPairingSchema,
  type ChatChannel,
  KEYS,
  LIMITS,
  type PairingCode,
  TelegramPairingSchema,
} from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Clock, SettingsStore } from "../ports";

/** No 0/O, 1/I/L: codes are read off a screen and typed on a phone. */
export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

const StoredCodeSchema = z.object({ userId: z.string(), expiresAt: z.number() });
const CurrentCodeSchema = z.object({ code: z.string() });
const ReverseSchema = z.object({ userId: z.string() });

export type ChannelRedeemResult =
  | { ok: true; pairing: ChannelPairing }
  | { ok: false; reason: "malformed" | "unknown-or-expired" };

export interface ChannelAccount {
  /** Telegram user id, Discord user id, or Slack `<teamId>:<userId>`. */
  id: string;
  username?: string | undefined;
}

export interface ChannelPairingDeps {
  channel: ChatChannel;
  settings: SettingsStore;
  clock: Clock;
  /** What the web app shows next to a new code ("Send /pair CODE to …"), and an optional deep link. */
  describe?: (code: string, minutes: number) => { instruction: string; deepLink?: string };
}

/**
 * Links accounts of one chat channel to users. A code made in the web app is redeemed once from the
 * channel; the pairing is stored in the user's partition and mirrored in a reverse-lookup partition so
 * an inbound message finds its user in one read. Keys are KEYS.channel(channel): for Telegram they are
 * the keys Telegram pairing always used, so existing pairings keep working.
 */
export class ChannelPairingService {
  private readonly keys: ReturnType<typeof KEYS.channel>;

  constructor(private readonly deps: ChannelPairingDeps) {
    this.keys = KEYS.channel(deps.channel);
  }

  get channel(): ChatChannel {
    return this.deps.channel;
  }

  async createCode(userId: string): Promise<PairingCode> {
    const { settings, clock } = this.deps;
    const code = randomCode();
    const expiresAtMs = clock.now().getTime() + LIMITS.pairingCodeTtlSeconds * 1000;
    const expiresAt = Math.floor(expiresAtMs / 1000);
    // A new code replaces the user's previous one, so at most one code per user and channel is redeemable.
    const previous = CurrentCodeSchema.safeParse(await settings.get(userId, this.keys.currentCode));
    if (previous.success) {
      await settings.delete(this.keys.codesPartition, KEYS.settings.pairingCode(previous.data.code));
    }
    await settings.put(
      this.keys.codesPartition,
      KEYS.settings.pairingCode(code),
      { userId, expiresAt },
      { expiresAt },
    );
    await settings.put(userId, this.keys.currentCode, { code }, { expiresAt });
    const minutes = LIMITS.pairingCodeTtlSeconds / 60;
    const described = this.deps.describe?.(code, minutes) ?? {
      instruction: `Send /pair ${code} to the bot within ${minutes} minutes.`,
    };
    return { code, expiresAt: new Date(expiresAt * 1000).toISOString(), ...described };
  }

  /** Single use: the code is taken atomically, so two redeems of one code cannot both win. */
  async redeem(input: string, account: ChannelAccount): Promise<ChannelRedeemResult> {
    const code = normalizeCode(input);
    if (!code) return { ok: false, reason: "malformed" };
    const { settings, clock, channel } = this.deps;
    const taken = StoredCodeSchema.safeParse(
      await settings.take(this.keys.codesPartition, KEYS.settings.pairingCode(code)),
    );
    // TTL deletion is lazy (DynamoDB may keep an expired item for days): check the time ourselves.
    if (!taken.success || taken.data.expiresAt * 1000 <= clock.now().getTime()) {
      return { ok: false, reason: "unknown-or-expired" };
    }
    const { userId } = taken.data;
    await settings.delete(userId, this.keys.currentCode);
    // An account pairs with one user: pairing again moves it.
    const before = await this.lookup(account.id);
    if (before && before !== userId) {
      await settings.delete(before, this.keys.pairing(account.id));
    }
    const pairing: ChannelPairing = {
      channel,
      externalUserId: account.id,
      userId,
      ...(account.username ? { username: account.username.slice(0, 64) } : {}),
      pairedAt: clock.now().toISOString(),
    };
    // Telegram records also carry the numeric id they always had (older readers parse that shape).
    const record = channel === "telegram" ? { ...pairing, telegramUserId: Number(account.id) } : pairing;
    await settings.put(userId, this.keys.pairing(account.id), record);
    await settings.put(this.keys.userPartition(account.id), this.keys.userPairing, { userId });
    return { ok: true, pairing };
  }

  /** The user an account is paired with, if any. */
  async lookup(externalUserId: string): Promise<string | undefined> {
    const found = ReverseSchema.safeParse(
      await this.deps.settings.get(this.keys.userPartition(externalUserId), this.keys.userPairing),
    );
    return found.success ? found.data.userId : undefined;
  }

  async list(userId: string): Promise<ChannelPairing[]> {
    const items = await this.deps.settings.list(userId, this.keys.pairingPrefix);
    return items.flatMap((item) => {
      const pairing = toChannelPairing(this.deps.channel, item.value);
      return pairing ? [pairing] : [];
    });
  }

  /** Removes a pairing from the web app (or the channel's unpair command). Unknown pairings are a no-op. */
  async unpair(userId: string, externalUserId: string): Promise<void> {
    const { settings } = this.deps;
    await settings.delete(userId, this.keys.pairing(externalUserId));
    await settings.delete(userId, this.keys.conversation(externalUserId));
    if ((await this.lookup(externalUserId)) === userId) {
      await settings.delete(this.keys.userPartition(externalUserId), this.keys.userPairing);
    }
  }
}

/** A stored pairing in today's shape, or a Telegram pairing stored before channels were generic. */
function toChannelPairing(channel: ChatChannel, value: unknown): ChannelPairing | undefined {
  const current = ChannelPairingSchema.safeParse(value);
  if (current.success) return current.data;
  if (channel !== "telegram") return undefined;
  const legacy = TelegramPairingSchema.safeParse(value);
  if (!legacy.success) return undefined;
  const { telegramUserId, userId, username, pairedAt } = legacy.data;
  return {
    channel,
    externalUserId: String(telegramUserId),
    userId,
    ...(username ? { username } : {}),
    pairedAt,
  };
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
