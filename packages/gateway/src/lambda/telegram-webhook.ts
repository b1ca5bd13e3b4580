import { createTelegramWebhookHandler } from "../handlers/telegram-webhook";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(
  rt,
  createTelegramWebhookHandler({
    ...rt.deps,
    chat: rt.services.chat,
    lifecycle: rt.services.lifecycle,
    schedules: rt.services.schedules,
  }),
);
