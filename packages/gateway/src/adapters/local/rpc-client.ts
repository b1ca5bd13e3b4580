import type { z } from "zod";
import type { TaskStateChange } from "../../ports";
import { StoreError } from "../store-error";
import type { Stores } from "../stores";
import {
  RPC_METHODS,
  RpcErrorBodySchema,
  type RpcMethod,
  type RpcPort,
  RpcResultBodySchema,
  toBase64,
} from "./rpc-protocol";

type Result<P extends RpcPort, M extends RpcMethod<P>> = (typeof RPC_METHODS)[P][M] extends {
  result: infer R extends z.ZodType;
}
  ? z.output<R>
  : never;

export interface RpcStoresOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Stores that live in another process (the gateway), reached through the store RPC. Used by the agent
 * task: in local mode with its token (LOCAL_STORE_URL, LOCAL_STORE_TOKEN); on AWS with no token and a
 * SigV4-signing `fetch` (the agent API's `/rpc`, AGENT_API_URL).
 */
export function createRpcStores(
  url: string,
  token: string | undefined,
  options: RpcStoresOptions = {},
): Stores {
  const doFetch = options.fetch ?? fetch;

  async function call<P extends RpcPort, M extends RpcMethod<P>>(
    port: P,
    method: M,
    args: unknown[],
  ): Promise<Result<P, M>> {
    const spec = RPC_METHODS[port][method] as { result: z.ZodType; bytesArg?: number };
    const sent = [...args];
    while (sent.length > 0 && sent.at(-1) === undefined) sent.pop();
    if (spec.bytesArg !== undefined && sent[spec.bytesArg] instanceof Uint8Array) {
      sent[spec.bytesArg] = toBase64(sent[spec.bytesArg] as Uint8Array);
    }
    let response: Response;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          "content-type": "application/json",
        },
        body: JSON.stringify({ port, method, args: sent }),
      });
    } catch (err) {
      throw new StoreError(
        "STORE_UNREACHABLE",
        `Cannot reach the store at ${url}: ${(err as Error).message}. Is the gateway (local server) running?`,
        { cause: err },
      );
    }
    const body: unknown = await response.json().catch(() => undefined);
    const error = RpcErrorBodySchema.safeParse(body);
    if (error.success) throw new StoreError(error.data.error.code, error.data.error.message);
    const ok = RpcResultBodySchema.safeParse(body);
    const result = ok.success && response.ok ? spec.result.safeParse(ok.data.result) : undefined;
    if (!result?.success) {
      throw new StoreError(
        "STORE_FAILED",
        `The local store answered ${port}.${method} with an unexpected response (HTTP ${response.status}).`,
      );
    }
    return result.data as Result<P, M>;
  }

  return {
    connections: {
      put: (connection) => call("connections", "put", [connection]),
      get: (connectionId) => call("connections", "get", [connectionId]),
      delete: (connectionId) => call("connections", "delete", [connectionId]),
      listByUser: (userId, kind) => call("connections", "listByUser", [userId, kind]),
    },
    taskState: {
      get: (userId) => call("taskState", "get", [userId]),
      transition: (change: TaskStateChange) => call("taskState", "transition", [change]),
      listActive: () => call("taskState", "listActive", []),
    },
    pending: {
      enqueue: (message) => call("pending", "enqueue", [message]),
      list: (userId, limit) => call("pending", "list", [userId, limit]),
      delete: (userId, id) => call("pending", "delete", [userId, id]),
    },
    conversations: {
      putTurn: (userId, user, reply) => call("conversations", "putTurn", [userId, user, reply]),
      findReply: (userId, conversationId, clientMessageId) =>
        call("conversations", "findReply", [userId, conversationId, clientMessageId]),
      page: (userId, conversationId, opts) => call("conversations", "page", [userId, conversationId, opts]),
      upsertMeta: (userId, meta) => call("conversations", "upsertMeta", [userId, meta]),
      touchMeta: (userId, input) => call("conversations", "touchMeta", [userId, input]),
      getMeta: (userId, conversationId) => call("conversations", "getMeta", [userId, conversationId]),
      listMeta: (userId) => call("conversations", "listMeta", [userId]),
      delete: (userId, conversationId) => call("conversations", "delete", [userId, conversationId]),
    },
    settings: {
      get: async <T>(userId: string, settingKey: string) =>
        (await call("settings", "get", [userId, settingKey])) as T | undefined,
      put: (userId, settingKey, value, opts) => call("settings", "put", [userId, settingKey, value, opts]),
      putIfAbsent: (userId, settingKey, value, opts) =>
        call("settings", "putIfAbsent", [userId, settingKey, value, opts]),
      take: async <T>(userId: string, settingKey: string) =>
        (await call("settings", "take", [userId, settingKey])) as T | undefined,
      delete: (userId, settingKey) => call("settings", "delete", [userId, settingKey]),
      list: async <T>(userId: string, prefix: string) =>
        (await call("settings", "list", [userId, prefix])) as Array<{ settingKey: string; value: T }>,
    },
    blobs: {
      put: (key, body) => call("blobs", "put", [key, body]),
      get: (key) => call("blobs", "get", [key]),
      delete: (key) => call("blobs", "delete", [key]),
      list: (prefix) => call("blobs", "list", [prefix]),
    },
    secrets: {
      get: (name) => call("secrets", "get", [name]),
      put: (name, value) => call("secrets", "put", [name, value]),
      delete: (name) => call("secrets", "delete", [name]),
    },
  };
}
