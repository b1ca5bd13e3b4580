import { KEYS, SECRET_NAMES as S } from "@serverless-openclaw/shared";
import { Duration, Stack } from "aws-cdk-lib";
import type { WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import type { IVpc, SecurityGroup } from "aws-cdk-lib/aws-ec2";
import type { Cluster, FargateTaskDefinition } from "aws-cdk-lib/aws-ecs";
import { PolicyStatement, type Role } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { DeployConfig } from "../config";
import type { LambdaEntries, LambdaName } from "../paths";
import { CONTAINER_NAME, manageConnectionsArn, TASK_SIZE, USER_DATA_PREFIX } from "./agent-task";
import { loggedFunction } from "./logged-function";
import { dataTableEnvironment, grantSecretRead, grantSecretWrite, grantUserObjects } from "./permissions";
import type { DataTables } from "./storage";

export interface GatewayFunctionsProps {
  readonly config: DeployConfig;
  readonly repoRoot: string;
  readonly entries: LambdaEntries;
  readonly tables: DataTables;
  readonly dataBucket: Bucket;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly clientStage: WebSocketStage;
  readonly agentStage: WebSocketStage;
  readonly vpc: IVpc;
  readonly taskSecurityGroup: SecurityGroup;
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly logRetention: RetentionDays;
  /** The web app's origin (CORS and WebSocket Origin checks in the handlers). */
  readonly webOrigin: string;
}

/** The gateway acts for every user: item reads and writes on all five tables, never table management. */
const GATEWAY_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
] as const;

/** What each Lambda may do on ECS beyond reading task state. */
const ECS_ROLE: Record<LambdaName, { run: boolean; list: boolean }> = {
  "web-socket": { run: true, list: false },
  "agent-socket": { run: false, list: false },
  "agent-api": { run: false, list: false },
  "http-api": { run: true, list: false },
  "telegram-webhook": { run: true, list: false },
  "discord-interactions": { run: true, list: false },
  "slack-events": { run: true, list: false },
  watchdog: { run: false, list: true },
  "schedule-fire": { run: true, list: false },
};

/**
 * The secrets (SSM parameters under the secret prefix) each Lambda reads, and nothing else: only
 * agent-api reads users' LLM keys (to serve each task its own; the task role reads no parameter), and
 * http-api only writes them.
 */
export const LAMBDA_SECRETS: Record<LambdaName, readonly string[]> = {
  "web-socket": [],
  // The chat relay: the agent tasks' Telegram, Discord and Slack replies, sent to their own chats.
  "agent-socket": [S.telegramBotToken, S.discordBotToken, S.slackBotToken],
  // Serves each agent task its own user's LLM key (scopeStores); the task role reads no parameter.
  "agent-api": [S.llmApiKeyPattern],
  "http-api": [],
  // The webhook's secret-token header check, and the bot that answers and pairs.
  "telegram-webhook": [S.telegramBotToken, S.telegramWebhookSecret],
  // The request signature check; replies go through the interaction token.
  "discord-interactions": [S.discordPublicKey],
  "slack-events": [S.slackSigningSecret, S.slackBotToken],
  watchdog: [],
  "schedule-fire": [],
};

export const TIMEOUT: Record<LambdaName, Duration> = {
  // API Gateway gives up on an integration after 29 s; a Lambda running longer only bills.
  "web-socket": Duration.seconds(29),
  "agent-socket": Duration.seconds(29),
  "agent-api": Duration.seconds(29),
  "http-api": Duration.seconds(29),
  "telegram-webhook": Duration.seconds(29),
  // Discord and Slack want an answer within 3 s; a longer run only means they gave up.
  "discord-interactions": Duration.seconds(10),
  "slack-events": Duration.seconds(10),
  watchdog: Duration.seconds(60),
  // A run may wait (bounded, 20 s) for a stopping agent before starting a new one.
  "schedule-fire": Duration.seconds(60),
};

/**
 * Reserved concurrency of the Lambdas an unauthenticated caller reaches (with `reservedConcurrency`
 * on): a flood past API Gateway's throttle is throttled here too, and its duration bill is capped at
 * this many functions running the whole month (docs/cost.md, "A flood"). Sized for one household:
 * a chat message or a webhook call takes tens of milliseconds, so 5 in flight is ~100 a second.
 * The others are reached only with IAM (agent-socket, agent-api), a JWT checked by API Gateway
 * (http-api's routes; its unauthenticated $default is throttled to 5 rps) or by AWS itself.
 */
export const RESERVED_CONCURRENCY: Partial<Record<LambdaName, number>> = {
  // The browser $connect (no authorizer) and every chat message of every tab.
  "web-socket": 10,
  "telegram-webhook": 5,
  "discord-interactions": 5,
  "slack-events": 5,
  // $default answers 404 without a JWT; the JWT routes share the function.
  "http-api": 10,
};

/**
 * The gateway Lambdas, bundled locally with esbuild (no Docker), ARM64, small memory. Env names are
 * the contract with packages/gateway/src/runtime/aws.ts.
 */
export class GatewayFunctions extends Construct {
  readonly functions: Partial<Record<LambdaName, NodejsFunction>> = {};

  constructor(scope: Construct, id: string, props: GatewayFunctionsProps) {
    super(scope, id);
    const names: LambdaName[] = [
      "web-socket",
      "agent-socket",
      "agent-api",
      "http-api",
      "watchdog",
      "schedule-fire",
    ];
    if (props.config.telegram) names.push("telegram-webhook");
    if (props.config.discord) names.push("discord-interactions");
    if (props.config.slack) names.push("slack-events");
    for (const name of names) this.functions[name] = this.createFunction(name, props);
  }

