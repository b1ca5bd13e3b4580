// Setting up the chat apps outside a Lambda: Telegram by long polling (local mode) and its webhook
// (scripts, the deploy-time custom resource), Discord's slash commands (a script).
export { type RegisterDiscordCommandsInput, registerDiscordCommands } from "./channels/discord-commands";
export { TelegramBotApi } from "./channels/telegram-api";
export { loadTelegramBot, once, type TelegramBotLoaderDeps } from "./channels/telegram-bot-loader";
export {
  type ProcessUpdateDeps,
  processTelegramUpdate,
  type TelegramUpdate,
  type UpdateOutcome,
} from "./channels/telegram-update";
export {
  deleteTelegramWebhook,
  ensureTelegramWebhook,
  type RegisterWebhookInput,
  registerTelegramWebhook,
} from "./channels/telegram-webhook-registration";
