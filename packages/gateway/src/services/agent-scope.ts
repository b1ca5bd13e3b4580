import { INTERRUPTED_ERROR, SECRET_NAMES, type TaskState } from "@serverless-openclaw/shared";
import type { Stores } from "../adapters/stores";
import { expectedStates } from "../adapters/task-state-change";
import { ForbiddenError } from "../errors";
import type { TaskStateChange } from "../ports";

/**
 * Who an agent task is, as the gateway established it (a per-start token locally; the task's IAM
 * identity bound to its TaskState row on AWS). Never taken from what the task says about itself.
 */
export interface AgentScope {
  userId: string;
  /** SHA-256 of the start's agent secret: TaskState writes only while the row still belongs to this start. */
  agentSecretHash?: string;
}

/** Fields the task clears on its way to Idle (TaskStateReporter.idle). */
const IDLE_FIELDS = new Set([
  "state",
  "lastError",
  "taskArn",
  "agentConnectionId",
  "agentSecretHash",
  "heartbeatAt",
  "runningAt",
  "startedAt",
  "step",
  "stepAt",
]);

function deny(what: string): never {
  throw new ForbiddenError(`An agent task may not ${what}.`);
}

/**
 * Refuses a blob key (or listing prefix) outside `users/<userId>/`, or with an empty, `.` or `..`
 * segment. Also the check before the gateway signs a blob URL for a task (handlers/agent-api.ts).
 */
export function assertOwnBlobKey(userId: string, key: string): void {
  const prefix = `users/${userId}/`;
  if (!key.startsWith(prefix) || key.split("/").some((s) => s === "" || s === "." || s === ".."))
    deny(`touch objects outside ${prefix}`);
}

/**
 * Whether `change` is one of the moves the lifecycle lets a task make on its own row: a start-up step
 * while Starting, a heartbeat while Running, Running/Starting → Stopping, Stopping → Idle (clearing the
 * run, optionally saying it was interrupted). Everything else (Idle → Starting, Running by itself, a
 * new secret or task ARN, a made-up error) is the gateway's.
 */
export function isAgentTransition(change: TaskStateChange): boolean {
  const expect = expectedStates(change);
  const keys = Object.keys(change.set);
  const set = change.set as Record<string, unknown>;
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  const expectOnly = (...states: string[]) => expect.every((s) => states.includes(s));
  if (set.state === undefined) {
    if (expectOnly("Starting") && only("step", "stepAt")) return true;
    if (expectOnly("Running") && only("heartbeatAt")) return true;
    return false;
  }
  if (set.state === "Stopping")
    return expectOnly("Running", "Starting") && only("state", "step", "stepAt") && set.step == null;
  if (set.state === "Idle") {
    if (!expectOnly("Stopping") || !keys.every((k) => IDLE_FIELDS.has(k))) return false;
    if (keys.some((k) => k !== "state" && k !== "lastError" && set[k] !== null)) return false;
    const lastError = set.lastError as { code?: unknown } | null | undefined;
    return lastError == null || lastError.code === INTERRUPTED_ERROR.code;
  }
  return false;
}

/**
 * The stores as one agent task may use them: only its own user's rows, objects and LLM key; no writes
 * to settings (usage, pairings, budget), no other user's TaskState, its own only through the moves of
 * isAgentTransition. The gateway serves the task through this (the store RPC: `/_local/rpc` locally,
 * the IAM-authorized agent HTTP API on AWS), so a task whose OpenClaw was prompt-injected can reach
 * nothing of anyone else's, whatever it sends.
 */
