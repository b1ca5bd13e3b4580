import {
  CfnResource,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  Stack,
  Validations,
} from "aws-cdk-lib";
import { CfnPolicy } from "aws-cdk-lib/aws-iam";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

/**
 * Wildcards in IAM policies that this app needs, each with the reason it is safe. cdk-nag reports every
 * wildcard resource or action as a separate AwsSolutions-IAM5 finding whose id embeds the flattened
 * resource; instead of copying those ids (they contain logical ids and the region), each finding is
 * matched here by pattern, and only the listed ones are acknowledged. A new wildcard stays a finding.
 */
export interface ExpectedWildcard {
  /** The finding as cdk-nag writes it, e.g. `Resource::arn:<AWS::Partition>:…/users/*`. */
  readonly finding: RegExp;
  /** Limits the match to policies under this construct path. */
  readonly path?: RegExp;
  readonly reason: string;
}

/**
 * A wildcard ARN finding in this account. The partition is `<AWS::Partition>`, or the literal (`aws`,
 * `aws-cn`, …) when the feature flag @aws-cdk/core:enablePartitionLiterals is on; the region likewise.
 */
function arnFinding(service: string, resource: string): RegExp {
  return new RegExp(
    String.raw`^Resource::arn:(<AWS::Partition>|aws[a-z-]*):${service}:[^:]+:<AWS::AccountId>:${resource}$`,
  );
}

export const EXPECTED_WILDCARDS: readonly ExpectedWildcard[] = [
  {
    finding: arnFinding("scheduler", String.raw`schedule/<[^>]+>/\*`),
    reason:
      "Scheduled prompts are EventBridge schedules named per user and prompt at runtime; the grant is " +
      "limited to this deployment's schedule group.",
  },
  {
    finding: /^Resource::.+\/users\/\*$/,
    reason:
      "Per-user data (S3 objects, SSM parameters) lives under users/<userId>/; user ids are created at " +
      "sign-up, and the gateway Lambdas serve every user (see docs/deployment.md, 'What the agent task may touch').",
  },
  {
    finding: arnFinding("execute-api", String.raw`<[^>]+>/prod/\*/@connections/\*`),
    reason:
      "Connection ids are assigned by API Gateway at runtime; the grant is limited to this API's stage.",
  },
  {
    path: /\/Agent\/TaskDefinition\/TaskRole\//,
    finding: arnFinding(
      "execute-api",
      String.raw`<AgentHttpApi[A-Z0-9]+>/\$default/(POST|DELETE)/connections/\*`,
    ),
    reason:
      "The agent task pushes to its user's browser connections through the agent HTTP API; connection " +
      "ids are assigned at runtime, and the gateway serves only the caller's own user's connections.",
  },
  {
    path: /\/Gateway\/AgentApiRole\//,
    finding: arnFinding("ssm", String.raw`parameter/[^*]+/users/\*/llm-api-key`),
    reason:
      "The agent API serves each task its own user's LLM key (user ids are created at sign-up); it reads " +
      "no other parameter under users/.",
  },
  {
    finding: arnFinding("ssm", String.raw`parameter/[^*]+/\*`),
    reason:
      "Secrets are SecureString parameters created by hand under the app's prefix; names vary per user.",
  },
  {
    finding: arnFinding("kms", String.raw`key/\*`),
    reason:
      "The id of the AWS-managed aws/ssm key is unknown at synth; the statement only applies to calls " +
      "made through SSM (kms:ViaService condition).",
  },
  {
    finding: arnFinding("ecs", String.raw`task/<[^>]+>/\*`),
    reason:
      "Task ids are assigned by ECS at runtime; the grant is limited to this cluster (ecs:cluster condition).",
  },
  {
    path: /\/Gateway\/WatchdogRole\//,
    finding: /^Resource::\*$/,
    reason:
      "ecs:ListTasks has no resource-level permissions; the ecs:cluster condition limits it to this cluster.",
  },
  {
    path: /\/Agent\/TaskDefinition\/ExecutionRole\//,
    finding: /^Resource::\*$/,
    reason: "ecr:GetAuthorizationToken does not support resource-level permissions (granted by aws-cdk-lib).",
  },
  {
    path: /\/TelegramWebhookSetup\/ProviderRole\//,
    finding: /^Resource::<TelegramWebhookSetupFunction[A-Z0-9]+\.Arn>:\*$/,
    reason:
      "aws-cdk-lib's custom-resource Provider framework may invoke any version of the one setup function " +
      "it fronts (granted by the library); it runs only during deploys.",
  },
  {
    path: /\/Custom::CDKBucketDeployment[^/]*\//,
    finding: /.*/,
    reason:
      "aws-cdk-lib's BucketDeployment handler, run only during deploys: it copies the web build from the " +
      "CDK asset bucket into the site bucket and invalidates CloudFront.",
  },
];

