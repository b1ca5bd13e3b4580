import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { CfnNatGateway, Vpc } from "aws-cdk-lib/aws-ec2";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CfnTemplate, findIdleBillingResources, IdleCostGuard } from "../src/cost/idle-guard";
import { createApp } from "../src/main";
import { EXPECTED_WILDCARDS, OpenClawNagChecks } from "../src/nag";
import { CDK_JSON_CONTEXT, cleanup, fixtureEntries, type Synthesized, synth } from "./synth";

// Values that must never reach the cloud assembly, passed the ways an operator might try.
const SECRETS = {
  telegramBotTokenValue: "987654321:AAH-test-secret-token-do-not-leak",
  openaiKey: "sk-test-secret-do-not-leak-0123456789",
};

let s: Synthesized;
beforeAll(() => {
  process.env.TELEGRAM_BOT_TOKEN = SECRETS.telegramBotTokenValue;
  process.env.OPENAI_API_KEY = SECRETS.openaiKey;
  // CloudFormation's own linter runs on this synth only (~10 s of WASM).
  s = synth({ telegram: true, retainData: false, ...SECRETS }, { cfnValidation: true });
});
afterAll(() => {
  delete process.env.TELEGRAM_BOT_TOKEN;
  delete process.env.OPENAI_API_KEY;
  cleanup(s);
});

const ACK_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

