import { describe, expect, it } from "vitest";
import { createHttpApiHandler, createWebSocketHandler } from "../../src/handlers";
import { createServices } from "../../src/services";
import { httpEvent, wsEvent } from "../handlers/events";
import { makeDeps } from "./fakes";

function setup() {
  const deps = makeDeps();
  const services = createServices(deps);
  const api = createHttpApiHandler(deps, services);
  const ws = createWebSocketHandler(deps, services);
  const connect = async (connectionId: string, token: string) =>
    (await ws(wsEvent("$connect", connectionId, { query: { token } }))).statusCode;
  const nowSeconds = () => Math.floor(deps.clock.now().getTime() / 1000);
  return { deps, api, connect, nowSeconds };
}

describe("sign out everywhere (POST /sessions/close)", () => {
  it("closes every browser socket of the user at once, and only theirs", async () => {
    const s = setup();
    const iat = s.nowSeconds();
    expect(await s.connect("alice-laptop", `valid:alice@${iat}`)).toBe(200);
    expect(await s.connect("alice-phone", `valid:alice@${iat}`)).toBe(200);
    expect(await s.connect("bob-tab", `valid:bob@${iat}`)).toBe(200);
    s.deps.clock.advance(5_000);

    const res = await s.api(httpEvent("POST", "/sessions/close", { token: `valid:alice@${iat}` }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "{}")).toEqual({ closed: 2 });
    expect([...s.deps.clientPush.disconnected].sort()).toEqual(["alice-laptop", "alice-phone"]);
    expect(await s.deps.connections.listByUser("alice", "client")).toEqual([]);
    expect(await s.deps.connections.listByUser("bob", "client")).toHaveLength(1);
  });

  it("a tab cannot reconnect with a token issued before the sign-out; a new sign-in can", async () => {
    const s = setup();
    const before = s.nowSeconds();
    await s.connect("alice-tab", `valid:alice@${before}`);
    s.deps.clock.advance(10_000);
    await s.api(httpEvent("POST", "/sessions/close", { token: `valid:alice@${before}` }));
    // The other device still holds an unexpired id token: its reconnect is refused.
    const refused = await s.connect("alice-tab-2", `valid:alice@${before}`);
    expect(refused).toBe(401);
    s.deps.clock.advance(2_000);
    expect(await s.connect("alice-tab-3", `valid:alice@${s.nowSeconds()}`)).toBe(200);
    // Other users are not affected.
    expect(await s.connect("bob-tab", `valid:bob@${before}`)).toBe(200);
  });

  it("needs a signed-in user", async () => {
    const s = setup();
    expect((await s.api(httpEvent("POST", "/sessions/close"))).statusCode).toBe(401);
  });
});
