import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  API_ROUTES,
  LIMITS,
  PUBLIC_ROUTES,
  type PublicRouteName,
  type WebRuntimeConfig,
} from "@serverless-openclaw/shared";
import { LocalSetupError } from "../support/errors";
import type { LocalLogger } from "../support/local-logger";
import {
  type CompiledRoute,
  compileRoutes,
  type HttpApiHandler,
  httpEvent,
  matchRoute,
  writeHttpResult,
} from "./http-api";
import { BodyTooLargeError, isLoopbackHost, readBody, sendJson } from "./http-util";
import { type LambdaHandler, lambdaContext } from "./lambda-context";
import { handleManagement, isManagementPath, type ManagementAuthorizer } from "./management-endpoint";
import { RequestGuard } from "./request-guard";
import { serveStatic } from "./static-files";
import { WebSocketApi } from "./websocket-api";
import type { WebSocketEvent } from "./websocket-events";

/** The Lambda handlers behind the local API Gateway; attached after start, when the URL is known. */
export interface ApiGatewayHandlers {
  clientSocket: LambdaHandler<WebSocketEvent>;
  agentSocket: LambdaHandler<WebSocketEvent>;
  httpApi: HttpApiHandler;
  telegramWebhook?: HttpApiHandler;
  discordInteractions?: HttpApiHandler;
  slackEvents?: HttpApiHandler;
  /**
   * Whether a request's `Authorization` header carries a valid token (the gateway's TokenVerifier). When
   * set, a JWT route's body is read only after this passes: an unauthenticated caller cannot make the
   * server buffer a body.
   */
  authenticate?: (authorization: string | undefined) => Promise<boolean>;
}

