import { agentHourUsd } from "@serverless-openclaw/shared";
import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenClawNagChecks } from "../src/nag";
import { cleanup, resourcesOf, type Synthesized, synth } from "./synth";

// Two synths: the defaults (us-east-1, $10 budget, dashboard on) with an alarm address, and a deployment
// without budget, dashboard or e-mail in another region.
let main: Synthesized;
let bare: Synthesized;
beforeAll(() => {
  main = synth({ telegram: true, alarmEmail: "ops@example.com" });
  bare = synth({ budgetMonthlyUsd: 0, dashboard: false, region: "eu-west-1" });
});
afterAll(() => {
  cleanup(main);
  cleanup(bare);
});

type Json = Record<string, unknown>;
const alarms = (s: Synthesized) => resourcesOf(s.appTemplate, "AWS::CloudWatch::Alarm");
const alarmNamed = (s: Synthesized, id: string) => {
  const found = alarms(s).find(([logicalId]) => logicalId.startsWith(`Monitoring${id}`));
  if (!found)
    throw new Error(
      `no alarm ${id}: ${alarms(s)
        .map(([l]) => l)
        .join(", ")}`,
    );
  return found[1];
};
const metricNames = (p: Json): string[] =>
  ((p.Metrics as Json[] | undefined) ?? []).flatMap((m) => {
    const stat = (m.MetricStat as { Metric?: { MetricName?: string } } | undefined)?.Metric?.MetricName;
    return stat ? [stat] : [];
  });
const dims = (p: Json): Json[] =>
  ((p.Metrics as Json[] | undefined) ?? []).flatMap((m) => {
    const d = (m.MetricStat as { Metric?: { Dimensions?: Json[] } } | undefined)?.Metric?.Dimensions;
    return d ?? [];
  });

describe("alarms", () => {
  it("send every alarm to one SSL-only SNS topic, with the e-mail subscription from context", () => {
    const t = main.appTemplate;
    t.resourceCountIs("AWS::SNS::Topic", 1);
    t.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "ops@example.com" });
    const [[topicId] = [""]] = resourcesOf(t, "AWS::SNS::Topic");
    for (const [id, p] of alarms(main)) {
      expect(p.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(p.TreatMissingData, id).toBe("notBreaching");
    }
    t.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    bare.appTemplate.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("watch failed starts (RunTask errors from any Lambda and start timeouts), one metric each", () => {
    const p = alarmNamed(main, "AgentStartFailed");
    expect(metricNames(p).sort()).toEqual(["AgentStartFailed", "Watchdog.start-timeout"]);
    // Every gateway function emits under one `service` value, so one series covers them all.
    expect(dims(p)).toEqual([
      { Name: "service", Value: "gateway" },
      { Name: "service", Value: "gateway" },
    ]);
    expect(p.Threshold).toBe(1);
  });

  it("keep the bill small: at most 11 alarm metrics (10 are free), whatever the number of Lambdas", () => {
    const count = alarms(main)
      .map(([, p]) => (p.MetricName ? 1 : metricNames(p).length))
      .reduce((a, b) => a + b, 0);
    expect(count).toBeLessThanOrEqual(11);
  });

  it("watch watchdog stops, agent turn errors, and errors and throttles of every gateway Lambda", () => {
    expect(metricNames(alarmNamed(main, "WatchdogKills"))).toEqual(["Watchdog.kill"]);
    const functions = resourcesOf(main.appTemplate, "AWS::Lambda::Function").filter(([, p]) =>
      Boolean((p.Environment as { Variables?: Json } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME),
    );
    expect(functions.length).toBeGreaterThanOrEqual(6);
    // Account-wide Lambda metrics cover every function, including ones added later.
    expect(alarmNamed(main, "LambdaErrors")).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Statistic: "Sum",
    });
    expect(alarmNamed(main, "LambdaErrors").Dimensions).toBeUndefined();
    expect(alarmNamed(main, "LambdaThrottles")).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Throttles",
    });
    // The dashboard shows them per function.
    const [[, dash] = ["", {}]] = resourcesOf(main.appTemplate, "AWS::CloudWatch::Dashboard");
    const body = JSON.stringify(dash.DashboardBody);
    for (const [fnId] of functions) expect(body, fnId).toContain(fnId);
    const turns = alarmNamed(main, "AgentTurnErrors");
    expect(turns).toMatchObject({
      MetricName: "TurnErrors",
      Namespace: "ServerlessOpenClaw",
      Threshold: 3,
      Period: 3600,
    });
  });

  it("turn the agent task's log lines into metrics (turn errors, cold start, agent seconds)", () => {
    const filters = resourcesOf(main.appTemplate, "AWS::Logs::MetricFilter").map(([, p]) => p);
    const byName = Object.fromEntries(
      filters.map((p) => {
        const [t] = p.MetricTransformations as Json[];
        return [t?.MetricName as string, { pattern: p.FilterPattern as string, value: t?.MetricValue }];
      }),
    );
    expect(byName.TurnErrors?.pattern).toContain('$.message = "turn ended with an error"');
    expect(byName.AgentColdStartMs).toMatchObject({ value: "$.marks.ready" });
    expect(byName.AgentRunSeconds).toMatchObject({ value: "$.seconds" });
    expect(byName.AgentRunSeconds?.pattern).toContain('"agent run booked"');
    expect(byName.AgentOnDemandSeconds).toMatchObject({ value: "$.seconds" });
    expect(byName.AgentOnDemandSeconds?.pattern).toContain('$.capacity = "on-demand"');
  });

  it("alarm on spend: agent-hours priced per day against the budget, and AWS/Billing in us-east-1 only", () => {
    const pace = alarmNamed(main, "AgentSpendPace");
    expect(pace.Threshold).toBeCloseTo(10 / 30, 5);
    // Every second at the Spot rate, on-demand seconds (Spot's fallback) again at the difference.
    expect(metricNames(pace)).toEqual([
      "AgentRunSeconds",
      "AgentRunSeconds",
      "AgentOnDemandSeconds",
      "AgentOnDemandSeconds",
    ]);
    expect(JSON.stringify(pace.Metrics)).toMatch(/3600/);
    const extra = agentHourUsd(undefined, "on-demand") - agentHourUsd(undefined, "spot");
    expect(JSON.stringify(pace.Metrics)).toContain(`d / 3600 * ${extra.toFixed(5)}`);
    expect(alarmNamed(main, "MonthlySpend")).toMatchObject({
      Namespace: "AWS/Billing",
      MetricName: "EstimatedCharges",
      Threshold: 10,
      Dimensions: [{ Name: "Currency", Value: "USD" }],
    });
    const bareIds = alarms(bare).map(([id]) => id);
    expect(bareIds.some((id) => id.includes("Spend"))).toBe(false);
    expect(bareIds.some((id) => id.includes("AgentStartFailed"))).toBe(true);
  });
});

