import { describe, expect, it } from "vitest";
import { createCognitoTriggerHandler, createWebSocketHandler } from "../../src/handlers";
import { createServices } from "../../src/services";
import { makeDeps } from "../unit/fakes";
import { wsEvent } from "./events";

/** A post-confirmation event as Cognito sends it (fields trimmed to the ones that vary). */
function cognitoEvent(triggerSource: string, sub: string) {
  return {
    version: "1",
    region: "us-east-1",
    userPoolId: "us-east-1_AbC123",
    userName: sub,
    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "client" },
    triggerSource,
    request: { userAttributes: { sub, email: `${sub}@example.com`, "cognito:user_status": "CONFIRMED" } },
    response: {},
  };
}

function setup() {
  const deps = makeDeps();
  const ws = createWebSocketHandler(deps, createServices(deps));
  // The trigger runs in the data stack: the tables, but no WebSocket endpoint.
  const trigger = createCognitoTriggerHandler({
    settings: deps.settings,
    connections: deps.connections,
    clock: deps.clock,
    logger: deps.logger,
  });
  const nowSeconds = () => Math.floor(deps.clock.now().getTime() / 1000);
  const connect = async (connectionId: string, user: string, iat: number) =>
    (await ws(wsEvent("$connect", connectionId, { query: { token: `valid:${user}@${iat}` } }))).statusCode;
  const send = async (connectionId: string) =>
    (
      await ws(
        wsEvent("$default", connectionId, {
          body: JSON.stringify({ type: "status.get" }),
        }),
      )
    ).statusCode;
  return { deps, ws, trigger, nowSeconds, connect, send };
}

describe("Cognito trigger: a password reset ends the user's sessions on AWS", () => {
  it("drops every browser socket of the user (nothing pushed to them, nothing they send is taken) and only theirs", async () => {
    const s = setup();
    const iat = s.nowSeconds();
    expect(await s.connect("alice-laptop", "alice", iat)).toBe(200);
    expect(await s.connect("alice-phone", "alice", iat)).toBe(200);
    expect(await s.connect("bob-tab", "bob", iat)).toBe(200);
    expect(await s.send("alice-laptop")).toBe(200);
    s.deps.clock.advance(5_000);

    const event = cognitoEvent("PostConfirmation_ConfirmForgotPassword", "alice");
    // Cognito needs its event back, unchanged.
    expect(await s.trigger(event)).toEqual(event);

    expect(await s.deps.connections.listByUser("alice", "client")).toEqual([]);
    expect(await s.deps.connections.listByUser("bob", "client")).toHaveLength(1);
    // What the stale socket sends now is refused.
    expect(await s.send("alice-laptop")).toBe(403);
    expect(await s.send("bob-tab")).toBe(200);
  });

  it("refuses a reconnect with an id token from before the reset; a sign-in with the new password connects", async () => {
    const s = setup();
    const before = s.nowSeconds();
    await s.connect("alice-tab", "alice", before);
    s.deps.clock.advance(10_000);
    await s.trigger(cognitoEvent("PostConfirmation_ConfirmForgotPassword", "alice"));
    expect(await s.connect("alice-tab-again", "alice", before)).toBe(401);
    s.deps.clock.advance(2_000);
    expect(await s.connect("alice-new-sign-in", "alice", s.nowSeconds())).toBe(200);
    expect(await s.connect("bob-tab", "bob", before)).toBe(200);
  });

  it("leaves sessions alone on a sign-up confirmation and on events it does not know", async () => {
    const s = setup();
    const iat = s.nowSeconds();
    await s.connect("alice-tab", "alice", iat);
    s.deps.clock.advance(5_000);
    await s.trigger(cognitoEvent("PostConfirmation_ConfirmSignUp", "alice"));
    await s.trigger({ triggerSource: "PostConfirmation_ConfirmForgotPassword" });
    await s.trigger("not an event");
    expect(await s.deps.connections.listByUser("alice", "client")).toHaveLength(1);
    expect(await s.connect("alice-tab-2", "alice", iat)).toBe(200);
  });

  it("does not fail the reset when the tables cannot be reached: logs it and returns the event", async () => {
    const s = setup();
    const errors: string[] = [];
    const counted: string[] = [];
    const broken = createCognitoTriggerHandler({
      settings: {
        ...s.deps.settings,
        put: async () => {
          throw new Error("DynamoDB unavailable");
        },
      },
      connections: s.deps.connections,
      clock: s.deps.clock,
      logger: { ...s.deps.logger, error: (message: string) => void errors.push(message) },
      metrics: { count: (name) => void counted.push(name) },
    });
    const event = cognitoEvent("PostConfirmation_ConfirmForgotPassword", "alice");
    await expect(broken(event)).resolves.toEqual(event);
    expect(errors).toEqual(["cognito trigger: sessions not ended"]);
    expect(counted).toEqual(["SessionsEndFailed"]);
  });
});
