import { describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../src/deps";
import { createHttpApiHandler } from "../../src/handlers";
import { makeDeps } from "../unit/fakes";
import { httpEvent } from "./events";

const ALICE = "valid:alice";
const BOB = "valid:bob";

function setup(config: Partial<GatewayConfig> = {}) {
  const deps = makeDeps({ config });
  const api = createHttpApiHandler(deps);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const result = await api(httpEvent(...args));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return { deps, api, call };
}

describe("HTTP API: settings", () => {
  it("returns defaults, then the stored view without ever the API key", async () => {
    const { call } = setup();
    expect((await call("GET", "/settings", { token: ALICE })).json).toEqual({
      provider: null,
      model: null,
      baseUrl: null,
      apiKeySet: false,
      inactivityMinutes: 15,
      browserEnabled: false,
    });
    const put = await call("PUT", "/settings", {
      token: ALICE,
      body: { provider: "anthropic", model: "claude-sonnet-4-5", apiKey: "sk-ant-secret-value" },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json).toMatchObject({ provider: "anthropic", apiKeySet: true });
    expect(put.body).not.toContain("sk-ant-secret-value");
    expect((await call("GET", "/settings", { token: ALICE })).body).not.toContain("sk-ant-secret-value");
    expect((await call("GET", "/settings", { token: BOB })).json.apiKeySet).toBe(false);
  });

  it("explains invalid bodies with 400 (not JSON), 413 (too big) and 422 (wrong fields)", async () => {
    const { call } = setup();
    const notJson = await call("PUT", "/settings", { token: ALICE, rawBody: "{oops" });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json).toEqual({ error: { code: "BAD_JSON", message: "body is not valid JSON" } });
    const big = await call("PUT", "/settings", {
      token: ALICE,
      rawBody: JSON.stringify({ model: "x".repeat(70_000) }),
    });
    expect(big.statusCode).toBe(413);
    const wrong = await call("PUT", "/settings", {
      token: ALICE,
      body: { provider: "skynet", inactivityMinutes: 0 },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json.error.message).toMatch(/provider must be one of/);
    expect(wrong.json.error.message).toMatch(/inactivityMinutes must be at least 1/);
    const merged = await call("PUT", "/settings", { token: ALICE, body: { provider: "openai-compatible" } });
    expect(merged.statusCode).toBe(422);
    expect(merged.json.error.message).toMatch(/baseUrl/);
  });
});

describe("HTTP API: the deployment's default timeout", () => {
  it("shows the deploy-context inactivity timeout until the user picks one", async () => {
    const { call } = setup({ defaultInactivityMinutes: 30 });
    expect((await call("GET", "/settings", { token: ALICE })).json.inactivityMinutes).toBe(30);
    await call("PUT", "/settings", { token: ALICE, body: { inactivityMinutes: 5 } });
    expect((await call("GET", "/settings", { token: ALICE })).json.inactivityMinutes).toBe(5);
    expect((await call("GET", "/settings", { token: BOB })).json.inactivityMinutes).toBe(30);
  });
});

describe("HTTP API: settings reach a running agent", () => {
  it("tells alice's running agent to restart with them, and pushes nothing for bob's idle one", async () => {
    const { deps, call } = setup();
    await deps.taskState.transition({
      userId: "alice",
      expectState: "Idle",
      set: { state: "Starting", taskArn: "arn:alice" },
    });
    await deps.taskState.transition({
      userId: "alice",
      expectState: "Starting",
      set: { state: "Running", agentConnectionId: "agent-alice" },
    });
    expect(
      (await call("PUT", "/settings", { token: ALICE, body: { inactivityMinutes: 30 } })).statusCode,
    ).toBe(200);
    expect(deps.agentPush.to("agent-alice")).toEqual([{ type: "agent.settings-changed" }]);
    expect((await call("PUT", "/settings", { token: BOB, body: { inactivityMinutes: 30 } })).statusCode).toBe(
      200,
    );
    // A refused update changes nothing and tells nobody.
    expect((await call("PUT", "/settings", { token: ALICE, body: { provider: "skynet" } })).statusCode).toBe(
      422,
    );
    expect(deps.agentPush.to("agent-alice")).toHaveLength(1);
  });
});

describe("HTTP API: conversations", () => {
  it("creates, lists, renames, pages and deletes", async () => {
    const { call } = setup();
    const created = await call("POST", "/conversations", {
      token: ALICE,
      body: { conversationId: "c1", title: " Trip " },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({ conversationId: "c1", title: "Trip" });
    expect((await call("POST", "/conversations", { token: ALICE })).statusCode).toBe(201);
    expect((await call("GET", "/conversations", { token: ALICE })).json.conversations).toHaveLength(2);
    const renamed = await call("PATCH", "/conversations/c1", { token: ALICE, body: { title: "Holiday" } });
    expect(renamed.json.title).toBe("Holiday");
    const page = await call("GET", "/conversations/c1/messages", { token: ALICE, query: { limit: "20" } });
    expect(page.json).toEqual({ conversationId: "c1", messages: [] });
    expect((await call("DELETE", "/conversations/c1", { token: ALICE })).statusCode).toBe(204);
    expect((await call("GET", "/conversations/c1/messages", { token: ALICE })).statusCode).toBe(404);
  });

  it("never reaches another user's conversation", async () => {
    const { call } = setup();
    await call("POST", "/conversations", { token: ALICE, body: { conversationId: "c1", title: "Alice's" } });
    expect((await call("GET", "/conversations", { token: BOB })).json.conversations).toEqual([]);
    expect((await call("GET", "/conversations/c1/messages", { token: BOB })).statusCode).toBe(404);
    expect((await call("PATCH", "/conversations/c1", { token: BOB, body: { title: "x" } })).statusCode).toBe(
      404,
    );
    expect((await call("DELETE", "/conversations/c1", { token: BOB })).statusCode).toBe(404);
    expect((await call("GET", "/conversations", { token: ALICE })).json.conversations[0].title).toBe(
      "Alice's",
    );
  });

  it("validates path parameters and query strings", async () => {
    const { call } = setup();
    const badId = await call("DELETE", `/conversations/${encodeURIComponent("a#b")}`, { token: ALICE });
    expect(badId.statusCode).toBe(400);
    expect(badId.json.error.message).toMatch(/conversationId may contain only/);
    const badLimit = await call("GET", "/conversations/c1/messages", {
      token: ALICE,
      query: { limit: "many" },
    });
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json.error.message).toMatch(/limit must be a number/);
    const badBody = await call("POST", "/conversations", { token: ALICE, body: { title: "" } });
    expect(badBody.statusCode).toBe(422);
  });
});

describe("HTTP API: agent and Telegram pairing", () => {
  it("reports and stops the agent", async () => {
    const { call, deps } = setup();
    expect((await call("GET", "/agent", { token: ALICE })).json).toMatchObject({
      type: "agent.status",
      state: "Idle",
    });
    await deps.taskState.transition({
      userId: "alice",
      expectState: "Idle",
      set: { state: "Starting", taskArn: "arn:t" },
    });
    const stopped = await call("POST", "/agent/stop", { token: ALICE });
    expect(stopped.statusCode).toBe(202);
    expect(stopped.json.state).toBe("Idle");
    expect(deps.taskRunner.stops).toEqual([{ taskArn: "arn:t", reason: "stopped by the user" }]);
  });

  it("refuses Telegram pairing codes with 409 when Telegram is not set up, naming it", async () => {
    const { call } = setup({ telegramEnabled: false });
    const result = await call("POST", "/channels/telegram/pairing-code", { token: ALICE });
    expect(result.statusCode).toBe(409);
    expect(result.json.error.code).toBe("CHANNEL_DISABLED");
    expect(result.json.error.message).toMatch(
      /^Telegram is not set up in this deployment; see docs\/telegram.md/,
    );
  });

  it("serves Telegram pairing only on the channel routes (the Telegram-only ones are gone)", async () => {
    const { call } = setup({ telegramEnabled: true });
    for (const [method, path] of [
      ["POST", "/telegram/pairing-code"],
      ["GET", "/telegram/pairings"],
      ["DELETE", "/telegram/pairings/12345"],
    ] as const) {
      expect((await call(method, path, { token: ALICE })).statusCode).toBe(404);
    }
  });

  it("makes a pairing code, lists pairings and validates the id to unpair", async () => {
    const { call } = setup({ telegramEnabled: true, telegramBotUsername: "my_claw_bot" });
    const code = await call("POST", "/channels/telegram/pairing-code", { token: ALICE });
    expect(code.statusCode).toBe(201);
    expect(code.json.code).toMatch(/^[A-Z2-9]{8}$/);
    expect(code.json.instruction).toContain("@my_claw_bot");
    expect(code.json.deepLink).toBe(`https://t.me/my_claw_bot?start=${code.json.code}`);
    const pairings = await call("GET", "/channels/telegram/pairings", { token: ALICE });
    expect(pairings.json).toEqual({ pairings: [] });
    const unpaired = await call("DELETE", "/channels/telegram/pairings/12345", { token: ALICE });
    expect(unpaired.statusCode).toBe(204);
    const tooLong = await call("DELETE", `/channels/telegram/pairings/${"9".repeat(129)}`, { token: ALICE });
    expect(tooLong.statusCode).toBe(400);
  });
});

describe("HTTP API: routing, CORS and errors", () => {
  it("answers unknown routes 404 and wrong methods 405, with the error shape", async () => {
    const { call } = setup();
    const missing = await call("GET", "/nope", { token: ALICE });
    expect(missing.statusCode).toBe(404);
    expect(missing.json).toEqual({ error: { code: "ROUTE_NOT_FOUND", message: "no such API route" } });
    const wrong = await call("DELETE", "/settings", { token: ALICE });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.allow).toBe("GET, PUT");
  });

  it("strips a named stage from the path", async () => {
    const { call } = setup();
    expect((await call("GET", "/prod/settings", { token: ALICE, stage: "prod" })).statusCode).toBe(200);
  });

  it("sends CORS headers only to the SPA's origin, and answers preflights without a token", async () => {
    const { call } = setup();
    const preflight = await call("OPTIONS", "/settings", { headers: { origin: "https://chat.example.com" } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers?.["access-control-allow-origin"]).toBe("https://chat.example.com");
    expect(preflight.headers?.["access-control-allow-headers"]).toContain("authorization");
    const other = await call("GET", "/settings", {
      token: ALICE,
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers?.["access-control-allow-origin"]).toBeUndefined();
    const unauthorized = await call("GET", "/settings", { headers: { origin: "https://chat.example.com" } });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers?.["access-control-allow-origin"]).toBe("https://chat.example.com");
  });

  it("turns an unexpected failure into a generic 500 without internals", async () => {
    const deps = makeDeps();
    deps.settings.get = async () => {
      throw new Error("ResourceNotFoundException: table arn:aws:dynamodb:secret-table");
    };
    const result = await createHttpApiHandler(deps)(httpEvent("GET", "/settings", { token: ALICE }));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? "")).toEqual({
      error: { code: "INTERNAL", message: "Something went wrong on our side; try again in a moment." },
    });
  });
});