/** A non-API route of the local server (`/cognito/`, `/_local/rpc`): gets the raw request and body. */
export interface LocalRoute {
  prefix: string;
  maxBodyBytes: number;
  /** Checked before the body is read: a refused request gets 401 and its body is never buffered. */
  authorize?(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void>;
}

export interface ApiGatewayServerOptions {
  /** Default 127.0.0.1. Anything but loopback needs `allowNonLoopback` (an explicit `--host`). */
  host?: string;
  /** 0 = a free port. */
  port?: number;
  allowNonLoopback?: boolean;
  logger: LocalLogger;
  handlers?: ApiGatewayHandlers;
  localRoutes?: LocalRoute[];
  /** The built web UI (packages/web/dist). */
  staticDir?: string;
  /** The body of `/config.json`, from the running server's URLs. */
  runtimeConfig?: (urls: { httpUrl: string; wsUrl: string }) => WebRuntimeConfig;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
  /**
   * When set, `@connections` calls must carry a token in the `x-local-token` header (the agent task
   * does): either this fixed token, or one the function accepts for that connection (local mode: an
   * agent's own token, for its own user's browser connections only).
   */
  managementToken?: string | ManagementAuthorizer;
}

export interface ApiGatewayServer {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`: also the Management API endpoint of both WebSocket APIs. */
  readonly url: string;
  /** Client WebSocket API (`ws://…/ws`). */
  readonly wsUrl: string;
  /** Agent WebSocket API (`ws://…/agent`). */
  readonly agentWsUrl: string;
  readonly client: WebSocketApi;
  readonly agent: WebSocketApi;
  setHandlers(handlers: ApiGatewayHandlers): void;
  close(): Promise<void>;
}

/**
 * Body limits of the HTTP API. The gateway parses at most LIMITS.maxBodyBytes of JSON, so no JSON route
 * needs more than a few times that here (the gateway still answers a slightly larger body in its own
 * error shape); only PUT /skills/{name} carries a blob (a zip up to LIMITS.skillZipMaxBytes, base64).
 */
const MAX_JSON_BODY_BYTES = 4 * LIMITS.maxBodyBytes;
const MAX_SKILL_BODY_BYTES = 2 * LIMITS.skillZipMaxBytes;
const SKILL_TOO_LARGE = {
  error: {
    code: "SKILL_TOO_LARGE",
    message: `a skill may be at most ${LIMITS.skillZipMaxBytes} bytes zipped`,
  },
};
const PAYLOAD_TOO_LARGE = {
  error: { code: "PAYLOAD_TOO_LARGE", message: `body must be at most ${LIMITS.maxBodyBytes} bytes` },
};
const ROUTES = compileRoutes(API_ROUTES);
const DEFAULT_ROUTE: CompiledRoute = {
  routeKey: "$default",
  method: "ANY",
  pattern: /^/,
  params: [],
  literal: false,
  target: "$default",
};

export class HostNotAllowedError extends LocalSetupError {
  readonly code = "HOST_NOT_LOOPBACK";
}

/**
 * One node:http server that plays API Gateway for local mode: the client WebSocket API at `/ws`, the
 * agent WebSocket API at `/agent`, the Management API at `/@connections/{id}`, the HTTP API at `/api/*`,
 * plus the static web UI, `/config.json` and the local-only routes.
 */
export async function startApiGatewayServer(options: ApiGatewayServerOptions): Promise<ApiGatewayServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && !options.allowNonLoopback) {
    throw new HostNotAllowedError(
      `refusing to listen on ${host}: local mode binds to loopback unless --host is given explicitly`,
    );
  }
  const { logger } = options;
  const guard = new RequestGuard(host);
  let handlers = options.handlers;
  let domainName = "127.0.0.1";
  const apiOptions = {
    stage: "local",
    domainName: () => domainName,
    logger,
    idleTimeoutMs: options.idleTimeoutMs,
    maxConnectionMs: options.maxConnectionMs,
  };
  const client = new WebSocketApi({
    ...apiOptions,
    name: "client",
    apiId: "localclient",
    handler: () => handlers?.clientSocket,
  });
  const agent = new WebSocketApi({
    ...apiOptions,
    name: "agent",
    apiId: "localagent",
    handler: () => handlers?.agentSocket,
  });

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const rawPath = url.pathname.slice("/api".length) || "/";
    // As deployed: a request no route matches reaches the management Lambda through the $default
    // route, which answers it in the API's error shape (ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED).
    const matched = matchRoute(ROUTES, req.method ?? "GET", rawPath) ?? {
      route: DEFAULT_ROUTE,
      pathParameters: {},
    };
    const handler = publicHandler(matched.route.target, handlers) ?? handlers?.httpApi;
    if (!handler) {
      sendJson(res, 404, { error: { code: "ROUTE_NOT_FOUND", message: "no such API route" } });
      return;
    }
    const jwtRoute = !publicHandler(matched.route.target, handlers);
    if (jwtRoute && hasBody(req) && handlers?.authenticate) {
      if (!(await handlers.authenticate(req.headers.authorization))) {
        // The gateway answers the 401 in its own shape; the body stays unread, so the socket closes.
        res.setHeader("connection", "close");
        return invoke(req, res, url, rawPath, matched, handler, Buffer.alloc(0));
      }
    }
    const skill = matched.route.target === "putSkill";
    let body: Buffer;
    try {
      body = await readBody(req, skill ? MAX_SKILL_BODY_BYTES : MAX_JSON_BODY_BYTES);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      // What the gateway answers a body over its own limit (docs/skills.md), not a bare server error.
      sendJson(res, 413, skill ? SKILL_TOO_LARGE : PAYLOAD_TOO_LARGE, { connection: "close" });
      return;
    }
    return invoke(req, res, url, rawPath, matched, handler, body);
  };

  const invoke = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    rawPath: string,
    matched: NonNullable<ReturnType<typeof matchRoute>>,
    handler: HttpApiHandler,
    body: Buffer,
  ): Promise<void> => {
    const event = httpEvent({
      req,
      body,
      rawPath,
      rawQueryString: url.search.slice(1),
      routeKey: matched.route.routeKey,
      pathParameters: matched.pathParameters,
      apiId: "localhttp",
      domainName,
    });
    try {
      writeHttpResult(res, await handler(event, lambdaContext(matched.route.target)));
    } catch (err) {
      logger.error(`[http api] ${matched.route.routeKey} handler failed`, err);
      sendJson(res, 500, { message: "Internal Server Error" });
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refusal = guard.refusal(req);
    if (refusal) {
      sendJson(
        res,
        403,
        { message: refusal },
        { connection: "close", "x-amzn-errortype": "ForbiddenException" },
      );
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (isManagementPath(path))
      return handleManagement(req, res, path, [client, agent], options.managementToken);
    if (path === "/api" || path.startsWith("/api/")) return handleApi(req, res, url);
    const local = options.localRoutes?.find((r) => path === r.prefix || path.startsWith(r.prefix));
    if (local) {
      if (local.authorize && !local.authorize(req)) {
        sendJson(
          res,
          401,
          { error: { code: "UNAUTHORIZED", message: "a valid token is needed before the body is read" } },
          { connection: "close" },
        );
        return;
      }
      return local.handle(req, await readBody(req, local.maxBodyBytes), res);
    }
    if (path === "/config.json") {
      // From the Host the browser used, so the UI works at localhost, 127.0.0.1 or a LAN address alike.
      const origin = req.headers.host ?? domainName;
      const config =
        options.runtimeConfig?.({ httpUrl: `http://${origin}`, wsUrl: `ws://${origin}/ws` }) ?? {};
      sendJson(res, 200, config, { "cache-control": "no-store" });
      return;
    }
    if (options.staticDir) return serveStatic(options.staticDir, req, res);
    sendJson(res, 404, { message: "Not Found" });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        if (!res.headersSent) sendJson(res, 413, { message: err.message }, { connection: "close" });
        return;
      }
      logger.error(`[server] ${req.method} ${req.url?.split("?")[0]} failed`, err);
      if (!res.headersSent) sendJson(res, 500, { message: "Internal Server Error" });
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    // A page on another site may open a WebSocket to 127.0.0.1: only this server's own pages may.
    if (guard.refusal(req)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/ws") client.handleUpgrade(req, socket, head);
    else if (path === "/agent") agent.handleUpgrade(req, socket, head);
    else socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = host.includes(":") ? `[${host}]` : host;
  domainName = `${hostForUrl}:${port}`;
  const httpUrl = `http://${hostForUrl}:${port}`;

  return {
    host,
    port,
    url: httpUrl,
    wsUrl: `ws://${hostForUrl}:${port}/ws`,
    agentWsUrl: `ws://${hostForUrl}:${port}/agent`,
    client,
    agent,
    setHandlers(next) {
      handlers = next;
    },
    async close() {
      await Promise.all([client.close(), agent.close()]);
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of SDK clients would otherwise hold close() open.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
    },
  };
}

/** Whether the request has a body to read (a length, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = Number(req.headers["content-length"] ?? 0);
  return length > 0 || req.headers["transfer-encoding"] !== undefined;
}

/**
 * The handler of a route served by its own Lambda on AWS (shared PUBLIC_ROUTES). A public route whose
 * channel is off answers 404, as on AWS where the route is not deployed; undefined for JWT routes.
 */
function publicHandler(target: string | undefined, handlers: ApiGatewayHandlers | undefined) {
  if (!target || !(target in PUBLIC_ROUTES)) return undefined;
  const lambda = PUBLIC_ROUTES[target as PublicRouteName];
  const byLambda: Record<string, HttpApiHandler | undefined> = {
    "telegram-webhook": handlers?.telegramWebhook,
    "discord-interactions": handlers?.discordInteractions,
    "slack-events": handlers?.slackEvents,
  };
  return byLambda[lambda] ?? NOT_DEPLOYED;
}

const NOT_DEPLOYED: HttpApiHandler = async () => ({
  statusCode: 404,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: "Not Found" }),
});
