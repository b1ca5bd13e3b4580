import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { Template } from "aws-cdk-lib/assertions";

/**
 * Evaluates the synthesized templates' IAM policies with a real policy simulator
 * (@cloud-copilot/iam-simulate): the roles' statements are taken from the template, their
 * CloudFormation functions resolved to concrete ARNs in a made-up account, and requests are judged
 * Allowed or denied the way IAM would.
 */
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";

type Json = Record<string, unknown>;

export class PolicyWorld {
  private readonly app: Json;
  private readonly data: Json;

  constructor(app: Template, data: Template) {
    this.app = (app.toJSON() as { Resources: Json }).Resources;
    this.data = (data.toJSON() as { Resources: Json }).Resources;
  }

  /** The ARN a resource gets here: deterministic, from its logical id and type. */
  arnOf(logicalId: string, resources: Json = { ...this.data, ...this.app }): string {
    const type = (resources[logicalId] as { Type?: string } | undefined)?.Type;
    switch (type) {
      case "AWS::DynamoDB::Table":
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${logicalId}`;
      case "AWS::S3::Bucket":
        return `arn:aws:s3:::${logicalId.toLowerCase()}`;
      case "AWS::IAM::Role":
        return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
      default:
        return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:resource/${logicalId}`;
    }
  }

  /** The logical id of the one resource of `type` whose id starts with `prefix`, in either stack. */
  id(type: string, prefix: string): string {
    const all = { ...this.data, ...this.app };
    const ids = Object.keys(all).filter(
      (id) => id.startsWith(prefix) && (all[id] as { Type: string }).Type === type,
    );
    if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.join(", ")}`);
    return ids[0] as string;
  }

  /** The value a Ref to a resource gets (an API id, a name). */
  refOf(logicalId: string): string {
    return logicalId;
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== "object" || value === null) return value;
    const v = value as Json;
    if ("Ref" in v) {
      const ref = String(v.Ref);
      if (ref === "AWS::AccountId") return ACCOUNT;
      if (ref === "AWS::Region") return REGION;
      if (ref === "AWS::Partition") return "aws";
      if (ref === "AWS::URLSuffix") return "amazonaws.com";
      return this.refOf(ref);
    }
    if ("Fn::GetAtt" in v) {
      const [id, attr] = v["Fn::GetAtt"] as [string, string];
      return attr === "Arn" ? this.arnOf(id) : `${id}.${attr}`;
    }
    if ("Fn::ImportValue" in v) {
      // CDK's export names embed the exporting resource's logical id: `…FnGetAtt<LogicalId>Arn…`,
      // or `…ExportsOutputRef<LogicalId><hash>` for a Ref (a user pool's id).
      const name = String(v["Fn::ImportValue"]);
      const ref = Object.keys(this.data)
        .filter((candidate) => name.includes(`ExportsOutputRef${candidate}`))
        .sort((a, b) => b.length - a.length)[0];
      if (ref) return this.refOf(ref);
      const id = Object.keys(this.data)
        .filter((candidate) => name.includes(`FnGetAtt${candidate}Arn`))
        .sort((a, b) => b.length - a.length)[0];
      if (!id) throw new Error(`cannot resolve import ${name}`);
      return this.arnOf(id, this.data);
    }
    if ("Fn::Join" in v) {
      const [sep, parts] = v["Fn::Join"] as [string, unknown[]];
      return (this.resolve(parts) as unknown[]).map(String).join(sep);
    }
    if ("Fn::Sub" in v) {
      const template = String(v["Fn::Sub"]);
      return template.replaceAll("${AWS::AccountId}", ACCOUNT).replaceAll("${AWS::Region}", REGION);
    }
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, this.resolve(inner)]));
  }

  /** Every statement attached to a role (its inline policies and the AWS::IAM::Policy resources naming it). */
  statementsOf(roleId: string): Json[] {
    const out: Json[] = [];
    // Both stacks: the user pool's trigger role lives in the data stack.
    const all = { ...this.data, ...this.app };
    for (const resource of Object.values(all) as Array<{ Type: string; Properties?: Json }>) {
      if (resource.Type !== "AWS::IAM::Policy") continue;
      const roles = (resource.Properties?.Roles ?? []) as Json[];
      if (!roles.some((r) => r.Ref === roleId)) continue;
      const document = resource.Properties?.PolicyDocument as { Statement?: Json[] } | undefined;
      out.push(...(document?.Statement ?? []));
    }
    const role = all[roleId] as {
      Properties?: { Policies?: Array<{ PolicyDocument: { Statement: Json[] } }> };
    };
    for (const p of role?.Properties?.Policies ?? []) out.push(...p.PolicyDocument.Statement);
    return this.resolve(out) as Json[];
  }

  /**
   * IAM's decision for one request by the role: "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied".
   * Requests are validated against IAM's action and resource catalogue, except WebSocket routes
   * (`<api>/<stage>/<route>`), which the catalogue's execute-api resource pattern does not cover.
   */
  async decide(
    roleId: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): Promise<string> {
    const simulation: Simulation = {
      identityPolicies: [
        { name: "role", policy: { Version: "2012-10-17", Statement: this.statementsOf(roleId) } },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
        resource: { accountId: ACCOUNT, resource },
        contextVariables: context,
      },
    };
    if (action === "execute-api:Invoke" && /\/\$(connect|default|disconnect)$/.test(resource))
      return runUnsafeSimulation(simulation, {});
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error")
      throw new Error(`simulation failed for ${action} ${resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }
}

export const parameterArn = (name: string) =>
  `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/serverless-openclaw/${name}`;
