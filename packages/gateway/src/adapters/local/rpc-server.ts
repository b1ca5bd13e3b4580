import { createHash, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { GatewayError } from "../../errors";
import { type AgentScope, scopeStores } from "../../services/agent-scope";
import type { Stores } from "../stores";
import { RpcRequestSchema, rpcSpec, toBase64 } from "./rpc-protocol";

export interface RpcResponse {
  status: number;
  /** JSON: `{result}` or `{error:{code,message}}`. */
  body: string;
}

export type StoreRpcHandler = (authorization: string | undefined, bodyJson: string) => Promise<RpcResponse>;

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

const reply = (status: number, payload: unknown): RpcResponse => ({ status, body: JSON.stringify(payload) });
const fail = (status: number, code: string, message: string) => reply(status, { error: { code, message } });

/**
 * Who a bearer token belongs to: an agent task (its calls are confined to its user by scopeStores), or
 * undefined for a token nobody issued.
 */
export type RpcTokenResolver = (token: string) => AgentScope | undefined;

/**
 * The server side of the store RPC (mounted by the local server at `POST /_local/rpc`). It resolves the
 * bearer token, then calls only allow-listed port methods with parsed arguments. Local mode gives each
 * agent task a token of its own, resolved to that task's user, and serves it the stores through
 * scopeStores. A fixed string token (test harnesses only) opens every method for every user.
 */
export function createStoreRpcHandler(stores: Stores, auth: string | RpcTokenResolver): StoreRpcHandler {
  if (typeof auth === "string" && auth.length < 16)
    throw new Error("The store RPC token must be at least 16 characters long.");
  const expected = typeof auth === "string" ? digest(auth) : undefined;
  const resolve = (presented: string): Stores | undefined => {
    // Comparing fixed-length digests keeps the comparison constant-time whatever the presented length.
    if (expected) return timingSafeEqual(digest(presented), expected) ? stores : undefined;
    const scope = presented ? (auth as RpcTokenResolver)(presented) : undefined;
    return scope ? scopeStores(stores, scope) : undefined;
  };

  return async (authorization, bodyJson) => {
    const presented = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "";
    const callerStores = resolve(presented);
    if (!callerStores) {
      return fail(401, "UNAUTHORIZED", "The store RPC needs `Authorization: Bearer <LOCAL_STORE_TOKEN>`.");
    }

    return serveStoreRpc(callerStores, bodyJson);
  };
}

/**
 * One store RPC call for a caller already identified: `callerStores` are the stores as that caller may
 * use them (scopeStores for an agent task). Shared by local mode's `/_local/rpc` and the AWS agent API
 * (handlers/agent-api.ts), so both deployments run the same parsing, allow list and scoping.
 */
export async function serveStoreRpc(callerStores: Stores, bodyJson: string): Promise<RpcResponse> {
  let request: z.infer<typeof RpcRequestSchema>;
  try {
    request = RpcRequestSchema.parse(JSON.parse(bodyJson));
  } catch {
    return fail(400, "BAD_REQUEST", "The body must be JSON {port, method, args[]}.");
  }
  const spec = rpcSpec(request.port, request.method);
  if (!spec)
    return fail(404, "UNKNOWN_METHOD", `There is no store method ${request.port}.${request.method}.`);
  const args = spec.args.safeParse(request.args);
  if (!args.success) {
    return fail(400, "INVALID_ARGUMENT", `${request.port}.${request.method}: ${z.prettifyError(args.error)}`);
  }

  const target = callerStores[request.port as keyof Stores] as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  try {
    const result = await target[request.method]?.apply(target, args.data);
    const encoded = spec.bytesResult && result instanceof Uint8Array ? toBase64(result) : result;
    return reply(200, { result: encoded });
  } catch (err) {
    if (err instanceof GatewayError) return fail(err.status, err.code, err.message);
    const message = err instanceof Error ? err.message : String(err);
    return fail(500, "STORE_FAILED", `${request.port}.${request.method} failed: ${message}`);
  }
}
