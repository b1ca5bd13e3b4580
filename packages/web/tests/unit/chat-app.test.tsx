// @vitest-environment happy-dom
import type { StoredMessage } from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { App } from "../../src/app";
import type { WebConfig } from "../../src/config";
import type { SocketLike } from "../../src/ws/ws-client";
import { FakeCognito, MemoryStorage } from "../support/fake-cognito";
import { FakeGateway } from "../support/fake-gateway";
import { FakeHttpApi } from "../support/fake-http-api";

// Generous waits: the suite shares two cores with other suites starting real services.
configure({ asyncUtilTimeout: 10_000 });

// The whole app (auth → socket → chat UI → HTTP history) against loopback fakes of Cognito, the
// client WebSocket API and the HTTP API. The real gateway is exercised by the Chromium e2e test.

let cognito: FakeCognito;
let gateway: FakeGateway;
let api: FakeHttpApi;

const conv = "conv-1";
const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString();
const history: StoredMessage[] = Array.from({ length: 60 }, (_, i) => ({
  conversationId: conv,
  messageId: `m${i}`,
  clientMessageId: `old-${Math.floor(i / 2)}`,
  role: i % 2 === 0 ? "user" : "assistant",
  text: `history ${i}`,
  channel: "web",
  createdAt: at(i),
}));

beforeEach(async () => {
  [cognito, gateway, api] = await Promise.all([
    FakeCognito.start(),
    FakeGateway.start(),
    FakeHttpApi.start(),
  ]);
  cognito.addUser("alice", "correct-horse");
  api.conversations = [
    { conversationId: conv, title: "First chat", channel: "web", createdAt: at(0), updatedAt: at(59) },
  ];
  api.messages.set(conv, history);
  window.location.hash = "";
});
afterEach(async () => {
  cleanup();
  // Let requests still in flight at unmount (e.g. a conversation-list reload) finish first.
  await new Promise((r) => setTimeout(r, 100));
  await Promise.all([cognito.close(), gateway.close(), api.close()]);
});

function renderApp() {
  const config: WebConfig = {
    region: "us-east-1",
    userPoolId: "us-east-1_LocalDev1",
    userPoolClientId: "client-123",
    cognitoEndpoint: cognito.endpoint,
    // FakeCognito speaks the password flow; SRP is proven against local mode's issuer (local-mode e2e).
    passwordFlow: "USER_PASSWORD_AUTH",
    wsUrl: gateway.url,
    apiUrl: api.url,
    selfSignUp: false,
  };
  render(
    <App
      config={config}
      storage={new MemoryStorage()}
      createSocket={(url) => new WebSocket(url) as SocketLike}
    />,
  );
}

async function signIn() {
  renderApp();
  fireEvent.change(await screen.findByTestId("login-username"), { target: { value: "alice" } });
  fireEvent.change(screen.getByTestId("login-password"), { target: { value: "correct-horse" } });
  fireEvent.click(screen.getByTestId("auth-submit"));
  await screen.findByTestId("message-input", {}, { timeout: 10_000 });
  await waitFor(() => expect(screen.getByTestId("status-bar").dataset.state).toBe("Idle"));
}

const messages = () => screen.queryAllByTestId("message");
const texts = () => messages().map((m) => m.textContent ?? "");
const type = (text: string) => {
  const input = screen.getByTestId("message-input");
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: "Enter" });
};

