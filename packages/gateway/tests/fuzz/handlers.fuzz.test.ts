import {
  AgentToGatewaySchema,
  ClientMessageSchema,
  CreateConversationSchema,
  RenameConversationSchema,
  SettingsUpdateSchema,
} from "@serverless-openclaw/shared";
import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CognitoTokenVerifier } from "../../src/adapters/aws/cognito-token-verifier";
import type { GatewayDeps } from "../../src/deps";
import {
  createAgentSocketHandler,
  createHttpApiHandler,
  createWatchdogHandler,
  createWebSocketHandler,
  type HandlerResult,
} from "../../src/handlers";
import { matchRoute } from "../../src/handlers/http-router";
import { makeDeps, recordWrites } from "../unit/fakes";
import { CLIENT_ID, createTestIssuer, POOL_ID, type TestIssuer } from "../unit/tokens";

/**
 * Every handler faces the internet. Whatever arrives (any JSON value as the event, any body, any token),
 * it must answer without throwing, never with a 5xx, and never change stored state.
 */

const RUNS = fuzzRuns(400);
const CLIENT_CONN = "client1=";
const AGENT_CONN = "agent1=";

let issuer: TestIssuer;
let validToken: string;

beforeAll(async () => {
  issuer = await createTestIssuer();
  validToken = await issuer.token({ sub: "alice" });
});

/** Deps whose stores record every write, with one signed-in tab and one connected agent already stored. */
async function fuzzDeps(): Promise<{ deps: GatewayDeps; writes: string[] }> {
  const base = makeDeps({
    tokenVerifier: new CognitoTokenVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, jwks: issuer.jwks }),
  });
  const now = base.clock.now();
  const connectedAt = now.toISOString();
  const expiresAt = Math.floor(now.getTime() / 1000) + 3600;
  await base.connections.put({
    connectionId: CLIENT_CONN,
    userId: "alice",
    kind: "client",
    connectedAt,
    expiresAt,
  });
  await base.connections.put({
    connectionId: AGENT_CONN,
    userId: "alice",
    kind: "agent",
    connectedAt,
    expiresAt,
  });
  const { stores, writes } = recordWrites({
    connections: base.connections,
    taskState: base.taskState,
    pending: base.pending,
    conversations: base.conversations,
    settings: base.settings,
    secrets: base.secrets,
    blobs: base.blobs,
  });
  return { deps: { ...base, ...stores }, writes };
}

/** Any value at all as the event: never a 5xx, never a write. */
async function anythingIsSafe(handler: (event: never) => Promise<HandlerResult>, writes: string[]) {
  await fc.assert(
    fc.asyncProperty(fc.anything(), async (event) => assertSafe(await handler(event as never), writes)),
    { numRuns: RUNS },
  );
}

function assertSafe(result: HandlerResult, writes: string[]) {
  expect(result.statusCode).toBeGreaterThanOrEqual(200);
  expect(result.statusCode).toBeLessThan(500);
  expect(writes).toEqual([]);
}

const jsonText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

/** Bodies close to real messages: a valid-looking message with fields dropped, retyped or added. */
const nearMessage = fc
  .record({
    type: fc.constantFrom(
      "chat.send",
      "chat.cancel",
      "agent.wake",
      "status.get",
      "ping",
      "history.get",
      "agent.ping",
      "x",
    ),
    conversationId: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(undefined)),
    clientMessageId: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(null), fc.constant(undefined)),
    text: fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.constant(" ".repeat(5)),
      fc.constant(undefined),
      fc.integer(),
    ),
    limit: fc.oneof(fc.integer({ min: -5, max: 500 }), fc.constant(undefined), fc.string()),
    extra: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 1 })),
  })
  .map((m) => JSON.stringify(m));

const anyBody = fc.oneof(
  jsonText,
  nearMessage,
  fc.constant(undefined),
  fc.constant(""),
  fc.constant("x".repeat(70_000)),
);