/** Findings on constructs aws-cdk-lib creates for us, acknowledged by id. */
const LIBRARY_CONSTRUCTS: readonly { path: RegExp; ids: string[]; reason: string }[] = [
  {
    path: /\/Custom::CDKBucketDeployment[^/]*$/,
    ids: [
      "AwsSolutions-L1",
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    ],
    reason:
      "aws-cdk-lib's BucketDeployment handler (Python + AWS CLI layer) runs only during deploys; its runtime " +
      "and its basic execution policy are chosen by the library.",
  },
];

/** Mirrors cdk-nag's flattenCfnReference, so the strings match its finding ids. */
export function flattenReference(node: unknown): string {
  if (node === undefined) return "";
  if (typeof node === "string") return node.replace(/\$\{/g, "<").replace(/}/g, ">");
  if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o["Fn::Join"]) {
      const [delimiter, items] = o["Fn::Join"] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (o["Fn::Sub"]) return flattenReference(o["Fn::Sub"]);
    if (o["Fn::GetAtt"]) {
      const [res, attr] = o["Fn::GetAtt"] as [unknown, unknown];
      return `<${flattenReference(res)}.${flattenReference(attr)}>`;
    }
    if (o["Fn::ImportValue"]) return flattenReference(o["Fn::ImportValue"]);
    if (o.Ref) return `<${flattenReference(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The IAM5 findings cdk-nag would report for one policy. */
export function wildcardFindings(policy: CfnPolicy): string[] {
  const doc = Stack.of(policy).resolve(policy.policyDocument) as { Statement?: Statement[] };
  const out = new Set<string>();
  for (const s of doc.Statement ?? []) {
    if (s.Effect !== "Allow") continue;
    for (const a of asArray(s.Action)) if (a.includes("*")) out.add(`Action::${a}`);
    for (const r of asArray(s.Resource)) {
      const flat = flattenReference(r);
      if (flat.includes("*")) out.add(`Resource::${flat}`);
    }
  }
  return [...out];
}

/** Acknowledges the expected findings (with their reasons) across the tree. Idempotent. */
export function acknowledgeExpectedFindings(root: IConstruct): void {
  for (const node of root.node.findAll()) {
    const path = node.node.path;
    for (const lib of LIBRARY_CONSTRUCTS) {
      if (lib.path.test(path)) {
        for (const id of lib.ids) Validations.of(node).acknowledge({ id, reason: lib.reason });
      }
    }
    if (!(node instanceof CfnPolicy)) continue;
    for (const finding of wildcardFindings(node)) {
      const expected = EXPECTED_WILDCARDS.find(
        (w) => w.finding.test(finding) && (!w.path || w.path.test(`${path}/`)),
      );
      if (expected)
        Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: expected.reason });
    }
  }
}

/**
 * AwsSolutions checks with this app's expected findings acknowledged first. Registered in bin/app.ts
 * (`cdk synth` fails on any other finding) and used by the tests through validateScope.
 */
export class OpenClawNagChecks implements IPolicyValidationPlugin {
  readonly name = "AwsSolutions";
  private readonly inner = new AwsSolutionsChecks();

  validate(context: IPolicyValidationContext) {
    acknowledgeExpectedFindings(context.appConstruct);
    return this.inner.validate(context);
  }

  validateScope(scope: IConstruct) {
    acknowledgeExpectedFindings(scope);
    return this.inner.validateScope(scope);
  }
}

/** True for every construct that is a CloudFormation resource (used by tests to list acknowledgements). */
export const isCfnResource = (c: IConstruct): c is CfnResource => c instanceof CfnResource;
