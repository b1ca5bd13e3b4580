import type { GatewayDeps } from "../deps";
import { ChatService } from "./chat";
import { ConversationService } from "./conversations";
import { LifecycleService } from "./lifecycle";
import { ScheduleService } from "./schedules";
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
}

/** Wires the services over one set of dependencies (once per cold start on AWS). */
export function createServices(deps: GatewayDeps): GatewayServices {
  const usage = new UsageService(deps);
  const lifecycle = new LifecycleService(deps, usage);
  const chat = new ChatService(deps, lifecycle);
  return {
    lifecycle,
    chat,
    conversations: new ConversationService(deps),
    settings: new SettingsService(deps),
    watchdog: new WatchdogService(deps, lifecycle),
    usage,
    schedules: new ScheduleService(deps, chat, lifecycle),
  };
}

export {
  ChatService,
  ConversationService,
  LifecycleService,
  ScheduleService,
  SettingsService,
  UsageService,
  WatchdogService,
};