/** Tokens: garbage, JWT-shaped garbage, and real tokens with one character changed. */
const anyToken = () =>
  fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join(".")),
    fc.tuple(fc.nat(), fc.constantFrom(..."ABCxyz019-_.")).map(([i, ch]) => {
      const at = i % (validToken.length - 1); // the last char may carry only padding bits
      // Replacing a character by itself would leave the token valid (a seed found that once).
      const other = validToken[at] === ch ? (ch === "A" ? "B" : "A") : ch;
      return validToken.slice(0, at) + other + validToken.slice(at + 1);
    }),
  );

const wsEventArb = (routeKeys: string[], connectionIds: string[], body: fc.Arbitrary<string | undefined>) =>
  fc.record(
    {
      requestContext: fc.record(
        {
          routeKey: fc.constantFrom(...routeKeys),
          connectionId: fc.oneof(fc.constantFrom(...connectionIds), fc.string({ maxLength: 200 })),
          eventType: fc.string(),
        },
        { requiredKeys: ["routeKey", "connectionId"] },
      ),
      body,
      isBase64Encoded: fc.boolean(),
      queryStringParameters: fc.oneof(
        fc.constant(null),
        fc.record(
          { token: anyToken(), userId: fc.string(), secret: fc.string({ maxLength: 300 }) },
          { requiredKeys: [] },
        ),
        fc.dictionary(fc.string(), fc.string()),
      ),
    },
    { requiredKeys: ["requestContext"] },
  );

function clientMessageWouldWrite(body: string | undefined, isBase64: boolean): boolean {
  if (body === undefined) return false;
  const text = isBase64 ? Buffer.from(body, "base64").toString("utf8") : body;
  try {
    const parsed = ClientMessageSchema.safeParse(JSON.parse(text));
    return parsed.success && ["chat.send", "chat.cancel", "agent.wake"].includes(parsed.data.type);
  } catch {
    return false;
  }
}

