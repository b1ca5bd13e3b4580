import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeLlm } from "@serverless-openclaw/testkit";
import WebSocket from "ws";
import { createLocalStack, type LocalStack, type LocalStackOptions } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";

/**
 * Shared by the fault tests and the benches in bench/ (which `npm test` runs in their short form): one
 * local stack (the code path of `npm start`) with a fake LLM, users logged in through the local
 * identity, browser-protocol WebSocket clients that timestamp every pushed event, and the history API. Task starts are counted
 * by wrapping the stack's TaskRunner, the same object the gateway's LifecycleService calls.
 */

export type PushedEvent = Record<string, unknown> & { type: string; at: number };

export interface StartHarnessOptions {
  llm: FakeLlm;
  /** Reused across restarts; a temp dir (removed by dispose) when omitted. */
  dataDir?: string;
  agentEnv?: Record<string, string>;
  agentGraceMs?: number;
  watchdogIntervalMs?: number;
  awsStandins?: boolean;
  /** Logs to stderr as they happen (LOCAL_E2E_VERBOSE=1 does the same). */
  verbose?: boolean;
}

export interface TaskStart {
  userId: string;
  at: number;
}

export class Harness {
  readonly logs: string[] = [];
  /** Every TaskRunner.start call, across restarts of the stack. */
  readonly starts: TaskStart[] = [];
  stack!: LocalStack;
  private readonly clients = new Set<ChatClient>();
  private ownsDataDir = false;

  private constructor(
    readonly options: StartHarnessOptions,
    readonly dataDir: string,
  ) {}

