import { createHash } from "node:crypto";
import type { PendingMessage, StoredMessage } from "@serverless-openclaw/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { createRpcStores } from "../../src/adapters/local/rpc-client";
import { createStoreRpcHandler } from "../../src/adapters/local/rpc-server";
import type { Stores } from "../../src/adapters/stores";
import { type AgentScope, isAgentTransition } from "../../src/services/agent-scope";
import { expectStoreError } from "../contract/harness";
import { seedRunningAgent } from "../unit/fakes";

const ALICE = "alice-0000-1111";
const BOB = "bob-0000-2222";
const hash = (s: string) => createHash("sha256").update(s).digest("hex");
const ALICE_TOKEN = "alice-agent-token-0123456789";
const BOB_TOKEN = "bob-agent-token-0123456789";
const TOKENS: Record<string, AgentScope> = {
  [ALICE_TOKEN]: { userId: ALICE, agentSecretHash: hash("alice-secret") },
  [BOB_TOKEN]: { userId: BOB, agentSecretHash: hash("bob-secret") },
};

let stores: Stores;
/** The stores as an agent task sees them: over the store RPC, with its own token. */
let alice: Stores;

function rpcAs(token: string): Stores {
  const handle = createStoreRpcHandler(stores, (t) => TOKENS[t]);
  return createRpcStores("http://rpc.invalid/_local/rpc", token, {
    fetch: (async (_url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      const out = await handle(headers.authorization, String(init.body));
      return new Response(out.body, { status: out.status });
    }) as typeof fetch,
  });
}

const at = "2026-12-06T10:00:00.000Z";
const pending = (userId: string, id: string): PendingMessage => ({
  userId,
  id: `${at}#${id}`,
  clientMessageId: `cm-${id}`,
  conversationId: "c1",
  text: "hello",
  channel: "web",
  replyTo: { channel: "web" },
  receivedAt: at,
});
const stored = (id: string, role: "user" | "assistant"): StoredMessage => ({
  conversationId: "c1",
  messageId: `${id}-${role}`,
  clientMessageId: id,
  role,
  text: "t",
  channel: "web",
  createdAt: at,
});

beforeEach(async () => {
  stores = createMemoryStores();
  alice = rpcAs(ALICE_TOKEN);
  for (const user of [ALICE, BOB]) {
    await seedRunningAgent(stores, user, {
      agentSecretHash: hash(`${user.split("-")[0]}-secret`),
      taskArn: "arn:t",
      at,
    });
    await stores.blobs.put(`users/${user}/openclaw-state.tar.gz`, new Uint8Array([1, 2, 3]));
    await stores.pending.enqueue(pending(user, "p1"));
  }
  await stores.secrets.put("telegram/webhook-secret", "whsec");
  for (const name of ["telegram/bot-token", "discord/bot-token", "slack/bot-token"])
    await stores.secrets.put(name, `${name}-value`);
});

