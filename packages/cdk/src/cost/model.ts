import { AGENT_PRICES } from "@serverless-openclaw/shared";
import { alarmMetricCount, type CfnTemplate } from "./idle-guard";

export type { CfnTemplate } from "./idle-guard";

/**
 * Monthly cost model of one deployment used by one person. Prices are AWS list prices in us-east-1
 * (checked 2026); free tiers are ignored entirely, so the figures hold after the 12-month free tier
 * ends. Usage per agent-hour is an assumption written down below; the shape of the deployment (task
 * size, Lambda memory, watchdog rate, PITR tables) is read from the synthesized templates.
 */
export const PRICES = {
  region: "us-east-1",
  /** Fargate Linux/ARM on-demand, per hour (shared with the per-user cost view, GET /usage). */
  fargateArmOnDemand: AGENT_PRICES.fargateArmOnDemand,
  /**
   * Fargate Spot is priced dynamically at 50–70 % below on-demand; published Spot rates have sat near
   * 68–70 % below for years. The model uses 68 % and also prints the 50 % worst case.
   */
  spotDiscount: AGENT_PRICES.spotDiscount,
  spotDiscountWorstCase: 0.5,
  /** Public IPv4 address, per hour while the task runs (no idle IP: no EIP, no NAT). */
  publicIpv4Hour: AGENT_PRICES.publicIpv4Hour,
  /** ECR private storage, per GB-month. */
  ecrGbMonth: 0.1,
  dynamo: { writeMillion: 0.625, readMillion: 0.125, storageGbMonth: 0.25, pitrGbMonth: 0.2 },
  lambda: { requestMillion: 0.2, armGbSecond: 0.0000133334 },
  apiGateway: { httpMillion: 1.0, wsMessagesMillion: 1.0, wsConnectionMinutesMillion: 0.25 },
  logs: { ingestGb: 0.5, storageGbMonth: 0.03 },
  /** CloudWatch: per alarm metric-month beyond the account's 10 free; per dashboard-month beyond 3 free. */
  cloudWatch: { alarmMetricMonth: 0.1, freeAlarmMetrics: 10, dashboardMonth: 3, freeDashboards: 3 },
  s3: { storageGbMonth: 0.023, putThousand: 0.005, getThousand: 0.0004 },
  cloudFront: { transferGb: 0.085, requestsTenThousand: 0.01 },
  /** Cognito Essentials beyond its (permanent) 10,000 MAU free tier, charged here anyway. */
  cognitoMau: 0.015,
  /** Internet egress (LLM API calls leave the task over its public IP). */
  egressGb: 0.09,
  /** Not billed: SSM standard parameters, the AWS-managed aws/ssm key, EventBridge schedules, Budgets without actions. */
} as const;

/** What one hour of agent use generates, and what the deployment does on its own. */
export const USAGE = {
  daysPerMonth: 30,
  turnsPerAgentHour: 20,
  /** Reply chunks pushed per turn (chat.delta + chat.final + status events). */
  pushesPerTurn: 40,
  /** Agent keep-alive pings per hour over its WebSocket. */
  agentPingsPerHour: 60,
  /** Browser tab + agent task connected while the agent runs. */
  connectionsWhileRunning: 2,
  lambdaInvocationsPerTurn: 3,
  lambdaExtraInvocationsPerHour: 70,
  lambdaAverageMs: 150,
  watchdogAverageMs: 400,
  httpRequestsPerHour: 10,
  /**
   * The task's calls to the agent HTTP API (each one HTTP API request and one agent-api Lambda
   * invocation): one per push (pushesPerTurn) plus the turn's store calls and checkpoint blob URLs,
   * and per hour the heartbeats and the boot's reads.
   */
  agentApiCallsPerTurn: 6,
  agentApiCallsPerHour: 70,
  agentApiAverageMs: 30,
  /** Each agent API call first reads the user's TaskState row (the binding), strongly consistent. */
  readUnitsPerAgentApiCall: 1,
  /** DynamoDB request units per turn: transactional enqueue, finished turn, meta, delete, reads. */
  writeUnitsPerTurn: 12,
  readUnitsPerTurn: 20,
  /** Heartbeat and lifecycle writes while running. */
  writeUnitsPerHour: 70,
  readUnitsPerHour: 60,
  tableStorageGb: 0.1,
  /** OpenClaw state archive versions kept (current + noncurrent for 30 days). */
  dataBucketGb: 0.5,
  /**
   * OpenClaw state checkpoints (state-checkpoint.ts): after every turn and at the stop, one layer and
   * the manifest (2 PUTs); one start per agent-hour reads the manifest and its layers (≤ 9, ~5 on average).
   */
  checkpointPutsPerTurn: 2,
  stateGetsPerHour: 6,
  agentLogMbPerHour: 2,
  lambdaLogKbPerInvocation: 1,
  egressMbPerHour: 5,
  webPageLoadsPerDay: 2,
  webPageMb: 1,
  imageGb: { standard: 1.0, browser: 1.6 },
  monthlyActiveUsers: 1,
} as const;

