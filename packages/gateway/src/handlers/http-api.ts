import {
  type ChatChannel,
  ChatChannelParamSchema,
  ConversationIdSchema,
  CreateConversationSchema,
  CreateScheduleSchema,
  ExternalUserIdParamSchema,
  HistoryQuerySchema,
  LIMITS,
  RenameConversationSchema,
  ScheduleIdSchema,
  SettingsUpdateSchema,
  safeParse,
  stripUndefined,
  UpdateScheduleSchema,
} from "@serverless-openclaw/shared";
import type { z } from "zod";
import { channelEnabled, channelPairing } from "../channels/registry";
import { CHANNEL_SPECS } from "../channels/spec";
import type { GatewayDeps } from "../deps";
import { AuthError, ConflictError, errorSummary, GatewayError } from "../errors";
import type { VerifiedUser } from "../ports";
import { createServices, type GatewayServices } from "../services";
import { SkillsService } from "../services/skills";
import {
  bodyText,
  type HandlerResult,
  type HttpEvent,
  HttpEventSchema,
  header,
  type ParsedHttpEvent,
} from "./events";
import { apiError, corsHeaders, json, noContent } from "./http-response";
import { matchRoute, type RouteName } from "./http-router";
import { createSkillRoutes } from "./skill-routes";

export type HttpApiHandler = (event: HttpEvent) => Promise<HandlerResult>;

/** A request-level failure that maps straight to a 4xx. */
class RequestError extends GatewayError {}

/**
 * The management HTTP API (routes in shared/src/api.ts). It verifies `Authorization: Bearer <id token>`
 * itself, so it behaves the same behind an API Gateway JWT authorizer, without one, and in local mode.
 * Every parameter, query and body is parsed with the shared schemas before any service runs.
 */
