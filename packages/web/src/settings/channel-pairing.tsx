import {
  type ChatChannel,
  PAIRING_CODE_BUTTON,
  type ChannelPairing as Pairing,
  type PairingCode,
} from "@serverless-openclaw/shared";
import { useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";
import { useNow } from "../ui/use-now";

export type ChannelPairingApi = Pick<
  HttpApi,
  "createChannelPairingCode" | "listChannelPairings" | "deleteChannelPairing"
>;

const LABEL: Record<ChatChannel, { label: string; how: (bot?: string) => string }> = {
  telegram: { label: "Telegram", how: (bot) => `send it to the bot${bot ? ` @${bot}` : ""}` },
  discord: { label: "Discord", how: () => "use the /pair command of the OpenClaw app in Discord" },
  slack: { label: "Slack", how: () => "send /openclaw pair CODE to the OpenClaw app in Slack" },
};

/** Telegram's section came first and kept its element ids (`pairing-create`, …); the others are prefixed. */
const testId = (channel: ChatChannel, part: string) =>
  channel === "telegram" ? `pairing-${part}` : `${channel}-pairing-${part}`;

export interface ChannelPairingProps {
  api: ChannelPairingApi;
  channel: ChatChannel;
  /** Telegram's bot (config.json `telegramBotUsername`), named in the text. */
  botUsername?: string | undefined;
}

/**
 * Pairing for one chat channel (Telegram, Discord or Slack): a one-time code the person redeems from
 * the chat app (Telegram also offers its t.me link), and the accounts already paired.
 */
export function ChannelPairing({ api, channel, botUsername }: ChannelPairingProps) {
  const { label, how } = LABEL[channel];
  const [code, setCode] = useState<PairingCode | null>(null);
  const [pairings, setPairings] = useState<Pairing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(code !== null);

  const refresh = useCallback(() => {
    api.listChannelPairings(channel).then(setPairings, (e: Error) => setError(e.message));
  }, [api, channel]);
  useEffect(refresh, [refresh]);

  const act = async (work: () => Promise<void>, fallback: string) => {
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e instanceof Error ? e.message : fallback);
    }
  };
  const secondsLeft = code ? Math.max(0, Math.floor((Date.parse(code.expiresAt) - now) / 1000)) : 0;
  const id = `${channel}-title`;
  return (
    <section aria-labelledby={id} data-testid={`${channel}-pairing`}>
      <h2 id={id}>{label}</h2>
      <p>
        Chat with the same agent from {label}: get a one-time code, then {how(botUsername)}.
      </p>
      <button
        type="button"
        onClick={() =>
          void act(
            async () => setCode(await api.createChannelPairingCode(channel)),
            "Could not create a code.",
          )
        }
        data-testid={testId(channel, "create")}
      >
        {code ? "Get a new code" : PAIRING_CODE_BUTTON}
      </button>
      {code && secondsLeft > 0 && (
        <div className="pairing-code">
          <p>
            Your code: <strong data-testid={testId(channel, "code")}>{code.code}</strong>{" "}
            <span data-testid={testId(channel, "expiry")}>
              (expires in {Math.floor(secondsLeft / 60)}:{String(secondsLeft % 60).padStart(2, "0")})
            </span>
          </p>
          <p data-testid={testId(channel, "instruction")}>{code.instruction}</p>
          {code.deepLink && /^https:\/\//.test(code.deepLink) && (
            <p>
              <a href={code.deepLink} target="_blank" rel="noopener noreferrer">
                Open {label}
              </a>
            </p>
          )}
        </div>
      )}
      {code && secondsLeft === 0 && (
        <p data-testid={testId(channel, "expired")}>That code has expired. Get a new one.</p>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid={testId(channel, "error")}>
          {error}
        </p>
      )}
      <h3>Paired accounts</h3>
      {pairings === null && !error && <p>Loading…</p>}
      {pairings?.length === 0 && <p>No {label} account is paired.</p>}
      {pairings && pairings.length > 0 && (
        <ul className="pairings" data-testid={testId(channel, "list")}>
          {pairings.map((p) => (
            <li key={p.externalUserId} data-testid={testId(channel, "item")}>
              {p.username ? `@${p.username}` : `${label} user ${p.externalUserId}`}{" "}
              <small>paired {new Date(p.pairedAt).toLocaleDateString()}</small>{" "}
              <button
                type="button"
                onClick={() =>
                  void act(async () => {
                    await api.deleteChannelPairing(channel, p.externalUserId);
                    refresh();
                  }, "Could not unpair.")
                }
              >
                Unpair
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
