import { randomInt } from "node:crypto";
import {
  type ChannelPairing,
  ChannelPairingSchema,
  type ChatChannel,
  KEYS,
  LIMITS,
  type PairingCode,
  type PairingNotice,
  PairingNoticeSchema,
  TelegramPairingSchema,
} from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Clock, SettingsStore } from "../ports";

/** No 0/O, 1/I/L: codes are read off a screen and typed on a phone. */
export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

const StoredCodeSchema = z.object({
  userId: z.string(),
  expiresAt: z.number(),
  label: z.string().optional(),
});
const CurrentCodeSchema = z.object({ code: z.string() });
const ReverseSchema = z.object({ userId: z.string(), label: z.string().optional() });

/** Why a code was not redeemed; `paired-elsewhere` names both web accounts (when known). */
export type ChannelPairFailure =
  | { ok: false; reason: "malformed" | "unknown-or-expired" }
  | { ok: false; reason: "paired-elsewhere"; current?: string | undefined; target?: string | undefined };

export type ChannelRedeemResult =
  | {
      ok: true;
      pairing: ChannelPairing;
      /** The web account it is paired with now (email or username), when known. */
      target?: string | undefined;
      /** It was already paired with that account: nothing changed. */
      already: boolean;
    }
  | ChannelPairFailure;

/** What redeeming a code would do, without doing it (the deep link asks before it pairs). */
export type ChannelPreviewResult =
  | { ok: true; code: string; target?: string | undefined; already: boolean }
  | ChannelPairFailure;

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
  describe?: (code: string, minutes: number) => PairingInstruction | Promise<PairingInstruction>;
}

/**
 * Links accounts of one chat channel to users. A code made in the web app is redeemed once from the
 * channel; the pairing is stored in the user's partition and mirrored in a reverse-lookup partition so
 * an inbound message finds its user in one read. Keys are KEYS.channel(channel): for Telegram they are
 * the keys Telegram pairing always used, so existing pairings keep working.
 *
 * A paired account is never moved to another user by a code: a link or a `/pair CODE` someone else
 * made would otherwise hand the victim's chat account (and what they then tell the agent) to the
 * code's maker. The account must unpair first; the refusal names both web accounts, and the owner
 * finds a notice in the web app.
 */
/** What the web app shows with a new code: how to redeem it, and a link that does it (Telegram's t.me). */
export interface PairingInstruction {
  instruction: string;
  deepLink?: string;
}

export class ChannelPairingService {
  private readonly keys: ReturnType<typeof KEYS.channel>;

  constructor(private readonly deps: ChannelPairingDeps) {
    this.keys = KEYS.channel(deps.channel);
  }

  get channel(): ChatChannel {
    return this.deps.channel;
  }

  /** `label` names the web account in the bot's answers (its email or username). */
  async createCode(userId: string, label?: string): Promise<PairingCode> {
    const { settings, clock } = this.deps;
    const code = randomCode();
    const expiresAtMs = clock.now().getTime() + LIMITS.pairingCodeTtlSeconds * 1000;
    const expiresAt = Math.floor(expiresAtMs / 1000);
    // A new code replaces the user's previous one, so at most one code per user and channel is redeemable.
    const previous = CurrentCodeSchema.safeParse(await settings.get(userId, this.keys.currentCode));
    if (previous.success) {
      await settings.delete(this.keys.codesPartition, KEYS.settings.pairingCode(previous.data.code));
    }
    const name = cleanLabel(label);
    await settings.put(
      this.keys.codesPartition,
      KEYS.settings.pairingCode(code),
      { userId, expiresAt, ...(name ? { label: name } : {}) },
      { expiresAt },
    );
    await settings.put(userId, this.keys.currentCode, { code }, { expiresAt });
    const minutes = LIMITS.pairingCodeTtlSeconds / 60;
    const described = (await this.deps.describe?.(code, minutes)) ?? {
      instruction: `Send /pair ${code} to the bot within ${minutes} minutes.`,
    };
    return { code, expiresAt: new Date(expiresAt * 1000).toISOString(), ...described };
  }

  /** What `redeem` would do with this code for this account; takes nothing. */
  async preview(input: string, account: ChannelAccount): Promise<ChannelPreviewResult> {
    const code = normalizeCode(input);
    if (!code) return { ok: false, reason: "malformed" };
    const stored = this.live(
      await this.deps.settings.get(this.keys.codesPartition, KEYS.settings.pairingCode(code)),
    );
    if (!stored) return { ok: false, reason: "unknown-or-expired" };
    const owner = await this.owner(account.id);
    if (owner && owner.userId !== stored.userId) return this.refuseMove(account, owner, stored.label);
    return { ok: true, code, target: stored.label, already: owner?.userId === stored.userId };
  }

