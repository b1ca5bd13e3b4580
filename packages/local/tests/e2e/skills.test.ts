import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLlm, messageText, startFakeLlm } from "@serverless-openclaw/testkit";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleLogger } from "../../src/local-logger";
import { createLocalStack, type LocalStack } from "../../src/local-stack";
import { RecordingSocket } from "./ws-client";

/**
 * Custom skills end to end: a skill uploaded through the HTTP API is installed by the agent task at
 * boot and loaded by the real OpenClaw (it shows up in the system prompt the fake LLM receives, and a
 * scripted `read` tool call returns the skill's own file); changes made while the agent runs reach it
 * without a restart. One OpenClaw boot for the whole file.
 */

const WAKE_TIMEOUT_MS = 240_000;
const TURN_TIMEOUT_MS = 120_000;
const CONVERSATION = "skills-e2e";

let llm: FakeLlm;
let dataDir: string;
let stack: LocalStack;
let token: string;
let socket: RecordingSocket;
let seq = 0;
const logs: string[] = [];
const tail = () => `Last log lines:\n${logs.slice(-60).join("\n")}`;

const skillZip = (name: string, description: string, body: string) =>
  zipSync({
    [`${name}/SKILL.md`]: strToU8(`---\nname: ${name}\ndescription: ${description}\n---\n\n${body}\n`),
  });

async function api(method: string, path: string, body?: Uint8Array | object) {
  const zip = body instanceof Uint8Array;
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": zip ? "application/zip" : "application/json" }),
    },
    body: body === undefined ? undefined : zip ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { applied?: string } };
}

/** Sends one message and returns its final reply and the system prompt OpenClaw sent the LLM for it. */
async function turn(text: string): Promise<{ reply: string; prompt: string }> {
  const clientMessageId = `m-${++seq}`;
  const before = llm.chatRequests().length;
  socket.send({ type: "chat.send", conversationId: CONVERSATION, clientMessageId, text });
  const final = await socket.waitFor(
    `chat.final for ${clientMessageId}`,
    (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === clientMessageId,
    WAKE_TIMEOUT_MS + TURN_TIMEOUT_MS,
    tail,
  );
  expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
  // This turn's first request to the LLM (not one OpenClaw might make in the background).
  const request = llm
    .chatRequests()
    .slice(before)
    .find((r) => r.userText.includes(text));
  const prompt = (request?.messages ?? [])
    .filter((m) => m.role === "system")
    .map(messageText)
    .join("\n");
  return { reply: String(final.text), prompt };
}

const listed = (prompt: string, name: string) => prompt.includes(`<name>${name}</name>`);

/** Turns until the agent's prompt satisfies `check` (a live change lands within a turn or two). */
async function untilPrompt(check: (prompt: string) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const { prompt } = await turn(`checking ${what} (${i})`);
    if (check(prompt)) return prompt;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the agent's prompt never showed ${what}`);
}

beforeAll(async () => {
  llm = await startFakeLlm();
  dataDir = await mkdtemp(join(tmpdir(), "local-skills-e2e-"));
  stack = await createLocalStack({
    port: 0,
    dataDir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    logger: createConsoleLogger({ level: "debug", write: (line) => logs.push(line) }),
    print: () => {},
    env: {},
  });
  const { username, password } = stack.initialLogin;
  token = (await stack.login(username, password as string)).IdToken as string;
});

afterAll(async () => {
  await socket?.close();
  await stack?.stop();
  await llm?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("custom skills, end to end (local mode, real container and OpenClaw, fake LLM)", () => {
  it("installs an uploaded skill at boot, OpenClaw loads it, and live changes reach the running agent", async () => {
    // ── before the agent runs: upload a skill, switch a built-in off ──
    const put = await api(
      "PUT",
      "/skills/zebra-facts",
      skillZip(
        "zebra-facts",
        "Answers questions about zebras (marker QUOKKA-7731).",
        "Secret body SKILL-BODY-4242.",
      ),
    );
    expect(put.status, JSON.stringify(put.json)).toBe(201);
    expect(put.json.applied).toBe("next-start");
    expect((await api("PATCH", "/skills/weather", { enabled: false })).status).toBe(200);
    const hostile = await api("PUT", "/skills/evil", zipSync({ "../SKILL.md": strToU8("x") }));
    expect(hostile.status).toBe(422);

    // ── a message wakes the agent; OpenClaw's prompt lists the skill, not the switched-off built-in ──
    socket = await RecordingSocket.open(`${stack.wsUrl}?token=${encodeURIComponent(token)}`);
    const first = await turn("hello");
    expect(first.reply).toContain("echo: hello");
    expect(listed(first.prompt, "zebra-facts"), tail()).toBe(true);
    expect(first.prompt).toContain("QUOKKA-7731");
    expect(listed(first.prompt, "weather")).toBe(false);
    expect(listed(first.prompt, "skill-creator")).toBe(true); // other built-ins stay on

    // ── the fake LLM calls OpenClaw's read tool on the skill's file: the tool reaches the skill ──
    const location = /<name>zebra-facts<\/name>[\s\S]*?<location>([^<]+)<\/location>/.exec(first.prompt)?.[1];
    expect(location).toMatch(/\/skills\/zebra-facts\/SKILL\.md$/);
    const read = await turn(`[tool:read:${JSON.stringify({ path: location })}]`);
    // The turn ends with the tool's output: the installed SKILL.md, frontmatter and body.
    expect(read.reply).toContain("name: zebra-facts");
    expect(read.reply).toContain("SKILL-BODY-4242");

    // ── while it runs: a new skill, the built-in back on, the first skill deleted ──
    const live = await api(
      "PUT",
      "/skills/otter-facts",
      skillZip("otter-facts", "Otters (marker OTTER-5150).", "x"),
    );
    expect(live.json.applied).toBe("now");
    expect((await api("PATCH", "/skills/weather", { enabled: true })).json.applied).toBe("now");
    expect((await api("DELETE", "/skills/zebra-facts")).json.applied).toBe("now");
    const after = await untilPrompt(
      (p) => listed(p, "otter-facts") && listed(p, "weather") && !listed(p, "zebra-facts"),
      "otter-facts and weather, without zebra-facts",
    );
    expect(after).toContain("OTTER-5150");
  }, 900_000);
});
