import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import type { Stores } from "../../src/adapters/stores";
import { DEFAULT_GATEWAY_CONFIG, type GatewayDeps, silentLogger } from "../../src/deps";
import { createDiscordInteractionsHandler } from "../../src/handlers/discord-interactions";
import { createSlackEventsHandler } from "../../src/handlers/slack-events";
import type { ClientPush, Clock, StartTaskRequest, TaskRunner } from "../../src/ports";
import { createServices, type GatewayServices } from "../../src/services";
import { recordWrites } from "../unit/fakes";
import { FakeChatApis } from "./fake-chat-apis";

export const SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const SLACK_BOT_TOKEN = "xoxb-test-token";
export const DISCORD_APP_ID = "1100000000000000001";

type Result = { statusCode: number; body?: string };

export interface ChannelHarness {
  apis: FakeChatApis;
  stores: Stores;
  clock: FakeClock;
  runner: RecordingTaskRunner;
  services: GatewayServices;
  /** Store writes (put, enqueue, transition…), for "nothing happened" checks. */
  writes: string[];
  discordKey: { privateKey: KeyObject; publicHex: string };
  discord: (event: unknown) => Promise<Result>;
  slack: (event: unknown) => Promise<Result>;
  stop: () => Promise<void>;
}

/** TaskRunner at the port boundary: records starts instead of calling ECS. */
export class RecordingTaskRunner implements TaskRunner {
  readonly starts: StartTaskRequest[] = [];
  async start(request: StartTaskRequest) {
    this.starts.push(request);
    return { taskArn: `arn:test:task/${this.starts.length}` };
  }
  async stop() {}
  async running(arns: readonly string[]) {
    return new Set(arns);
  }
}

export class FakeClock implements Clock {
  constructor(private ms = Date.parse("2026-11-25T12:00:00.000Z")) {}
  now() {
    return new Date(this.ms);
  }
  advance(ms: number) {
    this.ms += ms;
  }
}

const push = (): ClientPush => ({ send: async () => true, disconnect: async () => {} });

/**
 * The gateway behind a chat webhook as the channel harnesses build it: the stores (recording their
 * writes), a recording TaskRunner and the services. Browser pushes go nowhere; nobody signs in.
 */
export function channelGateway(
  raw: Stores,
  clock: FakeClock,
  config: Partial<GatewayDeps["config"]>,
): {
  stores: Stores;
  writes: string[];
  runner: RecordingTaskRunner;
  deps: GatewayDeps;
  services: GatewayServices;
} {
  const { stores, writes } = recordWrites(raw);
  const runner = new RecordingTaskRunner();
  const deps: GatewayDeps = {
    ...stores,
    taskRunner: runner,
    clientPush: push(),
    agentPush: push(),
    tokenVerifier: {
      verify: async () => {
        throw new Error("not used");
      },
    },
    clock,
    logger: silentLogger,
    config: { ...DEFAULT_GATEWAY_CONFIG, ...config },
  };
  return { stores, writes, runner, deps, services: createServices(deps) };
}

/** Both channel handlers on in-memory stores, a recording TaskRunner, and fake platform APIs on loopback. */
export async function startChannelHarness(): Promise<ChannelHarness> {
  const apis = await new FakeChatApis().start();
  const clock = new FakeClock(Date.now());
  const raw = createMemoryStores({ clock });
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  // The raw 32-byte key is the tail of the SPKI DER encoding; Discord shows it as hex.
  const publicHex = publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  await raw.secrets.put(SECRET_NAMES.discordPublicKey, publicHex);
  await raw.secrets.put(SECRET_NAMES.slackSigningSecret, SLACK_SIGNING_SECRET);
  await raw.secrets.put(SECRET_NAMES.slackBotToken, SLACK_BOT_TOKEN);
  const { stores, writes, runner, deps, services } = channelGateway(raw, clock, {
    discordEnabled: true,
    discordChannelIds: [DISCORD_CHOSEN_CHANNEL],
    slackEnabled: true,
    skipLlmSetupCheck: true,
  });
  const common = {
    ...stores,
    clock,
    logger: silentLogger,
    chat: services.chat,
    lifecycle: services.lifecycle,
  };
  const discord = createDiscordInteractionsHandler({ ...common, config: deps.config });
  const slack = createSlackEventsHandler({ ...common, apiBaseUrl: apis.slackBase });
  return {
    apis,
    stores: raw,
    clock,
    runner,
    services,
    writes,
    discordKey: { privateKey, publicHex },
    discord,
    slack,
    stop: () => apis.stop(),
  };
}

