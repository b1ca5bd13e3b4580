import { Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { CfnScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import { Construct } from "constructs";

export interface SchedulingProps {
  /** The schedule-fire Lambda every schedule invokes. */
  readonly fire: NodejsFunction;
  /** Lambdas that create, edit and delete schedules (the HTTP API). */
  readonly managers: readonly NodejsFunction[];
}

/**
 * Scheduled prompts on EventBridge Scheduler: one schedule group per deployment (deleting the stack
 * deletes the group and every schedule in it), a role the service assumes to invoke schedule-fire, and
 * the rights of the HTTP API to manage schedules in that group only. Schedules cost nothing; each run
 * is one Lambda invocation.
 */
export class Scheduling extends Construct {
  readonly group: CfnScheduleGroup;
  readonly invokeRole: Role;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new CfnScheduleGroup(this, "Group", {});
    const groupName = this.group.ref;

    this.invokeRole = new Role(this, "InvokeRole", {
      description: "Assumed by EventBridge Scheduler to run scheduled prompts",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
      }),
    });
    this.invokeRole.addToPolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [props.fire.functionArn] }),
    );

    const schedules = stack.formatArn({
      service: "scheduler",
      resource: "schedule",
      resourceName: `${groupName}/*`,
    });
    const everyone = [props.fire, ...props.managers];
    for (const fn of everyone) {
      fn.addEnvironment("SCHEDULE_GROUP", groupName);
      const manages = props.managers.includes(fn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: manages
            ? ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"]
            : ["scheduler:DeleteSchedule"],
          resources: [schedules],
        }),
      );
    }
    for (const fn of props.managers) {
      fn.addEnvironment("SCHEDULE_TARGET_ARN", props.fire.functionArn);
      fn.addEnvironment("SCHEDULER_ROLE_ARN", this.invokeRole.roleArn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["iam:PassRole"],
          resources: [this.invokeRole.roleArn],
          conditions: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
        }),
      );
    }
  }
}
