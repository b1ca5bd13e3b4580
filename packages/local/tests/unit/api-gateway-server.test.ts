import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { HttpClientPush } from "@serverless-openclaw/container/adapters";
import { until } from "@serverless-openclaw/testkit/until";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ApiGatewayServer, startApiGatewayServer } from "../../src/server/api-gateway-server";
import type { WebSocketEvent } from "../../src/server/websocket-events";
import { createConsoleLogger } from "../../src/support/local-logger";

type Outcome = { statusCode: number; body?: string } | Error | (() => Promise<unknown>);

const recorded = {
  client: [] as WebSocketEvent[],
  agent: [] as WebSocketEvent[],
  http: [] as APIGatewayProxyEventV2[],
};
let connectOutcome: Outcome = { statusCode: 200 };
let messageOutcome: Outcome = { statusCode: 200 };
let httpOutcome: unknown = { statusCode: 200, body: '{"ok":true}' };
let server: ApiGatewayServer;
let mgmt: ApiGatewayManagementApiClient;
let staticDir: string;
const logs: string[] = [];

async function resolveOutcome(outcome: Outcome): Promise<unknown> {
  if (outcome instanceof Error) throw outcome;
  if (typeof outcome === "function") return outcome();
  return outcome;
}

beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), "local-static-"));
  await mkdir(join(staticDir, "assets"));
  await writeFile(join(staticDir, "index.html"), "<html>spa</html>");
  await writeFile(join(staticDir, "assets", "app.js"), "console.log(1)");
  server = await startApiGatewayServer({
    port: 0,
    logger: createConsoleLogger({ level: "debug", write: (l) => logs.push(l) }),
    staticDir,
    runtimeConfig: (urls) => ({
      region: "local",
      userPoolId: "local_pool",
      userPoolClientId: "client",
      cognitoEndpoint: `${urls.httpUrl}/cognito/`,
      wsUrl: urls.wsUrl,
      apiUrl: `${urls.httpUrl}/api`,
      selfSignUp: false,
    }),
    handlers: {
      clientSocket: async (event) => {
        recorded.client.push(event);
        const route = event.requestContext.routeKey;
        if (route === "$connect") return resolveOutcome(connectOutcome);
        if (route === "$default") return resolveOutcome(messageOutcome);
        return { statusCode: 200 };
      },
      agentSocket: async (event) => {
        recorded.agent.push(event);
        return { statusCode: 200 };
      },
      httpApi: async (event) => {
        recorded.http.push(event);
        return httpOutcome;
      },
    },
  });
  mgmt = new ApiGatewayManagementApiClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  mgmt.destroy();
  await server.close();
  await rm(staticDir, { recursive: true, force: true });
});

afterEach(() => {
  recorded.client.length = 0;
  recorded.agent.length = 0;
  recorded.http.length = 0;
  connectOutcome = { statusCode: 200 };
  messageOutcome = { statusCode: 200 };
  httpOutcome = { statusCode: 200, body: '{"ok":true}' };
});

