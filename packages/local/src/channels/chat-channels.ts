import {
  createDiscordInteractionsHandler,
  createSlackEventsHandler,
  type GatewayDeps,
  type GatewayServices,
} from "@serverless-openclaw/gateway";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import type { HttpApiHandler } from "../server/http-api";
import type { LocalEnv } from "../support/local-env";

/**
 * Which of Discord and Slack local mode serves: each is on when its verification secret is set.
 * DISCORD_CHANNEL_IDS (comma-separated) lists the server channels where /ask is answered; DMs always.
 */
export interface ChatChannels {
  discordEnabled: boolean;
  slackEnabled: boolean;
  discordChannelIds?: string[];
}

export function chatChannelsFromEnv(env: LocalEnv): ChatChannels {
  const channelIds = env.DISCORD_CHANNEL_IDS ?? [];
  return {
    discordEnabled: Boolean(env.DISCORD_PUBLIC_KEY),
    slackEnabled: Boolean(env.SLACK_SIGNING_SECRET),
    ...(channelIds.length > 0 ? { discordChannelIds: channelIds } : {}),
  };
}

/** For the web app's `/config.json`: which pairing sections Settings shows. */
export function chatChannelsConfig({ discordEnabled, slackEnabled }: ChatChannels): {
  chatChannels?: Array<"discord" | "slack">;
} {
  const list: Array<"discord" | "slack"> = [
    ...(discordEnabled ? (["discord"] as const) : []),
    ...(slackEnabled ? (["slack"] as const) : []),
  ];
  return list.length > 0 ? { chatChannels: list } : {};
}

/**
 * Discord and Slack in local mode: the same handlers as the Lambdas, served by the local server at
 * `/api/discord/interactions`, `/api/slack/events` and `/api/slack/commands`, so a tunnel (cloudflared,
 * ngrok) to the local port is all Discord or Slack needs. The secrets go into the local SecretStore,
 * where the gateway's chat relay reads the bot tokens to send the agents' replies, as on AWS (the agent
 * tasks never see them).
 */
export async function startChatChannels(input: {
  deps: GatewayDeps;
  services: GatewayServices;
  env: LocalEnv;
  redact: (...secrets: Array<string | undefined>) => void;
}): Promise<{ discordInteractions?: HttpApiHandler; slackEvents?: HttpApiHandler }> {
  const { deps, services, env } = input;
  const common = { ...deps, chat: services.chat, lifecycle: services.lifecycle };
  const handlers: { discordInteractions?: HttpApiHandler; slackEvents?: HttpApiHandler } = {};
  input.redact(env.DISCORD_BOT_TOKEN, env.SLACK_SIGNING_SECRET, env.SLACK_BOT_TOKEN);
  if (env.DISCORD_PUBLIC_KEY) {
    await deps.secrets.put(SECRET_NAMES.discordPublicKey, env.DISCORD_PUBLIC_KEY);
    if (env.DISCORD_BOT_TOKEN) await deps.secrets.put(SECRET_NAMES.discordBotToken, env.DISCORD_BOT_TOKEN);
    if (env.DISCORD_APPLICATION_ID)
      await deps.secrets.put(SECRET_NAMES.discordApplicationId, env.DISCORD_APPLICATION_ID);
    const handler = createDiscordInteractionsHandler(common);
    handlers.discordInteractions = (event) => handler(event);
  }
  if (env.SLACK_SIGNING_SECRET) {
    await deps.secrets.put(SECRET_NAMES.slackSigningSecret, env.SLACK_SIGNING_SECRET);
    if (env.SLACK_BOT_TOKEN) await deps.secrets.put(SECRET_NAMES.slackBotToken, env.SLACK_BOT_TOKEN);
    const handler = createSlackEventsHandler({
      ...common,
      ...(env.SLACK_API_BASE_URL ? { apiBaseUrl: env.SLACK_API_BASE_URL } : {}),
    });
    handlers.slackEvents = (event) => handler(event);
  }
  return handlers;
}
