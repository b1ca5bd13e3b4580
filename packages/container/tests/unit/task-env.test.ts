import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envApiKeys, openClawPassEnv, parseTaskEnv } from "../../src/env";
import { createTask } from "../../src/runtime";

const CANARY = "canary-value-that-must-not-travel";
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "task-env-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const base = {
  USER_ID: "alice",
  AGENT_SECRET: "a".repeat(32),
  AGENT_WS_URL: "ws://127.0.0.1:9/agent",
};

/** Every string reachable from `value` (own fields, arrays, maps), each object visited once. */
function strings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  seen.add(value);
  const children = value instanceof Map ? [...value.entries()] : Object.values(value);
  return children.flatMap((v) => strings(v, seen));
}

describe("the agent task's environment", () => {
  it("reaches AgentTask only as parsed TaskEnv values: a variable the schema does not name goes nowhere", async () => {
    const { task } = await createTask({
      ...base,
      LOCAL_STORE_URL: "http://127.0.0.1:9/_local/rpc",
      LOCAL_STORE_TOKEN: "t".repeat(32),
      WORK_DIR: workDir,
      PATH: "/usr/bin",
      SOME_OTHER_SECRET: CANARY,
      AWS_SECRET_ACCESS_KEY: CANARY,
    });
    const deps = (task as unknown as { deps: Record<string, unknown> }).deps;
    expect(strings(deps)).not.toContain(CANARY);
    expect(strings(deps).some((s) => s.includes(CANARY))).toBe(false);
    expect(deps.openClawPassEnv).toEqual({ PATH: "/usr/bin" });
  });

  it("gives OpenClaw only its search path, locale, clock and proxies", () => {
    const env = parseTaskEnv({
      ...base,
      AGENT_API_URL: "https://abc.execute-api.us-east-1.amazonaws.com/prod",
      PATH: "/bin",
      TZ: "UTC",
      HTTPS_PROXY: "http://proxy:3128",
      ANTHROPIC_API_KEY: CANARY,
    });
    expect(openClawPassEnv(env)).toEqual({ PATH: "/bin", TZ: "UTC", HTTPS_PROXY: "http://proxy:3128" });
  });

  it("lets an API key in the environment stand in for Settings in local mode only", () => {
    const aws = parseTaskEnv({
      ...base,
      AGENT_API_URL: "https://abc.execute-api.us-east-1.amazonaws.com/prod",
      ANTHROPIC_API_KEY: CANARY,
    });
    expect(Object.values(envApiKeys(aws))).not.toContain(CANARY);
    const local = parseTaskEnv({
      ...base,
      LOCAL_STORE_URL: "http://127.0.0.1:9/_local/rpc",
      LOCAL_STORE_TOKEN: "t".repeat(32),
      ANTHROPIC_API_KEY: CANARY,
    });
    expect(envApiKeys(local).ANTHROPIC_API_KEY).toBe(CANARY);
  });

  it("refuses a malformed variable with a message naming it", () => {
    expect(() => parseTaskEnv({ ...base, AGENT_API_URL: "ftp://x", DISCORD_API_BASE_URL: "nope" })).toThrow(
      /DISCORD_API_BASE_URL/,
    );
  });
});