describe("fuzzing every handler with malformed input", () => {
  it("client WebSocket: any event at all", async () => {
    const { deps, writes } = await fuzzDeps();
    const handler = createWebSocketHandler(deps);
    await anythingIsSafe(handler, writes);
  });

  it("client WebSocket: API Gateway-shaped events with bad tokens and bodies", async () => {
    const { deps, writes } = await fuzzDeps();
    const handler = createWebSocketHandler(deps);
    const arb = wsEventArb(
      ["$connect", "$default", "$disconnect", "chat"],
      [CLIENT_CONN, AGENT_CONN, "unknown="],
      anyBody,
    );
    await fc.assert(
      fc.asyncProperty(arb, async (event) => {
        const { routeKey, connectionId } = event.requestContext;
        // A real disconnect of a stored connection, or a valid message, is allowed to write.
        fc.pre(!(routeKey === "$disconnect" && [CLIENT_CONN, AGENT_CONN].includes(connectionId)));
        fc.pre(!clientMessageWouldWrite(event.body, event.isBase64Encoded ?? false));
        assertSafe(await handler(event as never), writes);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("agent WebSocket: any event, forged connects, bad bodies", async () => {
    const { deps, writes } = await fuzzDeps();
    const handler = createAgentSocketHandler(deps);
    await anythingIsSafe(handler, writes);
    const arb = wsEventArb(
      ["$connect", "$default", "$disconnect"],
      [CLIENT_CONN, AGENT_CONN, "unknown="],
      anyBody,
    );
    await fc.assert(
      fc.asyncProperty(arb, async (event) => {
        const { routeKey, connectionId } = event.requestContext;
        fc.pre(!(routeKey === "$disconnect" && [CLIENT_CONN, AGENT_CONN].includes(connectionId)));
        if (
          routeKey !== "$connect" &&
          routeKey !== "$disconnect" &&
          connectionId === AGENT_CONN &&
          event.body
        ) {
          const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString() : event.body;
          let ok = false;
          try {
            ok = AgentToGatewaySchema.safeParse(JSON.parse(text)).success;
          } catch {}
          fc.pre(!ok);
        }
        assertSafe(await handler(event as never), writes);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("HTTP API: any event at all", async () => {
    const { deps, writes } = await fuzzDeps();
    const handler = createHttpApiHandler(deps);
    await anythingIsSafe(handler, writes);
  });

  it("HTTP API: every route with bad tokens, params, queries and bodies", async () => {
    const { deps, writes } = await fuzzDeps();
    const handler = createHttpApiHandler(deps);
    const segment = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.constantFrom("c1", "12", "-1", "%zz", "a#b", "..", ""),
    );
    const path = fc.oneof(
      fc.constantFrom(
        "/settings",
        "/conversations",
        "/agent",
        "/agent/stop",
        "/channels/telegram/pairing-code",
        "/channels/telegram/pairings",
        "/channels/slack/pairing-code",
      ),
      segment.map((s) => `/conversations/${s}`),
      segment.map((s) => `/conversations/${s}/messages`),
      segment.map((s) => `/channels/telegram/pairings/${s}`),
      segment.map((s) => `/channels/${s}/notices`),
      fc.string({ maxLength: 100 }),
    );
    const arb = fc.record({
      method: fc.constantFrom("GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "HEAD", "get", "TRACE"),
      path,
      auth: fc.oneof(
        fc.constant(undefined),
        anyToken().map((t) => `Bearer ${t}`),
        fc.constant(`Bearer ${"placeholder"}`),
        fc.string(),
      ),
      validAuth: fc.boolean(),
      body: anyBody,
      query: fc.option(fc.dictionary(fc.constantFrom("limit", "before", "x"), fc.string({ maxLength: 600 }))),
      origin: fc.option(fc.constantFrom("https://chat.example.com", "https://evil.example", "null")),
      isBase64Encoded: fc.boolean(),
      stage: fc.option(fc.constantFrom("$default", "prod", "")),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (r) => {
        const authorization = r.validAuth ? `Bearer ${validToken}` : r.auth;
        if (r.validAuth) fc.pre(!requestWouldWrite(r.method, r.path, r.body, r.isBase64Encoded));
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (r.origin) headers.origin = r.origin;
        const event = {
          rawPath: r.path,
          requestContext: { http: { method: r.method }, ...(r.stage !== null ? { stage: r.stage } : {}) },
          headers,
          queryStringParameters: r.query,
          body: r.body,
          isBase64Encoded: r.isBase64Encoded,
        };
        const result = await handler(event as never);
        assertSafe(result, writes);
        if (result.body) expect(() => JSON.parse(result.body ?? "")).not.toThrow();
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it("watchdog: any event", async () => {
    const { deps, writes } = await fuzzDeps();
    const handler = createWatchdogHandler(deps);
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (event) => {
        const report = await handler(event);
        expect(report).toEqual({ checked: 0, actions: [] });
        expect(writes).toEqual([]);
      }),
      { numRuns: RUNS / 4 },
    );
  });
});

/** With a valid token, a well-formed write request is supposed to write: those are not malformed input. */
function requestWouldWrite(
  method: string,
  path: string,
  body: string | undefined,
  isBase64: boolean,
): boolean {
  const match = matchRoute(method.toUpperCase(), path.replace(/^\/prod(?=\/)/, ""));
  if (match.kind !== "route") return false;
  const text =
    body === undefined ? undefined : isBase64 ? Buffer.from(body, "base64").toString("utf8") : body;
  const parses = (schema: { safeParse(v: unknown): { success: boolean } }, emptyAs?: unknown) => {
    if (text === undefined || text.trim() === "")
      return emptyAs !== undefined && schema.safeParse(emptyAs).success;
    try {
      return schema.safeParse(JSON.parse(text)).success;
    } catch {
      return false;
    }
  };
  switch (match.name) {
    case "putSettings":
      return parses(SettingsUpdateSchema);
    case "createConversation":
      return parses(CreateConversationSchema, {});
    case "renameConversation":
      return parses(RenameConversationSchema);
    case "deleteChannelPairing":
    case "createChannelPairingCode":
    case "dismissChannelNotice":
    case "stopAgent":
      return true;
    default:
      return false;
  }
}
