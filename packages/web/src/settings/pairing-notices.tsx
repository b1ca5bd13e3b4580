import type { ChatChannel, PairingNotice } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";

export type PairingNoticesApi = Pick<HttpApi, "listChannelNotices" | "dismissChannelNotice">;

const LABELS: Record<ChatChannel, string> = { telegram: "Telegram", discord: "Discord", slack: "Slack" };

/** One sentence per notice; the chat account as the person knows it (@name), else its id. */
export function describeNotice(n: PairingNotice): string {
  const label = LABELS[n.channel];
  const account = `${label} account ${n.username ? `@${n.username}` : n.externalUserId}`;
  const when = new Date(n.at).toLocaleString();
  if (n.kind === "move-refused") {
    const other = n.otherAccount ? `“${n.otherAccount}”` : "another web account";
    return (
      `On ${when}, your ${account} was asked to pair with ${other} (a pairing link or code made by ` +
      "that account). It was refused and stays paired with yours. If you did not do that, someone may " +
      "have sent you the link to take over your chat: ignore it."
    );
  }
  return (
    `On ${when}, your ${account} was unpaired by the unpair command sent from ${label}. Its messages no ` +
    "longer reach your agent. If that was not you, pair it again below."
  );
}

/**
 * What happened to this user's paired chat accounts that they did not do here: an account unpaired
 * from the chat app, or a refused attempt to pair it with someone else's web account.
 */
export function PairingNotices({ api, channels }: { api: PairingNoticesApi; channels: ChatChannel[] }) {
  const [notices, setNotices] = useState<PairingNotice[]>([]);
  const key = channels.join(",");

  const refresh = useCallback(() => {
    const wanted = key.split(",") as ChatChannel[];
    Promise.all(wanted.map((c) => api.listChannelNotices(c).catch(() => [] as PairingNotice[]))).then(
      (lists) => setNotices(lists.flat()),
      () => setNotices([]),
    );
  }, [api, key]);
  useEffect(refresh, [refresh]);

  if (notices.length === 0) return null;
  return (
    <section aria-labelledby="pairing-notices-title" data-testid="pairing-notices">
      <h2 id="pairing-notices-title">Chat accounts: please check</h2>
      <ul className="pairings">
        {notices.map((n) => (
          <li key={`${n.channel}:${n.externalUserId}`} role="alert">
            {describeNotice(n)}{" "}
            <button
              type="button"
              onClick={() =>
                void api.dismissChannelNotice(n.channel, n.externalUserId).then(refresh, refresh)
              }
            >
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
