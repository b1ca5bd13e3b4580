import { AGENT_USER_HEADER, KEYS } from "@serverless-openclaw/shared";
import * as z from "zod";
import { serveStoreRpc } from "../adapters/local/rpc-server";
import type { Stores } from "../adapters/stores";
import type { Logger } from "../deps";
import { errorSummary, GatewayError } from "../errors";
import type { BlobUrlSigner, ClientPush } from "../ports";
import { type BindAgentOptions, bindAgentTask, callerTaskId } from "../services/agent-binding";
import { type AgentScope, assertOwnBlobKey, scopeStores } from "../services/agent-scope";
import { bodyText, type HandlerResult, header } from "./events";
import { apiError, json, noContent } from "./http-response";

/** How long a blob URL handed to a task stays valid. */
export const BLOB_URL_SECONDS = 300;

export interface AgentApiDeps {
  /** The gateway's own stores (TaskState with usage recording); the task only ever sees them scoped. */
  stores: Stores;
  clientPush: ClientPush;
  blobUrls?: BlobUrlSigner;
  logger: Pick<Logger, "warn" | "error">;
  /** Only this role's sessions are agent tasks (the task role's name; unset in tests of other roles). */
  taskRoleName?: string;
  bind?: BindAgentOptions;
}

const AgentApiEventSchema = z.object({
  rawPath: z.string().max(2048),
  requestContext: z.object({
    http: z.object({ method: z.string().max(16) }),
    authorizer: z.object({ iam: z.object({ userArn: z.string().max(2048).nullish() }).nullish() }).nullish(),
  }),
  headers: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
});

const BlobUrlRequestSchema = z.strictObject({
  key: z.string().min(1).max(1024),
  method: z.enum(["GET", "PUT"]),
});

/**
 * After its own move to Idle a task still pushes that status to its user's tabs (the web page acts on
 * it, e.g. a restart after a settings change), but its row no longer names it. For this long the
 * gateway lets it do that (list its user's tabs, push), nothing else. The note is kept in the user's
 * Settings (with a TTL), so whichever Lambda instance serves the push sees it.
 */
const FINISHING_MS = 60_000;
const FINISHED_TASK_KEY = KEYS.settings.agentFinished;
const FinishedTaskSchema = z.object({ taskId: z.string(), until: z.number() });

const CONNECTION_PATH = /^\/connections\/([A-Za-z0-9_=+.-]{1,128})$/;

/**
 * The agent task's HTTP API on AWS (IAM-authorized, SigV4-signed by the task role): its store RPC,
 * its pushes to its user's browser tabs, and short-lived URLs for its own objects. Each request is
 * bound to a user by the caller's role session (the ECS task id) and that user's TaskState row, then
 * served exactly as local mode's `/_local/rpc` serves a task token: through scopeStores.
 */
