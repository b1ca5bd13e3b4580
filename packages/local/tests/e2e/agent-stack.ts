import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { createLocalStack, type LocalStack } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";

/** Local mode with a real agent behind a fake LLM, logged in as its initial user: one per test file. */
export interface AgentStack {
  llm: FakeLlm;
  stack: LocalStack;
  /** The initial user's Cognito ID token. */
  token: string;
  /** The last log lines, for a failure message. */
  tail: () => string;
  /** Every log line so far (ours, then each agent's OpenClaw log) that matches `pattern`, for a failure message. */
  grep: (pattern: RegExp) => string;
  /** Calls the HTTP API as that user: a JSON body, or a zip (Uint8Array). */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: Uint8Array | object,
  ): Promise<{ status: number; json: T }>;
  stop(): Promise<void>;
}

export async function startAgentStack(name: string): Promise<AgentStack> {
  const logs: string[] = [];
  const llm = await startFakeLlm();
  const dataDir = await mkdtemp(join(tmpdir(), `local-${name}-`));
  let stack: LocalStack | undefined;
  const stop = async () => {
    await stack?.stop();
    await llm.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
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
    const token = (await stack.login(username, password as string)).IdToken as string;
    const { apiUrl } = stack;
    return {
      llm,
      stack,
      token,
      tail: () => `Last log lines:\n${logs.slice(-60).join("\n")}`,
      grep: (pattern) => {
        const openclaw = openClawLogs(dataDir).flatMap((lines) => lines.filter((l) => pattern.test(l)));
        return `Log lines matching ${pattern}:\n${logs.filter((l) => pattern.test(l)).join("\n")}\nOpenClaw's own:\n${openclaw.join("\n")}`;
      },
      async api<T>(method: string, path: string, body?: Uint8Array | object) {
        const zip = body instanceof Uint8Array;
        const res = await fetch(`${apiUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { "content-type": zip ? "application/zip" : "application/json" }),
          },
          body:
            body === undefined ? undefined : zip ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The lines of each agent's OpenClaw log (`<dataDir>/agents/<user>/work/logs/openclaw.log`), while the agent's dir is there. */
function openClawLogs(dataDir: string): string[][] {
  const agents = join(dataDir, "agents");
  if (!existsSync(agents)) return [];
  return readdirSync(agents).flatMap((user) => {
    const file = join(agents, user, "work", "logs", "openclaw.log");
    return existsSync(file) ? [readFileSync(file, "utf8").split("\n")] : [];
  });
}