function open(path: string): Promise<WebSocket> {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}${path}`, {
    headers: { "User-Agent": "test-agent/1" },
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once("message", (data) => resolve(String(data))));
}

describe("WebSocket APIs", () => {
  it("sends $connect with the upgrade's headers, query string and an API-Gateway-shaped request context", async () => {
    const ws = await open("/ws?token=abc.def&x=1&x=2");
    const event = recorded.client[0];
    expect(event?.requestContext).toMatchObject({
      routeKey: "$connect",
      eventType: "CONNECT",
      messageDirection: "IN",
      stage: "local",
      apiId: "localclient",
      domainName: `127.0.0.1:${server.port}`,
      identity: { sourceIp: "127.0.0.1", userAgent: "test-agent/1" },
    });
    expect(event?.requestContext.connectionId).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(event?.requestContext).not.toHaveProperty("messageId");
    expect(typeof event?.requestContext.connectedAt).toBe("number");
    expect(typeof event?.requestContext.requestTimeEpoch).toBe("number");
    expect(event?.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event?.queryStringParameters).toEqual({ token: "abc.def", x: "2" });
    expect(event?.multiValueQueryStringParameters).toEqual({ token: ["abc.def"], x: ["1", "2"] });
    expect(event?.headers?.["User-Agent"]).toBe("test-agent/1");
    expect(event?.multiValueHeaders?.["Sec-WebSocket-Version"]).toEqual(["13"]);
    expect(event?.isBase64Encoded).toBe(false);
    ws.close();
    await until("$disconnect", () =>
      recorded.client.find((e) => e.requestContext.routeKey === "$disconnect"),
    );
  });

  it("rejects the upgrade with the status $connect returns, and with 500 when it throws", async () => {
    connectOutcome = { statusCode: 401, body: "no" };
    await expect(open("/ws?token=bad")).rejects.toThrow(/401/);
    connectOutcome = new Error("boom");
    await expect(open("/ws")).rejects.toThrow(/500/);
    expect(recorded.client.filter((e) => e.requestContext.routeKey === "$disconnect")).toHaveLength(0);
  });

  it("turns each message into $default with the text as body, then $disconnect with the close code", async () => {
    const ws = await open("/ws");
    const connectionId = recorded.client[0]?.requestContext.connectionId;
    ws.send('{"type":"ping"}');
    const message = await until("$default", () =>
      recorded.client.find((e) => e.requestContext.routeKey === "$default"),
    );
    expect(message.body).toBe('{"type":"ping"}');
    expect(message.isBase64Encoded).toBe(false);
    expect(message.requestContext).toMatchObject({ eventType: "MESSAGE", connectionId });
    expect(message.requestContext.messageId).toMatch(/=$/);
    ws.close(4000, "bye");
    const disconnect = await until("$disconnect", () =>
      recorded.client.find((e) => e.requestContext.routeKey === "$disconnect"),
    );
    expect(disconnect.requestContext).toMatchObject({
      eventType: "DISCONNECT",
      connectionId,
      disconnectStatusCode: 4000,
      disconnectReason: "bye",
    });
  });

  it("tells the client 'Internal server error' when $default fails, as API Gateway does", async () => {
    messageOutcome = new Error("handler bug");
    const ws = await open("/ws");
    const reply = nextMessage(ws);
    ws.send("hello");
    expect(JSON.parse(await reply)).toMatchObject({ message: "Internal server error" });
    ws.close();
  });

  it("closes a connection that sends a message over 128 KB with 1009", async () => {
    const ws = await open("/ws");
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send("x".repeat(128 * 1024 + 1));
    expect(await closed).toBe(1009);
  });

  it("routes /agent to the agent API and refuses other upgrade paths", async () => {
    const ws = await open("/agent?userId=u1&secret=s");
    expect(recorded.agent[0]?.requestContext.apiId).toBe("localagent");
    expect(recorded.agent[0]?.queryStringParameters).toEqual({ userId: "u1", secret: "s" });
    expect(recorded.client).toHaveLength(0);
    ws.close();
    await expect(open("/elsewhere")).rejects.toThrow(/404/);
  });
});

describe("Management API (@connections) with the real SDK client", () => {
  it("posts to, describes and deletes a connection; unknown ids are GoneException", async () => {
    const ws = await open("/ws");
    const connectionId = recorded.client[0]?.requestContext.connectionId as string;
    const received = nextMessage(ws);
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"type":"pong"}' }));
    expect(await received).toBe('{"type":"pong"}');

    const info = await mgmt.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.Identity).toEqual({ SourceIp: "127.0.0.1", UserAgent: "test-agent/1" });
    expect(info.ConnectedAt).toBeInstanceOf(Date);

    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    await mgmt.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    await closed;
    await until("$disconnect", () =>
      recorded.client.find((e) => e.requestContext.routeKey === "$disconnect"),
    );

    await expect(
      mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "late" })),
    ).rejects.toBeInstanceOf(GoneException);
    await expect(
      mgmt.send(new GetConnectionCommand({ ConnectionId: "Nope123456789A=" })),
    ).rejects.toBeInstanceOf(GoneException);
    await expect(
      mgmt.send(new DeleteConnectionCommand({ ConnectionId: "Nope123456789A=" })),
    ).rejects.toBeInstanceOf(GoneException);
  });

  it("answers GoneException to a post made during $connect, like API Gateway", async () => {
    let duringConnect: unknown;
    connectOutcome = async () => {
      const id = recorded.client.at(-1)?.requestContext.connectionId as string;
      duringConnect = await mgmt
        .send(new PostToConnectionCommand({ ConnectionId: id, Data: "too early" }))
        .catch((err: unknown) => err);
      return { statusCode: 200 };
    };
    const ws = await open("/ws");
    expect(duringConnect).toBeInstanceOf(GoneException);
    ws.close();
  });

  it("refuses management calls made from a web page (with an Origin)", async () => {
    const ws = await open("/ws");
    const connectionId = recorded.client[0]?.requestContext.connectionId as string;
    let received = false;
    ws.on("message", () => {
      received = true;
    });
    const res = await fetch(`${server.url}/@connections/${encodeURIComponent(connectionId)}`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
      body: '{"type":"chat.final"}',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-amzn-errortype")).toBe("ForbiddenException");
    const info = await mgmt.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(received).toBe(false);
    ws.close();
  });

  it("serves agent connections on the same endpoint", async () => {
    const ws = await open("/agent?userId=u1&secret=s");
    const connectionId = recorded.agent[0]?.requestContext.connectionId as string;
    const received = nextMessage(ws);
    await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: "to agent" }));
    expect(await received).toBe("to agent");
    ws.close();
  });
});

describe("HTTP API", () => {
  it("builds a payload 2.0 event with the route key, path parameters, query, cookies and lower-case headers", async () => {
    const res = await fetch(`${server.url}/api/conversations/c-1/messages?limit=5&before=x%23y`, {
      headers: { Authorization: "Bearer t", Cookie: "a=1; b=2", "X-Custom": "v" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    const event = recorded.http[0];
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /conversations/{conversationId}/messages",
      rawPath: "/conversations/c-1/messages",
      rawQueryString: "limit=5&before=x%23y",
      queryStringParameters: { limit: "5", before: "x#y" },
      pathParameters: { conversationId: "c-1" },
      cookies: ["a=1", "b=2"],
      isBase64Encoded: false,
    });
    expect(event?.headers.authorization).toBe("Bearer t");
    expect(event?.headers["x-custom"]).toBe("v");
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.body).toBeUndefined();
    expect(event?.requestContext).toMatchObject({
      http: { method: "GET", path: "/conversations/c-1/messages", sourceIp: "127.0.0.1" },
      routeKey: "GET /conversations/{conversationId}/messages",
      stage: "$default",
    });
  });

  it("passes JSON bodies as text and binary bodies base64-encoded", async () => {
    await fetch(`${server.url}/api/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"provider":"openai"}',
    });
    await fetch(`${server.url}/api/channels/telegram/pairing-code`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0, 1, 2, 255]),
    });
    expect(recorded.http[0]).toMatchObject({ body: '{"provider":"openai"}', isBase64Encoded: false });
    expect(recorded.http[1]).toMatchObject({ body: "AAEC/w==", isBase64Encoded: true });
  });

  it("sends routes outside the table to the management handler as $default, as the deployed API does", async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(200); // this test's recording handler answers everything
    expect(recorded.http).toHaveLength(1);
    expect(recorded.http[0]).toMatchObject({ routeKey: "$default", rawPath: "/nope" });
  });

  it("writes status, headers, cookies and base64 bodies from the result; a bare object is 200 JSON", async () => {
    httpOutcome = {
      statusCode: 201,
      headers: { "X-Thing": "1" },
      cookies: ["s=1; Path=/"],
      body: Buffer.from("hi").toString("base64"),
      isBase64Encoded: true,
    };
    const res = await fetch(`${server.url}/api/agent`);
    expect(res.status).toBe(201);
    expect(res.headers.get("x-thing")).toBe("1");
    expect(res.headers.get("set-cookie")).toBe("s=1; Path=/");
    expect(await res.text()).toBe("hi");
    httpOutcome = { hello: "world" };
    const bare = await fetch(`${server.url}/api/agent`);
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ hello: "world" });
  });

  it("refuses bodies over the HTTP API limit with 413", async () => {
    const res = await fetch(`${server.url}/api/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "x".repeat(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "PAYLOAD_TOO_LARGE", message: "body must be at most 65536 bytes" },
    });
    expect(recorded.http).toHaveLength(0);
  });

  it("refuses a skill zip over the server's limit as the gateway refuses one over 1 MiB (413 SKILL_TOO_LARGE)", async () => {
    const res = await fetch(`${server.url}/api/skills/big`, {
      method: "PUT",
      headers: { "content-type": "application/zip" },
      body: new Uint8Array(3 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "SKILL_TOO_LARGE", message: "a skill may be at most 1048576 bytes zipped" },
    });
    expect(recorded.http).toHaveLength(0);
  });
});

describe("static UI and runtime config", () => {
  it("serves files, falls back to index.html for client routes, and never leaves the root", async () => {
    expect(await (await fetch(`${server.url}/assets/app.js`)).text()).toBe("console.log(1)");
    expect(await (await fetch(`${server.url}/chat/abc`)).text()).toBe("<html>spa</html>");
    expect(await (await fetch(`${server.url}/..%2f..%2fetc/passwd`)).text()).toBe("<html>spa</html>");
  });

  it("builds /config.json from the host the browser used", async () => {
    const res = await fetch(`http://localhost:${server.port}/config.json`);
    expect(await res.json()).toMatchObject({
      cognitoEndpoint: `http://localhost:${server.port}/cognito/`,
      wsUrl: `ws://localhost:${server.port}/ws`,
      apiUrl: `http://localhost:${server.port}/api`,
    });
  });
});