export function createAgentApiHandler(deps: AgentApiDeps): (event: unknown) => Promise<HandlerResult> {
  const owners = new Map<string, string>();

  async function ownClientConnection(scope: AgentScope, connectionId: string): Promise<boolean> {
    let owner = owners.get(connectionId);
    if (owner === undefined) {
      const connection = await deps.stores.connections.get(connectionId);
      if (connection?.kind !== "client") return false;
      owner = connection.userId;
      // A connection id is never reused and its owner never changes: safe to remember.
      if (owners.size >= 10_000) owners.delete(owners.keys().next().value as string);
      owners.set(connectionId, owner);
    }
    return owner === scope.userId;
  }

  type Bound = { scope: AgentScope; taskId: string; finished: boolean };

  async function bind(event: z.infer<typeof AgentApiEventSchema>): Promise<Bound | undefined> {
    const taskId = callerTaskId(event.requestContext.authorizer?.iam?.userArn, deps.taskRoleName);
    const userId = header(event.headers, AGENT_USER_HEADER);
    if (!taskId || !userId || !/^[\w-]{1,128}$/.test(userId)) return undefined;
    const scope = await bindAgentTask(deps.stores.taskState, { userId, taskId }, deps.bind);
    if (scope) return { scope, taskId, finished: false };
    const done = FinishedTaskSchema.safeParse(await deps.stores.settings.get(userId, FINISHED_TASK_KEY));
    if (done.success && done.data.taskId === taskId && done.data.until > Date.now())
      return { scope: { userId }, taskId, finished: true };
    return undefined;
  }

  /** The scoped stores, noting the task's own move to Idle (see FINISHING_MS). */
  function storesFor({ scope, taskId }: Bound): Stores {
    const scoped = scopeStores(deps.stores, scope);
    return {
      ...scoped,
      taskState: {
        ...scoped.taskState,
        transition: async (change) => {
          const moved = await scoped.taskState.transition(change);
          if (moved && change.set.state === "Idle") {
            const until = Date.now() + FINISHING_MS;
            await deps.stores.settings.put(
              scope.userId,
              FINISHED_TASK_KEY,
              { taskId, until },
              { expiresAt: Math.ceil(until / 1000) + 60 },
            );
          }
          return moved;
        },
      },
    };
  }

  /** What a finished task may still do: find its user's tabs and push its last status. */
  function allowedFinished(path: string, body: string | undefined): boolean {
    if (CONNECTION_PATH.test(path)) return true;
    if (path !== "/rpc") return false;
    try {
      const call = JSON.parse(body ?? "") as { port?: unknown; method?: unknown };
      return call.port === "connections" && (call.method === "listByUser" || call.method === "get");
    } catch {
      return false;
    }
  }

  async function route(event: z.infer<typeof AgentApiEventSchema>, bound: Bound) {
    const { scope } = bound;
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    if (bound.finished && !allowedFinished(path, bodyText(event)))
      return apiError(403, "NOT_BOUND", "This task's run is over.");
    if (path === "/rpc" && method === "POST") {
      const { status, body } = await serveStoreRpc(storesFor(bound), bodyText(event) ?? "");
      return { statusCode: status, headers: { "content-type": "application/json" }, body };
    }
    if (path === "/blob-url" && method === "POST") {
      if (!deps.blobUrls) return apiError(501, "NOT_AVAILABLE", "This gateway signs no blob URLs.");
      let request: z.infer<typeof BlobUrlRequestSchema>;
      try {
        request = BlobUrlRequestSchema.parse(JSON.parse(bodyText(event) ?? ""));
      } catch {
        return apiError(400, "BAD_REQUEST", 'The body must be JSON {key, method: "GET" | "PUT"}.');
      }
      assertOwnBlobKey(scope.userId, request.key);
      const url = await deps.blobUrls.signedUrl(request.key, request.method, BLOB_URL_SECONDS);
      return json(200, { url, expiresInSeconds: BLOB_URL_SECONDS });
    }
    const connectionId = CONNECTION_PATH.exec(path)?.[1];
    if (connectionId && (method === "POST" || method === "DELETE")) {
      if (!(await ownClientConnection(scope, connectionId)))
        return apiError(403, "FORBIDDEN", "An agent task may only reach its own user's browser connections.");
      if (method === "DELETE") {
        await deps.clientPush.disconnect(connectionId);
        return noContent();
      }
      let payload: Record<string, unknown>;
      try {
        payload = z.record(z.string(), z.unknown()).parse(JSON.parse(bodyText(event) ?? ""));
      } catch {
        return apiError(400, "BAD_REQUEST", "The body must be a JSON object (the event to push).");
      }
      const sent = await deps.clientPush.send(connectionId, payload);
      return sent ? noContent() : apiError(410, "GONE", "The connection is gone.");
    }
    return apiError(404, "ROUTE_NOT_FOUND", `No agent route ${method} ${path}.`);
  }

  return async (rawEvent) => {
    const parsed = AgentApiEventSchema.safeParse(rawEvent);
    if (!parsed.success) return apiError(400, "BAD_REQUEST", "Not an API Gateway HTTP event.");
    const event = parsed.data;
    try {
      const bound = await bind(event);
      if (!bound) {
        deps.logger.warn("agent request refused: not bound to a running task", { path: event.rawPath });
        return apiError(403, "NOT_BOUND", "This caller is not the running agent task of that user.");
      }
      return await route(event, bound);
    } catch (error) {
      if (error instanceof GatewayError) return apiError(error.status, error.code, error.message);
      deps.logger.error("agent api failed", { path: event.rawPath, ...errorSummary(error) });
      return apiError(500, "INTERNAL", "The agent API failed; see the gateway logs.");
    }
  };
}
