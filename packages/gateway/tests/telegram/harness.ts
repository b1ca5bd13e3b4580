import { SECRET_NAMES } from "@serverless-openclaw/shared";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import type { Stores } from "../../src/adapters/stores";
import type { ChannelPairingService } from "../../src/channels/pairing";
import { channelPairing } from "../../src/channels/registry";
import { writeBotInfo } from "../../src/channels/telegram-bot-info";
import { DEFAULT_GATEWAY_CONFIG, type GatewayDeps, silentLogger } from "../../src/deps";
import { createTelegramWebhookHandler } from "../../src/handlers/telegram-webhook";
import type { ClientPush, Clock, StartTaskRequest, TaskRunner } from "../../src/ports";
import { createServices, type GatewayServices } from "../../src/services";
import { recordWrites } from "../unit/fakes";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "./fake-bot-api";

export const WEBHOOK_SECRET = "webhook-secret_0123456789abcdefABCDEF";

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

const recordingPush = (): ClientPush & { sent: unknown[] } => {
  const sent: unknown[] = [];
  const send = async (_id: string, event: unknown) => {
    sent.push(event);
    return true;
  };
  return { sent, send, disconnect: async () => {} };
};

export interface Harness {
  fake: FakeBotApi;
  stores: Stores;
  clock: FakeClock;
  runner: RecordingTaskRunner;
  writes: string[];
  pairing: ChannelPairingService;
  services: GatewayServices;
  handler: (event: unknown) => Promise<{ statusCode: number; body?: string }>;
  post: (body: unknown, secret?: string | null) => Promise<{ statusCode: number; body?: string }>;
  stop: () => Promise<void>;
}

/** `llmSetupCheck`: users without an AI provider are answered by the gateway (off: fake agents answer). */
export async function startHarness(
  opts: { cacheBotInfo?: boolean; llmSetupCheck?: boolean } = {},
): Promise<Harness> {
  const fake = await new FakeBotApi().start();
  const clock = new FakeClock();
  const raw = createMemoryStores({ clock });
  await raw.secrets.put(SECRET_NAMES.telegramBotToken, BOT_TOKEN);
  await raw.secrets.put(SECRET_NAMES.telegramWebhookSecret, WEBHOOK_SECRET);
  if (opts.cacheBotInfo ?? true) await writeBotInfo(raw.settings, BOT_INFO);
  const { stores, writes } = recordWrites(raw);
  const runner = new RecordingTaskRunner();
  const deps: GatewayDeps = {
    ...stores,
    taskRunner: runner,
    clientPush: recordingPush(),
    agentPush: recordingPush(),
    tokenVerifier: {
      verify: async () => {
        throw new Error("not used");
      },
    },
    clock,
    logger: silentLogger,
    config: { ...DEFAULT_GATEWAY_CONFIG, telegramEnabled: true, skipLlmSetupCheck: !opts.llmSetupCheck },
  };
  const services = createServices(deps);
  const handler = createTelegramWebhookHandler({
    secrets: stores.secrets,
    settings: stores.settings,
    clock,
    logger: silentLogger,
    chat: services.chat,
    lifecycle: services.lifecycle,
    apiRoot: fake.apiRoot,
  });
  const pairing = channelPairing(
    { settings: raw.settings, clock, telegramBotUsername: BOT_INFO.username },
    "telegram",
  );
  return {
    fake,
    stores: raw,
    clock,
    runner,
    writes,
    pairing,
    services,
    handler,
    post: (body, secret = WEBHOOK_SECRET) => handler(httpEvent(body, secret)),
    stop: () => fake.stop(),
  };
}

export function httpEvent(body: unknown, secret: string | null): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /telegram/webhook",
    rawPath: "/telegram/webhook",
    rawQueryString: "",
    headers: {
      "content-type": "application/json",
      ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "example.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "example",
      http: {
        method: "POST",
        path: "/telegram/webhook",
        protocol: "HTTP/1.1",
        sourceIp: "149.154.167.1",
        userAgent: "",
      },
      requestId: "req",
      routeKey: "POST /telegram/webhook",
      stage: "$default",
      time: "",
      timeEpoch: 0,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

// Made by the fake Bot API (testkit), which local mode's tests and the benches share.
export { nextId, textUpdate } from "@serverless-openclaw/testkit/fake-bot-api";
