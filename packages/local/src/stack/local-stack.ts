import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import {
  createAgentSocketHandler,
  createHttpApiHandler,
  createScheduleFireHandler,
  createServices,
  createWatchdogHandler,
  createWebSocketHandler,
  type GatewayDeps,
  systemClock,
  withUsageRecording,
} from "@serverless-openclaw/gateway";
import {
  CognitoTokenVerifier,
  type CognitoTokenVerifierOptions,
} from "@serverless-openclaw/gateway/adapters/aws/cognito-token-verifier";
import { InProcessScheduler } from "@serverless-openclaw/gateway/adapters/local/in-process-scheduler";
import { createStoreRpcHandler } from "@serverless-openclaw/gateway/adapters/local/rpc-server";
import type { Stores } from "@serverless-openclaw/gateway/adapters/stores";
import { agentCommand } from "../agent/agent-entry";
import { watchAgentProgress } from "../agent/agent-progress";
import { AgentTokens, ownClientConnections } from "../agent/agent-tokens";
import { ProcessTaskRunner } from "../agent/process-task-runner";
import { chatChannelsConfig, chatChannelsFromEnv, startChatChannels } from "../channels/chat-channels";
import { startTelegram } from "../channels/telegram";
import {
  type AuthenticationResult,
  ensureInitialUser,
  type InitialLogin,
  LOCAL_REGION,
  LocalIdentity,
} from "../identity/local-identity";
import { type StandinIdentity, startStandinIdentity } from "../identity/standin-identity";
import { type ApiGatewayServer, type LocalRoute, startApiGatewayServer } from "../server/api-gateway-server";
import { isLoopbackHost } from "../server/http-util";
import { WsClientPush } from "../server/ws-client-push";
import { openStores } from "../stores/stores";
import { LocalSetupError } from "../support/errors";
import { createConsoleLogger, type LocalLogger } from "../support/local-logger";
import type { Redactor } from "../support/redactor";
import { repoPaths } from "../support/repo-paths";
import { seedProvider } from "./provider-seed";

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

const RPC_PATH = "/_local/rpc";

/**
 * The AWS stand-ins trust cognito-local, whose token-signing key ships inside its npm package: anyone
 * can sign a token it accepts. That is harmless on loopback, fatal on a network.
 */
export const STANDINS_ON_NETWORK =
  "--aws-standins cannot be combined with --host: the stand-ins trust cognito-local, whose signing key is public (it ships in its npm package), so anyone who can reach the server could sign in as any user. Use the embedded stores (no --aws-standins) to listen beyond loopback.";

export class StandinsOnNetworkError extends LocalSetupError {}

function rpcRoute(
  handler: ReturnType<typeof createStoreRpcHandler>,
  authorized: (token: string) => boolean,
): LocalRoute {
  return {
    prefix: RPC_PATH,
    // The token is checked before the (up to 256 MiB) body is read: nobody else can make us buffer one.
    authorize: (req) => authorized(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? ""),
    // Blobs (OpenClaw's state archive) travel base64-encoded in the body.
    maxBodyBytes: 256 * 1024 * 1024,
    async handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
      if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== RPC_PATH) {
        res.writeHead(404).end();
        return;
      }
      const out = await handler(req.headers.authorization, body.toString("utf8"));
      res.writeHead(out.status, { "content-type": "application/json" }).end(out.body);
    },
  };
}

/**
 * The whole product on one machine: what `npm start` runs, and what the end-to-end tests and benches
 * start on free ports. The gateway's handlers run unmodified behind an API-Gateway-shaped server; each
 * agent is the real container entrypoint in a child process.
 */
