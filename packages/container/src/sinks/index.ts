// The reply sinks other packages drive (the gateway's channel tests): one entry point for all of them.
export { DiscordReplySink, type DiscordSinkDeps } from "./discord";
export { SlackReplySink, type SlackSinkDeps } from "./slack";
export { TelegramReplySink, type TelegramSinkDeps } from "./telegram";
export {
  escapeHtml,
  fenceStateAfter,
  markdownToTelegramHtml,
  splitForTelegram,
  TELEGRAM_MAX_CHARS,
} from "./telegram-format";
