import { existsSync } from "node:fs";
import { join } from "node:path";
import { KEYS } from "@serverless-openclaw/shared";
import { Duration, IgnoreMode, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import type { ISecurityGroup, IVpc } from "aws-cdk-lib/aws-ec2";
import { type DockerImageAssetOptions, Platform } from "aws-cdk-lib/aws-ecr-assets";
import {
  AwsLogDriver,
  Cluster,
  ContainerImage,
  CpuArchitecture,
  FargateTaskDefinition,
  LinuxParameters,
  OperatingSystemFamily,
} from "aws-cdk-lib/aws-ecs";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { DeployConfig } from "../config";
import { IMAGE_IGNORE_FILE, type ImageSource, imageContextExclude } from "../paths";
import { dataTableEnvironment, grantSecretRead, grantUserObjects, TASK_TABLE_ACTIONS } from "./permissions";
import type { DataTables } from "./storage";

export const CONTAINER_NAME = "openclaw";
/** Prefix of every per-user object in the data bucket (`users/<userId>/…`). */
export const USER_DATA_PREFIX = "users/";

/** Task sizes. OpenClaw's gateway measured 1.1–1.5 GB resident; Chromium needs roughly as much again. */
export const TASK_SIZE = {
  standard: { cpu: 1024, memoryLimitMiB: 2048 },
  browser: { cpu: 2048, memoryLimitMiB: 4096 },
} as const;

export interface AgentTaskProps {
  readonly config: DeployConfig;
  readonly image: ImageSource;
  readonly vpc: IVpc;
  readonly securityGroup: ISecurityGroup;
  readonly tables: DataTables;
  readonly dataBucket: Bucket;
  readonly clientStage: WebSocketStage;
  readonly agentStage: WebSocketStage;
  readonly logRetention: RetentionDays;
}

/**
 * The ECS cluster and the per-user OpenClaw task definition. There is no ECS service: the gateway
 * runs one task per user with RunTask when a message arrives, so nothing runs (or bills) while idle.
 */
export class AgentTask extends Construct {
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  /** The task's log group (metric filters for turn errors, cold starts and agent-hours read it). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AgentTaskProps) {
    super(scope, id);
    const { config } = props;

    this.cluster = new Cluster(this, "Cluster", {
      vpc: props.vpc,
      enableFargateCapacityProviders: true,
    });
    // Spot first; the gateway's runner retries with FARGATE when Spot has no capacity.
    this.cluster.addDefaultCapacityProviderStrategy([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
    Validations.of(this.cluster).acknowledge({
      id: "AwsSolutions-ECS4",
      reason:
        "Container Insights bills custom metrics per task; the task logs to CloudWatch Logs and the " +
        "gateway records lifecycle state in DynamoDB, which is enough for a personal agent.",
    });

    const size = config.browser ? TASK_SIZE.browser : TASK_SIZE.standard;
    this.taskDefinition = new FargateTaskDefinition(this, "TaskDefinition", {
      ...size,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
      // The default 20 GiB of ephemeral storage (included in the price) holds OpenClaw's state dir.
    });

    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logGroup = this.logGroup;

    const region = Stack.of(this).region;
    this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: ContainerImage.fromAsset(
        props.image.directory,
        agentImageAssetOptions(props.image, config.browser),
      ),
      essential: true,
      // Chromium forks helper processes that outlive a crashed parent; an init process (tini) as
      // PID 1 reaps them, which our Node entrypoint would not.
      ...(config.browser
        ? { linuxParameters: new LinuxParameters(this, "Linux", { initProcessEnabled: true }) }
        : {}),
      // Spot interruptions give two minutes; use all of it to finish the turn and back up state.
      stopTimeout: Duration.seconds(120),
      logging: new AwsLogDriver({ streamPrefix: "agent", logGroup }),
      // USER_ID and AGENT_SECRET are set per start by the gateway (RunTask container overrides).
      environment: {
        AWS_REGION: region,
        AGENT_WS_URL: props.agentStage.url,
        // The agent API's $connect is IAM-authorized: sign it with the task role (SigV4).
        AGENT_WS_SIGN: "1",
        CLIENT_PUSH_ENDPOINT: props.clientStage.callbackUrl,
        ...dataTableEnvironment(props.tables),
        DATA_BUCKET: props.dataBucket.bucketName,
        SECRET_PREFIX: config.secretPrefix,
        TELEGRAM_ENABLED: String(config.telegram),
        DEFAULT_INACTIVITY_MINUTES: String(config.inactivityMinutes),
        BROWSER_ENABLED: String(config.browser),
        OPENCLAW_MODE: config.openClawMode,
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: "AwsSolutions-ECS2",
      reason:
        "The environment holds only resource names and endpoints; secrets are read at boot from SSM " +
        "SecureString parameters by the task role and never passed as variables.",
    });

    this.grantTaskRole(props);
  }

  /**
   * The task role. One role serves every user's task, and ECS sets neither a session name of ours nor
   * session tags on it, so conditions such as dynamodb:LeadingKeys on this role alone cannot tell one
   * user's task from another's. Per-user scoping is still possible, and is the design in
   * docs/security.md: the task's store access goes through the gateway, which binds the task to its
   * user (the role session is named after the ECS task id) and serves it only that user's data, as
   * local mode already does; or the gateway hands out sts:AssumeRole session credentials tagged with
   * the userId. Until that lands this role is still broad (table-level actions, `users/*` objects and
   * parameters; no bot token any more): docs/security.md, "On AWS", says what that means.
   */
  private grantTaskRole(props: AgentTaskProps): void {
    const role = this.taskDefinition.taskRole;
    const t = props.tables;
    for (const [key, actions] of Object.entries(TASK_TABLE_ACTIONS)) {
      const table = t[key as keyof DataTables];
      const resources = [table.tableArn];
      if (table === t.connections) resources.push(`${table.tableArn}/index/${KEYS.connections.byUserIndex}`);
      role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources }));
    }
    grantUserObjects(role, props.dataBucket);
    // Push replies to the user's browser connections.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["execute-api:ManageConnections"],
        resources: [manageConnectionsArn(props.clientStage)],
      }),
    );
    // Open the agent WebSocket: only its IAM-authorized $connect route.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["execute-api:Invoke"],
        resources: [
          Stack.of(this).formatArn({
            service: "execute-api",
            resource: props.agentStage.api.apiId,
            resourceName: `${props.agentStage.stageName}/$connect`,
          }),
        ],
      }),
    );
    // The user's LLM key. No bot token: Telegram, Discord and Slack replies go through the gateway's
    // chat relay on the agent socket (the agent-socket Lambda holds the tokens; docs/security.md).
    grantSecretRead(this, role, props.config.secretPrefix, `${USER_DATA_PREFIX}*`);
  }
}

/**
 * How CDK stages and builds the agent image: only what Dockerfile.dockerignore lets in (Docker's
 * semantics, so its `!` lines work; CDK would otherwise pick glob mode), for linux/arm64.
 */
export function agentImageAssetOptions(image: ImageSource, browser: boolean): DockerImageAssetOptions {
  return {
    file: image.file,
    platform: Platform.LINUX_ARM64,
    // docker/openclaw/Dockerfile installs Chromium for the browser variant when WITH_CHROMIUM=1.
    buildArgs: { WITH_CHROMIUM: browser ? "1" : "0" },
    // The repository's image (a stand-in directory in tests, or the failing build, has no such list).
    ...(existsSync(join(image.directory, IMAGE_IGNORE_FILE))
      ? { exclude: imageContextExclude(image.directory), ignoreMode: IgnoreMode.DOCKER }
      : {}),
  };
}

/** `arn:…:execute-api:<region>:<account>:<apiId>/<stage>/*\/@connections/*` */
export function manageConnectionsArn(stage: WebSocketStage): string {
  return Stack.of(stage).formatArn({
    service: "execute-api",
    resource: stage.api.apiId,
    resourceName: `${stage.stageName}/*/@connections/*`,
  });
}
