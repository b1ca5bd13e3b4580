import {
  ConversationIdSchema,
  CreateConversationSchema,
  HistoryQuerySchema,
  RenameConversationSchema,
  SettingsUpdateSchema,
  stripUndefined,
} from "@serverless-openclaw/shared";
import type { GatewayServices } from "../services";
import { body, check, type RouteRequest, type RouteTable } from "./http-request";
import { json, noContent } from "./http-response";

export type AccountRouteName =
  | "getSettings"
  | "putSettings"
  | "listConversations"
  | "createConversation"
  | "renameConversation"
  | "deleteConversation"
  | "getMessages"
  | "getAgent"
  | "stopAgent"
  | "closeSessions"
  | "getUsage";

const conversationId = ({ params }: RouteRequest) => check(ConversationIdSchema, params.conversationId, 400);

/** The user's own settings, conversations, agent, sessions and usage. */
export function accountRoutes(services: GatewayServices): RouteTable<AccountRouteName> {
  return {
    getSettings: async ({ user }) => json(200, await services.settings.get(user.userId)),
    putSettings: async ({ event, user }) => {
      const update = body(event, SettingsUpdateSchema);
      const saved = await services.settings.put(user.userId, update);
      await services.lifecycle.settingsSaved(user.userId, update, saved);
      return json(200, saved);
    },
    listConversations: async ({ user }) =>
      json(200, { conversations: await services.conversations.list(user.userId) }),
    createConversation: async ({ event, user }) => {
      const input = body(event, CreateConversationSchema, {});
      return json(201, await services.conversations.create(user.userId, stripUndefined(input)));
    },
    renameConversation: async (request) => {
      const id = conversationId(request);
      const { title } = body(request.event, RenameConversationSchema);
      return json(200, await services.conversations.rename(request.user.userId, id, title));
    },
    deleteConversation: async (request) => {
      await services.conversations.delete(request.user.userId, conversationId(request));
      return noContent();
    },
    getMessages: async (request) => {
      const id = conversationId(request);
      const query = check(HistoryQuerySchema, request.event.queryStringParameters ?? {}, 400);
      const page = await services.conversations.history(request.user.userId, id, {
        ...stripUndefined(query),
        mustExist: true,
      });
      return json(200, page);
    },
    getAgent: async ({ user }) => json(200, await services.lifecycle.status(user.userId)),
    stopAgent: async ({ user }) =>
      json(202, await services.lifecycle.stop(user.userId, "stopped by the user")),
    closeSessions: async ({ user }) =>
      json(200, { closed: await services.sessions.closeAll(user.userId, "signed out everywhere") }),
    getUsage: async ({ user }) => json(200, await services.usage.report(user.userId)),
  };
}
