import { Stack } from "aws-cdk-lib";
import { type IGrantable, type IRole, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";
import type { DataTables } from "./storage";

/** The table-name variables of the gateway Lambdas (read in runtime/aws.ts). */
export function dataTableEnvironment(t: DataTables): Record<string, string> {
  return {
    TABLE_CONVERSATIONS: t.conversations.tableName,
    TABLE_SETTINGS: t.settings.tableName,
    TABLE_TASK_STATE: t.taskState.tableName,
    TABLE_CONNECTIONS: t.connections.tableName,
    TABLE_PENDING: t.pending.tableName,
  };
}

/** `arn:aws:ssm:<region>:<account>:parameter/<prefix>/<sub>` (prefix starts with a slash). */
export function parameterArn(scope: Stack, prefix: string, sub: string): string {
  return scope.formatArn({
    service: "ssm",
    resource: "parameter",
    resourceName: `${prefix.slice(1)}/${sub}`,
  });
}

/**
 * Read access to the SecureString parameters under the secret prefix. They are encrypted with the
 * account's AWS-managed key `alias/aws/ssm`, whose key policy already admits any principal of the
 * account calling through SSM; the explicit kms:Decrypt, limited to calls made via SSM, keeps this
 * working where an SCP or a customer key policy is stricter.
 */
export function grantSecretRead(scope: IConstruct, grantee: IGrantable, prefix: string, sub = "*"): void {
  const stack = Stack.of(scope);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["ssm:GetParameter", "ssm:GetParameters"],
      resources: [parameterArn(stack, prefix, sub)],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(kmsViaSsm(stack, ["kms:Decrypt"]));
}

/** Write access for secrets users set in the web UI (their LLM API key). */
export function grantSecretWrite(scope: IConstruct, grantee: IGrantable, prefix: string, sub: string): void {
  const stack = Stack.of(scope);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource"],
      resources: [parameterArn(stack, prefix, sub)],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(kmsViaSsm(stack, ["kms:Encrypt", "kms:GenerateDataKey"]));
}

function kmsViaSsm(stack: Stack, actions: string[]): PolicyStatement {
  return new PolicyStatement({
    actions,
    resources: [stack.formatArn({ service: "kms", resource: "key", resourceName: "*" })],
    conditions: { StringEquals: { "kms:ViaService": `ssm.${stack.region}.amazonaws.com` } },
  });
}

/** Object read/write/delete under `users/` in the data bucket, and listing limited to that prefix. */
export function grantUserObjects(role: IRole, bucket: IBucket): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      resources: [bucket.arnForObjects("users/*")],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["s3:ListBucket"],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { "s3:prefix": ["users/*"] } },
    }),
  );
}