describe("binding", () => {
  it("refuses a non-loopback host unless allowed explicitly", async () => {
    await expect(
      startApiGatewayServer({ host: "0.0.0.0", port: 0, logger: createConsoleLogger({ level: "silent" }) }),
    ).rejects.toThrow(/loopback/);
  });
});

describe("Management API with a token (as local mode runs it)", () => {
  it("takes @connections calls only with the token, and the agent task's HttpClientPush presents it", async () => {
    const token = "local-token-0123456789abcdef";
    let connectionId = "";
    const guarded = await startApiGatewayServer({
      port: 0,
      logger: createConsoleLogger({ level: "silent" }),
      managementToken: token,
      handlers: {
        clientSocket: async (event) => {
          if (event.requestContext.routeKey === "$connect") connectionId = event.requestContext.connectionId;
          return { statusCode: 200 };
        },
        agentSocket: async () => ({ statusCode: 200 }),
        httpApi: async () => ({ statusCode: 200 }),
      },
    });
    const ws = new WebSocket(`${guarded.url.replace("http", "ws")}/ws`);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const received: string[] = [];
    ws.on("message", (data) => received.push(String(data)));
    const post = (headers: Record<string, string>) =>
      fetch(`${guarded.url}/@connections/${encodeURIComponent(connectionId)}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: '{"type":"chat.final","forged":true}',
      });
    try {
      expect((await post({})).status).toBe(403);
      expect((await post({ "x-local-token": "wrong-token-0123456789abcdef" })).status).toBe(403);
      expect((await post({ authorization: `Bearer ${token}` })).status).toBe(403);
      const push = new HttpClientPush(guarded.url, token);
      expect(await push.send(connectionId, { type: "pong" })).toBe(true);
      await until("the pushed event", () => received[0]);
      expect(received).toEqual(['{"type":"pong"}']);
      await expect(new HttpClientPush(guarded.url).send(connectionId, { type: "pong" })).rejects.toThrow(
        /403/,
      );
    } finally {
      ws.close();
      await guarded.close();
    }
  });
});
