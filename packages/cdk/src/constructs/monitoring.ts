import { agentHourUsd } from "@serverless-openclaw/shared";
import { Duration, Validations } from "aws-cdk-lib";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { FilterPattern, type ILogGroup, MetricFilter } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import type { DeployConfig } from "../config";

/** Namespace of every custom metric: Powertools Metrics in the Lambdas, metric filters on the task's logs. */
export const METRICS_NAMESPACE = "ServerlessOpenClaw";
/** The one `service` dimension of the gateway's metrics (packages/gateway/src/runtime/aws.ts METRICS_SERVICE). */
const GATEWAY_SERVICE = "gateway";

export interface MonitoringProps {
  readonly config: DeployConfig;
  /** Gateway Lambdas by name (their POWERTOOLS_SERVICE_NAME, the `service` dimension of their metrics). */
  readonly functions: Readonly<Record<string, NodejsFunction>>;
  readonly agentLogGroup: ILogGroup;
  /** The agent task's size, for the spend alarm's estimate. */
  readonly taskSize: { vcpu: number; memoryGb: number };
}

/** Log lines of the agent task that become metrics (the task writes JSON lines with a `message` field). */
const TASK_LOG_METRICS = {
  turnErrors: {
    name: "TurnErrors",
    messages: ["turn ended with an error", "turn failed; the message stays pending"],
    value: "1",
  },
  coldStart: { name: "AgentColdStartMs", messages: ["agent task booted"], value: "$.marks.ready" },
  runSeconds: { name: "AgentRunSeconds", messages: ["agent run booked"], value: "$.seconds" },
  onDemandSeconds: {
    name: "AgentOnDemandSeconds",
    messages: ["agent run booked"],
    value: "$.seconds",
    capacity: "on-demand",
  },
} as const;

