import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness } from "./harness";
import { runLoad } from "./load-run";

// The short form of bench/load.ts: small counts so it runs in `npm test`. Every user is an OpenClaw
// process of its own (~1 GB, 15 s boot alone), so users are few and connections/messages carry the load.
const USERS = 2;
const CONNECTIONS = 3;
const MESSAGES = 3;

let llm: FakeLlm;
let h: Harness;

beforeAll(async () => {
  llm = await startFakeLlm();
  h = await Harness.start({ llm, agentEnv: { INACTIVITY_MS: "3600000" } });
});

afterAll(async () => {
  await h?.dispose();
  await llm?.stop();
});

describe("load, short form (whole local stack, real OpenClaw per user, fake LLM)", () => {
  it(`${USERS} users × ${CONNECTIONS} connections × ${MESSAGES} messages: every message answered exactly once`, async () => {
    const report = await runLoad(h, {
      users: USERS,
      connectionsPerUser: CONNECTIONS,
      messagesPerConnection: MESSAGES,
      timeoutMs: 600_000,
    });
    expect(report.problems).toEqual([]);
    expect(report.messages).toBe(USERS * CONNECTIONS * MESSAGES);
    // One task per user, whatever the number of tabs.
    expect(report.starts).toBe(USERS);
  }, 900_000);
});
