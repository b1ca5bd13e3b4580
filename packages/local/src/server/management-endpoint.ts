import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, sendJson } from "./http-util";
import { WEBSOCKET_LIMITS, type WebSocketApi } from "./websocket-api";

/** `/@connections/{id}`, optionally behind a stage prefix (`/dev/@connections/…`) as the SDK sends it. */
const PATH = /^(?:\/[^/]+)*\/@connections\/([^/]+)$/;

export function isManagementPath(pathname: string): boolean {
  return PATH.test(pathname);
}

/**
 * The header that carries the management token. On AWS these calls are SigV4-signed with the caller's
 * IAM role; locally the agent task and tests present the token the server was started with instead.
 */
export const MANAGEMENT_TOKEN_HEADER = "x-local-token";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Decides whether a presented token may call the Management API for one connection. */
export type ManagementAuthorizer = (token: string, connectionId: string) => boolean | Promise<boolean>;

function tokenMatches(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== "string") return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

function forbidden(res: ServerResponse): void {
  sendJson(res, 403, { message: "Forbidden" }, { "x-amzn-errortype": "ForbiddenException" });
}

function gone(res: ServerResponse, connectionId: string): void {
  sendJson(
    res,
    410,
    { message: `Connection ${connectionId} is gone` },
    { "x-amzn-errortype": "GoneException" },
  );
}

/**
 * The API Gateway Management API for both WebSocket APIs: PostToConnection (POST, raw body),
 * GetConnection (GET), DeleteConnection (DELETE). Unknown ids get 410 GoneException, as on AWS,
 * which the real @aws-sdk/client-apigatewaymanagementapi turns into `GoneException`.
 */
export async function handleManagement(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  apis: readonly WebSocketApi[],
  token?: string | ManagementAuthorizer,
): Promise<void> {
  // Only server-side callers (the SDK, the agent task) use this API; none sends an Origin. A request
  // with one comes from a web page, which must never push into, or close, someone's connections.
  if (req.headers.origin !== undefined) return forbidden(res);
  const match = PATH.exec(pathname);
  const connectionId = decodeURIComponent(match?.[1] ?? "");
  // Nor may another program on this machine, which could otherwise write into a user's chat, nor an
  // agent into another user's tabs.
  const presented = req.headers[MANAGEMENT_TOKEN_HEADER];
  if (typeof token === "string" && !tokenMatches(presented, token)) return forbidden(res);
  if (
    typeof token === "function" &&
    (typeof presented !== "string" || !(await token(presented, connectionId)))
  )
    return forbidden(res);
  const api = apis.find((a) => a.has(connectionId));
  switch (req.method) {
    case "POST": {
      let body: Buffer;
      try {
        body = await readBody(req, WEBSOCKET_LIMITS.maxMessageBytes);
      } catch (err) {
        if (!(err instanceof BodyTooLargeError)) throw err;
        sendJson(
          res,
          413,
          { message: "Message too long" },
          { "x-amzn-errortype": "PayloadTooLargeException" },
        );
        return;
      }
      if (!api?.post(connectionId, body)) return gone(res, connectionId);
      res.writeHead(200, { "content-length": 0 }).end();
      return;
    }
    case "GET": {
      const info = api?.info(connectionId);
      if (!info) return gone(res, connectionId);
      sendJson(res, 200, info);
      return;
    }
    case "DELETE": {
      if (!api?.disconnect(connectionId)) return gone(res, connectionId);
      res.writeHead(204).end();
      return;
    }
    default:
      sendJson(res, 405, { message: "Method not allowed" });
  }
}
