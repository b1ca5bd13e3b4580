import type { ChannelPairing as Pairing, PairingCode } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";
import { useNow } from "../ui/use-now";

export type PairableChannel = "discord" | "slack";

export type ChannelPairingApi = Pick<
  HttpApi,
  "createChannelPairingCode" | "listChannelPairings" | "deleteChannelPairing"
>;

const LABEL: Record<PairableChannel, { label: string; how: string }> = {
  discord: { label: "Discord", how: "use the /pair command of the OpenClaw app in Discord" },
  slack: { label: "Slack", how: "send /openclaw pair CODE to the OpenClaw app in Slack" },
};

/**
 * Pairing for Discord or Slack, like Telegram's section: a one-time code the person redeems from the
 * chat app, and the accounts already paired.
 */
export function ChannelPairing({ api, channel }: { api: ChannelPairingApi; channel: PairableChannel }) {
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
        Chat with the same agent from {label}: get a one-time code, then {how}.
      </p>
      <button
        type="button"
        onClick={() =>
          void act(
            async () => setCode(await api.createChannelPairingCode(channel)),
            "Could not create a code.",
          )
        }
        data-testid={`${channel}-pairing-create`}
      >
        {code ? "Get a new code" : "Get a pairing code"}
      </button>
      {code && secondsLeft > 0 && (
        <div className="pairing-code">
          <p>
            Your code: <strong data-testid={`${channel}-pairing-code`}>{code.code}</strong> (expires in{" "}
            {Math.floor(secondsLeft / 60)}:{String(secondsLeft % 60).padStart(2, "0")})
          </p>
          <p>{code.instruction}</p>
        </div>
      )}
      {code && secondsLeft === 0 && <p>That code has expired. Get a new one.</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <h3>Paired accounts</h3>
      {pairings === null && !error && <p>Loading…</p>}
      {pairings?.length === 0 && <p>No {label} account is paired.</p>}
      {pairings && pairings.length > 0 && (
        <ul className="pairings" data-testid={`${channel}-pairing-list`}>
          {pairings.map((p) => (
            <li key={p.externalUserId}>
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
