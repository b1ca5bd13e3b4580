import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import type { LogAttributes } from "../../src/deps";
import { NotFoundError, ValidationError } from "../../src/errors";
import { createServices } from "../../src/services";
import { makeDeps } from "./fakes";

describe("ConversationService", () => {
  it("lists, renames and deletes only the caller's conversations", async () => {
    const deps = makeDeps();
    const { conversations, chat } = createServices(deps);
    await conversations.create("alice", { conversationId: "shared-id", title: "Alice's" });
    await chat.send({
      userId: "alice",
      conversationId: "shared-id",
      clientMessageId: "m1",
      text: "secret plans",
      channel: "web",
      replyTo: { channel: "web" },
    });
    expect(await conversations.list("bob")).toEqual([]);
    await expect(conversations.history("bob", "shared-id", { mustExist: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(conversations.rename("bob", "shared-id", "mine now")).rejects.toBeInstanceOf(NotFoundError);
    await expect(conversations.delete("bob", "shared-id")).rejects.toBeInstanceOf(NotFoundError);
    expect((await conversations.list("alice")).map((c) => c.title)).toEqual(["Alice's"]);
  });

  it("creates with a generated id, refuses a duplicate id, lists newest first", async () => {
    const deps = makeDeps();
    const { conversations } = createServices(deps);
    const first = await conversations.create("alice", {});
    expect(first.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    deps.clock.advance(1000);
    await conversations.create("alice", { conversationId: "c2", title: "Second" });
    await expect(conversations.create("alice", { conversationId: "c2" })).rejects.toMatchObject({
      code: "CONVERSATION_EXISTS",
      status: 409,
    });
    expect((await conversations.list("alice")).map((c) => c.conversationId)).toEqual([
      "c2",
      first.conversationId,
    ]);
  });

  it("returns an empty page for a conversation opened before its first message, when allowed", async () => {
    const deps = makeDeps();
    const { conversations } = createServices(deps);
    expect(await conversations.history("alice", "fresh")).toEqual({ conversationId: "fresh", messages: [] });
  });

  it("pages stored turns oldest first", async () => {
    const deps = makeDeps();
    const { conversations } = createServices(deps);
    await conversations.create("alice", { conversationId: "c1" });
    for (let i = 0; i < 3; i++) {
      const at = new Date(Date.UTC(2026, 10, 25, 10, i)).toISOString();
      const base = { conversationId: "c1", clientMessageId: `m${i}`, channel: "web" as const, createdAt: at };
      await deps.conversations.putTurn(
        "alice",
        { ...base, messageId: `u${i}`, role: "user", text: `q${i}` },
        {
          ...base,
          messageId: `a${i}`,
          role: "assistant",
          text: `a${i}`,
          createdAt: at.replace(":00.000Z", ":30.000Z"),
        },
      );
    }
    const page = await conversations.history("alice", "c1", { limit: 4, mustExist: true });
    expect(page.messages.map((m) => m.text)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(page.nextCursor).toBeDefined();
    const older = await conversations.history("alice", "c1", { limit: 4, before: page.nextCursor ?? "" });
    expect(older.messages.map((m) => m.text)).toEqual(["q0", "a0"]);
  });
});

describe("SettingsService", () => {
  it("stores the API key only in the SecretStore and never returns or logs it", async () => {
    const deps = makeDeps();
    const logged: unknown[] = [];
    const capture = (message: string, ...attrs: LogAttributes[]) => logged.push(message, ...attrs);
    deps.logger = { debug: capture, info: capture, warn: capture, error: capture };
    const { settings } = createServices(deps);
    const key = "sk-ant-THIS-IS-SECRET-123";
    const view = await settings.put("alice", { provider: "anthropic", apiKey: key });
    expect(view).toMatchObject({ provider: "anthropic", apiKeySet: true });
    expect(JSON.stringify(view)).not.toContain(key);
    expect(JSON.stringify(await settings.get("alice"))).not.toContain(key);
    expect(await deps.secrets.get(SECRET_NAMES.llmApiKey("alice"))).toBe(key);
    expect(JSON.stringify(await deps.settings.get("alice", "settings"))).not.toContain(key);
    expect(JSON.stringify(logged)).not.toContain(key);
  });

  it("keeps omitted fields, deletes the key on null, and checks the merged result", async () => {
    const deps = makeDeps();
    const { settings } = createServices(deps);
    await settings.put("alice", {
      provider: "openai",
      model: "gpt-5-mini",
      apiKey: "sk-1",
      inactivityMinutes: 30,
    });
    const view = await settings.put("alice", { apiKey: null });
    expect(view).toEqual({
      provider: "openai",
      model: "gpt-5-mini",
      baseUrl: null,
      apiKeySet: false,
      inactivityMinutes: 30,
      browserEnabled: false,
    });
    expect(await deps.secrets.get(SECRET_NAMES.llmApiKey("alice"))).toBeUndefined();
    await expect(settings.put("alice", { provider: "openai-compatible" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect((await settings.get("alice")).provider).toBe("openai");
  });

  it("returns defaults for a new user", async () => {
    const deps = makeDeps();
    expect(await createServices(deps).settings.get("nobody")).toMatchObject({
      provider: null,
      apiKeySet: false,
    });
  });
});
