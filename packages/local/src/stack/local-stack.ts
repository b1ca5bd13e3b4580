import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { createStores, type Stores } from "@serverless-openclaw/gateway";
import { createStoreRpcHandler } from "@serverless-openclaw/gateway/local";
import type { Redactor } from "@serverless-openclaw/shared";
import { agentCommand } from "../agent/agent-entry";
import { AgentTokens, ownClientConnections } from "../agent/agent-tokens";
import type { ProcessTaskRunner } from "../agent/process-task-runner";
import { chatChannelsConfig, chatChannelsFromEnv } from "../channels/chat-channels";
import { startTelegram } from "../channels/telegram";
import {
  type AuthenticationResult,
  type InitialLogin,
  LOCAL_REGION,
  type LocalIdentity,
} from "../identity/local-identity";
import { type ApiGatewayServer, startApiGatewayServer } from "../server/api-gateway-server";
import { isLoopbackHost } from "../server/http-util";
import { openStores } from "../stores/stores";
import { LocalSetupError } from "../support/errors";
import { agentEnvFromLocalEnv, agentInheritedEnv, readLocalEnv } from "../support/local-env";
import { createConsoleLogger, type LocalLogger } from "../support/local-logger";
import { repoPaths } from "../support/repo-paths";
import { startAgentRunner } from "./agent-runner";
import { Cleanups } from "./cleanups";
import { startGateway } from "./gateway";
import { seedProvider } from "./provider-seed";
import { rpcRoute } from "./rpc-route";
import { openStackIdentity } from "./stack-identity";
import { startUpkeep } from "./upkeep";

export interface LocalStackOptions {
  /** Data dir: stores, identity, agents' work dirs. Default `./.local-data`. */
  dataDir?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; anything else only with `allowNonLoopback` (an explicit `--host`). */
  host?: string;
  allowNonLoopback?: boolean;
  /** Points the first user's LLM at an OpenAI-compatible server. */
  llmBaseUrl?: string;
  llmModel?: string;
  /** DynamoDB Local + s3rver instead of the embedded stores (the AWS adapters end to end). */
  awsStandins?: boolean;
  /** Where LOCAL_USER, LOCAL_PASSWORD, the API-key variables, TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT (and the other chat APIs' base URLs) are read. */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: LocalLogger & { redactor: Redactor };
  /** Progress lines and notices meant for the person at the terminal. */
  print?: (line: string) => void;
  /** Extra environment for agent tasks (tests shorten timeouts here). */
  agentEnv?: Record<string, string>;
  /** SIGTERM → SIGKILL grace for agents. */
  agentGraceMs?: number;
  /** How often the watchdog runs (EventBridge runs it every 5 min on AWS). Default 60 s. */
  watchdogIntervalMs?: number;
  /** Replaces the agent task command (tests of the stack without OpenClaw). */
  agentCommand?: { file: string; args: string[] };
  webDist?: string;
}

export interface LocalStack {
  /** `http://127.0.0.1:<port>`: the web UI, and the Management API endpoint. */
  url: string;
  /** Client WebSocket API (`ws://…/ws`; add `?token=<id token>`). */
  wsUrl: string;
  agentWsUrl: string;
  /** HTTP API base (`…/api`). */
  apiUrl: string;
  /** Cognito IdP endpoint (`…/cognito/`). */
  cognitoEndpoint: string;
  userPoolId: string;
  clientId: string;
  dataDir: string;
  initialLogin: InitialLogin;
  /** What the first user's LLM is, when the environment or Settings say so. */
  provider?: string;
  identity: LocalIdentity;
  stores: Stores;
  runner: ProcessTaskRunner;
  server: ApiGatewayServer;
  login(username: string, password: string): Promise<AuthenticationResult>;
  /** Stops agents (they back their state up), Telegram, timers, the server and any stand-ins. */
  stop(): Promise<void>;
}

/**
 * The AWS stand-ins trust cognito-local, whose token-signing key ships inside its npm package: anyone
 * can sign a token it accepts. That is harmless on loopback, fatal on a network.
 */
export const STANDINS_ON_NETWORK =
  "--aws-standins cannot be combined with --host: the stand-ins trust cognito-local, whose signing key is public (it ships in its npm package), so anyone who can reach the server could sign in as any user. Use the embedded stores (no --aws-standins) to listen beyond loopback.";

export class StandinsOnNetworkError extends LocalSetupError {}

/**
 * The whole product on one machine: what `npm start` runs, and what the end-to-end tests and benches
 * start on free ports. The gateway's handlers run unmodified behind an API-Gateway-shaped server; each
 * agent is the real container entrypoint in a child process. Each step is a file of this folder; they
 * start in dependency order, and `stop()` undoes them in reverse.
 */
