import {
  type ChatChannel,
  ChatChannelParamSchema,
  ExternalUserIdParamSchema,
} from "@serverless-openclaw/shared";
import { channelEnabled, channelPairing } from "../channels/registry";
import { CHANNEL_SPECS } from "../channels/spec";
import type { GatewayDeps } from "../deps";
import { ConflictError } from "../errors";
import { check, type RouteRequest, type RouteTable } from "./http-request";
import { json, noContent } from "./http-response";

export type ChannelRouteName =
  | "createChannelPairingCode"
  | "listChannelPairings"
  | "deleteChannelPairing"
  | "listChannelNotices"
  | "dismissChannelNotice";

/** Pairing a chat app's account (Telegram, Discord, Slack) with the web account: `/channels/{channel}/…`. */
export function channelRoutes(deps: GatewayDeps): RouteTable<ChannelRouteName> {
  const channelOf = ({ params }: RouteRequest): ChatChannel =>
    check(ChatChannelParamSchema, params.channel, 400);
  const pairingOf = (request: RouteRequest) =>
    channelPairing({ ...deps, telegramBotUsername: deps.config.telegramBotUsername }, channelOf(request));
  const externalUserId = ({ params }: RouteRequest) =>
    check(ExternalUserIdParamSchema, params.externalUserId, 400);
  /** A change to one paired account of the caller's (channel checked first, then the account id). */
  const onPairedAccount =
    (
      change: (
        service: ReturnType<typeof pairingOf>,
        userId: string,
        externalUserId: string,
      ) => Promise<void>,
    ) =>
    async (request: RouteRequest) => {
      const service = pairingOf(request);
      await change(service, request.user.userId, externalUserId(request));
      return noContent();
    };
  return {
    createChannelPairingCode: async (request) => {
      const channel = channelOf(request);
      if (!channelEnabled(deps.config, channel)) {
        throw new ConflictError(
          "CHANNEL_DISABLED",
          `${CHANNEL_SPECS[channel].label} is not set up in this deployment; see docs/${channel}.md to turn it on`,
        );
      }
      // How the bot names this web account when the code is redeemed ("Paired with alice@example.com").
      const label = request.user.email ?? request.user.username;
      return json(201, await pairingOf(request).createCode(request.user.userId, label));
    },
    listChannelPairings: async (request) =>
      json(200, { pairings: await pairingOf(request).list(request.user.userId) }),
    deleteChannelPairing: onPairedAccount((service, userId, id) => service.unpair(userId, id)),
    listChannelNotices: async (request) =>
      json(200, { notices: await pairingOf(request).notices(request.user.userId) }),
    dismissChannelNotice: onPairedAccount((service, userId, id) => service.dismissNotice(userId, id)),
  };
}
