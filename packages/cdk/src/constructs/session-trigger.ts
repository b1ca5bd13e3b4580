import { KEYS } from "@serverless-openclaw/shared";
import { type UserPool, UserPoolOperation } from "aws-cdk-lib/aws-cognito";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { loggedFunction } from "./logged-function";
import type { DataTables } from "./storage";

export interface SessionTriggerProps {
  readonly userPool: UserPool;
  readonly tables: DataTables;
  readonly repoRoot: string;
  /** packages/gateway/src/lambda/cognito-trigger.ts */
  readonly entry: string;
  readonly logRetention: RetentionDays;
}

/**
 * The user pool's post-confirmation trigger: after a password reset (ConfirmForgotPassword) it ends
 * the user's sessions (packages/gateway/src/handlers/cognito-trigger.ts). It sits in the data stack
 * with the pool because the application stack depends on this one: the pool cannot name a function
 * there. So it reaches only the two tables it writes, never a WebSocket API: it marks the user's
 * tokens revoked and drops their browser connections' rows.
 */
export class SessionTrigger extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: SessionTriggerProps) {
    super(scope, id);
    const { settings, connections } = props.tables;
    this.function = loggedFunction(this, "Function", {
      repoRoot: props.repoRoot,
      logRetention: props.logRetention,
      ids: { logs: "Logs", role: "Role" },
      entry: props.entry,
      environment: {
        TABLE_SETTINGS: settings.tableName,
        TABLE_CONNECTIONS: connections.tableName,
        POWERTOOLS_SERVICE_NAME: "cognito-trigger",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    // The revocation mark, and the user's connection rows found through the byUser index.
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ["dynamodb:PutItem"], resources: [settings.tableArn] }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [`${connections.tableArn}/index/${KEYS.connections.byUserIndex}`],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ["dynamodb:DeleteItem"], resources: [connections.tableArn] }),
    );
    props.userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, this.function);
  }
}
