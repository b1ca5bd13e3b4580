/**
 * Registers the Discord app's slash commands: /ask and every channel command (/new, /status, /stop,
 * /schedule, /schedules, /pair, /unpair, /help).
 *
 *   npx tsx scripts/discord-register-commands.ts [--secret-prefix /serverless-openclaw]
 *   DISCORD_APPLICATION_ID=… DISCORD_BOT_TOKEN=… npx tsx scripts/discord-register-commands.ts --env
 *
 * Without --env it reads `discord/application-id` and `discord/bot-token` under the prefix from SSM,
 * with the usual AWS credentials and region (AWS_PROFILE, AWS_REGION). Run it once after creating the
 * app, and again when commands change. See docs/discord.md.
 */
import { parseArgs } from "node:util";
import { SSMClient } from "@aws-sdk/client-ssm";
import { SsmSecretStore } from "@serverless-openclaw/gateway/aws";
import { registerDiscordCommands } from "@serverless-openclaw/gateway/channels";

const { values } = parseArgs({
  options: {
    env: { type: "boolean", default: false },
    "secret-prefix": { type: "string", default: process.env.SECRET_PREFIX ?? "/serverless-openclaw" },
    help: { type: "boolean", default: false },
  },
});

async function main(): Promise<void> {
  if (values.help) {
    console.log("usage: discord-register-commands [--secret-prefix /serverless-openclaw] | --env");
    return;
  }
  const names = await registerDiscordCommands(
    values.env
      ? {
          ...(process.env.DISCORD_APPLICATION_ID
            ? { applicationId: process.env.DISCORD_APPLICATION_ID }
            : {}),
          ...(process.env.DISCORD_BOT_TOKEN ? { botToken: process.env.DISCORD_BOT_TOKEN } : {}),
          ...(process.env.DISCORD_API_BASE_URL ? { baseUrl: process.env.DISCORD_API_BASE_URL } : {}),
        }
      : { secrets: new SsmSecretStore(new SSMClient({}), values["secret-prefix"]) },
  );
  console.log(
    `Registered ${names.map((n) => `/${n}`).join(" ")} (global commands may take a few minutes to appear).`,
  );
}

main().catch((error: unknown) => {
  console.error(`discord-register-commands: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
