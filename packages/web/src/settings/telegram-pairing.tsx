import type { TelegramPairing as Pairing, PairingCode } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";
import { useNow } from "../ui/use-now";

export interface TelegramPairingProps {
  api: Pick<HttpApi, "createPairingCode" | "listPairings" | "deletePairing">;
  botUsername?: string;
}

/** One-time pairing code for the Telegram bot, and the accounts already paired. */
export function TelegramPairing({ api, botUsername }: TelegramPairingProps) {
  const [code, setCode] = useState<PairingCode | null>(null);
  const [pairings, setPairings] = useState<Pairing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(code !== null);

  const refresh = useCallback(() => {
    api.listPairings().then(setPairings, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(refresh, [refresh]);

  const create = async () => {
    setError(null);
    try {
      setCode(await api.createPairingCode());
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not create a code.");
    }
  };
  const unpair = async (telegramUserId: number) => {
    setError(null);
    try {
      await api.deletePairing(telegramUserId);
      refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not unpair.");
    }
  };

  const secondsLeft = code ? Math.max(0, Math.floor((Date.parse(code.expiresAt) - now) / 1000)) : 0;
  return (
    <section aria-labelledby="telegram-title" data-testid="telegram-pairing">
      <h2 id="telegram-title">Telegram</h2>
      <p>
        Chat with the same agent from Telegram{botUsername ? ` through @${botUsername}` : ""}: get a one-time
        code and send it to the bot.
      </p>
      <button type="button" onClick={() => void create()} data-testid="pairing-create">
        {code ? "Get a new code" : "Get a pairing code"}
      </button>
      {code && secondsLeft > 0 && (
        <div className="pairing-code">
          <p>
            Your code: <strong data-testid="pairing-code">{code.code}</strong>{" "}
            <span data-testid="pairing-expiry">
              (expires in {Math.floor(secondsLeft / 60)}:{String(secondsLeft % 60).padStart(2, "0")})
            </span>
          </p>
          <p data-testid="pairing-instruction">{code.instruction}</p>
          {code.deepLink && /^https:\/\//.test(code.deepLink) && (
            <p>
              <a href={code.deepLink} target="_blank" rel="noopener noreferrer">
                Open Telegram
              </a>
            </p>
          )}
        </div>
      )}
      {code && secondsLeft === 0 && (
        <p data-testid="pairing-expired">That code has expired. Get a new one.</p>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="pairing-error">
          {error}
        </p>
      )}
      <h3>Paired accounts</h3>
      {pairings === null && !error && <p>Loading…</p>}
      {pairings?.length === 0 && <p>No Telegram account is paired.</p>}
      {pairings && pairings.length > 0 && (
        <ul className="pairings" data-testid="pairing-list">
          {pairings.map((p) => (
            <li key={p.telegramUserId} data-testid="pairing-item">
              {p.username ? `@${p.username}` : `Telegram user ${p.telegramUserId}`}{" "}
              <small>paired {new Date(p.pairedAt).toLocaleDateString()}</small>{" "}
              <button type="button" onClick={() => void unpair(p.telegramUserId)}>
                Unpair
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
