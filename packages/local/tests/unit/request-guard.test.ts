import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { LocalIdentity } from "../../src/identity/local-identity";
import { type ApiGatewayServer, startApiGatewayServer } from "../../src/server/api-gateway-server";
import { RateLimiter } from "../../src/server/rate-limiter";
import { RequestGuard } from "../../src/server/request-guard";
import { createLocalStack, STANDINS_ON_NETWORK } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";

let dir: string;
let server: ApiGatewayServer;
let identity: LocalIdentity;
let now = Date.parse("2026-12-06T12:00:00Z");
const httpCalls: string[] = [];
const rpcBodies: number[] = [];

/** A raw HTTP request, so the test controls Host and Origin (fetch does not let it set Host). */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, path, method: opts.method ?? "GET", headers: opts.headers },
      (res) => {
        let body = "";
        res.on("data", (d) => {
          body += String(d);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

function cognitoCall(target: string, payload: unknown, headers: Record<string, string> = {}) {
  return raw("/cognito/", {
    method: "POST",
    headers: {
      host: `127.0.0.1:${server.port}`,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
      ...headers,
    },
    body: JSON.stringify(payload),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "local-guard-"));
  identity = await LocalIdentity.open({ dir, notify: () => {}, now: () => now });
  await identity.users.create({ username: "alice", password: "correct-horse" });
  server = await startApiGatewayServer({
    port: 0,
    logger: createConsoleLogger({ level: "silent" }),
    localRoutes: [
      identity.route(),
      {
        prefix: "/_local/rpc",
        maxBodyBytes: 256 * 1024 * 1024,
        authorize: (req) => req.headers.authorization === "Bearer agent-token",
        handle: async (_req, body, res) => {
          rpcBodies.push(body.length);
          res.writeHead(200).end("{}");
        },
      },
    ],
    runtimeConfig: () => ({
      region: "local",
      userPoolId: "p",
      userPoolClientId: "c",
      cognitoEndpoint: "x",
      wsUrl: "x",
      apiUrl: "x",
      selfSignUp: false,
    }),
    handlers: {
      clientSocket: async () => ({ statusCode: 200 }),
      agentSocket: async () => ({ statusCode: 200 }),
      httpApi: async (event) => {
        httpCalls.push(event.body ?? "");
        return { statusCode: 401, body: '{"error":{"code":"TOKEN_MISSING","message":"sign in first"}}' };
      },
      authenticate: async (authorization) => authorization === "Bearer good",
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Host and Origin (DNS rebinding, cross-site pages)", () => {
  it("answers at 127.0.0.1, localhost and [::1], and refuses any other Host with 403", async () => {
    for (const host of ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"]) {
      expect((await raw("/config.json", { headers: { host: `${host}:${server.port}` } })).status).toBe(200);
    }
    for (const host of ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.5"]) {
      const res = await raw("/config.json", { headers: { host: `${host}:${server.port}` } });
      expect(res.status).toBe(403);
      expect(res.body).toMatch(/is not this server/);
    }
    const api = await raw("/api/settings", { headers: { host: "rebound.example" } });
    expect(api.status).toBe(403);
    // A tunnel for Discord or Slack (docs/discord.md, "Local mode"): refused with its own name, served
    // when it rewrites Host to `localhost` (no port), as the docs tell it to.
    const tunnel = await raw("/config.json", { headers: { host: "abc-def.trycloudflare.com" } });
    expect(tunnel.status).toBe(403);
    expect((await raw("/config.json", { headers: { host: "localhost" } })).status).toBe(200);
  });

  it("refuses a browser request from another origin, and sends no CORS header to anyone", async () => {
    const login = { AuthFlow: "USER_PASSWORD_AUTH", ClientId: identity.clientId, AuthParameters: {} };
    const foreign = await cognitoCall("InitiateAuth", login, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/Origin .* is not this server's/);
    const preflight = await raw("/cognito/", {
      method: "OPTIONS",
      headers: { host: `127.0.0.1:${server.port}`, origin: "https://evil.example" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    const same = await cognitoCall("InitiateAuth", login, { origin: `http://127.0.0.1:${server.port}` });
    expect(same.status).toBe(400); // reached the identity: wrong password
    expect(same.body).toMatch(/NotAuthorizedException/);
    expect(same.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses a WebSocket from another site's page or a rebound name", async () => {
    const open = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
        ws.once("open", () => {
          ws.close();
          resolve("open");
        });
        ws.once("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
        ws.once("error", () => resolve("error"));
      });
    expect(await open({ origin: "https://evil.example" })).toBe("403");
    expect(await open({ host: "evil.example" })).toBe("403");
    expect(await open({ origin: `http://127.0.0.1:${server.port}` })).toBe("open");
  });

  it("accepts exactly the allowed host names, whatever else a Host header holds (property)", () => {
    const guard = new RequestGuard("127.0.0.1");
    const allowed = new Set(["localhost", "127.0.0.1", "[::1]"]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom("localhost", "127.0.0.1", "[::1]", "LocalHost"),
          fc.domain(),
          fc.ipV4(),
          fc.string(),
        ),
        fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
        (name, port) => {
          const host = port === undefined ? name : `${name}:${port}`;
          expect(guard.hostAllowed(host)).toBe(allowed.has(name.toLowerCase()));
        },
      ),
      { numRuns: 2000, seed: 22 },
    );
    // Bound to every interface, LAN addresses (IP literals) pass, names still do not.
    const lan = new RequestGuard("0.0.0.0");
    expect(lan.hostAllowed("192.168.1.5:8787")).toBe(true);
    expect(lan.hostAllowed("evil.example:8787")).toBe(false);
    expect(new RequestGuard("192.168.1.5").hostAllowed("192.168.1.5:8787")).toBe(true);
  });
});

describe("bodies are read only after authentication", () => {
  it("a JWT route answers 401 without reading the body of an unauthenticated caller", async () => {
    const before = httpCalls.length;
    // Declares 200 MB but sends a few bytes: a server that reads first would wait for the rest.
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: server.port,
          path: "/api/settings",
          method: "PUT",
          headers: { "content-length": String(200 * 1024 * 1024), "content-type": "application/json" },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on("error", () => {});
      req.write("{");
      void reject;
    });
    expect(res).toBe(401);
    expect(httpCalls.slice(before)).toEqual([""]);
  });

  it("the store RPC refuses a caller without the agent's token before reading its (up to 256 MiB) body", async () => {
    const status = await new Promise<number>((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: server.port,
          path: "/_local/rpc",
          method: "POST",
          headers: { "content-length": String(200 * 1024 * 1024), authorization: "Bearer guess" },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on("error", () => {});
      req.write("{");
    });
    expect(status).toBe(401);
    expect(rpcBodies).toEqual([]);
    const ok = await raw("/_local/rpc", {
      method: "POST",
      headers: { host: `127.0.0.1:${server.port}`, authorization: "Bearer agent-token" },
      body: "{}",
    });
    expect(ok.status).toBe(200);
    expect(rpcBodies).toEqual([2]);
  });

  it("a JSON route refuses a body far past what the gateway parses (413); an authenticated one reaches it", async () => {
    const big = await raw("/api/settings", {
      method: "PUT",
      headers: { authorization: "Bearer good", "content-type": "application/json" },
      body: "x".repeat(1024 * 1024),
    });
    expect(big.status).toBe(413);
    const ok = await raw("/api/settings", {
      method: "PUT",
      headers: { authorization: "Bearer good", "content-type": "application/json" },
      body: "{}",
    });
    expect(ok.status).toBe(401); // the fake handler's answer: it was reached
    expect(httpCalls.at(-1)).toBe("{}");
  });

  it("the identity takes at most 16 KiB", async () => {
    const res = await cognitoCall("InitiateAuth", { pad: "x".repeat(20 * 1024) });
    expect(res.status).toBe(413);
  });
});

describe("sign-in and password-reset rate limits", () => {
  const login = (username: string, password: string) =>
    cognitoCall("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: identity.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });

  it("locks a user's sign-in after 10 wrong passwords for 15 minutes, even with the right one", async () => {
    for (let i = 0; i < 10; i++) expect((await login("alice", `wrong-${i}`)).body).toMatch(/Incorrect/);
    const locked = await login("alice", "correct-horse");
    expect(locked.status).toBe(400);
    expect(JSON.parse(locked.body)).toEqual({
      __type: "NotAuthorizedException",
      message: "Password attempts exceeded",
    });
    now += 15 * 60_000 + 1;
    expect(JSON.parse((await login("alice", "correct-horse")).body).AuthenticationResult).toBeDefined();
  }, 300_000);

  it("bounds sign-in attempts across all names (60 a minute)", async () => {
    now += 60 * 60_000;
    const answers: string[] = [];
    for (let i = 0; i < 61; i++) answers.push(JSON.parse((await login(`spray-${i}`, "x")).body).__type);
    expect(answers.slice(0, 60).every((t) => t === "NotAuthorizedException")).toBe(true);
    expect(answers[60]).toBe("LimitExceededException");
    now += 60_001;
  }, 300_000); // 61 password hashes (scrypt) on a loaded machine

  it("bounds reset codes and code guesses per user across codes: 300 reset cycles are impossible", async () => {
    now += 2 * 60 * 60_000;
    let codesSent = 0;
    let guesses = 0;
    for (let cycle = 0; cycle < 300; cycle++) {
      const sent = await cognitoCall("ForgotPassword", { ClientId: identity.clientId, Username: "alice" });
      if (sent.status === 200) codesSent++;
      for (let g = 0; g < 5; g++) {
        const guess = await cognitoCall("ConfirmForgotPassword", {
          ClientId: identity.clientId,
          Username: "alice",
          ConfirmationCode: String(cycle * 5 + g).padStart(6, "0"),
          Password: "attacker-pass",
        });
        if (!guess.body.includes("LimitExceededException")) guesses++;
      }
      now += 60_000; // a cycle a minute: 5 hours in all
    }
    // 300 cycles over 5 hours: at most 3 codes and 10 guesses per started hour.
    expect(codesSent).toBeLessThanOrEqual(3 * 6);
    expect(guesses).toBeLessThanOrEqual(10 * 6);
    expect(codesSent).toBeGreaterThan(0);
  }, 300_000);
});

describe("RateLimiter (property)", () => {
  it("never allows more than `limit` in any window, and never refuses below it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom("a", "b")), { maxLength: 200 }),
        (limit, windowMs, steps) => {
          let t = 0;
          const limiter = new RateLimiter(limit, windowMs, () => t);
          const granted: Record<string, number[]> = { a: [], b: [] };
          for (const [advance, key] of steps) {
            t += advance;
            const inWindow = (granted[key] ?? []).filter((at) => at > t - windowMs).length;
            const ok = limiter.take(key);
            expect(ok).toBe(inWindow < limit);
            if (ok) granted[key]?.push(t);
          }
        },
      ),
      { numRuns: 500, seed: 22 },
    );
  });
});

describe("--aws-standins", () => {
  it("is refused together with a non-loopback --host, saying why", async () => {
    await expect(
      createLocalStack({ awsStandins: true, host: "0.0.0.0", allowNonLoopback: true, dataDir: dir }),
    ).rejects.toThrow(STANDINS_ON_NETWORK);
    expect(STANDINS_ON_NETWORK).toMatch(/signing key is public/);
  });
});
