import type { GatewayDeps } from "../deps";
import { ChatService } from "./chat";
import { ConversationService } from "./conversations";
import { LifecycleService } from "./lifecycle";
import { ScheduleService } from "./schedules";
import { SessionsService } from "./sessions";
import { SettingsService } from "./settings";
import { UsageService } from "./usage";
import { WatchdogService } from "./watchdog";

export interface GatewayServices {
  lifecycle: LifecycleService;
  chat: ChatService;
  conversations: ConversationService;
  settings: SettingsService;
  watchdog: WatchdogService;
  usage: UsageService;
  schedules: ScheduleService;
  sessions: SessionsService;
}

/** Wires the services over one set of dependencies (once per cold start on AWS). */
export function createServices(deps: GatewayDeps): GatewayServices {
  const usage = new UsageService(deps);
  const settings = new SettingsService(deps);
  const llmSetup = deps.config.skipLlmSetupCheck
    ? undefined
    : (userId: string) => settings.llmProblem(userId);
  const lifecycle = new LifecycleService(deps, usage, llmSetup);
  const chat = new ChatService(deps, lifecycle, llmSetup);
  return {
    lifecycle,
    chat,
    conversations: new ConversationService(deps),
    settings,
    watchdog: new WatchdogService(deps, lifecycle),
    usage,
    schedules: new ScheduleService(deps, chat, lifecycle),
    sessions: new SessionsService(deps),
  };
}

export {
  ChatService,
  ConversationService,
  LifecycleService,
  ScheduleService,
  SessionsService,
  SettingsService,
  UsageService,
  WatchdogService,
};
