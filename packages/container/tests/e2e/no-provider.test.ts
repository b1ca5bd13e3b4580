import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskHarness, USER_ID, until } from "../support/harness";

// A user who never opened Settings: the agent still comes up and explains what to do.
let h: TaskHarness;

beforeAll(async () => {
  h = new TaskHarness();
  await h.start();
  await h.bootConnected();
}, 300_000);

afterAll(() => h?.stop());

describe("agent task without a provider", () => {
  it("answers every message with how to configure a provider, stores it, and deletes it from pending", async () => {
    const tab = await h.addClient();
    h.gateway.deliver(await h.enqueue("hello?", "conv-n", "n-1"));
    await until("error", () => h.push.of("chat.error", tab).length > 0);
    const [err] = h.push.of("chat.error", tab);
    expect(err?.code).toBe("NO_PROVIDER");
    expect(String(err?.message)).toMatch(/Settings/);
    expect(err?.retryable).toBe(false);
    const stored = await h.stores.conversations.findReply(USER_ID, "conv-n", "n-1");
    expect(stored?.error?.code).toBe("NO_PROVIDER");
    expect(stored?.text).toMatch(/Settings/);
    // chat.final goes out before the pending item is deleted: wait for the delete, don't race it.
    await until(
      "the answered messages left the queue",
      async () => (await h.stores.pending.list(USER_ID)).length === 0,
      30_000,
    );
  });
});
