import type { HttpEvent, WebSocketEvent } from "../../src/handlers";

/** API Gateway-shaped events, as AWS (and local mode) send them. */
export function wsEvent(
  routeKey: string,
  connectionId: string,
  extra: { body?: string; query?: Record<string, string>; isBase64Encoded?: boolean } = {},
): WebSocketEvent {
  const eventType =
    routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE";
  return {
    requestContext: {
      routeKey,
      eventType,
      connectionId,
      messageId: "msg-1",
      extendedRequestId: "ext-1",
      requestTime: "25/Nov/2026:10:00:00 +0000",
      messageDirection: "IN",
      stage: "prod",
      connectedAt: 1_764_064_800_000,
      requestTimeEpoch: 1_764_064_800_000,
      requestId: "req-1",
      domainName: "abc.execute-api.us-east-1.amazonaws.com",
      apiId: "abc",
    },
    isBase64Encoded: extra.isBase64Encoded ?? false,
    ...(extra.body !== undefined ? { body: extra.body } : {}),
    ...(extra.query ? { queryStringParameters: extra.query } : {}),
  } as WebSocketEvent;
}

export function httpEvent(
  method: string,
  path: string,
  opts: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    stage?: string;
  } = {},
): HttpEvent {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers,
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "req-1",
      routeKey: "$default",
      stage: opts.stage ?? "$default",
      time: "25/Nov/2026:10:00:00 +0000",
      timeEpoch: 1_764_064_800_000,
    },
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
  } as HttpEvent;
}