describe("chat app", () => {
  it("signs in, connects with the id token, pre-warms, and loads the newest history page then older ones", async () => {
    await signIn();
    expect(gateway.tokens).toHaveLength(1);
    expect(gateway.tokens[0]?.split(".")).toHaveLength(3);
    await waitFor(() => expect(gateway.of("agent.wake")).toHaveLength(1));
    await waitFor(() => expect(messages()).toHaveLength(50));
    expect(texts()[0]).toContain("history 10");
    fireEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    await waitFor(() => expect(messages()).toHaveLength(60));
    expect(texts()[0]).toContain("history 0");
    expect(screen.queryByRole("button", { name: "Load older messages" })).toBeNull();
    expect(api.requests.filter((r) => r.path.includes("/messages")).map((r) => r.path)).toEqual([
      `/conversations/${conv}/messages?limit=50`,
      `/conversations/${conv}/messages?before=10&limit=50`,
    ]);
  });

  it("shows a message sent while the agent sleeps as queued, the wake steps, then the streamed reply", async () => {
    await signIn();
    await waitFor(() => expect(messages()).toHaveLength(50));
    type("What is **2+2**?");
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(1));
    const sent = gateway.of("chat.send")[0] as {
      clientMessageId: string;
      conversationId: string;
      text: string;
    };
    expect(sent).toMatchObject({ conversationId: conv, text: "What is **2+2**?" });
    const mine = () =>
      messages().find((m) => m.dataset.clientMessageId === sent.clientMessageId && m.dataset.role === "user");
    expect(mine()?.dataset.status).toBe("queued");
    expect(mine()?.querySelector("strong")?.textContent).toBe("2+2");

    gateway.push({
      type: "agent.status",
      state: "Starting",
      step: "restoring-state",
      startedAt: new Date().toISOString(),
      typicalWakeSeconds: 40,
    });
    await waitFor(() =>
      expect(screen.getByTestId("status-agent").textContent).toContain("Restoring memory…"),
    );
    expect(screen.getByTestId("status-agent").textContent).toContain("usually ~40 s");
    gateway.push({ type: "agent.status", state: "Running" });
    const ids = { clientMessageId: sent.clientMessageId, conversationId: conv };
    gateway.push({ type: "chat.delta", ...ids, seq: 0, text: "It is " });
    gateway.push({ type: "chat.delta", ...ids, seq: 0, text: "It is " });
    gateway.push({ type: "chat.delta", ...ids, seq: 1, text: "4" });
    const reply = () =>
      messages().find(
        (m) => m.dataset.clientMessageId === sent.clientMessageId && m.dataset.role === "assistant",
      );
    await waitFor(() => expect(reply()?.textContent).toContain("It is 4"));
    expect(reply()?.dataset.status).toBe("streaming");
    expect(screen.getByTestId("stop-button")).toBeTruthy();
    gateway.push({
      type: "chat.final",
      ...ids,
      messageId: "a-1",
      text: "It is **4**.",
      createdAt: new Date().toISOString(),
    });
    await waitFor(() => expect(reply()?.dataset.status).toBe("done"));
    expect(reply()?.querySelector("strong")?.textContent).toBe("4");
    expect(screen.queryByTestId("stop-button")).toBeNull();
  });

  it("survives a dropped connection without losing or doubling a message", async () => {
    await signIn();
    gateway.push({ type: "agent.status", state: "Running" }, gateway.current);
    await waitFor(() => expect(screen.getByTestId("status-bar").dataset.state).toBe("Running"));
    gateway.holdAcks = true;
    type("survive this");
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(1));
    gateway.holdAcks = false;
    gateway.dropAll();
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(2), { timeout: 10_000 });
    const [first, second] = gateway.of("chat.send");
    expect(second?.clientMessageId).toBe(first?.clientMessageId);
    expect(gateway.stored).toEqual([first?.clientMessageId]);
    expect(texts().filter((t) => t.includes("survive this"))).toHaveLength(1);
    await waitFor(() => expect(screen.queryByTestId("status-connection")).toBeNull());
  });

  it("stops a turn with chat.cancel and retries a failed one with a new clientMessageId", async () => {
    await signIn();
    gateway.push({ type: "agent.status", state: "Running" });
    await waitFor(() => expect(screen.getByTestId("status-bar").dataset.state).toBe("Running"));
    type("long task");
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(1));
    const first = gateway.of("chat.send")[0] as { clientMessageId: string };
    gateway.push({
      type: "chat.delta",
      clientMessageId: first.clientMessageId,
      conversationId: conv,
      seq: 0,
      text: "Working",
    });
    fireEvent.click(await screen.findByTestId("stop-button"));
    await waitFor(() =>
      expect(gateway.of("chat.cancel")).toEqual([
        { type: "chat.cancel", clientMessageId: first.clientMessageId },
      ]),
    );

    type("flaky");
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(2));
    const flaky = gateway.of("chat.send")[1] as { clientMessageId: string };
    gateway.push({
      type: "chat.error",
      clientMessageId: flaky.clientMessageId,
      conversationId: conv,
      code: "LLM_ERROR",
      message: "The model is overloaded.",
      retryable: true,
    });
    expect((await screen.findByTestId("message-error")).textContent).toBe("The model is overloaded.");
    fireEvent.click(screen.getByTestId("retry-button"));
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(3));
    const retried = gateway.of("chat.send")[2] as { clientMessageId: string; text: string };
    expect(retried.text).toBe("flaky");
    expect(retried.clientMessageId).not.toBe(flaky.clientMessageId);
    expect(screen.queryByTestId("retry-button")).toBeNull();
  });

  it("creates a new conversation through the API and sends into it", async () => {
    await signIn();
    fireEvent.click(screen.getByTestId("new-conversation"));
    await waitFor(() => expect(screen.getAllByTestId("conversation-item")).toHaveLength(2));
    const created = api.conversations[1]?.conversationId;
    expect(window.location.hash).toBe(`#/c/${created}`);
    type("hello new chat");
    await waitFor(() => expect(gateway.of("chat.send")).toHaveLength(1));
    expect(gateway.of("chat.send")[0]?.conversationId).toBe(created);
    expect(messages()).toHaveLength(1);
  });
});
