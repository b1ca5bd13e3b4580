import { RemovalPolicy } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { NodejsFunction, type NodejsFunctionProps } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { nodeLambdaDefaults } from "./lambda-bundling";

/**
 * The construct ids of a function's log group and role. They are part of the logical ids in the
 * template: a changed id replaces the resource on the next deploy (a new, empty log group, a new
 * role), so each caller keeps the ids it had before these helpers existed.
 */
export interface LogIds {
  readonly logs: string;
  readonly role: string;
}

/**
 * A log group (retention, deleted with the stack) and a Lambda role that may write to that group
 * only: our functions do not get AWSLambdaBasicExecutionRole, whose grant covers every group.
 */
export function ownLogs(
  scope: Construct,
  ids: LogIds,
  retention: RetentionDays,
): { readonly logGroup: LogGroup; readonly role: Role } {
  const logGroup = new LogGroup(scope, ids.logs, { retention, removalPolicy: RemovalPolicy.DESTROY });
  const role = new Role(scope, ids.role, { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
  logGroup.grantWrite(role);
  return { logGroup, role };
}

export interface LoggedFunctionProps extends Omit<NodejsFunctionProps, "role" | "logGroup"> {
  readonly repoRoot: string;
  readonly logRetention: RetentionDays;
  /** `${id}Logs` and `${id}Role` unless given. */
  readonly ids?: LogIds;
}

/**
 * One of our Lambdas (nodeLambdaDefaults) with its own log group and role (ownLogs). What else it may
 * do, the caller grants with `fn.addToRolePolicy`.
 */
export function loggedFunction(scope: Construct, id: string, props: LoggedFunctionProps): NodejsFunction {
  const { repoRoot, logRetention, ids = { logs: `${id}Logs`, role: `${id}Role` }, ...fnProps } = props;
  const { logGroup, role } = ownLogs(scope, ids, logRetention);
  return new NodejsFunction(scope, id, { role, ...nodeLambdaDefaults(repoRoot), ...fnProps, logGroup });
}
