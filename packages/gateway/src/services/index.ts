import type { GatewayDeps } from "../deps";
import { ChatService } from "./chat";
import { ConversationService } from "./conversations";
import { LifecycleService } from "./lifecycle";
import { SettingsService } from "./settings";
import { WatchdogService } from "./watchdog";

export interface GatewayServices {
  lifecycle: LifecycleService;
  chat: ChatService;
  conversations: ConversationService;
  settings: SettingsService;
  watchdog: WatchdogService;
}

/** Wires the services over one set of dependencies (once per cold start on AWS). */
export function createServices(deps: GatewayDeps): GatewayServices {
  const lifecycle = new LifecycleService(deps);
  return {
    lifecycle,
    chat: new ChatService(deps, lifecycle),
    conversations: new ConversationService(deps),
    settings: new SettingsService(deps),
    watchdog: new WatchdogService(deps, lifecycle),
  };
}

export { ChatService, ConversationService, LifecycleService, SettingsService, WatchdogService };
