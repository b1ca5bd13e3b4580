import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import { MetricUnit, Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import { commaList } from "@serverless-openclaw/shared";
import type { Context } from "aws-lambda";
// Namespace import: `import { z }` defeats tree-shaking and adds ~350 KB of zod to every Lambda bundle.
import * as z from "zod";
import { ApiGatewayClientPush } from "../adapters/aws/api-gateway-client-push";
import { createAwsStores } from "../adapters/aws/aws-stores";
import { CognitoTokenVerifier } from "../adapters/aws/cognito-token-verifier";
import { EcsTaskRunner } from "../adapters/aws/ecs-task-runner";
import { EventBridgeScheduler } from "../adapters/aws/event-bridge-scheduler";
import { createStores } from "../adapters/stores";
import { DEFAULT_GATEWAY_CONFIG, type GatewayDeps, systemClock } from "../deps";
import { GatewayError } from "../errors";
import { createServices, type GatewayServices } from "../services";

/** The Lambda environment (set by packages/cdk's GatewayFunctions). Read once per cold start, here only. */
const list = z.string().transform(commaList);

export const AwsEnvSchema = z.object({
  TABLE_CONVERSATIONS: z.string().min(1),
  TABLE_SETTINGS: z.string().min(1),
  TABLE_TASK_STATE: z.string().min(1),
  TABLE_CONNECTIONS: z.string().min(1),
  TABLE_PENDING: z.string().min(1),
  DATA_BUCKET: z.string().min(1),
  SECRET_PREFIX: z.string().min(1),
  USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, "USER_POOL_ID must look like us-east-1_AbC123"),
  USER_POOL_CLIENT_ID: z.string().min(1),
  CLIENT_WS_MANAGEMENT_ENDPOINT: z.url(),
  AGENT_WS_MANAGEMENT_ENDPOINT: z.url(),
  ECS_CLUSTER: z.string().min(1),
  TASK_DEFINITION: z.string().min(1),
  TASK_SUBNETS: list.pipe(z.array(z.string()).min(1, "TASK_SUBNETS needs at least one subnet")),
  TASK_SECURITY_GROUP: list.pipe(z.array(z.string()).min(1)),
  CONTAINER_NAME: z.string().min(1),
  TELEGRAM_ENABLED: z.enum(["true", "false"]).default("false"),
  TELEGRAM_BOT_USERNAME: z.string().optional(),
  DISCORD_ENABLED: z.enum(["true", "false"]).default("false"),
  /** Deploy context `discordChannelIds`: the server channels where /ask is answered (DMs always). */
  DISCORD_CHANNEL_IDS: list.optional(),
  SLACK_ENABLED: z.enum(["true", "false"]).default("false"),
  /** Tests and stand-ins only; Slack's own Web API when absent. */
  SLACK_API_BASE_URL: z.url().optional(),
  /** The SPA's origin(s), comma-separated, for CORS on the HTTP API. */
  ALLOWED_ORIGINS: list.optional(),
  TYPICAL_WAKE_SECONDS: z.coerce.number().int().positive().optional(),
  /** Deploy context `inactivityMinutes`: the timeout of users who never set one. */
  DEFAULT_INACTIVITY_MINUTES: z.coerce.number().int().min(1).max(240).optional(),
  /** Scheduled prompts: the schedule group, the schedule-fire Lambda and the role that may invoke it. */
  SCHEDULE_GROUP: z.string().min(1).optional(),
  SCHEDULE_TARGET_ARN: z.string().min(1).optional(),
  SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  /** Default monthly cap on each user's estimated agent cost (0 = none). */
  BUDGET_MONTHLY_USD: z.coerce.number().nonnegative().optional(),
  /** The agent task's size, for the cost estimate. */
  TASK_VCPU: z.coerce.number().positive().optional(),
  TASK_MEMORY_GB: z.coerce.number().positive().optional(),
  /** The agent task role's name: only its sessions (one per ECS task) are agent tasks (agent APIs). */
  AGENT_TASK_ROLE_NAME: z.string().min(1).optional(),
  POWERTOOLS_SERVICE_NAME: z.string().default("serverless-openclaw-gateway"),
  POWERTOOLS_METRICS_NAMESPACE: z.string().default("ServerlessOpenClaw"),
});
export type AwsEnv = z.infer<typeof AwsEnvSchema>;

export class ConfigError extends GatewayError {
  constructor(message: string) {
    super("BAD_CONFIGURATION", message, 503);
  }
}

export function readAwsEnv(env: NodeJS.ProcessEnv): AwsEnv {
  const parsed = AwsEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`The gateway's environment is incomplete (${problems}); redeploy the stack.`);
  }
  return parsed.data;
}

export interface AwsRuntime {
  env: AwsEnv;
  deps: GatewayDeps;
  services: GatewayServices;
  logger: PowertoolsLogger;
  metrics: PowertoolsMetrics;
}