describe("an agent task's store access (scopeStores behind the store RPC)", () => {
  it("does its own user's work: settings, key, pending, history, state archive, tabs, lifecycle", async () => {
    expect(await alice.settings.get(ALICE, "settings")).toEqual({ provider: "anthropic" });
    expect(await alice.secrets.get(`users/${ALICE}/llm-api-key`)).toBe(`sk-${ALICE}`);
    const [message] = await alice.pending.list(ALICE);
    expect(message?.userId).toBe(ALICE);
    expect(
      await alice.conversations.putTurn(ALICE, stored("cm-p1", "user"), stored("cm-p1", "assistant")),
    ).toBe(true);
    expect((await alice.conversations.findReply(ALICE, "c1", "cm-p1"))?.role).toBe("assistant");
    await alice.pending.delete(ALICE, message?.id ?? "");
    expect(await alice.blobs.get(`users/${ALICE}/openclaw-state.tar.gz`)).toEqual(new Uint8Array([1, 2, 3]));
    await alice.blobs.put(`users/${ALICE}/openclaw-state.tar.gz`, new Uint8Array([4]));
    expect(await alice.blobs.list(`users/${ALICE}/`)).toEqual([`users/${ALICE}/openclaw-state.tar.gz`]);
    expect((await alice.connections.listByUser(ALICE, "client")).map((c) => c.connectionId)).toEqual([
      `tab-${ALICE}`,
    ]);
    expect(await alice.connections.get(`tab-${ALICE}`)).toBeDefined();
    const beat = await alice.taskState.transition({
      userId: ALICE,
      expectState: "Running",
      set: { heartbeatAt: at },
    });
    expect(beat?.heartbeatAt).toBe(at);
    expect(
      await alice.taskState.transition({
        userId: ALICE,
        expectState: ["Running", "Starting"],
        set: { state: "Stopping", step: null, stepAt: null },
      }),
    ).toMatchObject({ state: "Stopping" });
    expect(
      await alice.taskState.transition({
        userId: ALICE,
        expectState: "Stopping",
        set: { state: "Idle", lastError: null, taskArn: null, agentSecretHash: null, heartbeatAt: null },
      }),
    ).toMatchObject({ state: "Idle" });
  });

  it("reaches nothing of another user's, whatever it names", async () => {
    const forbidden = (p: Promise<unknown>) => expectStoreError(p, "FORBIDDEN");
    await forbidden(alice.settings.get(BOB, "settings"));
    await forbidden(alice.settings.list(BOB, ""));
    await forbidden(alice.secrets.get(`users/${BOB}/llm-api-key`));
    await forbidden(alice.secrets.get(`users/${ALICE}/../${BOB}/llm-api-key`));
    await forbidden(alice.secrets.get("telegram/webhook-secret"));
    // Bot replies go through the gateway's chat relay: no bot token for the task.
    await forbidden(alice.secrets.get("telegram/bot-token"));
    await forbidden(alice.secrets.get("discord/bot-token"));
    await forbidden(alice.secrets.get("slack/bot-token"));
    await forbidden(alice.pending.list(BOB));
    await forbidden(alice.pending.delete(BOB, `${at}#p1`));
    await forbidden(alice.conversations.page(BOB, "c1", { limit: 10 }));
    await forbidden(alice.conversations.listMeta(BOB));
    await forbidden(alice.conversations.putTurn(BOB, stored("x", "user"), stored("x", "assistant")));
    await forbidden(alice.blobs.get(`users/${BOB}/openclaw-state.tar.gz`));
    await forbidden(alice.blobs.put(`users/${BOB}/openclaw-state.tar.gz`, new Uint8Array([9])));
    await forbidden(alice.blobs.list("users/"));
    await forbidden(alice.blobs.list(""));
    await forbidden(alice.connections.listByUser(BOB, "client"));
    await forbidden(alice.taskState.get(BOB));
    await forbidden(alice.taskState.listActive());
    await forbidden(
      alice.taskState.transition({ userId: BOB, expectState: "Running", set: { heartbeatAt: at } }),
    );
    // A connection of someone else's is invisible, and deleting it does nothing.
    expect(await alice.connections.get(`tab-${BOB}`)).toBeUndefined();
    await alice.connections.delete(`tab-${BOB}`);
    expect(await stores.connections.get(`tab-${BOB}`)).toBeDefined();
    // Bob's data is untouched.
    expect(await stores.pending.list(BOB)).toHaveLength(1);
    expect(await stores.blobs.get(`users/${BOB}/openclaw-state.tar.gz`)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("writes no settings, pairings, usage, secrets, messages or connections, even its own user's", async () => {
    const forbidden = (p: Promise<unknown>) => expectStoreError(p, "FORBIDDEN");
    await forbidden(alice.settings.put(ALICE, "usage#2026-12", { seconds: 0 }));
    await forbidden(alice.settings.put(ALICE, "telegram#42", { telegramUserId: 42, userId: ALICE }));
    await forbidden(alice.settings.putIfAbsent("telegram-42", "pairing", { userId: ALICE }));
    await forbidden(alice.settings.take("telegram-pairing-codes", "pairing-code#ABC"));
    await forbidden(alice.settings.delete(ALICE, "settings"));
    await forbidden(alice.secrets.put(`users/${ALICE}/llm-api-key`, "sk-mine"));
    await forbidden(alice.secrets.delete(`users/${ALICE}/llm-api-key`));
    await forbidden(alice.pending.enqueue(pending(ALICE, "forged")));
    await forbidden(alice.conversations.delete(ALICE, "c1"));
    await forbidden(
      alice.connections.put({
        connectionId: "forged",
        userId: ALICE,
        kind: "agent",
        connectedAt: at,
        expiresAt: 4_000_000_000,
      }),
    );
    expect(await stores.secrets.get(`users/${ALICE}/llm-api-key`)).toBe(`sk-${ALICE}`);
  });

  it("moves its own TaskState only through the task's transitions, and only while the row is its start's", async () => {
    const forbidden = (p: Promise<unknown>) => expectStoreError(p, "FORBIDDEN");
    // Claiming a new start, swapping the secret, or reporting Running itself is the gateway's.
    await forbidden(
      alice.taskState.transition({
        userId: ALICE,
        expectState: "Running",
        set: { agentSecretHash: hash("x") },
      }),
    );
    await forbidden(
      alice.taskState.transition({ userId: ALICE, expectState: "Idle", set: { state: "Starting" } }),
    );
    await forbidden(
      alice.taskState.transition({ userId: ALICE, expectState: "Starting", set: { state: "Running" } }),
    );
    await forbidden(
      alice.taskState.transition({
        userId: ALICE,
        expectState: "Stopping",
        set: { state: "Idle", lastError: { code: "BUDGET_EXCEEDED", message: "x", at } },
      }),
    );
    // A task whose start was replaced (the row holds another secret) moves nothing.
    const bobAsReplaced = rpcAs(BOB_TOKEN);
    await stores.taskState.transition({
      userId: BOB,
      expectState: "Running",
      set: { agentSecretHash: hash("new") },
    });
    expect(
      await bobAsReplaced.taskState.transition({
        userId: BOB,
        expectState: "Running",
        set: { heartbeatAt: at },
      }),
    ).toBeUndefined();
  });

  it("refuses tokens nobody issued", async () => {
    await expectStoreError(rpcAs("made-up-token-0123456789").settings.get(ALICE, "settings"), "UNAUTHORIZED");
  });
});

describe("isAgentTransition", () => {
  it("accepts exactly the task's own moves", () => {
    const ok = [
      { expectState: "Starting", set: { step: "connecting", stepAt: at } },
      { expectState: "Running", set: { heartbeatAt: at } },
      { expectState: ["Running", "Starting"], set: { state: "Stopping", step: null, stepAt: null } },
      {
        expectState: "Stopping",
        set: { state: "Idle", lastError: { code: "INTERRUPTED", message: "m", at }, taskArn: null },
      },
    ];
    for (const change of ok) expect(isAgentTransition({ userId: ALICE, ...change } as never)).toBe(true);
    const bad = [
      { expectState: "Running", set: { heartbeatAt: at, taskArn: "arn:x" } },
      { expectState: "Idle", set: { state: "Starting" } },
      { expectState: ["Idle", "Running"], set: { heartbeatAt: at } },
      { expectState: "Stopping", set: { state: "Idle", taskArn: "arn:x" } },
      { expectState: "Running", set: { state: "Running" } },
    ];
    for (const change of bad) expect(isAgentTransition({ userId: ALICE, ...change } as never)).toBe(false);
  });
});