describe("dashboard", () => {
  it("shows agent hours, starts, cold start, turns, errors and the alarms; off by context", () => {
    const [[, p] = ["", {}]] = resourcesOf(main.appTemplate, "AWS::CloudWatch::Dashboard");
    const body = JSON.stringify(p.DashboardBody);
    for (const title of [
      "Agent hours per day",
      "Agent starts",
      "Cold start",
      "Messages and turn errors",
      "Lambda errors",
      "Lambda throttles",
      "Alarms",
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain("AgentColdStartMs");
    bare.appTemplate.resourceCountIs("AWS::CloudWatch::Dashboard", 0);
  });
});

describe("scheduled prompts", () => {
  it("have a schedule group, a role EventBridge Scheduler assumes to invoke schedule-fire only, and HTTP API rights in that group", () => {
    const t = main.appTemplate;
    t.resourceCountIs("AWS::Scheduler::ScheduleGroup", 1);
    const [[groupId] = [""]] = resourcesOf(t, "AWS::Scheduler::ScheduleGroup");
    const fns = resourcesOf(t, "AWS::Lambda::Function");
    const fnOf = (service: string) =>
      fns.find(
        ([, p]) => (p.Environment as { Variables?: Json }).Variables?.POWERTOOLS_SERVICE_NAME === service,
      );
    const [fireId, fire] = fnOf("schedule-fire") ?? ["", {}];
    const [, http] = fnOf("http-api") ?? ["", {}];
    expect((fire.Environment as { Variables: Json }).Variables.SCHEDULE_GROUP).toEqual({ Ref: groupId });
    expect((fire.Environment as { Variables: Json }).Variables.SCHEDULE_TARGET_ARN).toBeUndefined();
    const httpEnv = (http.Environment as { Variables: Json }).Variables;
    expect(httpEnv.SCHEDULE_TARGET_ARN).toEqual({ "Fn::GetAtt": [fireId, "Arn"] });
    expect(httpEnv.SCHEDULER_ROLE_ARN).toBeDefined();
    expect(httpEnv.BUDGET_MONTHLY_USD).toBe("10");
    expect(httpEnv.TASK_VCPU).toBe("1");
    const [, telegram] = fnOf("telegram-webhook") ?? ["", {}];
    expect((telegram.Environment as { Variables: Json }).Variables.SCHEDULE_TARGET_ARN).toEqual({
      "Fn::GetAtt": [fireId, "Arn"],
    });

    const roles = resourcesOf(t, "AWS::IAM::Role").filter(([, p]) =>
      JSON.stringify(p.AssumeRolePolicyDocument).includes("scheduler.amazonaws.com"),
    );
    expect(roles).toHaveLength(1);
    const policies = resourcesOf(t, "AWS::IAM::Policy").filter(([, p]) =>
      JSON.stringify(p.PolicyDocument).includes("lambda:InvokeFunction"),
    );
    expect(JSON.stringify(policies.map(([, p]) => p.PolicyDocument))).toContain(`"${fireId}","Arn"`);
    const all = JSON.stringify(resourcesOf(t, "AWS::IAM::Policy").map(([, p]) => p.PolicyDocument));
    expect(all).toContain("scheduler:CreateSchedule");
    expect(all).toMatch(/"iam:PassedToService":"scheduler.amazonaws.com"/);
  });

  it("keep cdk-nag green", () => {
    const report = new OpenClawNagChecks().validateScope(main.app);
    expect(report.violations.filter((v) => /SNS|Scheduler|IAM/.test(v.ruleName + v.description))).toEqual([]);
  });
});
