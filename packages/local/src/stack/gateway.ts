import { join } from "node:path";
import {
  CognitoTokenVerifier,
  type CognitoTokenVerifierOptions,
  createAgentSocketHandler,
  createHttpApiHandler,
  createScheduleFireHandler,
  createServices,
  createWatchdogHandler,
  createWebSocketHandler,
  type GatewayDeps,
  type GatewayServices,
  type Stores,
  systemClock,
} from "@serverless-openclaw/gateway";
import { InProcessScheduler } from "@serverless-openclaw/gateway/local";
import type { Redactor } from "@serverless-openclaw/shared";
import { type ChatChannels, startChatChannels } from "../channels/chat-channels";
import type { ApiGatewayServer } from "../server/api-gateway-server";
import { WsClientPush } from "../server/ws-client-push";
import type { LocalEnv } from "../support/local-env";
import type { LocalLogger } from "../support/local-logger";
import type { AgentRunner } from "./agent-runner";
import type { Cleanups } from "./cleanups";
import { localGatewayConfig } from "./gateway-config";
import type { StackIdentity } from "./stack-identity";

export interface LocalGateway {
  deps: GatewayDeps;
  services: GatewayServices;
  /** What EventBridge runs on a timer and on each stopped task (the latter already wired). */
  watchdog: (event: unknown) => Promise<unknown>;
}

/**
 * The gateway's unmodified handlers behind the server, with the local twins of what AWS provides: the
 * process runner for ECS, an in-process scheduler for EventBridge Scheduler, the server's sockets for the
 * Management API.
 */
export async function startGateway(options: {
  dataDir: string;
  stores: Stores;
  agents: AgentRunner;
  server: ApiGatewayServer;
  auth: StackIdentity;
  env: LocalEnv;
  chatChannels: ChatChannels;
  logger: LocalLogger & { redactor: Redactor };
  cleanups: Cleanups;
}): Promise<LocalGateway> {
  const { stores, server, auth, env, logger, cleanups } = options;
  // EventBridge Scheduler's stand-in; it calls the schedule-fire handler once that exists.
  let fireSchedule: (event: unknown) => Promise<unknown> = async () => undefined;
  const scheduler = new InProcessScheduler({
    fire: (event) => fireSchedule(event),
    file: join(options.dataDir, "schedules.json"),
    logger,
  });
  const deps: GatewayDeps = {
    ...stores,
    taskRunner: options.agents.runner,
    clientPush: new WsClientPush(server.client),
    agentPush: new WsClientPush(server.agent),
    tokenVerifier: new CognitoTokenVerifier({
      userPoolId: auth.userPoolId,
      clientId: auth.clientId,
      jwks: auth.jwks as NonNullable<CognitoTokenVerifierOptions["jwks"]>,
    }),
    clock: systemClock,
    scheduler,
    logger,
    config: localGatewayConfig({
      serverUrl: server.url,
      port: server.port,
      env,
      chatChannels: options.chatChannels,
    }),
  };
  const services = createServices(deps);
  // A sign-out everywhere or a password reset closes the user's open browser sockets at once.
  auth.identity.onSessionsRevoked = async (sub, reason) => {
    await services.sessions.closeAll(sub, reason);
  };
  fireSchedule = createScheduleFireHandler(deps, services);
  await scheduler.start();
  // Runs before the agents are stopped (cleanups run in reverse), so no run starts one mid-shutdown.
  cleanups.push(() => scheduler.stop());
  const watchdog = createWatchdogHandler(deps, services);
  options.agents.onTaskStopped(watchdog);
  server.setHandlers({
    clientSocket: createWebSocketHandler(deps, services),
    agentSocket: createAgentSocketHandler(deps, services),
    httpApi: createHttpApiHandler(deps, services),
    // A JWT route's body is read only once its token verifies.
    authenticate: async (authorization) => {
      const token = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
      if (!token) return false;
      return deps.tokenVerifier.verify(token).then(
        () => true,
        () => false,
      );
    },
    // Discord and Slack endpoints, when their secrets are set (chat-channels.ts).
    ...(await startChatChannels({ deps, services, env, redact: (...s) => logger.redactor.add(...s) })),
  });
  return { deps, services, watchdog };
}
