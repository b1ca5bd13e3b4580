import { streamChat } from "@serverless-openclaw/container/openclaw-chat";
import { type ChatClient, endsByMessage, type Harness, quantile, turnsIn, type User } from "./harness";
import { agentOpenClaw } from "./openclaw-endpoint";

/**
 * Many users, several browser tabs each, every tab sending messages one after another; then the same
 * number of turns straight to each user's own OpenClaw, for the added latency. Used by bench/load.ts:
 * its short form (2 users × 3 tabs × 3 messages) runs in `npm test` and fails on any exactly-once
 * problem; the long form runs in `npm run bench`.
 *
 * Each user has an agent task of their own, i.e. an OpenClaw process (~1 GB, 15 s boot or far more on a
 * shared CPU): users are the expensive dimension, connections and messages are cheap.
 */
export interface LoadPlan {
  users: number;
  connectionsPerUser: number;
  messagesPerConnection: number;
  /** Bound for the whole run (boots included). */
  timeoutMs: number;
  /** Skips the direct-to-OpenClaw phase (the short test only checks exactly-once). */
  direct?: boolean;
}

export interface LoadReport {
  plan: LoadPlan;
  messages: number;
  /** Each a clientMessageId with its problem; empty when every message got exactly one reply. */
  problems: string[];
  starts: number;
  bootMs: number;
  /** send → chat.final through the stack, under the full load. */
  stackMs: { p50: number; p99: number; max: number };
  /** The same turn count straight to the users' OpenClaws, with the same concurrency per user. */
  directMs?: { p50: number; p99: number; max: number };
  /** Resident memory of the process running the local server (and the load clients), sampled. */
  rssMb: { before: number; peak: number; after: number };
  durationMs: number;
}

const dist = (xs: number[]) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: Math.max(...xs) });

export async function runLoad(h: Harness, plan: LoadPlan): Promise<LoadReport> {
  const t0 = performance.now();
  const deadline = Date.now() + plan.timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  const rss = () => process.memoryUsage().rss / 2 ** 20;
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 250);

  try {
    const users: User[] = [];
    for (let u = 0; u < plan.users; u++)
      users.push(u === 0 ? await h.firstUser() : await h.addUser(`load-${u}`));
    const tabs = new Map<User, ChatClient[]>();
    for (const user of users) {
      const mine: ChatClient[] = [];
      for (let c = 0; c < plan.connectionsPerUser; c++) mine.push(await h.connect(user));
      tabs.set(user, mine);
    }

    // Boot every user's agent at once (one message each), so the timed phase measures warm turns.
    const bootStart = performance.now();
    await Promise.all(
      users.map(async (user) => {
        const tab = tabs.get(user)?.[0] as ChatClient;
        tab.send("load-boot", `boot-${user.username}`, "wake up");
        await tab.waitEnd(`boot-${user.username}`, left(), h.tail);
      }),
    );
    const bootMs = performance.now() - bootStart;
    const startsAfterBoot = h.starts.length;

    const stackTimes: number[] = [];
    const sent = new Map<User, string[]>();
    await Promise.all(
      users.flatMap((user) =>
        (tabs.get(user) ?? []).map(async (tab, c) => {
          for (let m = 0; m < plan.messagesPerConnection; m++) {
            const id = `${user.username}-c${c}-m${m}`;
            sent.set(user, [...(sent.get(user) ?? []), id]);
            const at = tab.send(`load-${c}`, id, `load message ${id}`);
            const end = await tab.waitEnd(id, left(), h.tail);
            stackTimes.push(end.at - at);
          }
        }),
      ),
    );

    const problems: string[] = [];
    if (h.starts.length !== startsAfterBoot)
      problems.push(`${h.starts.length - startsAfterBoot} extra task starts`);
    for (const user of users) {
      const ids = sent.get(user) ?? [];
      for (const [c, tab] of (tabs.get(user) ?? []).entries()) {
        const ends = endsByMessage(tab.events);
        for (const id of ids) {
          const n = ends.get(id) ?? 0;
          if (n !== 1) problems.push(`${id}: ${n} endings on tab ${c} of ${user.username}`);
          if (tab.of(id, "chat.error").length > 0) problems.push(`${id}: chat.error on tab ${c}`);
        }
      }
      for (let c = 0; c < plan.connectionsPerUser; c++) {
        const turns = turnsIn(await h.history(user, `load-${c}`));
        const expected = ids.filter((id) => id.includes(`-c${c}-`));
        for (const id of expected)
          if (JSON.stringify(turns.get(id)) !== '["user","assistant"]')
            problems.push(`${id}: history has ${JSON.stringify(turns.get(id) ?? [])}`);
        for (const id of turns.keys())
          if (!expected.includes(id)) problems.push(`${id}: unexpected in history`);
      }
    }

    let directMs: LoadReport["directMs"];
    if (plan.direct) {
      const directTimes: number[] = [];
      await Promise.all(
        users.flatMap((user) => {
          const endpoint = agentOpenClaw(h, user.userId);
          return (tabs.get(user) ?? []).map(async (_tab, c) => {
            for (let m = 0; m < plan.messagesPerConnection; m++) {
              const started = performance.now();
              for await (const event of streamChat({
                ...endpoint,
                sessionKey: `direct-${c}`,
                text: `load message direct-${user.username}-c${c}-m${m}`,
                signal: AbortSignal.timeout(left()),
              })) {
                if (event.type === "error") throw new Error(`direct turn failed: ${event.message}`);
              }
              directTimes.push(performance.now() - started);
            }
          });
        }),
      );
      directMs = dist(directTimes);
    }

    return {
      plan,
      messages: stackTimes.length,
      problems,
      starts: h.starts.length,
      bootMs,
      stackMs: dist(stackTimes),
      ...(directMs ? { directMs } : {}),
      rssMb: { before, peak, after: rss() },
      durationMs: performance.now() - t0,
    };
  } finally {
    clearInterval(sampler);
  }
}
