// What the agent task (packages/container) may load of the core, and no more: the ports it calls,
// the store RPC client, the chat relay's port, the skill archive reader and the chat apps' message
// limits. No AWS data client and no bot client is reachable from here: the task is hostile ground
// (docs/security.md) and its bundle's every module costs boot time.

export { createRpcStores, type RpcStoresOptions } from "./adapters/local/rpc-client";
export { createStores, type Stores, type StoresPlan } from "./adapters/stores";
export { DISCORD_MAX_CHARS, DiscordRest } from "./channels/discord-api";
export { ChannelApiError } from "./channels/http-json";
export { escapeSlackText, SLACK_MAX_CHARS, slackEscapedWidth } from "./channels/slack-api";
export type * from "./ports";
export { ChatRelayError, type ChatRelayPort } from "./services/chat-relay-port";
export { readSkillArchive, type SkillArchive } from "./skills/skill-archive";