describe("cdk-nag AwsSolutions", () => {
  it("reports zero findings once the documented exceptions are acknowledged", () => {
    const report = new OpenClawNagChecks().validateScope(s.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${(r as { constructPath?: string }).constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("gives every acknowledgement a reason a reviewer can check", () => {
    const acks: { path: string; id: string; reason: string }[] = [];
    for (const node of s.app.node.findAll()) {
      for (const m of node.node.metadata) {
        if (m.type !== ACK_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) {
          acks.push({ path: node.node.path, id, reason: String(reason) });
        }
      }
    }
    expect(acks.length).toBeGreaterThan(10);
    for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
    for (const w of EXPECTED_WILDCARDS) expect(w.reason.length).toBeGreaterThan(40);
  });

  it("fails the app's synth on an unexplained finding (the gate in front of cdk deploy)", () => {
    const careless = createApp({
      appProps: {
        outdir: mkdtempSync(join(tmpdir(), "openclaw-cdk-")),
        builtinCloudFormationValidation: false,
        context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [] },
      },
      lambdaEntries: fixtureEntries(),
      image: { directory: join(import.meta.dirname, "fixtures/image"), file: "Dockerfile", missing: false },
    });
    const role = new Role(careless.appStack, "Careless", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    });
    role.addToPolicy(new PolicyStatement({ actions: ["dynamodb:*"], resources: ["*"] }));
    try {
      expect(() => careless.app.synth()).toThrow(/AwsSolutions-IAM5\[Action::dynamodb:\*\]/);
    } finally {
      rmSync(careless.app.outdir, { recursive: true, force: true });
    }
  });

  it("still fails on a wildcard nobody explained", () => {
    const app = new App();
    const stack = new Stack(app, "Probe");
    const role = new Role(stack, "Careless", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    role.addToPolicy(new PolicyStatement({ actions: ["s3:*"], resources: ["*"] }));
    const report = new OpenClawNagChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(["AwsSolutions-IAM5[Action::s3:*]", "AwsSolutions-IAM5[Resource::*]"]),
    );
  });
});

describe("CloudFormation validation", () => {
  it("passes CloudFormation's own template validation without a finding", () => {
    const report = JSON.parse(readFileSync(join(s.outdir, "validation-report.json"), "utf8")) as {
      pluginReports: { pluginName: string; violations?: unknown[] }[];
    };
    const violations = report.pluginReports.flatMap((r) =>
      (r.violations ?? []).map((v) => ({ plugin: r.pluginName, v })),
    );
    expect(violations).toEqual([]);
  });
});

describe("idle cost guard", () => {
  it("finds nothing in either stack that bills while the agent is idle", () => {
    expect(findIdleBillingResources(s.dataTemplate.toJSON() as CfnTemplate)).toEqual([]);
    expect(findIdleBillingResources(s.appTemplate.toJSON() as CfnTemplate)).toEqual([]);
  });

  it("flags NAT gateways, load balancers, interface endpoints, running services, provisioned concurrency and secrets", () => {
    const template: CfnTemplate = {
      Resources: {
        Nat: { Type: "AWS::EC2::NatGateway" },
        Alb: { Type: "AWS::ElasticLoadBalancingV2::LoadBalancer" },
        Iface: { Type: "AWS::EC2::VPCEndpoint", Properties: { VpcEndpointType: "Interface" } },
        Gw: { Type: "AWS::EC2::VPCEndpoint", Properties: { VpcEndpointType: "Gateway" } },
        Svc: { Type: "AWS::ECS::Service", Properties: { DesiredCount: 1 } },
        IdleSvc: { Type: "AWS::ECS::Service", Properties: { DesiredCount: 0 } },
        Alias: { Type: "AWS::Lambda::Alias", Properties: { ProvisionedConcurrencyConfig: { X: 1 } } },
        Secret: { Type: "AWS::SecretsManager::Secret" },
        Db: { Type: "AWS::RDS::DBInstance" },
        Cache: { Type: "AWS::ElastiCache::CacheCluster" },
        Prov: { Type: "AWS::DynamoDB::Table", Properties: { BillingMode: "PROVISIONED" } },
        OnDemand: { Type: "AWS::DynamoDB::Table", Properties: { BillingMode: "PAY_PER_REQUEST" } },
      },
    };
    expect(
      findIdleBillingResources(template)
        .map((f) => f.logicalId)
        .sort(),
    ).toEqual(["Alb", "Alias", "Cache", "Db", "Iface", "Nat", "Prov", "Secret", "Svc"].sort());
  });

  it("counts alarm metrics and dashboards: more than 11 alarm metrics or a second dashboard is a finding", () => {
    const alarm = (n: number) => ({
      Type: "AWS::CloudWatch::Alarm",
      Properties: { Metrics: Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MetricStat: {} })) },
    });
    const within: CfnTemplate = {
      Resources: {
        A: alarm(4),
        B: alarm(3),
        C: { Type: "AWS::CloudWatch::Alarm", Properties: { MetricName: "Errors" } },
        D: alarm(3),
        Dash: { Type: "AWS::CloudWatch::Dashboard" },
      },
    };
    expect(findIdleBillingResources(within)).toEqual([]);
    const over: CfnTemplate = {
      Resources: {
        ...within.Resources,
        E: { Type: "AWS::CloudWatch::Alarm", Properties: { MetricName: "More" } },
        Dash2: { Type: "AWS::CloudWatch::Dashboard" },
      },
    };
    const findings = findIdleBillingResources(over);
    expect(findings.map((f) => f.logicalId)).toEqual(["E", "Dash2"]);
    expect(findings[0]?.why).toMatch(/\$0\.10 per alarm metric-month beyond 10 free/);
    expect(findings[1]?.why).toMatch(/\$3 per month beyond 3 free/);
  });

  it("stops the synth (and so the deploy) when a NAT gateway sneaks in", () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, "Costly");
    const vpc = new Vpc(stack, "Vpc", { natGateways: 0, maxAzs: 1 });
    new CfnNatGateway(stack, "Nat", { subnetId: vpc.publicSubnets[0]?.subnetId ?? "" });
    Validations.of(app).addPlugins(new IdleCostGuard());
    expect(() => Template.fromStack(stack)).toThrow(/AWS::EC2::NatGateway NAT gateways bill per hour/);
  });
});

describe("secrets", () => {
  it("never writes a secret given as context or environment into the cloud assembly", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(json|html|txt)$/.test(f)) files.push(p);
      }
    };
    walk(s.outdir);
    expect(files.some((f) => f.endsWith("ServerlessOpenClaw-App.template.json"))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      for (const secret of Object.values(SECRETS)) expect(text.includes(secret), f).toBe(false);
    }
  });

  it("creates no Secrets Manager secret and no SSM parameter (SecureStrings are made by hand)", () => {
    for (const t of [s.dataTemplate, s.appTemplate]) {
      t.resourceCountIs("AWS::SecretsManager::Secret", 0);
      t.resourceCountIs("AWS::SSM::Parameter", 0);
    }
  });
});
