import { CfnResource, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { DeployConfig } from "../config";
import { Auth } from "../constructs/auth";
import { SessionTrigger } from "../constructs/session-trigger";
import { Storage } from "../constructs/storage";
import { logRetention } from "./log-retention";

export interface DataStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly repoRoot: string;
  /** The user pool trigger's entry file (packages/gateway/src/lambda/cognito-trigger.ts). */
  readonly cognitoTriggerEntry: string;
}

/**
 * Everything that holds user data: tables, the data bucket and the user pool. Kept apart from the
 * application stack so the application can be destroyed and redeployed without touching the data.
 */
export class DataStack extends Stack {
  readonly storage: Storage;
  readonly auth: Auth;
  readonly sessionTrigger: SessionTrigger;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const removalPolicy = props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.storage = new Storage(this, "Storage", { removalPolicy });
    this.auth = new Auth(this, "Auth", { selfSignUp: props.config.selfSignUp, removalPolicy });
    this.sessionTrigger = new SessionTrigger(this, "SessionTrigger", {
      userPool: this.auth.userPool,
      tables: this.storage.tables,
      repoRoot: props.repoRoot,
      entry: props.cognitoTriggerEntry,
      logRetention: logRetention(props.config.logRetentionDays),
    });
    this.retainAutoDeleteLogs(props.config.logRetentionDays);
  }

  /**
   * CDK's S3 auto-delete handler (a removable data bucket) would log to a group Lambda creates with no
   * retention, kept and billed forever. Point it at a group of ours with the deployment's retention.
   */
  private retainAutoDeleteLogs(days: number): void {
    const provider = this.node.tryFindChild("Custom::S3AutoDeleteObjectsCustomResourceProvider");
    const handler = provider?.node.tryFindChild("Handler");
    if (!(handler instanceof CfnResource)) return;
    const logs = new LogGroup(this, "AutoDeleteObjectsLogs", {
      retention: logRetention(days),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    handler.addPropertyOverride("LoggingConfig", { LogGroup: logs.logGroupName });
    handler.addDependency(logs.node.defaultChild as CfnResource);
  }
}
