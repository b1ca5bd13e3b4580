import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOT_TOKEN, FakeBotApi, POLL_CONFLICT, textUpdate, WEBHOOK_CONFLICT } from "../src/fake-bot-api";
import { until } from "../src/until";

/** The fake's long polling must hold like Telegram's, or client timeouts go unnoticed (issue 27). */
describe("fake Bot API: getUpdates like Telegram's", () => {
  let fake: FakeBotApi;
  beforeEach(async () => {
    fake = await new FakeBotApi().start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  const call = async (method: string, params: object, signal?: AbortSignal) => {
    const res = await fetch(`${fake.apiRoot}/bot${BOT_TOKEN}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
      signal,
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; result?: unknown[] } & object };
  };

  it("holds an idle poll for the full timeout, then answers []", async () => {
    const started = performance.now();
    const answer = await call("getUpdates", { timeout: 2 });
    // A lower bound only: a timer never fires early, however busy the machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(answer).toEqual({ status: 200, body: { ok: true, result: [] } });
    expect(fake.polls).toMatchObject([{ timeout: 2, outcome: "idle" }]);
  });

  it("answers a held poll as soon as an update arrives, and forgets updates an offset confirms", async () => {
    const held = call("getUpdates", { timeout: 50 });
    await until("the poll is held", () => fake.polls.length === 1);
    const first = textUpdate("one");
    fake.pushUpdate(first);
    expect((await held).body.result).toEqual([first]);

    const second = textUpdate("two");
    fake.pushUpdate(second);
    // Without an offset, unconfirmed updates come again.
    expect((await call("getUpdates", { timeout: 0 })).body.result).toEqual([first, second]);
    expect((await call("getUpdates", { offset: second.update_id, timeout: 0 })).body.result).toEqual([
      second,
    ]);
    // Confirmed ones are gone for good, even for a poll without an offset.
    expect((await call("getUpdates", { timeout: 0 })).body.result).toEqual([second]);
    expect(fake.updates).toEqual([second]);
  });

  it("answers a second concurrent poll 409, and refuses polling while a webhook is set", async () => {
    const held = call("getUpdates", { timeout: 50 });
    await until("the poll is held", () => fake.polls.length === 1);
    expect(await call("getUpdates", { timeout: 1 })).toEqual({
      status: 409,
      body: { ok: false, error_code: 409, description: POLL_CONFLICT },
    });
    fake.pushUpdate(textUpdate("hi"));
    expect((await held).status).toBe(200);

    await call("setWebhook", { url: "https://example.com/telegram/webhook" });
    expect((await call("getUpdates", { timeout: 0 })).body).toMatchObject({ description: WEBHOOK_CONFLICT });
    await call("deleteWebhook", {});
    expect((await call("getUpdates", { timeout: 0 })).status).toBe(200);
  });

  it("drops a held poll whose client hangs up, so the next poll is not a conflict", async () => {
    const controller = new AbortController();
    const abandoned = call("getUpdates", { timeout: 50 }, controller.signal);
    await until("the poll is held", () => fake.polls.length === 1);
    controller.abort();
    await expect(abandoned).rejects.toThrow();
    await until("the hang-up is seen", () => fake.polls[0]?.outcome === "gone");
    expect((await call("getUpdates", { timeout: 0 })).status).toBe(200);
  });
});
