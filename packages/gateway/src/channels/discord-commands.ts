import { SECRET_NAMES } from "@serverless-openclaw/shared";
import type { SecretStore } from "../ports";
import { CHANNEL_COMMANDS } from "./commands";
import { discordCommandDefinitions } from "./discord";
import { DiscordRest } from "./discord-api";

export interface RegisterDiscordCommandsInput {
  /** Where the application id and bot token are read when not given (SSM on AWS, files locally). */
  secrets?: SecretStore;
  applicationId?: string;
  botToken?: string;
  /** Env DISCORD_API_BASE_URL (tests). */
  baseUrl?: string;
}

/**
 * Registers the app's global slash commands (/ask plus every channel command) with one bulk PUT,
 * which replaces what was registered before, so running it again is harmless. Global commands can
 * take a few minutes to show up in Discord clients.
 */
export async function registerDiscordCommands(input: RegisterDiscordCommandsInput): Promise<string[]> {
  const applicationId = input.applicationId ?? (await input.secrets?.get(SECRET_NAMES.discordApplicationId));
  const botToken = input.botToken ?? (await input.secrets?.get(SECRET_NAMES.discordBotToken));
  if (!applicationId || !botToken) {
    throw new Error(
      `the Discord application id and bot token are needed (secrets ${SECRET_NAMES.discordApplicationId} and ` +
        `${SECRET_NAMES.discordBotToken}, or DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN); see docs/discord.md`,
    );
  }
  const rest = new DiscordRest({ botToken, ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}) });
  const commands = discordCommandDefinitions({ commands: CHANNEL_COMMANDS });
  await rest.putGlobalCommands(applicationId, commands);
  return commands.map((c) => c.name);
}
