import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { createRpcStores } from "../../src/adapters/local/rpc-client";
import { type StoreRpcServer, startStoreRpcServer } from "../../src/adapters/local/rpc-http-server";
import { createStoreRpcHandler } from "../../src/adapters/local/rpc-server";
import { expectStoreError } from "../contract/harness";

const TOKEN = "a-test-token-of-enough-length";

describe("store RPC handler", () => {
  const stores = createMemoryStores();
  const handle = createStoreRpcHandler(stores, TOKEN);
  // `null` stands for a request without an Authorization header.
  const call = (body: unknown, auth: string | null = `Bearer ${TOKEN}`) =>
    handle(auth ?? undefined, typeof body === "string" ? body : JSON.stringify(body)).then((r) => ({
      status: r.status,
      body: JSON.parse(r.body) as { result?: unknown; error?: { code: string; message: string } },
    }));

  it("answers an allow-listed call", async () => {
    await stores.settings.put("u1", "settings", { a: 1 });
    expect(await call({ port: "settings", method: "get", args: ["u1", "settings"] })).toEqual({
      status: 200,
      body: { result: { a: 1 } },
    });
  });

  it("refuses a missing or wrong token without running anything", async () => {
    for (const auth of [null, "", "Bearer", `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
      const r = await call({ port: "settings", method: "put", args: ["u2", "k", 1] }, auth);
      expect(r.status).toBe(401);
      expect(r.body.error?.code).toBe("UNAUTHORIZED");
      expect(r.body.error?.message).not.toContain(TOKEN);
    }
    expect(await stores.settings.get("u2", "k")).toBeUndefined();
  });

  it("refuses methods outside the allow-list, including private and inherited ones", async () => {
    for (const [port, method] of [
      ["settings", "write"],
      ["settings", "live"],
      ["settings", "constructor"],
      ["settings", "__proto__"],
      ["__proto__", "get"],
      ["constructor", "name"],
      ["taskState", "toString"],
      ["nope", "get"],
    ]) {
      const r = await call({ port, method, args: [] });
      expect(r.status, `${port}.${method}`).toBe(404);
      expect(r.body.error?.code).toBe("UNKNOWN_METHOD");
    }
  });

  it("refuses malformed bodies and invalid arguments", async () => {
    expect((await call("{not json")).body.error?.code).toBe("BAD_REQUEST");
    expect((await call({ port: "settings" })).body.error?.code).toBe("BAD_REQUEST");
    const bad = await call({
      port: "taskState",
      method: "transition",
      args: [{ userId: "u3", expectState: "Idle", set: { state: "Running", isAdmin: true } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("INVALID_ARGUMENT");
    expect((await stores.taskState.get("u3")).version).toBe(0);
    expect((await call({ port: "blobs", method: "put", args: ["k", "not base64!"] })).status).toBe(400);
    expect((await call({ port: "pending", method: "list", args: ["u1", 5, "extra"] })).status).toBe(400);
  });

  it("passes a store error's code and status through", async () => {
    const r = await call({ port: "blobs", method: "get", args: ["../../etc/passwd"] });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("INVALID_ARGUMENT");
  });

  it("will not start with a short token", () => {
    expect(() => createStoreRpcHandler(stores, "short")).toThrow(/at least 16/);
  });
});

describe("store RPC client", () => {
  let server: StoreRpcServer;
  beforeAll(async () => {
    server = await startStoreRpcServer(createMemoryStores());
  });
  afterAll(async () => {
    await server.close();
  });

  it("throws the server's error codes as StoreErrors", async () => {
    const wrong = createRpcStores(server.url, "wrong-token-wrong-token");
    await expectStoreError(wrong.settings.get("u1", "settings"), "UNAUTHORIZED");
    const right = createRpcStores(server.url, server.token);
    await expectStoreError(right.blobs.put("../x", new Uint8Array([1])), "INVALID_ARGUMENT");
    await expectStoreError(
      right.conversations.page("u1", "c1", { limit: 5, before: "bad" }),
      "INVALID_CURSOR",
    );
  });

  it("reports an unreachable server clearly", async () => {
    const closed = await startStoreRpcServer(createMemoryStores());
    await closed.close();
    await expectStoreError(createRpcStores(closed.url, closed.token).secrets.get("x"), "STORE_UNREACHABLE");
  });

  it("carries large binary blobs intact", async () => {
    const stores = createRpcStores(server.url, server.token);
    const body = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
    await stores.blobs.put("users/u1/openclaw-state.tar.gz", body);
    expect(
      Buffer.compare(
        Buffer.from((await stores.blobs.get("users/u1/openclaw-state.tar.gz")) ?? []),
        Buffer.from(body),
      ),
    ).toBe(0);
  });
});