export function createHttpApiHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
): HttpApiHandler {
  const { logger } = deps;
  const pairingOf = (channel: ChatChannel) =>
    channelPairing({ ...deps, telegramBotUsername: deps.config.telegramBotUsername }, channel);
  const skillRoutes = createSkillRoutes(new SkillsService(deps));

  async function authenticate(event: ParsedHttpEvent): Promise<VerifiedUser> {
    const authorization = header(event.headers, "authorization");
    const token = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) {
      throw new AuthError(
        "TOKEN_MISSING",
        "sign in first: send the id token as 'Authorization: Bearer <token>'",
      );
    }
    return deps.tokenVerifier.verify(token);
  }

  function body<T>(event: ParsedHttpEvent, schema: z.ZodType<T>, emptyAs?: unknown): T {
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

  function check<T>(schema: z.ZodType<T>, data: unknown, status: 400 | 422 = 422): T {
    const parsed = safeParse(schema, data);
    if (!parsed.ok)
      throw new RequestError(status === 422 ? "VALIDATION_FAILED" : "BAD_REQUEST", parsed.message, status);
    return parsed.value;
  }

  async function route(
    name: RouteName,
    params: Record<string, string>,
    event: ParsedHttpEvent,
    user: VerifiedUser,
  ): Promise<HandlerResult> {
    const { userId } = user;
    // How the bot names this web account when a code is redeemed ("Paired with alice@example.com").
    const label = user.email ?? user.username;
    const conversationId = () => check(ConversationIdSchema, params.conversationId, 400);
    switch (name) {
      case "getSettings":
        return json(200, await services.settings.get(userId));
      case "putSettings": {
        const update = body(event, SettingsUpdateSchema);
        const saved = await services.settings.put(userId, update);
        await services.lifecycle.settingsSaved(userId, update, saved);
        return json(200, saved);
      }
      case "listConversations":
        return json(200, { conversations: await services.conversations.list(userId) });
      case "createConversation": {
        const input = body(event, CreateConversationSchema, {});
        return json(201, await services.conversations.create(userId, stripUndefined(input)));
      }
      case "renameConversation": {
        const id = conversationId();
        const { title } = body(event, RenameConversationSchema);
        return json(200, await services.conversations.rename(userId, id, title));
      }
      case "deleteConversation":
        await services.conversations.delete(userId, conversationId());
        return noContent();
      case "getMessages": {
        const id = conversationId();
        const query = check(HistoryQuerySchema, event.queryStringParameters ?? {}, 400);
        const page = await services.conversations.history(userId, id, {
          ...stripUndefined(query),
          mustExist: true,
        });
        return json(200, page);
      }
      case "getAgent":
        return json(200, await services.lifecycle.status(userId));
      case "stopAgent":
        return json(202, await services.lifecycle.stop(userId, "stopped by the user"));
      case "closeSessions":
        return json(200, { closed: await services.sessions.closeAll(userId, "signed out everywhere") });
      case "listSkills":
      case "putSkill":
      case "patchSkill":
      case "deleteSkill":
        return skillRoutes(name, params, event, userId);
      case "createChannelPairingCode": {
        const channel = check(ChatChannelParamSchema, params.channel, 400);
        if (!channelEnabled(deps.config, channel)) {
          throw new ConflictError(
            "CHANNEL_DISABLED",
            `${CHANNEL_SPECS[channel].label} is not set up in this deployment; see docs/${channel}.md to turn it on`,
          );
        }
        return json(201, await pairingOf(channel).createCode(userId, label));
      }
      case "listChannelPairings": {
        const channel = check(ChatChannelParamSchema, params.channel, 400);
        const service = pairingOf(channel);
        return json(200, { pairings: await service.list(userId) });
      }
      case "deleteChannelPairing": {
        const channel = check(ChatChannelParamSchema, params.channel, 400);
        const externalUserId = check(ExternalUserIdParamSchema, params.externalUserId, 400);
        const service = pairingOf(channel);
        await service.unpair(userId, externalUserId);
        return noContent();
      }
      case "listChannelNotices": {
        const channel = check(ChatChannelParamSchema, params.channel, 400);
        const service = pairingOf(channel);
        return json(200, { notices: await service.notices(userId) });
      }
      case "dismissChannelNotice": {
        const channel = check(ChatChannelParamSchema, params.channel, 400);
        const externalUserId = check(ExternalUserIdParamSchema, params.externalUserId, 400);
        const service = pairingOf(channel);
        await service.dismissNotice(userId, externalUserId);
        return noContent();
      }
      case "listSchedules":
        return json(200, { schedules: await services.schedules.list(userId) });
      case "createSchedule":
        return json(201, await services.schedules.create(userId, body(event, CreateScheduleSchema)));
      case "updateSchedule": {
        const id = check(ScheduleIdSchema, params.scheduleId, 400);
        return json(200, await services.schedules.update(userId, id, body(event, UpdateScheduleSchema)));
      }
      case "deleteSchedule":
        await services.schedules.delete(userId, check(ScheduleIdSchema, params.scheduleId, 400));
        return noContent();
      case "getUsage":
        return json(200, await services.usage.report(userId));
    }
  }

  async function handle(event: ParsedHttpEvent): Promise<HandlerResult> {
    const method = event.requestContext.http.method.toUpperCase();
    const match = matchRoute(method === "OPTIONS" ? "GET" : method, stripStage(event));
    if (match.kind === "not-found") return apiError(404, "ROUTE_NOT_FOUND", "no such API route");
    if (method === "OPTIONS") return noContent(); // CORS preflight; headers are added by the caller
    if (match.kind === "method-not-allowed") {
      const result = apiError(405, "METHOD_NOT_ALLOWED", `use ${match.allow.join(" or ")} on this route`);
      return { ...result, headers: { ...result.headers, allow: match.allow.join(", ") } };
    }
    const user = await authenticate(event);
    const started = Date.now();
    const result = await route(match.name, match.params, event, user);
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
