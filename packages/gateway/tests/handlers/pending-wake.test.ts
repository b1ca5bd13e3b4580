import { describe, expect, it } from "vitest";
import { createWebSocketHandler } from "../../src/handlers";
import { makeDeps } from "../unit/fakes";
import { wsEvent } from "./events";

// A turn abandoned when its task was stopped (Spot past the grace, a local server restart) leaves the
// message pending behind an Idle agent. Found by packages/local/tests/faults/server-restart.test.ts.
async function abandoned() {
  const deps = makeDeps();
  const ws = createWebSocketHandler(deps);
  await ws(wsEvent("$connect", "tab1=", { query: { token: "valid:alice" } }));
  const send = (msg: unknown) => ws(wsEvent("$default", "tab1=", { body: JSON.stringify(msg) }));
  const chat = { type: "chat.send", conversationId: "c1", clientMessageId: "m1", text: "hello" };
  await send(chat);
  expect(deps.taskRunner.starts).toHaveLength(1);
  // The task stopped without answering: Idle, the message still pending.
  await deps.taskState.transition({ userId: "alice", expectState: "Starting", set: { state: "Idle" } });
  expect(await deps.pending.list("alice")).toHaveLength(1);
  return { deps, send, chat };
}

describe("a message left pending behind an Idle agent", () => {
  it("is picked up when a client (re)connects and asks for the status", async () => {
    const { deps, send } = await abandoned();
    await send({ type: "status.get" });
    expect(deps.taskRunner.starts).toHaveLength(2);
    expect(deps.clientPush.to("tab1=").at(-1)).toMatchObject({ type: "agent.status", state: "Starting" });
  });

  it("is picked up when the client resends it", async () => {
    const { deps, send, chat } = await abandoned();
    await send(chat);
    expect(deps.clientPush.to("tab1=")).toContainEqual(
      expect.objectContaining({ type: "chat.ack", state: "duplicate" }),
    );
    expect(deps.taskRunner.starts).toHaveLength(2);
  });

  it("status.get on an Idle agent with nothing pending starts nothing", async () => {
    const { deps, send } = await abandoned();
    await deps.pending.delete("alice", (await deps.pending.list("alice"))[0]?.id ?? "");
    await send({ type: "status.get" });
    expect(deps.taskRunner.starts).toHaveLength(1);
  });
});
