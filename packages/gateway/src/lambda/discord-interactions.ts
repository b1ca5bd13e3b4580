import { createDiscordInteractionsHandler } from "../handlers/discord-interactions";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(
  rt,
  createDiscordInteractionsHandler({ ...rt.deps, chat: rt.services.chat, lifecycle: rt.services.lifecycle }),
);
