import { createSlackEventsHandler } from "../handlers/slack-events";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(
  rt,
  createSlackEventsHandler({
    ...rt.deps,
    chat: rt.services.chat,
    lifecycle: rt.services.lifecycle,
    ...(rt.deps.config.slackApiBaseUrl ? { apiBaseUrl: rt.deps.config.slackApiBaseUrl } : {}),
  }),
);
