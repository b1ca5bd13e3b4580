import type { GatewayConfig } from "@serverless-openclaw/gateway";
import type { ChatChannels } from "../channels/chat-channels";
import type { LocalEnv } from "../support/local-env";

/** What the gateway's handlers are told in local mode: the server's origins and the chat channels set in env. */
export function localGatewayConfig(options: {
  serverUrl: string;
  port: number;
  env: LocalEnv;
  chatChannels: ChatChannels;
}): GatewayConfig {
  const { env } = options;
  return {
    allowedOrigins: [options.serverUrl, `http://localhost:${options.port}`],
    typicalWakeSeconds: 20,
    localMode: true,
    telegramEnabled: Boolean(env.TELEGRAM_BOT_TOKEN),
    ...options.chatChannels,
    ...(env.SLACK_API_BASE_URL ? { slackApiBaseUrl: env.SLACK_API_BASE_URL } : {}),
    // The chat relay sends the agents' replies: a self-hosted (or test) Bot API or Discord API given
    // to local mode is where they go.
    ...(env.TELEGRAM_API_ROOT ? { telegramApiRoot: env.TELEGRAM_API_ROOT } : {}),
    ...(env.DISCORD_API_BASE_URL ? { discordApiBaseUrl: env.DISCORD_API_BASE_URL } : {}),
  };
}
