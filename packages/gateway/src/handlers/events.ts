import type { APIGatewayProxyEventV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
// Namespace import: `import { z }` defeats tree-shaking and adds ~350 KB of zod to every Lambda bundle.
import * as z from "zod";

/**
 * The event shapes API Gateway sends, and the minimal schemas the handlers parse them with. Handlers
 * face the internet (and local mode's server), so they check the fields they use instead of trusting
 * the declared type.
 */

/** A WebSocket event; `$connect` also carries the query string and headers. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  queryStringParameters?: Record<string, string | undefined> | null;
  headers?: Record<string, string | undefined> | null;
};

export type HttpEvent = APIGatewayProxyEventV2;

export interface HandlerResult {
  statusCode: number;
  body?: string;
  headers?: Record<string, string>;
}

const StringMap = z.record(z.string(), z.string().optional()).nullish();

export const WebSocketEventSchema = z.object({
  requestContext: z.object({
    routeKey: z.string(),
    // API Gateway connection ids are short base64 tokens; anything else is not from API Gateway.
    connectionId: z.string().regex(/^[A-Za-z0-9_=+/.-]{1,128}$/),
  }),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
  queryStringParameters: StringMap,
  headers: StringMap,
});
export type ParsedWebSocketEvent = z.infer<typeof WebSocketEventSchema>;

export const HttpEventSchema = z.object({
  rawPath: z.string().max(2048),
  rawQueryString: z.string().optional(),
  requestContext: z.object({
    http: z.object({ method: z.string().max(16) }),
    stage: z.string().optional(),
    requestId: z.string().optional(),
  }),
  headers: StringMap,
  queryStringParameters: StringMap,
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
});
export type ParsedHttpEvent = z.infer<typeof HttpEventSchema>;

/** The body as text, decoding API Gateway's base64 form. */
export function bodyText(event: { body?: string | null; isBase64Encoded?: boolean }): string | undefined {
  if (event.body == null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

/** Header lookup ignoring case (HTTP API v2 lowercases, other sources may not). */
export function header(headers: Record<string, string | undefined> | null | undefined, name: string) {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
