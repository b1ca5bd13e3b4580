import {
  DescribeTasksCommand,
  ECSClient,
  type Failure,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import type { Capacity } from "@serverless-openclaw/shared";
import { TaskStartError } from "../../errors";
import type { StartTaskRequest, TaskRunner } from "../../ports";

export interface EcsTaskRunnerConfig {
  cluster: string;
  taskDefinition: string;
  /** Public subnets: the task gets a public IP, so it needs no NAT gateway. */
  subnets: readonly string[];
  securityGroups: readonly string[];
  /** The OpenClaw container's name in the task definition (for the env overrides). */
  containerName: string;
}

/** DescribeTasks accepts at most 100 tasks per call. */
const DESCRIBE_BATCH = 100;

/**
 * Starts one agent task per user on Fargate Spot, falling back to on-demand Fargate when Spot has no
 * capacity. The task gets USER_ID and its per-start AGENT_SECRET as container overrides.
 */
export class EcsTaskRunner implements TaskRunner {
  constructor(
    private readonly config: EcsTaskRunnerConfig,
    private readonly ecs: ECSClient = new ECSClient({}),
  ) {}

  async start(request: StartTaskRequest): Promise<{ taskArn: string; capacity: Capacity }> {
    const spot = await this.runTask(request, "FARGATE_SPOT");
    if (spot.taskArn) return { taskArn: spot.taskArn, capacity: "spot" };
    if (!spot.capacityShortage) throw startError(spot.reason);
    const onDemand = await this.runTask(request, "FARGATE");
    if (onDemand.taskArn) return { taskArn: onDemand.taskArn, capacity: "on-demand" };
    throw startError(onDemand.reason);
  }

  async stop(taskArn: string, reason: string): Promise<void> {
    await this.ecs.send(
      new StopTaskCommand({ cluster: this.config.cluster, task: taskArn, reason: reason.slice(0, 255) }),
    );
  }

  async running(taskArns: readonly string[]): Promise<Set<string>> {
    const running = new Set<string>();
    for (let i = 0; i < taskArns.length; i += DESCRIBE_BATCH) {
      const out = await this.ecs.send(
        new DescribeTasksCommand({
          cluster: this.config.cluster,
          tasks: taskArns.slice(i, i + DESCRIBE_BATCH),
        }),
      );
      for (const task of out.tasks ?? []) {
        if (task.taskArn && task.lastStatus !== "STOPPED") running.add(task.taskArn);
      }
    }
    return running;
  }

  private async runTask(
    request: StartTaskRequest,
    capacityProvider: "FARGATE_SPOT" | "FARGATE",
  ): Promise<{ taskArn?: string; reason: string; capacityShortage: boolean }> {
    const input: RunTaskCommandInput = {
      cluster: this.config.cluster,
      taskDefinition: this.config.taskDefinition,
      count: 1,
      capacityProviderStrategy: [{ capacityProvider, weight: 1 }],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...this.config.subnets],
          securityGroups: [...this.config.securityGroups],
          assignPublicIp: "ENABLED",
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: this.config.containerName,
            environment: [
              { name: "USER_ID", value: request.userId },
              { name: "AGENT_SECRET", value: request.agentSecret },
            ],
          },
        ],
      },
      startedBy: startedBy(request.userId),
      tags: [
        { key: "serverless-openclaw:userId", value: request.userId },
        { key: "serverless-openclaw:capacity", value: capacityProvider },
      ],
      enableECSManagedTags: true,
    };
    try {
      const out = await this.ecs.send(new RunTaskCommand(input));
      const taskArn = out.tasks?.[0]?.taskArn;
      if (taskArn) return { taskArn, reason: "", capacityShortage: false };
      const reason = describeFailures(out.failures);
      return { reason, capacityShortage: isCapacityShortage(reason) };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
      return { reason, capacityShortage: isCapacityShortage(reason) };
    }
  }
}

/** ECS reports "Capacity is unavailable at this time…" (sometimes as a thrown error) when Spot is out. */
function isCapacityShortage(reason: string): boolean {
  return /capacity|insufficient|RESOURCE:/i.test(reason);
}

function describeFailures(failures: Failure[] | undefined): string {
  const first = failures?.[0];
  if (!first) return "RunTask returned no task and no failure";
  return [first.reason, first.detail].filter(Boolean).join(": ") || "RunTask failed without a reason";
}

function startError(reason: string): TaskStartError {
  if (isCapacityShortage(reason)) {
    return new TaskStartError(
      "NO_CAPACITY",
      "AWS has no Fargate capacity for the agent right now (Spot and on-demand). Send a message to try again in a minute.",
    );
  }
  if (/AccessDenied|not authorized/i.test(reason)) {
    return new TaskStartError(
      "TASK_START_DENIED",
      "The gateway is not allowed to start the agent task (IAM). Redeploy the stack; if it persists, check the gateway role's ecs:RunTask and iam:PassRole permissions.",
    );
  }
  return new TaskStartError(
    "TASK_START_FAILED",
    `ECS could not start the agent task (${reason.slice(0, 200)}). Send a message to try again.`,
  );
}

/** ECS allows 36 characters of [A-Za-z0-9_-] here; a Cognito sub (UUID) fits exactly. */
function startedBy(userId: string): string {
  return /^[A-Za-z0-9_-]{1,36}$/.test(userId) ? userId : "serverless-openclaw";
}
