import { KEYS, TTL_ATTRIBUTE } from "@serverless-openclaw/shared";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

export interface StorageProps {
  /** RETAIN keeps every table and the bucket when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

export interface DataTables {
  readonly conversations: Table;
  readonly settings: Table;
  readonly taskState: Table;
  readonly connections: Table;
  readonly pending: Table;
}

/**
 * The five DynamoDB tables (key schema mirrors packages/gateway/src/adapters/aws/tables.ts, both built
 * from the shared KEYS) and the S3 bucket for OpenClaw state and skills. On-demand billing: nothing is
 * charged while nobody uses the agent.
 */
export class Storage extends Construct {
  readonly tables: DataTables;
  readonly dataBucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const base = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    };
    const str = AttributeType.STRING;
    // History and settings are the user's data: point-in-time recovery costs cents for a personal
    // deployment and undoes a bad write. The other three tables hold short-lived rows.
    const pitr = { pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } };

    const conversations = new Table(this, "Conversations", {
      ...base,
      ...pitr,
      partitionKey: { name: KEYS.conversations.pk, type: str },
      sortKey: { name: KEYS.conversations.sk, type: str },
    });
    const settings = new Table(this, "Settings", {
      ...base,
      ...pitr,
      partitionKey: { name: KEYS.settings.pk, type: str },
      sortKey: { name: KEYS.settings.sk, type: str },
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    const taskState = new Table(this, "TaskState", {
      ...base,
      partitionKey: { name: KEYS.taskState.pk, type: str },
    });
    const connections = new Table(this, "Connections", {
      ...base,
      partitionKey: { name: KEYS.connections.pk, type: str },
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    connections.addGlobalSecondaryIndex({
      indexName: KEYS.connections.byUserIndex,
      partitionKey: { name: KEYS.connections.byUserPk, type: str },
    });
    const pending = new Table(this, "PendingMessages", {
      ...base,
      partitionKey: { name: KEYS.pending.pk, type: str },
      sortKey: { name: KEYS.pending.sk, type: str },
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    for (const t of [taskState, connections, pending]) {
      Validations.of(t).acknowledge({
        id: "AwsSolutions-DDB3",
        reason:
          "Holds only short-lived operational rows (task state, live connections, undelivered messages " +
          "with a TTL) that are rebuilt on the next use; point-in-time recovery would bill for nothing.",
      });
    }
    this.tables = { conversations, settings, taskState, connections, pending };

    const retain = props.removalPolicy === RemovalPolicy.RETAIN;
    this.dataBucket = new Bucket(this, "DataBucket", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: !retain,
      lifecycleRules: [
        {
          id: "expire-old-state-versions",
          // Each agent stop writes a new state archive; keep a month of older ones to roll back.
          noncurrentVersionExpiration: Duration.days(30),
          noncurrentVersionsToRetain: 3,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
    Validations.of(this.dataBucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "Private bucket reached only by the agent task role; server access logs would need a second " +
        "bucket and cost more than the data they describe. CloudTrail covers management access.",
    });
  }
}
