export { createAgentSocketHandler } from "./agent-socket";
export { type CognitoTriggerHandler, createCognitoTriggerHandler } from "./cognito-trigger";
export { createDiscordInteractionsHandler, type DiscordInteractionsDeps } from "./discord-interactions";
export type { HandlerResult, HttpEvent, WebSocketEvent } from "./events";
export { createHttpApiHandler, type HttpApiHandler } from "./http-api";
export { createScheduleFireHandler, type ScheduleFireHandler } from "./schedule-fire";
export { createSlackEventsHandler, type SlackEventsDeps } from "./slack-events";
export { createWatchdogHandler, type WatchdogHandler } from "./watchdog";
export { createWebSocketHandler, type WebSocketHandler } from "./web-socket";