export interface TemplateFacts {
  readonly taskVcpu: number;
  readonly taskMemoryGb: number;
  readonly browser: boolean;
  readonly gatewayLambdaMemoryMb: number;
  readonly watchdogInvocationsPerMonth: number;
  readonly watchdogMemoryMb: number;
  readonly pitrTables: number;
  /** CloudWatch alarm metrics (each metric an alarm watches bills as one). */
  readonly alarmMetrics: number;
  readonly dashboards: number;
}

type Resources = NonNullable<CfnTemplate["Resources"]>;

/** Reads the deployment's shape from its synthesized templates. */
export function readTemplateFacts(templates: CfnTemplate[]): TemplateFacts {
  const resources: Resources = Object.assign({}, ...templates.map((t) => t.Resources ?? {}));
  const all = Object.entries(resources);
  const taskDefs = all.filter(([, r]) => r.Type === "AWS::ECS::TaskDefinition");
  if (taskDefs.length !== 1) throw new Error(`expected one ECS task definition, found ${taskDefs.length}`);
  const td = taskDefs[0]?.[1].Properties ?? {};
  const containers =
    (td.ContainerDefinitions as { Environment?: { Name: string; Value: unknown }[] }[]) ?? [];
  const browser = containers.some((c) =>
    (c.Environment ?? []).some((e) => e.Name === "BROWSER_ENABLED" && e.Value === "true"),
  );

  const functions = all.filter(([, r]) => r.Type === "AWS::Lambda::Function");
  const envOf = (p: Record<string, unknown>) =>
    ((p.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<string, unknown>;
  const gateway = functions.filter(
    ([, r]) => envOf(r.Properties ?? {}).POWERTOOLS_SERVICE_NAME !== undefined,
  );
  const memories = gateway.map(([, r]) => Number(r.Properties?.MemorySize ?? 128));
  const watchdog = gateway.find(([, r]) => envOf(r.Properties ?? {}).POWERTOOLS_SERVICE_NAME === "watchdog");
  if (!watchdog) throw new Error("no watchdog Lambda in the templates");

  const rules = all.filter(([, r]) => r.Type === "AWS::Events::Rule");
  const rates = rules
    .map(([, r]) => String(r.Properties?.ScheduleExpression ?? ""))
    .map((e) => /^rate\((\d+) minutes?\)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null);
  const minutes = Number(rates[0]?.[1] ?? Number.NaN);
  if (!Number.isFinite(minutes)) throw new Error("no watchdog schedule (rate(N minutes)) in the templates");

  const pitrTables = all.filter(
    ([, r]) =>
      r.Type === "AWS::DynamoDB::Table" &&
      (r.Properties?.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean })
        ?.PointInTimeRecoveryEnabled === true,
  ).length;

  const monitoring = countMonitoring(all);
  return {
    ...monitoring,
    taskVcpu: Number(td.Cpu) / 1024,
    taskMemoryGb: Number(td.Memory) / 1024,
    browser,
    gatewayLambdaMemoryMb: Math.max(...memories),
    watchdogInvocationsPerMonth: ((USAGE.daysPerMonth * 24 * 60) / minutes) | 0,
    watchdogMemoryMb: Number(watchdog[1].Properties?.MemorySize ?? 128),
    pitrTables,
  };
}

/** Alarm metrics and dashboards of a template's resources (CloudWatch bills both by the month). */
export function countMonitoring(
  resources: Array<[string, { Type: string; Properties?: Record<string, unknown> }]>,
): {
  alarmMetrics: number;
  dashboards: number;
} {
  const alarmMetrics = resources
    .filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm")
    .reduce((n, [, r]) => n + alarmMetricCount(r.Properties ?? {}), 0);
  const dashboards = resources.filter(([, r]) => r.Type === "AWS::CloudWatch::Dashboard").length;
  return { alarmMetrics, dashboards };
}

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly usd: number;
}

