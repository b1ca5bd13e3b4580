import type { GatewayToAgent, ServerEvent } from "@serverless-openclaw/shared";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import type { Stores } from "../../src/adapters/stores";
import { DEFAULT_GATEWAY_CONFIG, type GatewayConfig, type GatewayDeps, silentLogger } from "../../src/deps";
import { AuthError } from "../../src/errors";
import type {
  ClientPush,
  ScheduleRegistration,
  Scheduler,
  StartTaskRequest,
  TaskRunner,
  TokenVerifier,
} from "../../src/ports";

/** A clock tests move by hand. */
export class FakeClock {
  constructor(private current = new Date("2026-11-25T10:00:00.000Z")) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Records every push; connections listed in `gone` answer like API Gateway's GoneException (false). */
export class RecordingPush implements ClientPush {
  readonly sent: Array<{ connectionId: string; event: ServerEvent | GatewayToAgent }> = [];
  readonly gone = new Set<string>();
  readonly disconnected: string[] = [];

  async send(connectionId: string, event: ServerEvent | Record<string, unknown>): Promise<boolean> {
    if (this.gone.has(connectionId)) return false;
    this.sent.push({ connectionId, event: event as ServerEvent | GatewayToAgent });
    return true;
  }
  async disconnect(connectionId: string): Promise<void> {
    this.disconnected.push(connectionId);
  }
  to(connectionId: string): Array<ServerEvent | GatewayToAgent> {
    return this.sent.filter((s) => s.connectionId === connectionId).map((s) => s.event);
  }
  ofType<T extends string>(type: T) {
    return this.sent.filter((s) => s.event.type === type);
  }
}

/** A TaskRunner that records calls; `failNext` makes the next start throw. Starts can be held open. */
export class FakeTaskRunner implements TaskRunner {
  readonly starts: StartTaskRequest[] = [];
  readonly stops: Array<{ taskArn: string; reason: string }> = [];
  readonly runningArns = new Set<string>();
  failNext: Error | undefined;
  /** The capacity the next starts report (ECS: on-demand when Spot had no capacity). */
  capacity: "spot" | "on-demand" | undefined;
  private seq = 0;

  async start(request: StartTaskRequest): Promise<{ taskArn: string; capacity?: "spot" | "on-demand" }> {
    this.starts.push(request);
    await new Promise((resolve) => setTimeout(resolve, 1)); // RunTask takes a while: let racers interleave
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/cluster/task-${++this.seq}`;
    this.runningArns.add(taskArn);
    return this.capacity ? { taskArn, capacity: this.capacity } : { taskArn };
  }
  async stop(taskArn: string, reason: string): Promise<void> {
    this.stops.push({ taskArn, reason });
    this.runningArns.delete(taskArn);
  }
  async running(taskArns: readonly string[]): Promise<Set<string>> {
    return new Set(taskArns.filter((arn) => this.runningArns.has(arn)));
  }
}

/** Tokens of the form `valid:<userId>` pass; anything else is rejected like a bad JWT. */
export const fakeVerifier: TokenVerifier = {
  async verify(token: string) {
    // `valid:<user>` or `valid:<user>@<iat>` (epoch seconds the token was issued).
    const m = /^valid:([A-Za-z0-9_-]{1,128})(?:@(\d+))?$/.exec(token);
    if (!m?.[1]) throw new AuthError("TOKEN_INVALID", "the token could not be verified; sign in again");
    return { userId: m[1], username: m[1], ...(m[2] ? { issuedAt: Number(m[2]) } : {}) };
  },
};

export interface TestDeps extends GatewayDeps {
  clock: FakeClock;
  clientPush: RecordingPush;
  agentPush: RecordingPush;
  taskRunner: FakeTaskRunner;
}

export function makeDeps(
  overrides: {
    stores?: Stores;
    config?: Partial<GatewayConfig>;
    tokenVerifier?: TokenVerifier;
    clock?: FakeClock;
  } = {},
): TestDeps {
  const clock = overrides.clock ?? new FakeClock();
  const stores = overrides.stores ?? createMemoryStores({ clock });
  return {
    ...stores,
    taskRunner: new FakeTaskRunner(),
    clientPush: new RecordingPush(),
    agentPush: new RecordingPush(),
    tokenVerifier: overrides.tokenVerifier ?? fakeVerifier,
    clock,
    logger: silentLogger,
    config: {
      ...DEFAULT_GATEWAY_CONFIG,
      allowedOrigins: ["https://chat.example.com"],
      // The fake task runner's agents need no LLM (the check has its own tests).
      skipLlmSetupCheck: true,
      ...overrides.config,
    },
  };
}

/** A Scheduler (EventBridge Scheduler's port) that only records what it was asked. */
export class RecordingScheduler implements Scheduler {
  readonly calls: Array<{ op: string; registration?: ScheduleRegistration; scheduleId?: string }> = [];
  async create(registration: ScheduleRegistration) {
    this.calls.push({ op: "create", registration });
  }
  async update(registration: ScheduleRegistration) {
    this.calls.push({ op: "update", registration });
  }
  async delete(_userId: string, scheduleId: string) {
    this.calls.push({ op: "delete", scheduleId });
  }
}

/** Registers a browser connection for a user, as $connect would. */
export async function connectClient(deps: GatewayDeps, userId: string, connectionId = `c-${userId}`) {
  await deps.connections.put({
    connectionId,
    userId,
    kind: "client",
    connectedAt: deps.clock.now().toISOString(),
    expiresAt: Math.floor(deps.clock.now().getTime() / 1000) + 3600,
  });
  return connectionId;
}

/**
 * A user whose agent is Running, as the agent-scope tests need two of them: provider settings, their
 * own LLM key (`sk-<userId>`), one browser tab (`tab-<userId>`, connected at `at`) and the TaskState
 * row with the task's secret hash and ARN.
 */
export async function seedRunningAgent(
  stores: Stores,
  userId: string,
  task: { agentSecretHash: string; taskArn: string; at: string },
): Promise<void> {
  await stores.settings.put(userId, "settings", { provider: "anthropic" });
  await stores.secrets.put(`users/${userId}/llm-api-key`, `sk-${userId}`);
  await stores.connections.put({
    connectionId: `tab-${userId}`,
    userId,
    kind: "client",
    connectedAt: task.at,
    expiresAt: 4_000_000_000,
  });
  await stores.taskState.transition({
    userId,
    expectState: "Idle",
    set: { state: "Running", agentSecretHash: task.agentSecretHash, taskArn: task.taskArn },
  });
}

const WRITE_METHODS = new Set([
  "put",
  "delete",
  "transition",
  "enqueue",
  "upsertMeta",
  "touchMeta",
  "putTurn",
  "putIfAbsent",
  "take",
]);

/**
 * Wraps every store so any write call is recorded. Fuzz tests assert the list stays empty: a malformed
 * event must never change stored state (not even by rewriting a row with the same value).
 */
export function recordWrites<T extends object>(stores: T): { stores: T; writes: string[] } {
  const writes: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(stores).map(([name, store]) => [
      name,
      new Proxy(store as object, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (typeof prop === "string" && WRITE_METHODS.has(prop)) writes.push(`${name}.${prop}`);
            return value.apply(target, args);
          };
        },
      }),
    ]),
  ) as T;
  return { stores: wrapped, writes };
}