  /**
   * Single use: the code is taken atomically, so two redeems of one code cannot both win. A code for
   * another user than the one the account is paired with is refused and left unused.
   */
  async redeem(input: string, account: ChannelAccount): Promise<ChannelRedeemResult> {
    const checked = await this.preview(input, account);
    if (!checked.ok) return checked;
    const { settings, clock, channel } = this.deps;
    const codeKey = KEYS.settings.pairingCode(checked.code);
    const taken = this.live(await settings.take(this.keys.codesPartition, codeKey));
    if (!taken) return { ok: false, reason: "unknown-or-expired" };
    const { userId, label } = taken;
    const reverse = { userId, ...(label ? { label } : {}) };
    if (!checked.already) {
      // Claimed only if still unpaired: a concurrent redeem of another user's code cannot move it.
      const claimed = await settings.putIfAbsent(
        this.keys.userPartition(account.id),
        this.keys.userPairing,
        reverse,
      );
      const owner = claimed ? undefined : await this.owner(account.id);
      if (owner && owner.userId !== userId) {
        await settings.put(this.keys.codesPartition, codeKey, taken, { expiresAt: taken.expiresAt });
        return this.refuseMove(account, owner, label);
      }
    }
    await settings.delete(userId, this.keys.currentCode);
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
    await settings.put(this.keys.userPartition(account.id), this.keys.userPairing, reverse);
    return { ok: true, pairing, target: label, already: checked.already };
  }

  /** The user an account is paired with, if any. */
  async lookup(externalUserId: string): Promise<string | undefined> {
    return (await this.owner(externalUserId))?.userId;
  }

  async list(userId: string): Promise<ChannelPairing[]> {
    const items = await this.deps.settings.list(userId, this.keys.pairingPrefix);
    return items.flatMap((item) => {
      const pairing = toChannelPairing(this.deps.channel, item.value);
      return pairing ? [pairing] : [];
    });
  }

  /**
   * Removes a pairing from the web app, or from the chat app (`fromChannel`, the unpair command):
   * then the owner finds a notice in the web app. Unknown pairings are a no-op.
   */
  async unpair(
    userId: string,
    externalUserId: string,
    fromChannel?: { username?: string | undefined },
  ): Promise<void> {
    const { settings } = this.deps;
    const had = (await settings.get(userId, this.keys.pairing(externalUserId))) !== undefined;
    await settings.delete(userId, this.keys.pairing(externalUserId));
    await settings.delete(userId, this.keys.conversation(externalUserId));
    if ((await this.lookup(externalUserId)) === userId) {
      await settings.delete(this.keys.userPartition(externalUserId), this.keys.userPairing);
    }
    if (had && fromChannel) {
      await this.notify(userId, {
        externalUserId,
        username: fromChannel.username,
        kind: "unpaired-from-channel",
      });
    }
  }

  /** Notices for the owner (newest first). */
  async notices(userId: string): Promise<PairingNotice[]> {
    const items = await this.deps.settings.list(userId, this.keys.noticePrefix);
    const now = this.deps.clock.now().getTime();
    return items
      .flatMap((item) => {
        const parsed = NoticeRecordSchema.safeParse(item.value);
        return parsed.success && parsed.data.expiresAt * 1000 > now ? [parsed.data.notice] : [];
      })
      .sort((a, b) => b.at.localeCompare(a.at));
  }

  async dismissNotice(userId: string, externalUserId: string): Promise<void> {
    await this.deps.settings.delete(userId, this.keys.notice(externalUserId));
  }

  private async owner(externalUserId: string): Promise<z.infer<typeof ReverseSchema> | undefined> {
    const found = ReverseSchema.safeParse(
      await this.deps.settings.get(this.keys.userPartition(externalUserId), this.keys.userPairing),
    );
    return found.success ? found.data : undefined;
  }

  /** A stored code that has not expired (TTL deletion is lazy: DynamoDB may keep it for days). */
  private live(value: unknown): z.infer<typeof StoredCodeSchema> | undefined {
    const parsed = StoredCodeSchema.safeParse(value);
    if (!parsed.success || parsed.data.expiresAt * 1000 <= this.deps.clock.now().getTime()) return undefined;
    return parsed.data;
  }

  private async refuseMove(
    account: ChannelAccount,
    owner: z.infer<typeof ReverseSchema>,
    target: string | undefined,
  ): Promise<ChannelPairFailure> {
    await this.notify(owner.userId, {
      externalUserId: account.id,
      username: account.username,
      kind: "move-refused",
      otherAccount: target,
    });
    return { ok: false, reason: "paired-elsewhere", current: owner.label, target };
  }

  private async notify(
    userId: string,
    notice: Omit<PairingNotice, "channel" | "at" | "username" | "otherAccount"> & {
      username?: string | undefined;
      otherAccount?: string | undefined;
    },
  ): Promise<void> {
    const { settings, clock, channel } = this.deps;
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + LIMITS.pairingNoticeTtlSeconds;
    const value: PairingNotice = {
      channel,
      externalUserId: notice.externalUserId,
      kind: notice.kind,
      ...(notice.username ? { username: notice.username.slice(0, 64) } : {}),
      ...(notice.otherAccount ? { otherAccount: notice.otherAccount } : {}),
      at: clock.now().toISOString(),
    };
    await settings.put(
      userId,
      this.keys.notice(notice.externalUserId),
      { notice: value, expiresAt },
      { expiresAt },
    );
  }
}

const NoticeRecordSchema = z.object({ notice: PairingNoticeSchema, expiresAt: z.number() });

/** A web account's name as a bot may show it: printable, one line, at most 64 characters. */
export function cleanLabel(label: string | undefined): string | undefined {
  const clean = label
    ?.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .trim()
    .slice(0, LIMITS.accountLabelChars);
  return clean ? clean : undefined;
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