export async function createLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // Parsed here once (support/local-env.ts); a bad setting stops us before anything starts.
  const env = readLocalEnv(options.env ?? process.env);
  if (options.awsStandins && options.host !== undefined && !isLoopbackHost(options.host)) {
    throw new StandinsOnNetworkError(STANDINS_ON_NETWORK);
  }
  const chatChannels = chatChannelsFromEnv(env);
  const paths = repoPaths();
  const dataDir = resolve(options.dataDir ?? ".local-data");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createConsoleLogger();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const cleanups = new Cleanups(logger);

  try {
    const auth = await openStackIdentity({
      dataDir,
      env,
      awsStandins: options.awsStandins === true,
      logger,
      print,
      cleanups,
    });
    const stores = await openUsageRecordingStores(dataDir, options.awsStandins === true, logger, cleanups);

    let telegramBotUsername: string | undefined;
    // No token opens everyone's data: each agent start gets one scoped to its user (agent-tokens.ts).
    const tokens = new AgentTokens();
    const server = await startApiGatewayServer({
      host: options.host,
      port: options.port ?? 8787,
      allowNonLoopback: options.allowNonLoopback,
      logger,
      staticDir: options.webDist ?? paths.webDist,
      localRoutes: [
        auth.identity.route(),
        rpcRoute(
          createStoreRpcHandler(stores, (t) => tokens.resolve(t)),
          (t) => tokens.resolve(t) !== undefined,
        ),
      ],
      managementToken: ownClientConnections(tokens, stores.connections),
      runtimeConfig: ({ httpUrl, wsUrl }) => ({
        region: LOCAL_REGION,
        userPoolId: auth.userPoolId,
        userPoolClientId: auth.clientId,
        cognitoEndpoint: auth.cognitoEndpoint ?? `${httpUrl}/cognito/`,
        // cognito-local (--aws-standins) has no USER_SRP_AUTH: the web app proves the password plainly there.
        ...(auth.cognitoEndpoint ? { passwordFlow: "USER_PASSWORD_AUTH" as const } : {}),
        wsUrl,
        apiUrl: `${httpUrl}/api`,
        ...(telegramBotUsername ? { telegramBotUsername } : {}),
        ...chatChannelsConfig(chatChannels),
        selfSignUp: false,
      }),
    });
    cleanups.push(() => server.close());

    const agents = startAgentRunner({
      paths,
      dataDir,
      server,
      tokens,
      logger,
      command: options.agentCommand ?? (await agentCommand(paths, logger)),
      graceMs: options.agentGraceMs,
      agentEnv: { ...agentEnvFromLocalEnv(env), ...options.agentEnv },
      // Always the host's (PATH for the agents' shells), whatever `options.env` says.
      inheritedEnv: agentInheritedEnv(process.env),
      cleanups,
    });
    const { deps, services, watchdog } = await startGateway({
      dataDir,
      stores,
      agents,
      server,
      auth,
      env,
      chatChannels,
      logger,
      cleanups,
    });

    const provider = auth.firstUserSub
      ? await seedProvider(services.settings, auth.firstUserSub, {
          llmBaseUrl: options.llmBaseUrl,
          llmModel: options.llmModel,
          env,
        })
      : undefined;

    await startUpkeep({
      watchdog,
      intervalMs: options.watchdogIntervalMs ?? 60_000,
      taskState: stores.taskState,
      identity: auth.identity,
      print,
      cleanups,
    });

    if (env.TELEGRAM_BOT_TOKEN) {
      const telegram = await startTelegram({
        deps,
        services,
        token: env.TELEGRAM_BOT_TOKEN,
        apiRoot: env.TELEGRAM_API_ROOT,
        logger,
      });
      if (telegram) {
        telegramBotUsername = telegram.botUsername;
        cleanups.push(telegram.stop);
      }
    }

    return {
      url: server.url,
      wsUrl: server.wsUrl,
      agentWsUrl: server.agentWsUrl,
      apiUrl: `${server.url}/api`,
      cognitoEndpoint: `${server.url}/cognito/`,
      userPoolId: auth.userPoolId,
      clientId: auth.clientId,
      dataDir,
      initialLogin: auth.initialLogin,
      ...(provider ? { provider } : {}),
      identity: auth.identity,
      stores,
      runner: agents.runner,
      server,
      login: auth.login,
      stop: cleanups.run,
    };
  } catch (err) {
    await cleanups.run();
    throw err;
  }
}

/** The stores, with every run that reaches Idle (by the agent through the store RPC, or the watchdog) booked to usage. */
async function openUsageRecordingStores(
  dataDir: string,
  awsStandins: boolean,
  logger: LocalLogger,
  cleanups: Cleanups,
): Promise<Stores> {
  const opened = await openStores({ dataDir, awsStandins, logger });
  cleanups.push(opened.close);
  return createStores({ ...opened.plan, usage: { logger } });
}
