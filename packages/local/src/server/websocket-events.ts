import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { newExtendedRequestId, newRequestId, requestTime } from "./aws-ids";
import { sourceIp } from "./http-util";

/**
 * The events API Gateway sends to a WebSocket API's Lambda integration (payload as observed on AWS):
 * `$connect` carries the upgrade request's headers and query string, `$default` the message body,
 * `$disconnect` the close code and reason.
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  requestContext: APIGatewayProxyWebsocketEventV2["requestContext"] & {
    identity: { sourceIp: string; userAgent?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
};

/** What every event of one connection shares, captured at upgrade time. */
export interface ConnectionContext {
  connectionId: string;
  connectedAt: number;
  apiId: string;
  stage: string;
  domainName: string;
  sourceIp: string;
  userAgent?: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  query: URLSearchParams;
}

export function connectionContext(
  req: IncomingMessage,
  connectionId: string,
  api: { apiId: string; stage: string; domainName: string },
): ConnectionContext {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // API Gateway keeps the header names' original casing on WebSocket events.
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  return {
    connectionId,
    connectedAt: Date.now(),
    ...api,
    sourceIp: sourceIp(req),
    userAgent: req.headers["user-agent"],
    headers,
    multiValueHeaders,
    query: url.searchParams,
  };
}

function baseContext(
  ctx: ConnectionContext,
  routeKey: string,
  eventType: "CONNECT" | "MESSAGE" | "DISCONNECT",
) {
  const now = new Date();
  return {
    routeKey,
    eventType,
    extendedRequestId: newExtendedRequestId(),
    requestTime: requestTime(now),
    messageDirection: "IN" as const,
    stage: ctx.stage,
    connectedAt: ctx.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: ctx.sourceIp, ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}) },
    requestId: newRequestId(),
    domainName: ctx.domainName,
    connectionId: ctx.connectionId,
    apiId: ctx.apiId,
  };
}

function queryParameters(query: URLSearchParams) {
  if ([...query.keys()].length === 0) return {};
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of query) {
    single[key] = value; // API Gateway keeps the last value in the single-value map
    multi[key] = [...(multi[key] ?? []), value];
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

// API Gateway sends no messageId on $connect and $disconnect; the type declares it for every event.
const withoutMessageId = <T extends object>(context: T) => context as T & { messageId: string };

export function connectEvent(ctx: ConnectionContext): WebSocketEvent {
  return {
    headers: ctx.headers,
    multiValueHeaders: ctx.multiValueHeaders,
    ...queryParameters(ctx.query),
    requestContext: withoutMessageId(baseContext(ctx, "$connect", "CONNECT")),
    isBase64Encoded: false,
  };
}

export function messageEvent(ctx: ConnectionContext, data: Buffer, isBinary: boolean): WebSocketEvent {
  return {
    requestContext: { ...baseContext(ctx, "$default", "MESSAGE"), messageId: newExtendedRequestId() },
    body: isBinary ? data.toString("base64") : data.toString("utf8"),
    isBase64Encoded: isBinary,
  };
}

export function disconnectEvent(ctx: ConnectionContext, code: number, reason: string): WebSocketEvent {
  const host = ctx.headers.Host ?? ctx.headers.host ?? ctx.domainName;
  return {
    headers: { Host: host, "X-Forwarded-For": ctx.sourceIp },
    multiValueHeaders: { Host: [host], "X-Forwarded-For": [ctx.sourceIp] },
    requestContext: withoutMessageId({
      ...baseContext(ctx, "$disconnect", "DISCONNECT"),
      disconnectStatusCode: code,
      disconnectReason: reason,
    }),
    isBase64Encoded: false,
  };
}
