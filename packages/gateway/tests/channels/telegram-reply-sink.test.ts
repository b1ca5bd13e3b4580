import { TelegramReplySink } from "@serverless-openclaw/container/sinks";
import type { PendingMessage } from "@serverless-openclaw/shared";
import { BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import { until } from "@serverless-openclaw/testkit/until";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemorySecretStore } from "../../src/adapters/local/memory-secret-store";
import { inProcessRelay, pendingFor } from "./relay-harness";

const CHAT = 4242;
/** The user's pending messages, as the relay looks them up. */
const queued: PendingMessage[] = [];
function message(overrides: Partial<PendingMessage> = {}): PendingMessage {
  const m = pendingFor({ channel: "telegram", chatId: CHAT, messageId: 7 }, overrides);
  queued.push(m);
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Telegram reply sink", () => {
  let fake: FakeBotApi;
  let secrets: MemorySecretStore;
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
  const sink = (opts: { minEditIntervalMs?: number; typingIntervalMs?: number; redacted?: string[] } = {}) =>
    new TelegramReplySink({
      // The sink holds no token: the gateway's relay (in process here) sends for it.
      relay: inProcessRelay({ secrets, queued, telegramApiRoot: fake.apiRoot }),
      logger,
      minEditIntervalMs: opts.minEditIntervalMs ?? 150,
      typingIntervalMs: opts.typingIntervalMs ?? 4000,
      ...(opts.redacted ? { redactor: { add: (s: string) => void opts.redacted?.push(s) } } : {}),
    });

  /** Feeds a reply as a stream of deltas, as the turn runner does. */
  async function stream(s: TelegramReplySink, m: PendingMessage, chunks: string[], gapMs = 0) {
    await s.started(m);
    let soFar = "";
    for (const [i, chunk] of chunks.entries()) {
      soFar += chunk;
      await s.delta(m, chunk, i, soFar);
      if (gapMs) await sleep(gapMs);
    }
    await s.final(m, soFar, `${m.clientMessageId}-reply`, m.receivedAt);
    return soFar;
  }

  beforeEach(async () => {
    fake = await new FakeBotApi().start();
    secrets = new MemorySecretStore();
    await secrets.put("telegram/bot-token", BOT_TOKEN);
    warnings.length = 0;
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("shows typing, sends the first text, edits it as the reply grows, and ends on the final text", async () => {
    const redacted: string[] = [];
    const s = sink({ redacted });
    const chunks = Array.from({ length: 40 }, (_, i) => `word${i} `);
    const full = await stream(s, message(), chunks, 10);

    // The token never reaches the sink (the task): nothing of it to redact there.
    expect(redacted).toEqual([]);
    expect(fake.calls[0]).toMatchObject({
      method: "sendChatAction",
      params: { chat_id: CHAT, action: "typing" },
    });
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    const edits = fake.callsOf("editMessageText");
    expect(edits.length).toBeGreaterThan(0);
    // Throttled: far fewer edits than deltas.
    expect(edits.length).toBeLessThan(chunks.length / 2);
    expect(fake.visibleTexts(CHAT)).toEqual([full]);
  });

  it("keeps at least the minimum interval between edits of one chat", async () => {
    const s = sink({ minEditIntervalMs: 200 });
    await stream(
      s,
      message(),
      Array.from({ length: 60 }, (_, i) => `${i} `),
      8,
    );
    const writes = fake.calls.filter((c) => c.method === "sendMessage" || c.method === "editMessageText");
    expect(writes.length).toBeGreaterThan(2);
    for (let i = 1; i < writes.length; i++) {
      const gap = (writes[i]?.at ?? 0) - (writes[i - 1]?.at ?? 0);
      // The sink counts from Telegram's answer, so the server sees at least the interval
      // (less a few ms of timer rounding); unthrottled calls would be ~8 ms apart.
      expect(gap).toBeGreaterThanOrEqual(190);
    }
  });

  it("splits a long reply at 4096 characters into consecutive messages", async () => {
    const s = sink({ minEditIntervalMs: 20 });
    const line = `${"lorem ipsum dolor sit amet ".repeat(3).trim()}\n`; // 81 chars
    const chunks = Array.from({ length: 130 }, () => line); // 10 530 chars
    const full = await stream(s, message(), chunks, 1);
    const shown = fake.visibleTexts(CHAT);
    expect(shown.length).toBe(3);
    for (const text of shown) expect(text.length).toBeLessThanOrEqual(4096);
    expect(shown.join("")).toBe(full);
    // Pieces end at line breaks, not mid-word.
    for (const text of shown.slice(0, -1)) expect(text.endsWith("\n")).toBe(true);
  });

  it("sends a long reply that arrives only as a final (a stored reply re-sent) in pieces", async () => {
    const s = sink();
    const full = "x".repeat(9000);
    await s.final(message(), full, "m", "2026-11-25T12:00:00.000Z");
    const shown = fake.visibleTexts(CHAT);
    expect(shown.map((t) => t.length)).toEqual([4096, 4096, 808]);
    expect(shown.join("")).toBe(full);
  });

  it("formats Markdown as Telegram HTML with everything else escaped", async () => {
    const s = sink();
    await s.final(message(), "**Bold** and `a<b>` & [link](https://example.com/?a=1&b=2) <script>", "m", "x");
    const [sent] = fake.callsOf("sendMessage");
    expect(sent?.params.parse_mode).toBe("HTML");
    expect(sent?.params.text).toBe(
      '<b>Bold</b> and <code>a&lt;b&gt;</code> &amp; <a href="https://example.com/?a=1&amp;b=2">link</a> &lt;script&gt;',
    );
    expect(fake.visibleTexts(CHAT)).toEqual(["Bold and a<b> & link <script>"]);
  });

  it("falls back to plain text when Telegram cannot parse the formatting, and stays plain", async () => {
    fake.failNext("sendMessage", {
      error_code: 400,
      description:
        "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 3",
    });
    const s = sink({ minEditIntervalMs: 20 });
    await stream(s, message(), ["**Hi** ", "there ", "friend"], 40);
    const sends = fake.callsOf("sendMessage");
    expect(sends).toHaveLength(2);
    expect(sends[0]?.params.parse_mode).toBe("HTML");
    expect(sends[1]?.params.parse_mode).toBeUndefined();
    expect(sends[1]?.params.text).toBe("**Hi** ");
    for (const edit of fake.callsOf("editMessageText")) expect(edit.params.parse_mode).toBeUndefined();
    expect(fake.visibleTexts(CHAT)).toEqual(["**Hi** there friend"]);
  });

  it("falls back to plain text for an edit Telegram refuses to parse", async () => {
    const s = sink({ minEditIntervalMs: 20 });
    const m = message();
    await s.started(m);
    await s.delta(m, "one ", 0, "one ");
    await sleep(60);
    fake.failNext("editMessageText", {
      error_code: 400,
      description: "Bad Request: can't parse entities: x",
    });
    await s.final(m, "one *two*", "r", "x");
    const edits = fake.callsOf("editMessageText");
    expect(edits.map((e) => e.params.parse_mode)).toEqual(["HTML", undefined]);
    expect(fake.visibleTexts(CHAT)).toEqual(["one *two*"]);
  });

  it("waits retry_after on 429 and then delivers", async () => {
    fake.failNext("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    const s = sink();
    await s.final(message(), "hello", "m", "x");
    const sends = fake.callsOf("sendMessage");
    expect(sends).toHaveLength(2);
    expect((sends[1]?.at ?? 0) - (sends[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(fake.visibleTexts(CHAT)).toEqual(["hello"]);
  });

  it("refreshes typing while the turn runs and stops when it ends", async () => {
    const s = sink({ typingIntervalMs: 40 });
    const m = message();
    await s.started(m);
    // Waits for the refreshes however slow the machine is (a fixed sleep missed them at load 40).
    await until("typing refreshed twice after the first", () => fake.callsOf("sendChatAction").length >= 3, {
      timeoutMs: 60_000,
    });
    await s.final(m, "done", "r", "x");
    const typing = fake.callsOf("sendChatAction").length;
    expect(typing).toBeGreaterThanOrEqual(3);
    // Absence can only be shown by waiting: several refresh intervals pass with no new call.
    await sleep(150);
    expect(fake.callsOf("sendChatAction").length).toBe(typing);
  });

  it("reports an error as a short message", async () => {
    const s = sink();
    const m = message();
    await s.started(m);
    await s.error(m, "LLM_AUTH", "The API key was rejected by the provider.", false);
    expect(fake.sentTexts(CHAT)).toEqual(["⚠️ The API key was rejected by the provider."]);
  });

  it("continues in a new message when the user deleted the one being edited", async () => {
    const s = sink({ minEditIntervalMs: 20 });
    const m = message();
    await s.started(m);
    await s.delta(m, "first ", 0, "first ");
    // The first text is out (however busy the machine), then the user deletes it.
    for (let waited = 0; fake.sentTexts(CHAT).length === 0 && waited < 10_000; waited += 10) await sleep(10);
    fake.messages.clear();
    await s.final(m, "first second", "r", "x");
    expect(fake.sentTexts(CHAT)).toEqual(["first ", "first second"]);
  });

  it("ignores a late delta after the final", async () => {
    const s = sink();
    const m = message();
    await s.final(m, "answer", "r", "x");
    await s.delta(m, "late", 9, "answer late");
    await sleep(50);
    expect(fake.sentTexts(CHAT)).toEqual(["answer"]);
  });

  it("does nothing for web messages; without a bot token the relay refuses and the failure is logged", async () => {
    await sink().final(message({ channel: "web", replyTo: { channel: "web" } }), "hi", "r", "x");
    await secrets.delete("telegram/bot-token");
    const s = sink();
    const m = message();
    await s.started(m);
    await s.final(m, "hi", "r", "x");
    expect(fake.calls).toEqual([]);
    expect(warnings.some((w) => w.includes("telegram reply failed"))).toBe(true);
  });
});