  get(name: LambdaName): NodejsFunction {
    const fn = this.functions[name];
    if (!fn) throw new Error(`Lambda ${name} is not part of this deployment`);
    return fn;
  }

  private createFunction(name: LambdaName, props: GatewayFunctionsProps): NodejsFunction {
    const { config } = props;
    const id = name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
    const fn = loggedFunction(this, id, {
      repoRoot: props.repoRoot,
      logRetention: props.logRetention,
      entry: props.entries[name],
      timeout: TIMEOUT[name],
      ...(config.reservedConcurrency && RESERVED_CONCURRENCY[name] !== undefined
        ? { reservedConcurrentExecutions: RESERVED_CONCURRENCY[name] }
        : {}),
      environment: {
        ...dataTableEnvironment(props.tables),
        DATA_BUCKET: props.dataBucket.bucketName,
        SECRET_PREFIX: config.secretPrefix,
        USER_POOL_ID: props.userPoolId,
        USER_POOL_CLIENT_ID: props.userPoolClientId,
        CLIENT_WS_MANAGEMENT_ENDPOINT: props.clientStage.callbackUrl,
        AGENT_WS_MANAGEMENT_ENDPOINT: props.agentStage.callbackUrl,
        AGENT_WS_URL: props.agentStage.url,
        ECS_CLUSTER: props.cluster.clusterArn,
        TASK_DEFINITION: props.taskDefinition.taskDefinitionArn,
        TASK_SUBNETS: props.vpc.publicSubnets.map((s) => s.subnetId).join(","),
        TASK_SECURITY_GROUP: props.taskSecurityGroup.securityGroupId,
        CONTAINER_NAME,
        // Only this role's sessions (one per ECS task) are agent tasks (agent-socket, agent-api).
        AGENT_TASK_ROLE_NAME: props.taskDefinition.taskRole.roleName,
        TELEGRAM_ENABLED: String(config.telegram),
        DISCORD_ENABLED: String(config.discord),
        ...(config.discordChannelIds ? { DISCORD_CHANNEL_IDS: config.discordChannelIds.join(",") } : {}),
        SLACK_ENABLED: String(config.slack),
        ...(config.telegramBotUsername ? { TELEGRAM_BOT_USERNAME: config.telegramBotUsername } : {}),
        ALLOWED_ORIGINS: props.webOrigin,
        DEFAULT_INACTIVITY_MINUTES: String(config.inactivityMinutes),
        BUDGET_MONTHLY_USD: String(config.budgetMonthlyUsd),
        // The task's size, for the per-user cost estimate (GET /usage and the budget cap).
        TASK_VCPU: String(taskSize(config).cpu / 1024),
        TASK_MEMORY_GB: String(taskSize(config).memoryLimitMiB / 1024),
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_LOG_LEVEL: "INFO",
        POWERTOOLS_METRICS_NAMESPACE: "ServerlessOpenClaw",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    this.grant(name, fn, props);
    return fn;
  }

  private grant(name: LambdaName, fn: NodejsFunction, props: GatewayFunctionsProps): void {
    const stack = Stack.of(this);
    const t = props.tables;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions:
          name === "watchdog" ? [...GATEWAY_TABLE_ACTIONS, "dynamodb:Scan"] : [...GATEWAY_TABLE_ACTIONS],
        resources: [
          ...Object.values(t).map((table) => table.tableArn),
          `${t.connections.tableArn}/index/${KEYS.connections.byUserIndex}`,
        ],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["execute-api:ManageConnections"],
        resources: [manageConnectionsArn(props.clientStage), manageConnectionsArn(props.agentStage)],
      }),
    );
    for (const secret of LAMBDA_SECRETS[name]) grantSecretRead(this, fn, props.config.secretPrefix, secret);
    if (name === "http-api") {
      // Users store their own LLM API key from the Settings page.
      grantSecretWrite(this, fn, props.config.secretPrefix, `${USER_DATA_PREFIX}*`);
      grantUserObjects(fn.role as Role, props.dataBucket);
    }
    // The agent tasks' objects (state archive, skills), and the presigned URLs it signs for them.
    if (name === "agent-api") grantUserObjects(fn.role as Role, props.dataBucket);

    const clusterArn = props.cluster.clusterArn;
    const onCluster = { ArnEquals: { "ecs:cluster": clusterArn } };
    const taskArns = stack.formatArn({
      service: "ecs",
      resource: "task",
      resourceName: `${props.cluster.clusterName}/*`,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["ecs:DescribeTasks", "ecs:StopTask"],
        resources: [taskArns],
        conditions: onCluster,
      }),
    );
    const role = ECS_ROLE[name];
    if (role.run) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["ecs:RunTask"],
          resources: [props.taskDefinition.taskDefinitionArn],
          conditions: onCluster,
        }),
      );
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["ecs:TagResource"],
          resources: [taskArns],
          conditions: { StringEquals: { "ecs:CreateAction": "RunTask" } },
        }),
      );
      const roles = [props.taskDefinition.taskRole.roleArn];
      if (props.taskDefinition.executionRole) roles.push(props.taskDefinition.executionRole.roleArn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["iam:PassRole"],
          resources: roles,
          conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        }),
      );
    }
    if (name === "watchdog") {
      // Its session sweep: deleted or disabled users (no Cognito trigger fires) lose their sockets.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["cognito-idp:ListUsers"],
          resources: [
            stack.formatArn({ service: "cognito-idp", resource: "userpool", resourceName: props.userPoolId }),
          ],
        }),
      );
    }
    if (role.list) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ["ecs:ListTasks"], resources: ["*"], conditions: onCluster }),
      );
    }
  }
}

function taskSize(config: DeployConfig): { cpu: number; memoryLimitMiB: number } {
  return config.browser ? TASK_SIZE.browser : TASK_SIZE.standard;
}
