import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DynamoLocal, startDynamoLocal } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsStores } from "../../src/adapters/aws/aws-stores";
import { createTables, STANDIN_TABLE_NAMES } from "../../src/adapters/aws/tables";
import { MemorySecretStore } from "../../src/adapters/local/memory-secret-store";
import { createWebSocketHandler } from "../../src/handlers";
import { FakeClock, makeDeps } from "../unit/fakes";
import { wsEvent } from "./events";

/**
 * Fault: DynamoDB goes away and comes back (DynamoDB Local stopped and restarted on the same port and
 * data dir). While it is down a message gets a clear, retryable error and nothing half-written; once it
 * is back the resend is taken exactly once, and everything stored before the outage is still there.
 */
const USER = "alice";
let dynamo: DynamoLocal | undefined;
let dbPath: string;

beforeAll(async () => {
  dbPath = await mkdtemp(join(tmpdir(), "dynamo-restart-"));
  dynamo = await startDynamoLocal({ dbPath });
  await createTables(dynamo.client(), STANDIN_TABLE_NAMES);
});

afterAll(async () => {
  await dynamo?.stop();
  await rm(dbPath, { recursive: true, force: true });
});

function depsOn(endpoint: string) {
  const base = makeDeps({ clock: new FakeClock(new Date()) });
  const client = dynamo?.client({ endpoint, maxAttempts: 2 });
  if (!client) throw new Error("DynamoDB Local is not running");
  const stores = createAwsStores({
    tables: STANDIN_TABLE_NAMES,
    bucket: "unused",
    secretPrefix: "/unused/",
    clients: { dynamo: client },
    clock: base.clock,
  });
  return { ...base, ...stores, secrets: new MemorySecretStore() };
}

const chatSend = (clientMessageId: string) =>
  JSON.stringify({
    type: "chat.send",
    conversationId: "c1",
    clientMessageId,
    text: `hello ${clientMessageId}`,
  });

describe("DynamoDB restarted under the gateway", () => {
  it("answers a clear retryable error while it is down, then takes the resend once, with nothing lost", {
    timeout: 180_000,
  }, async () => {
    const running = dynamo as DynamoLocal;
    const { endpoint, port } = running;
    const deps = depsOn(endpoint);
    const ws = createWebSocketHandler(deps);
    expect((await ws(wsEvent("$connect", "tab=", { query: { token: `valid:${USER}` } }))).statusCode).toBe(
      200,
    );
    expect((await ws(wsEvent("$default", "tab=", { body: chatSend("before") }))).statusCode).toBe(200);
    expect(deps.taskRunner.starts).toHaveLength(1);

    // The test clock stands still unless moved: later messages get later keys, as in real time.
    deps.clock.advance(1000);
    await running.stop();
    const during = await ws(wsEvent("$default", "tab=", { body: chatSend("during") }));
    expect(during.statusCode).toBe(500);
    expect(deps.clientPush.to("tab=").at(-1)).toMatchObject({
      type: "chat.error",
      clientMessageId: "during",
      code: "UNAVAILABLE",
      retryable: true,
    });

    // Back on the same endpoint with the same data, as a restarted DynamoDB (or the end of an outage).
    dynamo = await startDynamoLocal({ dbPath, port });
    const resent = await ws(wsEvent("$default", "tab=", { body: chatSend("during") }));
    expect(resent.statusCode).toBe(200);
    const again = await ws(wsEvent("$default", "tab=", { body: chatSend("before") }));
    expect(again.statusCode).toBe(200);
    const acks = deps.clientPush
      .to("tab=")
      .filter((e) => e.type === "chat.ack")
      .map((e) => ("clientMessageId" in e ? `${e.clientMessageId}:${"state" in e ? e.state : ""}` : ""));
    expect(acks).toEqual(["before:queued", "during:queued", "before:duplicate"]);
    // Both messages wait, in order, once each, for the one agent started before the outage.
    expect((await deps.pending.list(USER)).map((m) => m.clientMessageId)).toEqual(["before", "during"]);
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect((await deps.taskState.get(USER)).state).toBe("Starting");
    expect((await deps.conversations.listMeta(USER)).map((m) => m.conversationId)).toEqual(["c1"]);
  });
});