export function scopeStores(stores: Stores, scope: AgentScope): Stores {
  const { userId } = scope;
  const own = (id: string, what: string) => {
    if (id !== userId) deny(`${what} of another user`);
  };
  const ownKey = (key: string) => assertOwnBlobKey(userId, key);
  const ownConnection = async (connectionId: string) => {
    const row = await stores.connections.get(connectionId);
    return row?.userId === userId ? row : undefined;
  };
  const isMine = (row: TaskState) =>
    scope.agentSecretHash === undefined || row.agentSecretHash === scope.agentSecretHash;

  return {
    connections: {
      put: async () => deny("register connections"),
      get: (connectionId) => ownConnection(connectionId),
      // A gone tab of its own user is removed; anyone else's is left alone (and nothing is revealed).
      delete: async (connectionId) => {
        if (await ownConnection(connectionId)) await stores.connections.delete(connectionId);
      },
      listByUser: async (id, kind) => {
        own(id, "list the connections");
        return stores.connections.listByUser(id, kind);
      },
    },
    taskState: {
      get: async (id) => {
        own(id, "read the agent state");
        return stores.taskState.get(id);
      },
      transition: async (change) => {
        own(change.userId, "change the agent state");
        if (!isAgentTransition(change)) deny("make this agent state change");
        const row = await stores.taskState.get(userId);
        // A task replaced by a newer start must not move the newer one's row.
        if (!isMine(row)) return undefined;
        if (change.expectVersion !== undefined && change.expectVersion !== row.version) return undefined;
        return stores.taskState.transition({ ...change, expectVersion: row.version });
      },
      listActive: async () => deny("list other agents"),
    },
    pending: {
      enqueue: async () => deny("queue messages"),
      list: async (id, limit) => {
        own(id, "read the messages");
        return stores.pending.list(id, limit);
      },
      delete: async (id, pendingId) => {
        own(id, "delete the messages");
        await stores.pending.delete(id, pendingId);
      },
    },
    conversations: {
      putTurn: async (id, user, reply) => {
        own(id, "write the history");
        return stores.conversations.putTurn(id, user, reply);
      },
      findReply: async (id, conversationId, clientMessageId) => {
        own(id, "read the history");
        return stores.conversations.findReply(id, conversationId, clientMessageId);
      },
      page: async (id, conversationId, opts) => {
        own(id, "read the history");
        return stores.conversations.page(id, conversationId, opts);
      },
      getMeta: async (id, conversationId) => {
        own(id, "read the history");
        return stores.conversations.getMeta(id, conversationId);
      },
      listMeta: async (id) => {
        own(id, "read the history");
        return stores.conversations.listMeta(id);
      },
      upsertMeta: async () => deny("rename conversations"),
      touchMeta: async () => deny("change conversation metadata"),
      delete: async () => deny("delete conversations"),
    },
    settings: {
      get: async (id, key) => {
        own(id, "read the settings");
        return stores.settings.get(id, key);
      },
      list: async (id, keyPrefix) => {
        own(id, "read the settings");
        return stores.settings.list(id, keyPrefix);
      },
      // Settings, pairings, usage and budget are written by the gateway only.
      put: async () => deny("write settings, pairings or usage"),
      putIfAbsent: async () => deny("write settings, pairings or usage"),
      take: async () => deny("write settings, pairings or usage"),
      delete: async () => deny("write settings, pairings or usage"),
    },
    blobs: {
      get: async (key) => {
        ownKey(key);
        return stores.blobs.get(key);
      },
      put: async (key, body) => {
        ownKey(key);
        await stores.blobs.put(key, body);
      },
      delete: async (key) => {
        ownKey(key);
        await stores.blobs.delete(key);
      },
      list: async (keyPrefix) => {
        ownKey(keyPrefix.endsWith("/") ? `${keyPrefix}x` : keyPrefix);
        return stores.blobs.list(keyPrefix);
      },
    },
    secrets: {
      get: async (name) => {
        // Bot tokens included: the task's chat replies go through the gateway's relay (chat-relay.ts).
        if (name !== SECRET_NAMES.llmApiKey(userId)) deny("read this secret");
        return stores.secrets.get(name);
      },
      put: async () => deny("write secrets"),
      delete: async () => deny("delete secrets"),
    },
  };
}
