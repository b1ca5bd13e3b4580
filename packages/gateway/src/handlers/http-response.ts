import type { GatewayConfig } from "../deps";
import { type HandlerResult, header } from "./events";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function json(statusCode: number, body: unknown): HandlerResult {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export function noContent(): HandlerResult {
  return { statusCode: 204, headers: { "cache-control": "no-store" } };
}

/** Every error leaves as `{ error: { code, message } }`; nothing else (no stack, no internals). */
export function apiError(statusCode: number, code: string, message: string): HandlerResult {
  return json(statusCode, { error: { code, message } });
}

/** CORS headers for the SPA's origin(s); none for other origins (the browser then blocks the response). */
export function corsHeaders(
  config: GatewayConfig,
  requestHeaders: Record<string, string | undefined> | null | undefined,
): Record<string, string> {
  const origin = header(requestHeaders, "origin");
  if (!origin) return {};
  const allowAny = config.allowedOrigins.includes("*");
  if (!allowAny && !config.allowedOrigins.includes(origin)) return {};
  return {
    "access-control-allow-origin": allowAny ? "*" : origin,
    "access-control-allow-headers": "authorization, content-type",
    "access-control-allow-methods": "GET, PUT, POST, PATCH, DELETE, OPTIONS",
    "access-control-max-age": "600",
    vary: "origin",
  };
}
