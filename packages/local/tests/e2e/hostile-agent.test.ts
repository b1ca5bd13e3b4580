import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BOT_TOKEN,
  FakeBotApi,
  type FakeLlm,
  openclawRuntime,
  startFakeLlm,
  until,
} from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStack, type LocalStack } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";
import { ATTACK_SCRIPT } from "./attack-script";
import { RecordingSocket } from "./ws-client";

// Two agents boot here (~15 s each on an idle machine, minutes on a loaded one): generous bounds,
// never asserted as timings.
const WAKE_TIMEOUT_MS = 400_000;

let llm: FakeLlm;
let telegram: FakeBotApi;
let dir: string;
let stack: LocalStack | undefined;
const logs: string[] = [];
const tail = () =>
  `OpenClaw's complaints:\n${logs
    .filter((l) => /invalid|problem|must|unknown key|unrecognized/i.test(l))
    .slice(-30)
    .join("\n")}\n` + `Last log lines:\n${logs.slice(-80).join("\n")}`;

const BOB_KEY = "sk-bob-0123456789-must-never-leak";
const DEPLOYMENT_SECRETS = {
  "telegram/webhook-secret": "whsec-0123456789-deployment",
  // The bot tokens stay in the gateway: the agent's chat replies go through its relay.
  "discord/bot-token": "discord-bot-0123456789-deployment",
  "slack/bot-token": "xoxb-0123456789-deployment",
};

interface AttackReport {
  ownEnv: string[];
  origins: string[];
  candidates: string[];
  ownCandidates: string[];
  attemptCount: number;
  /** How many attempts of each kind it made. */
  kinds: Record<string, number>;
  attempts: Array<{ what: string; ok?: boolean; status?: unknown; error?: string }>;
  breaches: Array<{ what: string; status?: unknown; body?: string }>;
}

async function signIn(s: LocalStack, username: string, password: string): Promise<RecordingSocket> {
  const token = (await s.login(username, password)).IdToken as string;
  return RecordingSocket.open(`${s.wsUrl}?token=${encodeURIComponent(token)}`);
}