  static async start(options: StartHarnessOptions): Promise<Harness> {
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "local-harness-")));
    const h = new Harness(options, dataDir);
    h.ownsDataDir = options.dataDir === undefined;
    await h.boot();
    return h;
  }

  /** The last log lines, for failure messages. */
  tail = (n = 80): string => `Last log lines:\n${this.logs.slice(-n).join("\n")}`;

  startsFor(userId: string): number {
    return this.starts.filter((s) => s.userId === userId).length;
  }

  /** Starts the stack (again) on the same data dir and port-free loopback. */
  async boot(options: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
    const verbose = this.options.verbose || Boolean(process.env.LOCAL_E2E_VERBOSE);
    const logger = createConsoleLogger({
      level: "debug",
      write: (line) => {
        this.logs.push(line);
        if (this.logs.length > 20_000) this.logs.splice(0, 10_000);
        if (verbose) process.stderr.write(`${line}\n`);
      },
    });
    const stack = await createLocalStack({
      port: 0,
      dataDir: this.dataDir,
      llmBaseUrl: this.options.llm.baseUrl,
      llmModel: this.options.llm.model,
      logger,
      print: (line) => this.logs.push(`[print] ${line}`),
      env: {},
      agentEnv: this.options.agentEnv,
      agentGraceMs: this.options.agentGraceMs,
      watchdogIntervalMs: this.options.watchdogIntervalMs,
      awsStandins: this.options.awsStandins,
      ...options,
    });
    const runner = stack.runner;
    const start = runner.start.bind(runner);
    runner.start = async (request) => {
      this.starts.push({ userId: request.userId, at: performance.now() });
      return start(request);
    };
    this.stack = stack;
    return stack;
  }

  /** Graceful stop of the stack (agents back up first), keeping the data dir. */
  async shutdown(): Promise<void> {
    for (const c of this.clients) await c.close();
    this.clients.clear();
    await this.stack.stop();
  }

  async dispose(): Promise<void> {
    await this.shutdown().catch(() => undefined);
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** The first user (created and given the fake LLM by the stack itself). */
  async firstUser(): Promise<User> {
    const { username, password } = this.stack.initialLogin;
    if (!password) throw new Error("the first user's password was not generated here");
    return this.user(username, password);
  }

  /** A further user with the fake LLM set through the Settings API, as a person would. */
  async addUser(username: string): Promise<User> {
    const password = `pw-${username}-0123456789`;
    if (!this.stack.identity.users.get(username))
      await this.stack.identity.users.create({ username, password });
    const user = await this.user(username, password);
    const res = await fetch(`${this.stack.apiUrl}/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        provider: "openai-compatible",
        baseUrl: this.options.llm.baseUrl,
        model: this.options.llm.model,
      }),
    });
    if (res.status !== 200) throw new Error(`PUT /settings: ${res.status} ${await res.text()}`);
    return user;
  }

  private async user(username: string, password: string): Promise<User> {
    const tokens = await this.stack.login(username, password);
    const record = this.stack.identity.users.get(username);
    if (!record) throw new Error(`no user ${username}`);
    return { username, password, userId: record.sub, token: tokens.IdToken };
  }

  /** Logs the user in again (after a restart the stack is new, the tokens still verify). */
  async relogin(user: User): Promise<User> {
    return this.user(user.username, user.password);
  }

  async connect(user: User): Promise<ChatClient> {
    const client = await ChatClient.open(`${this.stack.wsUrl}?token=${encodeURIComponent(user.token)}`);
    this.clients.add(client);
    return client;
  }

  /** GET /api/conversations/{id}/messages, oldest first. */
  async history(user: User, conversationId: string): Promise<HistoryMessage[]> {
    const res = await fetch(`${this.stack.apiUrl}/conversations/${conversationId}/messages?limit=200`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    if (res.status !== 200) throw new Error(`history: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { messages: HistoryMessage[] };
    return page.messages;
  }

  /** The pid of the user's running agent task (the process ECS would run as the container). */
  agentPid(taskArn: string): number {
    // ProcessTaskRunner keeps its children private; the fault tests need the pid to kill it like ECS would.
    const children = (this.stack.runner as unknown as { children: Map<string, { pid: number }> }).children;
    const child = children.get(taskArn);
    if (!child) throw new Error(`no running agent for ${taskArn}`);
    return child.pid;
  }

  async taskArn(userId: string): Promise<string> {
    const row = await this.stack.stores.taskState.get(userId);
    if (!row.taskArn) throw new Error(`no task for ${userId} (state ${row.state})`);
    return row.taskArn;
  }
}

export interface User {
  username: string;
  password: string;
  userId: string;
  token: string;
}

export interface HistoryMessage {
  messageId: string;
  clientMessageId?: string;
  role: "user" | "assistant";
  text: string;
  error?: { code: string; message: string };
}

/** A browser tab: the client WebSocket, every pushed event recorded with its arrival time. */
export class ChatClient {
  readonly events: PushedEvent[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const event = JSON.parse(String(data)) as PushedEvent;
      event.at = performance.now();
      this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(url: string): Promise<ChatClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new ChatClient(socket);
  }

  /** Sends chat.send; returns when it was written. */
  send(conversationId: string, clientMessageId: string, text: string): number {
    this.socket.send(JSON.stringify({ type: "chat.send", conversationId, clientMessageId, text }));
    return performance.now();
  }

  of(clientMessageId: string, type?: string): PushedEvent[] {
    return this.events.filter(
      (e) => e.clientMessageId === clientMessageId && (type === undefined || e.type === type),
    );
  }

  /** Waits for the first event matching `match`; fails with what was seen (and `context()`). */
  async waitFor(
    what: string,
    match: (event: PushedEvent) => boolean,
    timeoutMs: number,
    context: () => string = () => "",
  ): Promise<PushedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events
          .slice(-40)
          .map((e) => JSON.stringify(e).slice(0, 200))
          .join("\n");
        throw new Error(`timed out waiting for ${what}. Last events:\n${seen}\n${context()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1_000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The turn's end: chat.final or chat.error for that message. */
  waitEnd(clientMessageId: string, timeoutMs: number, context?: () => string): Promise<PushedEvent> {
    return this.waitFor(
      `the end of ${clientMessageId}`,
      (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === clientMessageId,
      timeoutMs,
      context,
    );
  }

  /** An abrupt drop (no close handshake), like a phone losing its network. */
  drop(): void {
    this.socket.terminate();
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}

/** How many times each clientMessageId ended (chat.final or chat.error) in these events. */
export function endsByMessage(events: readonly PushedEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.type !== "chat.final" && e.type !== "chat.error") continue;
    const id = String(e.clientMessageId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** History as `[clientMessageId, role]` pairs, for exactly-once assertions. */
export function turnsIn(history: readonly HistoryMessage[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of history) {
    const id = m.clientMessageId ?? m.messageId;
    out.set(id, [...(out.get(id) ?? []), m.role]);
  }
  return out;
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function quantile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
}
