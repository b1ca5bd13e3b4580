import { LIMITS, type PairingCode, type TelegramPairing } from "@serverless-openclaw/shared";
import {
  type ChannelPairFailure,
  ChannelPairingService,
  normalizeCode,
  PAIRING_CODE_ALPHABET,
} from "../channels/pairing";
import type { Clock, SettingsStore } from "../ports";
import { readBotInfo } from "./telegram-bot-info";

export { normalizeCode, PAIRING_CODE_ALPHABET };

export type RedeemResult = { ok: true; pairing: TelegramPairing; already: boolean } | ChannelPairFailure;

export interface PairingServiceDeps {
  settings: SettingsStore;
  clock: Clock;
  /** For the instruction and deep link; read from the cached bot info when absent. */
  botUsername?: string;
}

/**
 * Telegram pairing: the channel-neutral ChannelPairingService (channels/pairing.ts) with Telegram's
 * numeric user ids, its bot username in the instruction and the `t.me` deep link.
 */
export class PairingService {
  private readonly inner: ChannelPairingService;

  constructor(private readonly deps: PairingServiceDeps) {
    this.inner = new ChannelPairingService({
      channel: "telegram",
      settings: deps.settings,
      clock: deps.clock,
    });
  }

  /** The channel-neutral service underneath (the generic pairing routes use it). */
  get channel(): ChannelPairingService {
    return this.inner;
  }

  /** `label` names the web account in the bot's answers (its email or username). */
  async createCode(userId: string, label?: string): Promise<PairingCode> {
    const created = await this.inner.createCode(userId, label);
    const username = this.deps.botUsername ?? (await readBotInfo(this.deps.settings))?.username;
    return { ...created, ...telegramInstruction(created.code, username) };
  }

  async redeem(
    input: string,
    telegramUser: { id: number; username?: string | undefined },
  ): Promise<RedeemResult> {
    const result = await this.inner.redeem(input, {
      id: String(telegramUser.id),
      username: telegramUser.username,
    });
    if (!result.ok) return result;
    return { ok: true, pairing: toTelegramPairing(result.pairing), already: result.already };
  }

  async lookup(telegramUserId: number): Promise<string | undefined> {
    return this.inner.lookup(String(telegramUserId));
  }

  async list(userId: string): Promise<TelegramPairing[]> {
    return (await this.inner.list(userId)).map(toTelegramPairing);
  }

  /** From the web app (the bot's /unpair goes through the channel service and leaves a notice). */
  async unpair(userId: string, telegramUserId: number): Promise<void> {
    await this.inner.unpair(userId, String(telegramUserId));
  }
}

export function telegramInstruction(
  code: string,
  username: string | undefined,
): { instruction: string; deepLink?: string } {
  const bot = username ? `@${username}` : "the bot";
  const minutes = LIMITS.pairingCodeTtlSeconds / 60;
  return {
    instruction: `Send /pair ${code} to ${bot} on Telegram within ${minutes} minutes.`,
    ...(username ? { deepLink: `https://t.me/${username}?start=${code}` } : {}),
  };
}

function toTelegramPairing(p: {
  externalUserId: string;
  userId: string;
  username?: string | undefined;
  pairedAt: string;
}): TelegramPairing {
  return {
    telegramUserId: Number(p.externalUserId),
    userId: p.userId,
    ...(p.username ? { username: p.username } : {}),
    pairedAt: p.pairedAt,
  };
}