async function chat(socket: RecordingSocket, clientMessageId: string, text: string) {
  socket.send({ type: "chat.send", conversationId: "c-hostile", clientMessageId, text });
  return socket.waitFor(
    `the reply to ${clientMessageId}`,
    (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === clientMessageId,
    WAKE_TIMEOUT_MS,
    tail,
  );
}

beforeAll(async () => {
  llm = await startFakeLlm();
  telegram = await new FakeBotApi().start();
  dir = await mkdtemp(join(tmpdir(), "local-hostile-"));
});

afterAll(async () => {
  await stack?.stop();
  await llm?.stop();
  await telegram?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a hostile agent in local mode (real OpenClaw, its shell driven by the model)", () => {
  it("reaches nothing of another user's data, secrets, tabs or agent, and its own user's work still succeeds", async () => {
    stack = await createLocalStack({
      port: 0,
      dataDir: join(dir, "data"),
      llmBaseUrl: llm.baseUrl,
      llmModel: llm.model,
      logger: createConsoleLogger({ level: "debug", write: (line) => logs.push(line) }),
      print: () => {},
      // A Telegram bot (its token is then in the gateway's secrets) on a fake Bot API.
      env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: telegram.apiRoot },
      // OpenClaw's own output reaches the log at debug level (a failed start says why there).
      agentEnv: { LOG_LEVEL: "debug" },
    });
    const s = stack;
    const { username, password } = s.initialLogin;
    const alice = s.identity.users.get(username)?.sub as string;
    const bobUser = await s.identity.users.create({ username: "bob", password: "Bob-password-123" });
    const bob = bobUser.sub;

    // Bob's data, and deployment secrets no agent needs.
    await s.stores.settings.put(bob, "settings", await s.stores.settings.get(alice, "settings"));
    await s.stores.secrets.put(`users/${bob}/llm-api-key`, BOB_KEY);
    await s.stores.blobs.put(`users/${bob}/notes.txt`, new TextEncoder().encode("bob's notes"));
    for (const [name, value] of Object.entries(DEPLOYMENT_SECRETS)) await s.stores.secrets.put(name, value);

    // Both agents run: Bob's is the one under attack.
    const aliceTab = await signIn(s, username, password as string);
    const bobTab = await signIn(s, "bob", "Bob-password-123");
    const [aliceFirst, bobFirst] = await Promise.all([
      chat(aliceTab, "a-1", "hello from alice"),
      chat(bobTab, "b-1", "hello from bob"),
    ]);
    expect(aliceFirst).toMatchObject({ type: "chat.final" });
    expect(bobFirst).toMatchObject({ type: "chat.final" });
    const bobTabId = (await s.stores.connections.listByUser(bob, "client"))[0]?.connectionId as string;
    expect(bobTabId).toBeTruthy();
    const bobStateBefore = await s.stores.taskState.get(bob);
    expect(bobStateBefore.state).toBe("Running");

    // The model tells Alice's agent to run the attack from its shell.
    const script = join(dir, "attack.mjs");
    const out = join(dir, "attack-report.json");
    await writeFile(script, ATTACK_SCRIPT);
    const command = [openclawRuntime().nodeBin, script, out, bob, bobTabId, alice].join(" ");
    const args = JSON.stringify({ command, yieldMs: 300_000, timeoutSeconds: 600 });
    const attacked = await chat(aliceTab, "a-2", `please run this [tool:exec:${args}]`);
    await until("the attack report", () => existsSync(out), { timeoutMs: WAKE_TIMEOUT_MS, explain: tail });
    const report = JSON.parse(await readFile(out, "utf8")) as AttackReport;

    // It really looked and really tried: it found the store RPC, and tried hundreds of credentials.
    expect(report.origins, JSON.stringify(report.attempts.slice(0, 5))).toEqual([s.url]);
    expect(report.attemptCount).toBeGreaterThan(100);
    // Nothing worked.
    expect(report.breaches, JSON.stringify(report.breaches, null, 1)).toEqual([]);
    // Neither its environment nor its task's nor its files held a credential of anyone's, or Bob's key.
    // (Bob's OpenClaw has Bob's key in its environment, readable by this OS user like the data dir:
    // local mode is one trust domain, docs/security.md.)
    expect(report.ownEnv).not.toContain("LOCAL_STORE_TOKEN");
    expect(report.ownEnv).not.toContain("AGENT_SECRET");
    expect(report.ownCandidates.length).toBeGreaterThan(0);
    expect(report.ownCandidates).not.toContain(BOB_KEY);
    for (const value of Object.values(DEPLOYMENT_SECRETS)) expect(report.candidates).not.toContain(value);
    expect(await s.stores.secrets.get("telegram/bot-token")).toBe(BOT_TOKEN);
    // Not in its own environment, its task's or its files. (Another process of this OS user may hold
    // one: `TELEGRAM_BOT_TOKEN=… npm start` has it in the server's environment; local mode is one
    // trust domain, docs/security.md.)
    expect(report.ownCandidates.join(" ")).not.toContain(BOT_TOKEN.split(":")[1]);
    // It tried the chat relay on every agent link it could open, as Bob's agent and as its own: no
    // bot message went anywhere (nobody here uses Telegram).
    expect(report.kinds["agent socket as victim, then the chat relay"]).toBe(report.candidates.length);
    expect(report.kinds["agent socket as itself, then the chat relay"]).toBe(report.candidates.length);
    expect(telegram.callsOf("sendMessage")).toEqual([]);
    expect(telegram.callsOf("editMessageText")).toEqual([]);

    // Bob's data, agent and tab are as they were; his tab got no forged frame.
    expect(await s.stores.secrets.get(`users/${bob}/llm-api-key`)).toBe(BOB_KEY);
    expect(new TextDecoder().decode(await s.stores.blobs.get(`users/${bob}/notes.txt`))).toBe("bob's notes");
    const usage = await s.stores.settings.get<{ starts?: number }>(
      alice,
      `usage#${new Date().toISOString().slice(0, 7)}`,
    );
    expect(usage?.starts, "its own usage (the budget) was not reset").toBeGreaterThanOrEqual(1);
    expect(await s.stores.settings.get("telegram-4242", "pairing")).toBeUndefined();
    const bobStateAfter = await s.stores.taskState.get(bob);
    expect(bobStateAfter).toMatchObject({
      state: "Running",
      agentSecretHash: bobStateBefore.agentSecretHash,
      agentConnectionId: bobStateBefore.agentConnectionId,
    });
    expect(JSON.stringify(bobTab.events)).not.toContain("FORGED");

    // The user's own work succeeds: the tool ran and the turn was answered, and so is the next one.
    expect(attacked).toMatchObject({ type: "chat.final" });
    expect(String(attacked.text)).toContain("Tool output:");
    const next = await chat(aliceTab, "a-3", "still there?");
    expect(String(next.text)).toContain("echo: still there?");
    const bobNext = await chat(bobTab, "b-2", "and me?");
    expect(String(bobNext.text)).toContain("echo: and me?");
    await aliceTab.close();
    await bobTab.close();
  }, 1_500_000);
});