export interface CostEstimate {
  readonly hoursPerDay: number;
  readonly lines: CostLine[];
  readonly total: number;
}

export interface EstimateOptions {
  /** Fraction below on-demand for Fargate Spot (default PRICES.spotDiscount); 0 = on-demand fallback. */
  readonly spotDiscount?: number;
}

/** Monthly cost for `hoursPerDay` hours of agent use per day. */
export function estimateMonthlyCost(
  facts: TemplateFacts,
  hoursPerDay: number,
  options: EstimateOptions = {},
): CostEstimate {
  const P = PRICES;
  const U = USAGE;
  const hours = hoursPerDay * U.daysPerMonth;
  const turns = hours * U.turnsPerAgentHour;
  const discount = options.spotDiscount ?? P.spotDiscount;
  const lines: CostLine[] = [];
  const add = (item: string, detail: string, usd: number) => lines.push({ item, detail, usd });

  const vcpuHour = P.fargateArmOnDemand.vcpuHour * (1 - discount);
  const gbHour = P.fargateArmOnDemand.gbHour * (1 - discount);
  add(
    "Fargate (ARM)",
    `${hours} h × (${facts.taskVcpu} vCPU × $${vcpuHour.toFixed(5)} + ${facts.taskMemoryGb} GB × $${gbHour.toFixed(5)})`,
    hours * (facts.taskVcpu * vcpuHour + facts.taskMemoryGb * gbHour),
  );
  add("Public IPv4", `${hours} h × $${P.publicIpv4Hour}`, hours * P.publicIpv4Hour);
  const imageGb = facts.browser ? U.imageGb.browser : U.imageGb.standard;
  add("ECR image storage", `${imageGb} GB × $${P.ecrGbMonth}`, imageGb * P.ecrGbMonth);

  const gatewayInvocations = turns * U.lambdaInvocationsPerTurn + hours * U.lambdaExtraInvocationsPerHour;
  const agentApiCalls = turns * (U.pushesPerTurn + U.agentApiCallsPerTurn) + hours * U.agentApiCallsPerHour;
  const invocations = gatewayInvocations + agentApiCalls + facts.watchdogInvocationsPerMonth;
  const gbSeconds =
    (gatewayInvocations * U.lambdaAverageMs * facts.gatewayLambdaMemoryMb) / 1024 / 1000 +
    (agentApiCalls * U.agentApiAverageMs * facts.gatewayLambdaMemoryMb) / 1024 / 1000 +
    (facts.watchdogInvocationsPerMonth * U.watchdogAverageMs * facts.watchdogMemoryMb) / 1024 / 1000;
  add(
    "Lambda",
    `${invocations} invocations (${facts.watchdogInvocationsPerMonth} watchdog), ${gbSeconds.toFixed(0)} GB-s`,
    (invocations / 1e6) * P.lambda.requestMillion + gbSeconds * P.lambda.armGbSecond,
  );

  const wsMessages = turns * (U.pushesPerTurn + 2) + hours * U.agentPingsPerHour;
  const connMinutes = hours * 60 * U.connectionsWhileRunning;
  const httpRequests = hours * U.httpRequestsPerHour + agentApiCalls;
  add(
    "API Gateway",
    `${wsMessages} WebSocket messages, ${connMinutes} connection-min, ${httpRequests} HTTP requests`,
    (wsMessages / 1e6) * P.apiGateway.wsMessagesMillion +
      (connMinutes / 1e6) * P.apiGateway.wsConnectionMinutesMillion +
      (httpRequests / 1e6) * P.apiGateway.httpMillion,
  );

  const writes = turns * U.writeUnitsPerTurn + hours * U.writeUnitsPerHour;
  const reads =
    turns * U.readUnitsPerTurn +
    hours * U.readUnitsPerHour +
    agentApiCalls * U.readUnitsPerAgentApiCall +
    facts.watchdogInvocationsPerMonth;
  add(
    "DynamoDB",
    `${writes} WRU, ${reads} RRU, ${U.tableStorageGb} GB (+PITR on ${facts.pitrTables} tables)`,
    (writes / 1e6) * P.dynamo.writeMillion +
      (reads / 1e6) * P.dynamo.readMillion +
      U.tableStorageGb * P.dynamo.storageGbMonth +
      (U.tableStorageGb / 2) * P.dynamo.pitrGbMonth * Math.min(facts.pitrTables, 2),
  );

  const puts = hours * (U.turnsPerAgentHour + 1) * U.checkpointPutsPerTurn;
  const gets = hours * U.stateGetsPerHour;
  add(
    "S3",
    `${U.dataBucketGb} GB of state versions, ${puts} checkpoint PUTs, ${gets} GETs`,
    U.dataBucketGb * P.s3.storageGbMonth +
      (puts / 1000) * P.s3.putThousand +
      (gets / 1000) * P.s3.getThousand,
  );

  const logGb =
    (hours * U.agentLogMbPerHour) / 1024 + (invocations * U.lambdaLogKbPerInvocation) / 1024 / 1024;
  add(
    "CloudWatch Logs",
    `${logGb.toFixed(3)} GB ingested`,
    logGb * (P.logs.ingestGb + P.logs.storageGbMonth),
  );

  const loads = U.webPageLoadsPerDay * U.daysPerMonth * (hoursPerDay > 0 ? 1 : 0);
  add(
    "CloudFront",
    `${loads} page loads × ${U.webPageMb} MB`,
    ((loads * U.webPageMb) / 1024) * P.cloudFront.transferGb +
      ((loads * 20) / 10_000) * P.cloudFront.requestsTenThousand,
  );
  add(
    "Cognito",
    `${U.monthlyActiveUsers} monthly active user`,
    hoursPerDay > 0 ? U.monthlyActiveUsers * P.cognitoMau : 0,
  );
  // Fixed while idle too. Priced for an account with no other alarms or dashboards (their free tiers
  // are per account; docs/cost.md gives the figure for an account that has used them up).
  const cw = P.cloudWatch;
  const billedAlarms = Math.max(0, facts.alarmMetrics - cw.freeAlarmMetrics);
  add(
    "CloudWatch alarms",
    `${facts.alarmMetrics} alarm metrics (${cw.freeAlarmMetrics} free per account)`,
    billedAlarms * cw.alarmMetricMonth,
  );
  add(
    "Dashboard",
    `${facts.dashboards} dashboard(s) (${cw.freeDashboards} free per account)`,
    Math.max(0, facts.dashboards - cw.freeDashboards) * cw.dashboardMonth,
  );
  const egressGb = (hours * U.egressMbPerHour) / 1024;
  add("Internet egress", `${egressGb.toFixed(3)} GB to LLM APIs`, egressGb * P.egressGb);

  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  return { hoursPerDay, lines, total };
}

/** A plain-text table of one estimate. */
export function formatEstimate(e: CostEstimate): string {
  const rows = e.lines.map((l) => `  ${l.item.padEnd(18)} $${l.usd.toFixed(3).padStart(7)}  ${l.detail}`);
  return [
    `${e.hoursPerDay} agent-hours/day:`,
    ...rows,
    `  ${"TOTAL".padEnd(18)} $${e.total.toFixed(2).padStart(7)}`,
  ].join("\n");
}