/** A webhook POST as API Gateway's HTTP API hands it to the Lambda. */
export function httpEvent(
  path: string,
  body: string,
  headers: Record<string, string>,
  sourceIp = "203.0.113.9",
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "example.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "example",
      http: { method: "POST", path, protocol: "HTTP/1.1", sourceIp, userAgent: "" },
      requestId: "req",
      routeKey: `POST ${path}`,
      stage: "$default",
      time: "",
      timeEpoch: 0,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A Discord interaction request signed the way Discord signs it. */
export function signedDiscord(
  h: ChannelHarness,
  body: unknown,
  timestamp = String(Math.floor(h.clock.now().getTime() / 1000)),
) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const signature = sign(null, Buffer.from(timestamp + text), h.discordKey.privateKey).toString("hex");
  return httpEvent("/discord/interactions", text, {
    "content-type": "application/json",
    "x-signature-ed25519": signature,
    "x-signature-timestamp": timestamp,
  });
}

/** A Slack request signed with the signing secret (v0), at the harness clock's time unless given. */
export function signedSlack(
  h: ChannelHarness,
  path: "/slack/events" | "/slack/commands",
  body: string,
  opts: { timestamp?: number; secret?: string; extraHeaders?: Record<string, string> } = {},
) {
  const ts = String(opts.timestamp ?? Math.floor(h.clock.now().getTime() / 1000));
  const sig = `v0=${createHmac("sha256", opts.secret ?? SLACK_SIGNING_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest("hex")}`;
  return httpEvent(path, body, {
    "content-type": path === "/slack/commands" ? "application/x-www-form-urlencoded" : "application/json",
    "x-slack-signature": sig,
    "x-slack-request-timestamp": ts,
    ...opts.extraHeaders,
  });
}

let next = 9_000_000;
export const nextSnowflake = () => String(1_200_000_000_000_000_000n + BigInt(next++));

/** The one server channel where this deployment answers /ask (DMs always). */
export const DISCORD_CHOSEN_CHANNEL = "1300000000000000002";

/** The same command run in a server channel: Discord then sends guild_id and member instead of user. */
export function inServerChannel<T extends { user: { id: string; username: string } }>(
  interaction: T,
  channelId: string,
) {
  const { user, ...rest } = interaction;
  return { ...rest, guild_id: "1400000000000000001", channel_id: channelId, member: { user } };
}

export function askInteraction(userId: string, text: string, name = "ask", optionName = "text") {
  return {
    id: nextSnowflake(),
    type: 2,
    application_id: DISCORD_APP_ID,
    token: `tok-${nextSnowflake()}`,
    channel_id: "1300000000000000001",
    user: { id: userId, username: "ada" },
    data: { name, ...(text ? { options: [{ name: optionName, type: 3, value: text }] } : {}) },
  };
}

export function slackDm(userId: string, text: string, eventId = `Ev${next++}`) {
  return {
    type: "event_callback",
    team_id: "T0001",
    api_app_id: "A0001",
    event_id: eventId,
    event_time: 1_790_000_000,
    event: {
      type: "message",
      channel_type: "im",
      channel: "D0001",
      user: userId,
      text,
      ts: `1790000000.${next++}`,
    },
  };
}

export function slackCommand(userId: string, text: string) {
  return new URLSearchParams({
    command: "/openclaw",
    text,
    user_id: userId,
    user_name: "ada",
    team_id: "T0001",
    channel_id: "D0001",
    trigger_id: `13345224609.738474920.8088930838d88f008e0${next++}abcdef0123456789abcdef0123456789`,
    response_url: "https://hooks.slack.com/commands/T0001/1/x",
  }).toString();
}