/**
 * Alarms to an SNS topic (optionally e-mailed), and a dashboard. Everything is built on metrics the code
 * already emits, so monitoring adds no compute: CloudWatch alarms ($0.10 per alarm metric-month beyond
 * the free 10) and the dashboard (free for an account's first 3) are the only fixed costs (docs/cost.md).
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard?: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config } = props;
    this.topic = new Topic(this, "Alarms", { displayName: "serverless-openclaw alarms", enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "Alarm notifications carry no user data. CloudWatch cannot publish to a topic encrypted with the " +
        "AWS-managed SNS key, and a customer-managed key would bill $1/month while idle.",
    });
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));

    const fnNames = Object.keys(props.functions).sort();
    const gateway = (name: string, label?: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: GATEWAY_SERVICE },
        statistic: "Sum",
        ...(label ? { label } : {}),
      });

    const taskMetric = (key: keyof typeof TASK_LOG_METRICS, statistic = "Sum") => {
      const spec = TASK_LOG_METRICS[key];
      new MetricFilter(this, `${spec.name}Filter`, {
        logGroup: props.agentLogGroup,
        metricNamespace: METRICS_NAMESPACE,
        metricName: spec.name,
        metricValue: spec.value,
        filterPattern: FilterPattern.any(
          ...spec.messages.map((m) =>
            "capacity" in spec
              ? FilterPattern.all(
                  FilterPattern.stringValue("$.message", "=", m),
                  FilterPattern.stringValue("$.capacity", "=", spec.capacity),
                )
              : FilterPattern.stringValue("$.message", "=", m),
          ),
        ),
      });
      return new Metric({ namespace: METRICS_NAMESPACE, metricName: spec.name, statistic });
    };
    const turnErrors = taskMetric("turnErrors");
    const coldStart = taskMetric("coldStart", "Average");
    const taskRunSeconds = taskMetric("runSeconds");
    const taskOnDemandSeconds = taskMetric("onDemandSeconds");

    const startFailures = sum("failed starts", Duration.minutes(5), [
      gateway("AgentStartFailed"),
      gateway("Watchdog.start-timeout"),
    ]);
    // The gateway counts heartbeat-stale, max-runtime and not-running together as Watchdog.kill: one
    // alarm metric instead of three (CloudWatch bills per alarm metric).
    const watchdogKills = gateway("Watchdog.kill", "watchdog stops").with({ period: Duration.minutes(5) });
    const fns = fnNames.map((n) => props.functions[n] as NodejsFunction);
    // Account-wide Lambda metrics: one alarm metric each instead of one per function (CloudWatch bills
    // per alarm metric). In an account that holds only this app they are exactly the gateway functions;
    // the dashboard splits them up per function.
    const lambda = (metricName: string) =>
      new Metric({ namespace: "AWS/Lambda", metricName, statistic: "Sum", period: Duration.minutes(5) });
    const lambdaErrors = lambda("Errors");
    const lambdaThrottles = lambda("Throttles");

    this.alarm(
      "AgentStartFailed",
      startFailures,
      1,
      "The agent task failed to start (RunTask error or start timeout).",
    );
    this.alarm(
      "WatchdogKills",
      watchdogKills,
      1,
      "The watchdog stopped a stale, overlong or vanished agent task.",
    );
    this.alarm("LambdaErrors", lambdaErrors, 1, `A gateway Lambda failed (${fnNames.join(", ")}).`);
    this.alarm(
      "LambdaThrottles",
      lambdaThrottles,
      1,
      `A gateway Lambda was throttled (${fnNames.join(", ")}).`,
    );
    this.alarm(
      "AgentTurnErrors",
      turnErrors.with({ period: Duration.hours(1) }),
      3,
      "Three or more agent turns ended with an error within an hour (LLM errors, timeouts).",
    );

    // Agent-hours (the gateway books every run: the task's own stop, failed starts, crashes) priced like GET /usage:
    // every second at the Spot rate, plus on-demand seconds (Spot's fallback) at the difference.
    const hourly = agentHourUsd(props.taskSize, "spot");
    const onDemandExtra = agentHourUsd(props.taskSize, "on-demand") - hourly;
    const onDemandSeconds = (period: Duration) =>
      sum("on-demand agent seconds", period, [
        taskOnDemandSeconds.with({ period }),
        gateway("AgentOnDemandSeconds").with({ period }),
      ]);
    const agentSeconds = (period: Duration) =>
      sum("agent seconds", period, [
        taskRunSeconds.with({ period }),
        gateway("AgentRunSeconds").with({ period }),
      ]);
    if (config.budgetMonthlyUsd > 0) {
      const perDay = Duration.days(1);
      const spendPerDay = new MathExpression({
        expression: `s / 3600 * ${hourly.toFixed(5)} + d / 3600 * ${onDemandExtra.toFixed(5)}`,
        usingMetrics: { s: agentSeconds(perDay), d: onDemandSeconds(perDay) },
        period: perDay,
        label: "agent cost per day (USD)",
      });
      this.alarm(
        "AgentSpendPace",
        spendPerDay,
        config.budgetMonthlyUsd / 30,
        `Agent use in one day is on pace for more than the $${config.budgetMonthlyUsd}/month budget (estimate from agent-hours).`,
      );
      // AWS/Billing metrics exist only in us-east-1 (and only once billing alerts are enabled in the account).
      if (config.region === "us-east-1") {
        this.alarm(
          "MonthlySpend",
          new Metric({
            namespace: "AWS/Billing",
            metricName: "EstimatedCharges",
            dimensionsMap: { Currency: "USD" },
            statistic: "Maximum",
            period: Duration.hours(6),
          }),
          config.budgetMonthlyUsd,
          `The account's estimated charges this month passed $${config.budgetMonthlyUsd}.`,
        );
      }
    }

    if (config.dashboard) {
      this.dashboard = new Dashboard(this, "Dashboard", { defaultInterval: Duration.days(7) });
      const hour = Duration.hours(1);
      this.dashboard.addWidgets(
        graph("Agent hours per day", [
          new MathExpression({
            expression: "s / 3600",
            usingMetrics: { s: agentSeconds(Duration.days(1)) },
            period: Duration.days(1),
            label: "agent hours",
          }),
        ]),
        graph("Agent starts", [
          gateway("AgentStart", "starts").with({ period: hour }),
          startFailures.with({ period: hour }),
        ]),
        graph("Cold start (container start → OpenClaw ready, ms)", [
          coldStart.with({ period: hour, label: "average" }),
          coldStart.with({ period: hour, statistic: "p90", label: "p90" }),
        ]),
      );
      this.dashboard.addWidgets(
        graph("Messages and turn errors", [
          gateway("MessageQueued", "messages").with({ period: hour }),
          turnErrors.with({ period: hour, label: "turn errors" }),
        ]),
        graph(
          "Lambda errors",
          fns.map((f, i) => f.metricErrors({ label: fnNames[i] ?? "", period: hour })),
        ),
        graph(
          "Lambda throttles",
          fns.map((f, i) => f.metricThrottles({ label: fnNames[i] ?? "", period: hour })),
        ),
      );
      this.dashboard.addWidgets(
        graph("Watchdog actions", [
          watchdogKills.with({ period: hour }),
          gateway("Watchdog.restarted", "restarted").with({ period: hour }),
        ]),
        new AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 16 }),
      );
    }
  }

  private alarm(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

let sums = 0;

/** One time series that adds up several (absent data counts as 0). Ids are unique so sums can nest. */
function sum(label: string, period: Duration, metrics: IMetric[]): MathExpression {
  const prefix = `s${++sums}m`;
  const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`${prefix}${i}`, m]));
  return new MathExpression({
    expression: `SUM([${Object.keys(usingMetrics)
      .map((k) => `FILL(${k}, 0)`)
      .join(", ")}])`,
    usingMetrics,
    period,
    label,
  });
}

function graph(title: string, left: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left, width: 8, height: 6 });
}