/** Builds the real dependencies from the environment. SDK clients take region and credentials from the Lambda. */
export function createAwsRuntime(env: AwsEnv): AwsRuntime {
  const logger = new PowertoolsLogger({ serviceName: env.POWERTOOLS_SERVICE_NAME });
  // One `service` dimension for every gateway function: a metric (AgentStartFailed, …) is one series
  // whichever Lambda emitted it, so each alarm watches one metric (CloudWatch bills per alarm metric).
  const metrics = new PowertoolsMetrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
  });
  const stores = createStores({
    backend: createAwsStores({
      tables: {
        conversations: env.TABLE_CONVERSATIONS,
        settings: env.TABLE_SETTINGS,
        taskState: env.TABLE_TASK_STATE,
        connections: env.TABLE_CONNECTIONS,
        pending: env.TABLE_PENDING,
      },
      bucket: env.DATA_BUCKET,
      secretPrefix: env.SECRET_PREFIX,
    }),
    // Every run that reaches Idle is booked to the user's monthly usage (docs/monitoring.md).
    // On-demand seconds are counted again on their own, so the spend alarm prices them as on-demand.
    usage: {
      logger,
      onRunBooked: (seconds, capacity) => {
        metrics.addMetric("AgentRunSeconds", MetricUnit.Seconds, seconds);
        if (capacity === "on-demand") metrics.addMetric("AgentOnDemandSeconds", MetricUnit.Seconds, seconds);
      },
    },
  });
  // The schedule-fire Lambda gets only the group (it deletes orphans; its own ARN would be a cycle).
  const scheduler = env.SCHEDULE_GROUP
    ? new EventBridgeScheduler({
        groupName: env.SCHEDULE_GROUP,
        ...(env.SCHEDULE_TARGET_ARN ? { targetArn: env.SCHEDULE_TARGET_ARN } : {}),
        ...(env.SCHEDULER_ROLE_ARN ? { roleArn: env.SCHEDULER_ROLE_ARN } : {}),
      })
    : undefined;
  const deps: GatewayDeps = {
    ...stores,
    ...(scheduler ? { scheduler } : {}),
    taskRunner: new EcsTaskRunner({
      cluster: env.ECS_CLUSTER,
      taskDefinition: env.TASK_DEFINITION,
      subnets: env.TASK_SUBNETS,
      securityGroups: env.TASK_SECURITY_GROUP,
      containerName: env.CONTAINER_NAME,
    }),
    clientPush: new ApiGatewayClientPush(env.CLIENT_WS_MANAGEMENT_ENDPOINT),
    agentPush: new ApiGatewayClientPush(env.AGENT_WS_MANAGEMENT_ENDPOINT),
    tokenVerifier: new CognitoTokenVerifier({
      userPoolId: env.USER_POOL_ID,
      clientId: env.USER_POOL_CLIENT_ID,
    }),
    clock: systemClock,
    logger,
    metrics: { count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value) },
    config: {
      allowedOrigins: env.ALLOWED_ORIGINS ?? DEFAULT_GATEWAY_CONFIG.allowedOrigins,
      typicalWakeSeconds: env.TYPICAL_WAKE_SECONDS ?? DEFAULT_GATEWAY_CONFIG.typicalWakeSeconds,
      telegramEnabled: env.TELEGRAM_ENABLED === "true",
      ...(env.DEFAULT_INACTIVITY_MINUTES ? { defaultInactivityMinutes: env.DEFAULT_INACTIVITY_MINUTES } : {}),
      ...(env.TELEGRAM_BOT_USERNAME ? { telegramBotUsername: env.TELEGRAM_BOT_USERNAME } : {}),
      discordEnabled: env.DISCORD_ENABLED === "true",
      ...(env.DISCORD_CHANNEL_IDS ? { discordChannelIds: env.DISCORD_CHANNEL_IDS } : {}),
      slackEnabled: env.SLACK_ENABLED === "true",
      ...(env.SLACK_API_BASE_URL ? { slackApiBaseUrl: env.SLACK_API_BASE_URL } : {}),
      ...(env.BUDGET_MONTHLY_USD !== undefined ? { monthlyBudgetUsd: env.BUDGET_MONTHLY_USD } : {}),
      ...(env.TASK_VCPU && env.TASK_MEMORY_GB
        ? { taskSize: { vcpu: env.TASK_VCPU, memoryGb: env.TASK_MEMORY_GB } }
        : {}),
    },
  };
  return { env, deps, services: createServices(deps), logger, metrics };
}

/** The `service` dimension of the gateway's custom metrics (packages/cdk Monitoring reads it). */
export const METRICS_SERVICE = "gateway";

let runtime: AwsRuntime | undefined;

/** The process-wide runtime, built on first use (in the Lambda init phase, from the entry modules). */
export function awsRuntime(): AwsRuntime {
  runtime ??= createAwsRuntime(readAwsEnv(process.env));
  return runtime;
}

/**
 * Wraps a handler for Lambda: adds the invocation context to every log line and flushes metrics after
 * each invocation (Powertools buffers them).
 */
export function lambdaHandler<E, R>(
  rt: AwsRuntime,
  handler: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) rt.logger.addContext(context);
    try {
      return await handler(event);
    } finally {
      rt.metrics.publishStoredMetrics();
    }
  };
}
