import type { ServerEvent } from "@serverless-openclaw/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  type ConnectionState,
  type SocketLike,
  WsClient,
  type WsClientOptions,
} from "../../src/ws/ws-client";
import { FakeGateway, waitFor } from "../support/fake-gateway";

let gateway: FakeGateway;
const clients: WsClient[] = [];

beforeEach(async () => {
  gateway = await FakeGateway.start();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop();
  await gateway.close();
});

function makeClient(overrides: Partial<WsClientOptions> = {}) {
  let tokenNo = 0;
  const events: ServerEvent[] = [];
  const states: ConnectionState[] = [];
  const invalid: string[] = [];
  const client = new WsClient({
    url: overrides.url ?? gateway.url,
    getToken: async () => `token-${++tokenNo}`,
    createSocket: (url) => new WebSocket(url) as SocketLike,
    baseDelayMs: 20,
    maxDelayMs: 100,
    onInvalid: (reason) => invalid.push(reason),
    ...overrides,
  });
  client.onEvent((e) => events.push(e));
  client.onStateChange((s) => states.push(s));
  clients.push(client);
  return { client, events, states, invalid };
}

const chat = (clientMessageId: string) => ({
  conversationId: "c1",
  clientMessageId,
  text: `hello ${clientMessageId}`,
});

