import { LIMITS, safeParse } from "@serverless-openclaw/shared";
import type { z } from "zod";
import { AuthError, GatewayError } from "../errors";
import type { TokenVerifier, VerifiedUser } from "../ports";
import { bodyText, type HandlerResult, header, type ParsedHttpEvent } from "./events";
import type { RouteName } from "./http-router";

/** One matched, authenticated request of the management API, as a route sees it. */
export interface RouteRequest {
  params: Record<string, string>;
  event: ParsedHttpEvent;
  user: VerifiedUser;
}

export type RouteHandler = (request: RouteRequest) => Promise<HandlerResult>;

/** A group of routes (one file each: account-routes.ts, channel-routes.ts, …) by name. */
export type RouteTable<N extends RouteName> = Record<N, RouteHandler>;

/** A request-level failure that maps straight to a 4xx. */
export class RequestError extends GatewayError {}

/** The caller, from `Authorization: Bearer <id token>` (the same behind a JWT authorizer, without one, locally). */
export async function authenticate(event: ParsedHttpEvent, verifier: TokenVerifier): Promise<VerifiedUser> {
  const authorization = header(event.headers, "authorization");
  const token = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) {
    throw new AuthError(
      "TOKEN_MISSING",
      "sign in first: send the id token as 'Authorization: Bearer <token>'",
    );
  }
  return verifier.verify(token);
}

/** The JSON body parsed with `schema` (413 over the size limit; `emptyAs` stands in for no body). */
export function body<T>(event: ParsedHttpEvent, schema: z.ZodType<T>, emptyAs?: unknown): T {
  const text = bodyText(event);
  if (text === undefined || text.trim() === "") {
    if (emptyAs === undefined) throw new RequestError("BAD_REQUEST", "body must be a JSON object", 400);
    return check(schema, emptyAs);
  }
  if (Buffer.byteLength(text, "utf8") > LIMITS.maxBodyBytes) {
    throw new RequestError("PAYLOAD_TOO_LARGE", `body must be at most ${LIMITS.maxBodyBytes} bytes`, 413);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new RequestError("BAD_JSON", "body is not valid JSON", 400);
  }
  return check(schema, data);
}

/** `data` parsed with `schema`: a path parameter or query is a 400, a body that fails its schema a 422. */
export function check<T>(schema: z.ZodType<T>, data: unknown, status: 400 | 422 = 422): T {
  const parsed = safeParse(schema, data);
  if (!parsed.ok)
    throw new RequestError(status === 422 ? "VALIDATION_FAILED" : "BAD_REQUEST", parsed.message, status);
  return parsed.value;
}