export async function createLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  if (options.awsStandins && options.host !== undefined && !isLoopbackHost(options.host)) {
    throw new StandinsOnNetworkError(STANDINS_ON_NETWORK);
  }
  const chatChannels = chatChannelsFromEnv(env); // a bad setting stops us before anything starts
  const paths = repoPaths();
  const dataDir = resolve(options.dataDir ?? ".local-data");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createConsoleLogger();
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((err: unknown) => logger.error("shutdown step failed", err));
    cleanups.length = 0;
  };

  try {
    const identity = await LocalIdentity.open({ dir: join(dataDir, "identity"), notify: print });
    const initialLogin = await ensureInitialUser(identity, join(dataDir, "identity"), env);
    logger.redactor.add(initialLogin.password, env.LOCAL_PASSWORD);
    // With --aws-standins, sign-in goes through cognito-local instead (same user name and password).
    const standin = options.awsStandins
      ? await openStandinIdentity(initialLogin, env, logger, print)
      : undefined;
    if (standin) cleanups.push(standin.stop);
    const auth = {
      userPoolId: standin?.userPoolId ?? identity.userPoolId,
      clientId: standin?.clientId ?? identity.clientId,
      jwks: standin?.jwks ?? identity.jwks(),
      login: (username: string, password: string) =>
        standin ? standin.login(username, password) : identity.login(username, password),
    };

    const opened = await openStores({ dataDir, awsStandins: options.awsStandins === true, logger });
    cleanups.push(opened.close);
    // Every run that reaches Idle (by the agent through the store RPC, or the watchdog) is booked to usage.
    const stores: Stores = {
      ...opened.stores,
      taskState: withUsageRecording(opened.stores.taskState, opened.stores.settings, logger),
    };
    // EventBridge Scheduler's stand-in; it calls the schedule-fire handler once that exists.
    let fireSchedule: (event: unknown) => Promise<unknown> = async () => undefined;
    const scheduler = new InProcessScheduler({
      fire: (event) => fireSchedule(event),
      file: join(dataDir, "schedules.json"),
      logger,
    });

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
        identity.route(),
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
        cognitoEndpoint: standin?.cognitoEndpoint ?? `${httpUrl}/cognito/`,
        wsUrl,
        apiUrl: `${httpUrl}/api`,
        ...(telegramBotUsername ? { telegramBotUsername } : {}),
        ...chatChannelsConfig(chatChannels),
        selfSignUp: false,
      }),
    });
    cleanups.push(() => server.close());

    const command = options.agentCommand ?? (await agentCommand(paths, logger));
    // What EventBridge does on AWS: a stopped task goes to the watchdog (set once the handlers exist).
    let taskStopped: ((event: unknown) => Promise<unknown>) | undefined;
    const runner = new ProcessTaskRunner({
      cwd: paths.root,
      entry: paths.containerMain,
      dataDir,
      agentWsUrl: server.agentWsUrl,
      clientPushEndpoint: server.url,
      storeUrl: `${server.url}${RPC_PATH}`,
      tokens,
      openclawHome: paths.openclawHome,
      openclawCompileCache: paths.openclawCompileCache,
      logger,
      redactor: logger.redactor,
      graceMs: options.agentGraceMs,
      // No bot token and no Bot API root reach the agent: its replies go through the gateway's relay.
      extraEnv: { ...options.agentEnv },
      command,
      onExit: (exit) => void taskStopped?.(ecsTaskStoppedEvent(exit)),
    });
    // Agents go first (they save their state through this server), so this cleanup runs before close.
    cleanups.push(() => {
      taskStopped = undefined; // shutting down: no agent is started again for pending messages
      return runner.stopAll("local mode is shutting down");
    });

    const deps: GatewayDeps = {
      ...stores,
      taskRunner: runner,
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
      config: {
        allowedOrigins: [server.url, `http://localhost:${server.port}`],
        typicalWakeSeconds: 20,
        localMode: true,
        telegramEnabled: Boolean(env.TELEGRAM_BOT_TOKEN),
        ...chatChannels,
        ...(env.SLACK_API_BASE_URL ? { slackApiBaseUrl: env.SLACK_API_BASE_URL } : {}),
        // The chat relay sends the agents' replies: a self-hosted (or test) Bot API or Discord API given
        // to local mode is where they go.
        ...(env.TELEGRAM_API_ROOT ? { telegramApiRoot: env.TELEGRAM_API_ROOT } : {}),
        ...(env.DISCORD_API_BASE_URL ? { discordApiBaseUrl: env.DISCORD_API_BASE_URL } : {}),
      },
    };
    const services = createServices(deps);
    // A sign-out everywhere or a password reset closes the user's open browser sockets at once.
    identity.onSessionsRevoked = async (sub, reason) => {
      await services.sessions.closeAll(sub, reason);
    };
    fireSchedule = createScheduleFireHandler(deps, services);
    await scheduler.start();
    // Runs before the agents are stopped (cleanups run in reverse), so no run starts one mid-shutdown.
    cleanups.push(() => scheduler.stop());
    const watchdog = createWatchdogHandler(deps, services);
    taskStopped = watchdog;
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

    const firstUserSub = standin?.firstUserSub ?? identity.users.get(initialLogin.username)?.sub;
    const provider = firstUserSub
      ? await seedProvider(services.settings, firstUserSub, {
          llmBaseUrl: options.llmBaseUrl,
          llmModel: options.llmModel,
          env,
        })
      : undefined;

    // Rows left Starting/Running by a previous run have no process any more: the watchdog repairs them.
    await watchdog({});
    const watchdogTimer = setInterval(() => void watchdog({}), options.watchdogIntervalMs ?? 60_000);
    watchdogTimer.unref();
    cleanups.push(async () => clearInterval(watchdogTimer));

    const progress = watchAgentProgress({
      taskState: stores.taskState,
      print,
      nameOf: (userId) => identity.users.bySub(userId)?.username,
    });
    cleanups.push(async () => progress.stop());

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
      initialLogin,
      ...(provider ? { provider } : {}),
      identity,
      stores,
      runner,
      server,
      login: auth.login,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The EventBridge event ECS sends when a task stops, for a local agent process that exited. */
function ecsTaskStoppedEvent(exit: { taskArn: string; userId: string; stopRequested: boolean }) {
  return {
    source: "aws.ecs",
    "detail-type": "ECS Task State Change",
    detail: {
      taskArn: exit.taskArn,
      startedBy: exit.userId,
      lastStatus: "STOPPED",
      stopCode: exit.stopRequested ? "UserInitiated" : "EssentialContainerExited",
    },
  };
}

/** cognito-local seeded with the initial user; a password this run does not know is replaced and shown. */
async function openStandinIdentity(
  initialLogin: InitialLogin,
  env: Record<string, string | undefined>,
  logger: LocalLogger & { redactor: Redactor },
  print: (line: string) => void,
): Promise<StandinIdentity> {
  const known = initialLogin.password ?? env.LOCAL_PASSWORD;
  const password = known ?? `Aa1-${randomBytes(12).toString("base64url")}`;
  logger.redactor.add(password);
  const standin = await startStandinIdentity({ username: initialLogin.username, password, logger });
  if (!known) print(`cognito-local login (--aws-standins): ${initialLogin.username} / ${password}`);
  return standin;
}
