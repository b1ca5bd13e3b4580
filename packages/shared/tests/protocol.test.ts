import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ChatSendSchema,
  ClientMessageSchema,
  canTransition,
  LIMITS,
  parseJson,
  ServerEventSchema,
  SettingsUpdateSchema,
} from "../src/index";

describe("client messages", () => {
  it("accepts a well-formed chat.send", () => {
    const r = parseJson(
      ClientMessageSchema,
      JSON.stringify({ type: "chat.send", conversationId: "c1", clientMessageId: "m-1", text: "hi" }),
      LIMITS.maxBodyBytes,
    );
    expect(r).toEqual({
      ok: true,
      value: { type: "chat.send", conversationId: "c1", clientMessageId: "m-1", text: "hi" },
    });
  });

  it("explains what is wrong with a bad chat.send", () => {
    const r = parseJson(
      ClientMessageSchema,
      JSON.stringify({ type: "chat.send", conversationId: "a#b", clientMessageId: "", text: "" }),
      LIMITS.maxBodyBytes,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain("conversationId: conversationId may contain only letters");
      expect(r.message).toContain("clientMessageId: clientMessageId must not be empty");
      expect(r.message).toContain("text: text must not be empty");
    }
  });

  it("refuses unknown types, unknown fields, oversized text and bodies", () => {
    expect(ClientMessageSchema.safeParse({ type: "rm -rf" }).success).toBe(false);
    expect(ClientMessageSchema.safeParse({ type: "ping", extra: 1 }).success).toBe(false);
    const long = "x".repeat(LIMITS.maxMessageChars + 1);
    expect(
      ChatSendSchema.safeParse({ type: "chat.send", conversationId: "c", clientMessageId: "m", text: long })
        .success,
    ).toBe(false);
    const r = parseJson(ClientMessageSchema, " ".repeat(LIMITS.maxBodyBytes + 1), LIMITS.maxBodyBytes);
    expect(r).toEqual({ ok: false, message: `body must be at most ${LIMITS.maxBodyBytes} bytes` });
    expect(parseJson(ClientMessageSchema, "{not json", LIMITS.maxBodyBytes)).toEqual({
      ok: false,
      message: "body is not valid JSON",
    });
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (raw) => {
        const r = parseJson(ClientMessageSchema, raw, LIMITS.maxBodyBytes);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("server events", () => {
  it("parses a status event with a start-up step", () => {
    const e = ServerEventSchema.parse({ type: "agent.status", state: "Starting", step: "restoring-state" });
    expect(e.type).toBe("agent.status");
  });
});

describe("settings updates", () => {
  it("requires a base URL for an OpenAI-compatible provider", () => {
    const r = SettingsUpdateSchema.safeParse({ provider: "openai-compatible", baseUrl: null });
    expect(r.success).toBe(false);
  });
  it("rejects an out-of-range inactivity timeout with the bound in the message", () => {
    const r = SettingsUpdateSchema.safeParse({ inactivityMinutes: 0 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("at least 1");
  });
});

describe("lifecycle", () => {
  it("allows only the designed transitions", () => {
    expect(canTransition("Idle", "Starting")).toBe(true);
    expect(canTransition("Starting", "Idle")).toBe(true);
    expect(canTransition("Idle", "Running")).toBe(false);
    expect(canTransition("Running", "Idle")).toBe(false);
  });
});