describe("WsClient", () => {
  it("connects with the id token, asks for status first and reports open", async () => {
    const { client, events, states } = makeClient();
    client.start();
    await waitFor(() => events.some((e) => e.type === "agent.status"), "agent.status");
    expect(gateway.tokens).toEqual(["token-1"]);
    expect(gateway.received[0]).toEqual({ type: "status.get" });
    expect(states.map((s) => s.status)).toEqual(["connecting", "open"]);
    expect(client.connectionState.status).toBe("open");
  });

  it("sends a message typed before the connection exists once it opens, and clears it on ack", async () => {
    const { client } = makeClient();
    client.sendChat(chat("m1"));
    expect(client.pending.map((m) => m.clientMessageId)).toEqual(["m1"]);
    client.start();
    await waitFor(() => client.pending.length === 0, "ack of m1");
    expect(gateway.of("chat.send")).toEqual([{ type: "chat.send", ...chat("m1") }]);
  });

  it("resends an unacknowledged message after a drop with the same clientMessageId, and the gateway stores it once", async () => {
    const { client, events } = makeClient();
    client.start();
    await waitFor(() => client.connectionState.status === "open", "open");
    gateway.holdAcks = true;
    client.sendChat(chat("m2"));
    await waitFor(() => gateway.of("chat.send").length === 1, "first send");
    gateway.holdAcks = false;
    gateway.dropAll();
    await waitFor(() => client.pending.length === 0, "resend acknowledged");

    const sends = gateway.of("chat.send");
    expect(sends).toHaveLength(2);
    expect(sends.every((m) => m.clientMessageId === "m2")).toBe(true);
    expect(gateway.stored).toEqual(["m2"]);
    expect(events.filter((e) => e.type === "chat.ack")).toMatchObject([
      { clientMessageId: "m2", state: "duplicate" },
    ]);
    // Each connection asks for a fresh token (the session refreshes it when expired).
    expect(gateway.tokens).toEqual(["token-1", "token-2"]);
    // After reconnecting it asks for status before resending.
    const afterDrop = gateway.received.slice(
      gateway.received.indexOf(sends[0] as Record<string, unknown>) + 1,
    );
    expect(afterDrop[0]).toEqual({ type: "status.get" });
  });

  it("keeps several unacknowledged messages in order across reconnects", async () => {
    const { client } = makeClient();
    client.start();
    await waitFor(() => client.connectionState.status === "open", "open");
    gateway.holdAcks = true;
    for (const id of ["a", "b", "c"]) client.sendChat(chat(id));
    await waitFor(() => gateway.of("chat.send").length === 3, "three sends");
    gateway.holdAcks = false;
    gateway.dropAll();
    await waitFor(() => client.pending.length === 0, "all acknowledged");
    expect(gateway.of("chat.send").map((m) => m.clientMessageId)).toEqual(["a", "b", "c", "a", "b", "c"]);
    expect(gateway.stored).toEqual(["a", "b", "c"]);
  });

  it("treats chat.final and chat.error as acknowledgement too", async () => {
    const { client } = makeClient();
    client.start();
    await waitFor(() => client.connectionState.status === "open", "open");
    gateway.holdAcks = true;
    client.sendChat(chat("f1"));
    client.sendChat(chat("e1"));
    await waitFor(() => gateway.of("chat.send").length === 2, "sends");
    gateway.push({
      type: "chat.final",
      clientMessageId: "f1",
      conversationId: "c1",
      messageId: "x",
      text: "hi",
      createdAt: new Date().toISOString(),
    });
    gateway.push({
      type: "chat.error",
      clientMessageId: "e1",
      conversationId: "c1",
      code: "X",
      message: "m",
      retryable: true,
    });
    await waitFor(() => client.pending.length === 0, "outbox empty");
  });

  it("drops repeated chat.delta frames by seq", async () => {
    const { client, events } = makeClient();
    client.start();
    await waitFor(() => client.connectionState.status === "open", "open");
    const delta = (seq: number, text: string) => ({
      type: "chat.delta",
      clientMessageId: "d1",
      conversationId: "c1",
      seq,
      text,
    });
    for (const [seq, text] of [
      [0, "a"],
      [1, "b"],
      [1, "b"],
      [0, "a"],
      [2, "c"],
    ] as const)
      gateway.push(delta(seq, text));
    gateway.push({ type: "pong" });
    await waitFor(() => events.some((e) => e.type === "pong"), "pong");
    const deltas = events.filter((e) => e.type === "chat.delta");
    expect(deltas.map((d) => (d.type === "chat.delta" ? d.text : "")).join("")).toBe("abc");
  });

  it("passes a reply re-streamed from seq 0 by another run of the turn (a new agent after a crash)", async () => {
    const { client, events } = makeClient();
    client.start();
    await waitFor(() => client.connectionState.status === "open", "open");
    const delta = (stream: string, seq: number, text: string) => ({
      type: "chat.delta",
      clientMessageId: "r1",
      conversationId: "c1",
      seq,
      text,
      stream,
    });
    for (const [stream, seq, text] of [
      ["dead", 0, "par"],
      ["dead", 1, "tial"],
      ["new", 0, "fresh "],
      ["new", 1, "reply"],
      ["new", 1, "reply"],
    ] as const)
      gateway.push(delta(stream, seq, text));
    gateway.push({ type: "pong" });
    await waitFor(() => events.some((e) => e.type === "pong"), "pong");
    const texts = events.flatMap((e) => (e.type === "chat.delta" ? [`${e.stream}:${e.text}`] : []));
    expect(texts).toEqual(["dead:par", "dead:tial", "new:fresh ", "new:reply"]);
  });

  it("ignores frames that are not valid server events and stays connected", async () => {
    const { client, events, invalid } = makeClient();
    client.start();
    await waitFor(() => events.some((e) => e.type === "agent.status"), "status reply");
    gateway.push("not json");
    gateway.push({ type: "chat.delta", clientMessageId: "x" });
    gateway.push({ type: "surprise" });
    gateway.push({ type: "pong" });
    await waitFor(() => events.some((e) => e.type === "pong"), "pong");
    expect(invalid).toHaveLength(3);
    expect(events.map((e) => e.type)).toEqual(["agent.status", "pong"]);
    expect(client.connectionState.status).toBe("open");
  });

  it("backs off exponentially up to the maximum while the gateway is unreachable", async () => {
    const url = gateway.url;
    await gateway.close();
    let now = 1_000;
    const { client, states } = makeClient({
      url,
      random: () => 1,
      now: () => now,
      baseDelayMs: 10,
      maxDelayMs: 40,
    });
    client.start();
    await waitFor(() => states.filter((s) => s.status === "reconnecting").length >= 5, "five retries");
    client.stop();
    now = 1_000;
    const delays = states.flatMap((s) => (s.status === "reconnecting" ? [s.retryAt - now] : []));
    expect(delays.slice(0, 5)).toEqual([10, 20, 40, 40, 40]);
    expect(states.at(-1)).toEqual({ status: "offline", reason: "stopped" });
  });

  it("jitters each delay between half and all of its ceiling", async () => {
    const url = gateway.url;
    await gateway.close();
    const { client, states } = makeClient({
      url,
      random: () => 0,
      now: () => 0,
      baseDelayMs: 16,
      maxDelayMs: 64,
    });
    client.start();
    await waitFor(() => states.filter((s) => s.status === "reconnecting").length >= 3, "three retries");
    client.stop();
    const delays = states.flatMap((s) => (s.status === "reconnecting" ? [s.retryAt] : []));
    expect(delays.slice(0, 3)).toEqual([8, 16, 32]);
  });

  it("stops retrying and reports signed out when no token can be had", async () => {
    const { client, states } = makeClient({
      getToken: () => Promise.reject(new Error("signed out")),
      isSignedOutError: () => true,
    });
    client.start();
    await waitFor(() => client.connectionState.status === "offline", "offline");
    expect(states.at(-1)).toEqual({ status: "offline", reason: "signed-out" });
    expect(gateway.tokens).toEqual([]);
  });

  it("throttles agent.wake", async () => {
    let now = 0;
    const { client } = makeClient({ now: () => now, wakeThrottleMs: 1_000 });
    expect(client.wake()).toBe(false); // not connected: nothing sent, not throttled either
    client.start();
    await waitFor(() => client.connectionState.status === "open", "open");
    expect(client.wake()).toBe(true);
    now = 500;
    expect(client.wake()).toBe(false);
    now = 1_500;
    expect(client.wake()).toBe(true);
    await waitFor(() => gateway.of("agent.wake").length === 2, "two wakes");
  });

  it("cancel removes a queued message so a reconnect does not send it", async () => {
    const { client } = makeClient();
    client.sendChat(chat("z1"));
    client.cancel("z1");
    client.start();
    await waitFor(() => gateway.of("status.get").length === 1, "connected");
    gateway.push({ type: "pong" });
    await new Promise((r) => setTimeout(r, 50));
    expect(gateway.of("chat.send")).toEqual([]);
    expect(client.pending).toEqual([]);
  });

  it("reconnects when a ping gets no answer (half-open connection)", async () => {
    const { client, events } = makeClient({ pongTimeoutMs: 50 });
    client.start();
    // Any frame counts as proof of life and clears the pong timer: let the answer to status.get arrive
    // first, or a slow one would cancel the probe below.
    await waitFor(() => events.some((e) => e.type === "agent.status"), "the status answer");
    client.checkAlive(); // the fake gateway never answers ping
    await waitFor(() => gateway.tokens.length >= 2, "second connection");
    await waitFor(() => client.connectionState.status === "open", "open again");
  });
});
