import { existsSync } from "node:fs";
import { join } from "node:path";
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
import { Construct } from "constructs";
import type { DeployConfig } from "../config";
import { IMAGE_IGNORE_FILE, type ImageSource, imageContextExclude } from "../paths";
import type { AgentHttpApi } from "./apis";

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
  readonly agentStage: WebSocketStage;
  /** The agent HTTP API: the task's only way to its user's data (store RPC, pushes, blob URLs). */
  readonly agentHttpApi: AgentHttpApi;
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
      // USER_ID and AGENT_SECRET are set per start by the gateway (RunTask container overrides). The
      // secret alone opens nothing: the gateway also requires the caller's IAM session to be this task.
      // No table, bucket or secret name: the task reaches its data only through the agent HTTP API.
      environment: {
        AWS_REGION: region,
        AGENT_WS_URL: props.agentStage.url,
        // The agent API's $connect is IAM-authorized: sign it with the task role (SigV4).
        AGENT_WS_SIGN: "1",
        AGENT_API_URL: props.agentHttpApi.url,
        TELEGRAM_ENABLED: String(config.telegram),
        DEFAULT_INACTIVITY_MINUTES: String(config.inactivityMinutes),
        BROWSER_ENABLED: String(config.browser),
        OPENCLAW_MODE: config.openClawMode,
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: "AwsSolutions-ECS2",
      reason:
        "The environment holds only endpoints; the task's secrets (its user's LLM key) come from the " +
        "gateway over the IAM-authorized agent API at boot and are never passed as variables.",
    });

    this.grantTaskRole(props);
  }

  /**
   * The task role. One role serves every user's task, and ECS sets neither a session name of ours nor
   * session tags on it, so IAM conditions on this role alone (dynamodb:LeadingKeys and the like) cannot
   * tell one user's task from another's. So the role reaches no data at all: it may only open the
   * agent WebSocket and call the agent HTTP API. The gateway binds each call to a user by the role
   * session's name, which ECS sets to the task id and the user's TaskState row names as its current
   * task, and serves the task that user's rows, objects and LLM key through the same scopeStores rules
   * as local mode (docs/security.md, "On AWS").
   */
  private grantTaskRole(props: AgentTaskProps): void {
    const role = this.taskDefinition.taskRole;
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["execute-api:Invoke"],
        resources: [
          // The agent WebSocket: only its IAM-authorized $connect route.
          stack.formatArn({
            service: "execute-api",
            resource: props.agentStage.api.apiId,
            resourceName: `${props.agentStage.stageName}/$connect`,
          }),
          ...props.agentHttpApi.routeArns(stack),
        ],
      }),
    );
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
