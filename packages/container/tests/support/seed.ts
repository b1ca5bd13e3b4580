import { createHash, randomBytes } from "node:crypto";
import type { Stores } from "@serverless-openclaw/gateway/agent";
import { KEYS } from "@serverless-openclaw/shared";
import { type ManagedProcess, waitUntil } from "@serverless-openclaw/testkit/process";

export type PendingText = { clientMessageId: string; conversationId: string; text: string };

/**
 * What the gateway has written by the time it starts a user's task: their provider settings (an
 * OpenAI-compatible LLM), one open browser tab (`tab-1`), one pending web message (or several, in
 * this order), and the TaskState row moved Idle → Starting with a fresh agent secret, which it
 * returns for the task's AGENT_SECRET.
 * The API key itself is the caller's to put where the task will read it.
 */
export async function seedWakingUser(
  stores: Stores,
  user: { userId: string; llm: { baseUrl: string; model: string } },
  message: PendingText | PendingText[],
): Promise<string> {
  const { userId, llm } = user;
  await stores.settings.put(userId, KEYS.settings.settings, {
    provider: "openai-compatible",
    baseUrl: llm.baseUrl,
    model: llm.model,
    apiKeySet: true,
  });
  await stores.connections.put({
    connectionId: "tab-1",
    userId,
    kind: "client",
    connectedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });
  const base = Date.now();
  for (const [i, m] of [message].flat().entries()) {
    // One millisecond apart: pending ids start with the arrival time, which orders the queue.
    const receivedAt = new Date(base + i).toISOString();
    await stores.pending.enqueue({
      userId,
      id: KEYS.pending.message(receivedAt, randomBytes(8).toString("hex")),
      ...m,
      channel: "web",
      replyTo: { channel: "web" },
      receivedAt,
    });
  }
  const secret = randomBytes(24).toString("hex");
  // As the gateway's wake does it (startedAt is what the task's clean stop books to usage).
  await stores.taskState.transition({
    userId,
    expectState: "Idle",
    set: {
      state: "Starting",
      startedAt: new Date().toISOString(),
      agentSecretHash: createHash("sha256").update(secret).digest("hex"),
    },
  });
  return secret;
}

/**
 * Waits until the task's reply to the seeded message (a `chat.final` pushed to `tab-1`) arrived and
 * the message left the queue, failing at once, with the task's output, if the task exits first.
 * Returns that `chat.final`.
 */
export async function answeredOnce(
  proc: ManagedProcess,
  pushed: ReadonlyArray<{ connectionId: string; body: Record<string, unknown> }>,
  stores: Stores,
  userId: string,
): Promise<Record<string, unknown> | undefined> {
  const final = () => pushed.find((p) => p.connectionId === "tab-1" && p.body.type === "chat.final")?.body;
  await waitUntil("the reply reached the browser endpoint", async () => final() !== undefined, {
    timeoutMs: 300_000,
    process: proc,
  });
  // The pending item is deleted right after chat.final goes out (turn stored → final → delete).
  await waitUntil(
    "the answered message left the queue",
    async () => (await stores.pending.list(userId)).length === 0,
    {
      timeoutMs: 30_000,
      process: proc,
    },
  );
  return final();
}
