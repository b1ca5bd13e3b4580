import type { GatewayDeps } from "../deps";
import { AuthError, errorSummary, GatewayError } from "../errors";
import { createServices, type GatewayServices } from "../services";
import { SkillsService } from "../services/skills";
import { accountRoutes } from "./account-routes";
import { channelRoutes } from "./channel-routes";
import { type HandlerResult, type HttpEvent, HttpEventSchema, type ParsedHttpEvent } from "./events";
import { authenticate, type RouteHandler } from "./http-request";
import { apiError, corsHeaders, noContent } from "./http-response";
import { matchRoute, type RouteName } from "./http-router";
import { scheduleRoutes } from "./schedule-routes";
import { createSkillRoutes, type SkillRouteName } from "./skill-routes";

export type HttpApiHandler = (event: HttpEvent) => Promise<HandlerResult>;

/**
 * The management HTTP API (routes in shared/src/api.ts). It verifies `Authorization: Bearer <id token>`
 * itself, so it behaves the same behind an API Gateway JWT authorizer, without one, and in local mode.
 * Every parameter, query and body is parsed with the shared schemas before any service runs. This file
 * is the request's way through (match, authenticate, dispatch, log, CORS, errors); the routes live by
 * concern in account-, channel-, schedule- and skill-routes.ts.
 */
export function createHttpApiHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
): HttpApiHandler {
  const { logger } = deps;
  const skills = createSkillRoutes(new SkillsService(deps));
  const skill =
    (name: SkillRouteName): RouteHandler =>
    ({ params, event, user }) =>
      skills(name, params, event, user.userId);
  // `satisfies`: a route of shared/src/api.ts that no group serves fails the type check.
  const routes = {
    ...accountRoutes(services),
    ...channelRoutes(deps),
    ...scheduleRoutes(services),
    listSkills: skill("listSkills"),
    putSkill: skill("putSkill"),
    patchSkill: skill("patchSkill"),
    deleteSkill: skill("deleteSkill"),
  } satisfies Record<RouteName, RouteHandler>;

  async function handle(event: ParsedHttpEvent): Promise<HandlerResult> {
    const method = event.requestContext.http.method.toUpperCase();
    const match = matchRoute(method === "OPTIONS" ? "GET" : method, stripStage(event));
    if (match.kind === "not-found") return apiError(404, "ROUTE_NOT_FOUND", "no such API route");
    if (method === "OPTIONS") return noContent(); // CORS preflight; headers are added by the caller
    if (match.kind === "method-not-allowed") {
      const result = apiError(405, "METHOD_NOT_ALLOWED", `use ${match.allow.join(" or ")} on this route`);
      return { ...result, headers: { ...result.headers, allow: match.allow.join(", ") } };
    }
    const user = await authenticate(event, deps.tokenVerifier);
    const started = Date.now();
    const result = await routes[match.name]({ params: match.params, event, user });
    logger.info("api request", {
      route: match.name,
      userId: user.userId,
      status: result.statusCode,
      ms: Date.now() - started,
    });
    return result;
  }

  return async (rawEvent) => {
    const parsed = HttpEventSchema.safeParse(rawEvent);
    if (!parsed.success) return apiError(400, "BAD_REQUEST", "not an HTTP API request");
    const event = parsed.data;
    const cors = corsHeaders(deps.config, event.headers);
    let result: HandlerResult;
    try {
      result = await handle(event);
    } catch (error) {
      result = toErrorResult(error);
      if (result.statusCode >= 500) {
        logger.error("api request failed", { path: event.rawPath, ...errorSummary(error) });
      } else if (error instanceof AuthError) {
        result.headers = { ...result.headers, "www-authenticate": `Bearer error="invalid_token"` };
      }
    }
    return { ...result, headers: { ...result.headers, ...cors } };
  };
}

function toErrorResult(error: unknown): HandlerResult {
  if (error instanceof GatewayError) return apiError(error.status, error.code, error.message);
  return apiError(500, "INTERNAL", "Something went wrong on our side; try again in a moment.");
}

/** With a named (non-$default) stage, rawPath starts with `/<stage>`. */
function stripStage(event: ParsedHttpEvent): string {
  const stage = event.requestContext.stage;
  if (stage && stage !== "$default" && event.rawPath.startsWith(`/${stage}/`)) {
    return event.rawPath.slice(stage.length + 1);
  }
  return event.rawPath;
}
