import { describe, expect, it } from "vitest";
import { createWatchdogHandler, createWebSocketHandler } from "../../src/handlers";
import type { AccountState, UserDirectory } from "../../src/ports";
import { createServices } from "../../src/services";
import { wsEvent } from "../handlers/events";
import { makeDeps } from "./fakes";

/** Cognito as the watchdog sees it: what an admin did to each account. */
class FakeDirectory implements UserDirectory {
  readonly states = new Map<string, AccountState | Error>();
  readonly asked: string[] = [];
  async accountState(userId: string): Promise<AccountState> {
    this.asked.push(userId);
    const state = this.states.get(userId) ?? "active";
    if (state instanceof Error) throw state;
    return state;
  }
}

function setup() {
  const deps = makeDeps();
  const services = createServices(deps);
  const ws = createWebSocketHandler(deps, services);
  const users = new FakeDirectory();
  const watchdog = createWatchdogHandler(deps, services, users);
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const connect = async (connectionId: string, user: string, at = iat) =>
    (await ws(wsEvent("$connect", connectionId, { query: { token: `valid:${user}@${at}` } }))).statusCode;
  return { deps, users, watchdog, connect, iat };
}

describe("the watchdog ends the sessions of accounts deleted or disabled in Cognito", () => {
  it("closes the browser sockets of a deleted, a disabled and an admin-reset account, and no one else's", async () => {
    const s = setup();
    for (const [id, user] of [
      ["alice-tab", "alice"],
      ["bob-tab", "bob"],
      ["bob-phone", "bob"],
      ["carol-tab", "carol"],
      ["dave-tab", "dave"],
    ] as const) {
      expect(await s.connect(id, user)).toBe(200);
    }
    s.users.states.set("bob", "deleted");
    s.users.states.set("carol", "disabled");
    s.users.states.set("dave", "reset-required");
    s.deps.clock.advance(5_000);

    await s.watchdog({});

    expect([...s.deps.clientPush.disconnected].sort()).toEqual([
      "bob-phone",
      "bob-tab",
      "carol-tab",
      "dave-tab",
    ]);
    expect(await s.deps.connections.listByUser("bob", "client")).toEqual([]);
    expect(await s.deps.connections.listByUser("alice", "client")).toHaveLength(1);
    // Each user is asked about once, whatever their number of tabs.
    expect(s.users.asked.sort()).toEqual(["alice", "bob", "carol", "dave"]);
    // A tab of the deleted user cannot come back with the id token it still holds.
    expect(await s.connect("bob-tab-again", "bob")).toBe(401);
  });

  it("leaves a user alone when Cognito cannot answer for them this round, and still reports the round", async () => {
    const s = setup();
    await s.connect("alice-tab", "alice");
    await s.connect("bob-tab", "bob");
    s.users.states.set("alice", new Error("ThrottlingException"));
    s.users.states.set("bob", "deleted");
    const report = await s.watchdog({});
    expect(report).toMatchObject({ checked: 0, actions: [] });
    expect([...s.deps.clientPush.disconnected]).toEqual(["bob-tab"]);
    expect(await s.deps.connections.listByUser("alice", "client")).toHaveLength(1);
  });

  it("asks nothing on ECS's task-stopped events, only on the scheduled round", async () => {
    const s = setup();
    await s.connect("bob-tab", "bob");
    s.users.states.set("bob", "deleted");
    await s.watchdog({
      source: "aws.ecs",
      "detail-type": "ECS Task State Change",
      detail: { taskArn: "arn:task/1", startedBy: "bob", lastStatus: "STOPPED" },
    });
    expect(s.users.asked).toEqual([]);
    expect(await s.deps.connections.listByUser("bob", "client")).toHaveLength(1);
  });
});
