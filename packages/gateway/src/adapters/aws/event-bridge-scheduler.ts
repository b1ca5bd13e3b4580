import { createHash } from "node:crypto";
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { GatewayError } from "../../errors";
import type { ScheduleRegistration, Scheduler } from "../../ports";

export interface EventBridgeSchedulerConfig {
  /** The deployment's schedule group (one per stack, so `cdk destroy` can find them). */
  groupName: string;
  /** ARN of the schedule-fire Lambda (needed to create or edit; deleting needs only the group). */
  targetArn?: string;
  /** Role EventBridge Scheduler assumes to invoke it. */
  roleArn?: string;
}

/**
 * Each scheduled prompt is one EventBridge Scheduler schedule that invokes the schedule-fire Lambda
 * with `{ userId, scheduleId, scheduledTime }`; `scheduledTime` is filled in by EventBridge per run and
 * is the run's idempotency key. Schedules are free; each run is one Lambda invocation.
 */
export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly config: EventBridgeSchedulerConfig,
    private readonly client: SchedulerClient = new SchedulerClient({}),
  ) {}

  async create(schedule: ScheduleRegistration): Promise<void> {
    try {
      await this.client.send(new CreateScheduleCommand(this.input(schedule)));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(this.input(schedule)));
    }
  }

  async update(schedule: ScheduleRegistration): Promise<void> {
    try {
      await this.client.send(new UpdateScheduleCommand(this.input(schedule)));
    } catch (error) {
      // An at(...) schedule deletes itself after its run; editing it creates it again.
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await this.client.send(new CreateScheduleCommand(this.input(schedule)));
    }
  }

  async delete(userId: string, scheduleId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({
          Name: scheduleName(userId, scheduleId),
          GroupName: this.config.groupName,
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  private input(s: ScheduleRegistration): CreateScheduleCommandInput {
    const { targetArn, roleArn } = this.config;
    if (!targetArn || !roleArn) {
      throw new GatewayError(
        "SCHEDULER_UNAVAILABLE",
        "this function cannot create schedules (SCHEDULE_TARGET_ARN/SCHEDULER_ROLE_ARN unset); redeploy the stack",
        503,
      );
    }
    const oneShot = s.expression.startsWith("at(");
    return {
      Name: scheduleName(s.userId, s.scheduleId),
      GroupName: this.config.groupName,
      ScheduleExpression: s.expression,
      ScheduleExpressionTimezone: s.timezone,
      // No StartDate: rate(...) runs count from when EventBridge saves the schedule, which is when the
      // gateway retimes it (the record's updatedAt, local mode's anchor), give or take the call's latency.
      State: s.enabled ? "ENABLED" : "DISABLED",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: oneShot ? "DELETE" : "NONE",
      Description: `serverless-openclaw scheduled prompt ${s.scheduleId}`,
      Target: {
        Arn: targetArn,
        RoleArn: roleArn,
        // EventBridge substitutes the context attribute in the text before invoking.
        Input: JSON.stringify({
          userId: s.userId,
          scheduleId: s.scheduleId,
          scheduledTime: "<aws.scheduler.scheduled-time>",
        }),
        // A run older than an hour is not worth sending any more.
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    };
  }
}

/** Schedule names allow 64 of [0-9a-zA-Z-_.]; a Cognito sub plus our id does not fit, a hash does. */
export function scheduleName(userId: string, scheduleId: string): string {
  const hash = createHash("sha256").update(`${userId}/${scheduleId}`).digest("hex").slice(0, 40);
  return `prompt-${hash}`;
}
