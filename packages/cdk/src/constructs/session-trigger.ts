import { KEYS } from "@serverless-openclaw/shared";
import { RemovalPolicy } from "aws-cdk-lib";
import { type UserPool, UserPoolOperation } from "aws-cdk-lib/aws-cognito";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { nodeLambdaDefaults } from "./lambda-bundling";
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
    const logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    logGroup.grantWrite(role);
    const { settings, connections } = props.tables;
    this.function = new NodejsFunction(this, "Function", {
      role,
      ...nodeLambdaDefaults(props.repoRoot),
      entry: props.entry,
      logGroup,
      environment: {
        TABLE_SETTINGS: settings.tableName,
        TABLE_CONNECTIONS: connections.tableName,
        POWERTOOLS_SERVICE_NAME: "cognito-trigger",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    // The revocation mark, and the user's connection rows found through the byUser index.
    role.addToPolicy(new PolicyStatement({ actions: ["dynamodb:PutItem"], resources: [settings.tableArn] }));
    role.addToPolicy(
      new PolicyStatement({
        actions: ["dynamodb:Query"],
        resources: [`${connections.tableArn}/index/${KEYS.connections.byUserIndex}`],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({ actions: ["dynamodb:DeleteItem"], resources: [connections.tableArn] }),
    );
    props.userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, this.function);
  }
}
