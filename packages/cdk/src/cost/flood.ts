import { API_ROUTES } from "@serverless-openclaw/shared";
import { THROTTLE, type Throttle } from "../constructs/apis";
import { RESERVED_CONCURRENCY, TIMEOUT } from "../constructs/gateway-functions";
import type { LambdaName } from "../paths";
import { PRICES, USAGE } from "./model";

/**
 * What a flood costs: someone with the URL calls an entry point that needs no credential as fast as
 * its throttle lets them, for a whole month. Only entry points that reach a Lambda bill: API Gateway
 * does not charge for requests it throttles (429) or whose JWT its authorizer refuses (AWS's answer;
 * no pricing page lists either), so the management API's JWT routes cost nothing to flood.
 */
export interface FloodEntry {
  /** The route key, e.g. "POST /telegram/webhook" or "$connect". */
  readonly route: string;
  readonly lambda: LambdaName;
  readonly throttle: Throttle;
  /** A WebSocket $connect bills as a message; an HTTP API request as a request (same price). */
  readonly kind: "http" | "websocket";
}

/** The entry points anyone can call without a credential, each with its own throttle (apis.ts). */
export const OPEN_ENTRIES: readonly FloodEntry[] = [
  { route: "$connect", lambda: "web-socket", throttle: THROTTLE.clientConnect, kind: "websocket" },
  { route: "$default", lambda: "http-api", throttle: THROTTLE.httpDefault, kind: "http" },
  { route: API_ROUTES.telegramWebhook, lambda: "telegram-webhook", throttle: THROTTLE.webhook, kind: "http" },
  {
    route: API_ROUTES.discordInteractions,
    lambda: "discord-interactions",
    throttle: THROTTLE.webhook,
    kind: "http",
  },
  { route: API_ROUTES.slackEvents, lambda: "slack-events", throttle: THROTTLE.webhook, kind: "http" },
  { route: API_ROUTES.slackCommands, lambda: "slack-events", throttle: THROTTLE.webhook, kind: "http" },
];

export const FLOOD = {
  secondsPerMonth: USAGE.daysPerMonth * 24 * 3600,
  /** A forged call is refused after a signature or token check: tens of milliseconds. */
  typicalMs: 50,
  lambdaMemoryGb: 0.25,
} as const;

export interface FloodCost {
  readonly route: string;
  readonly requestsPerMonth: number;
  readonly apiGatewayUsd: number;
  readonly lambdaRequestsUsd: number;
  readonly logsUsd: number;
  /** Each forged call refused in FLOOD.typicalMs. */
  readonly lambdaDurationUsd: number;
  readonly totalUsd: number;
  /**
   * The ceiling if every call ran to the Lambda's timeout: bounded by its reserved concurrency
   * running all month, or, without one, by rate × timeout functions in flight.
   */
  readonly ceilingUsd: number;
}

const lambdaSecondsPrice = FLOOD.lambdaMemoryGb * PRICES.lambda.armGbSecond;

/** The monthly bill of one entry point flooded at its throttle's rate (the burst only adds a few seconds' worth). */
export function floodCost(entry: FloodEntry, reserved: boolean): FloodCost {
  const requests = entry.throttle.rateLimit * FLOOD.secondsPerMonth;
  const apiGatewayUsd =
    (requests / 1e6) *
    (entry.kind === "http" ? PRICES.apiGateway.httpMillion : PRICES.apiGateway.wsMessagesMillion);
  const lambdaRequestsUsd = (requests / 1e6) * PRICES.lambda.requestMillion;
  const logsUsd = ((requests * USAGE.lambdaLogKbPerInvocation) / 1024 / 1024) * PRICES.logs.ingestGb;
  const lambdaDurationUsd = requests * (FLOOD.typicalMs / 1000) * lambdaSecondsPrice;
  const timeoutS = TIMEOUT[entry.lambda].toSeconds();
  const cap = reserved ? RESERVED_CONCURRENCY[entry.lambda] : undefined;
  const inFlight = Math.min(cap ?? Number.POSITIVE_INFINITY, entry.throttle.rateLimit * timeoutS);
  const ceilingDurationUsd = inFlight * FLOOD.secondsPerMonth * lambdaSecondsPrice;
  const fixed = apiGatewayUsd + lambdaRequestsUsd + logsUsd;
  return {
    route: entry.route,
    requestsPerMonth: requests,
    apiGatewayUsd,
    lambdaRequestsUsd,
    logsUsd,
    lambdaDurationUsd,
    totalUsd: fixed + lambdaDurationUsd,
    ceilingUsd: fixed + ceilingDurationUsd,
  };
}

/**
 * Every open entry point flooded at once for a month. The duration ceiling is per Lambda (the Slack
 * routes share one function and its reserved concurrency), so it is not the sum of the rows.
 */
export function floodAll(reserved: boolean): { totalUsd: number; ceilingUsd: number } {
  const costs = OPEN_ENTRIES.map((e) => ({ e, c: floodCost(e, reserved) }));
  const fixed = costs.reduce((n, { c }) => n + c.apiGatewayUsd + c.lambdaRequestsUsd + c.logsUsd, 0);
  const typical = costs.reduce((n, { c }) => n + c.lambdaDurationUsd, 0);
  const inFlight = new Map<LambdaName, number>();
  for (const e of OPEN_ENTRIES) {
    const rateInFlight = e.throttle.rateLimit * TIMEOUT[e.lambda].toSeconds() + (inFlight.get(e.lambda) ?? 0);
    const cap = reserved ? RESERVED_CONCURRENCY[e.lambda] : undefined;
    inFlight.set(e.lambda, Math.min(cap ?? Number.POSITIVE_INFINITY, rateInFlight));
  }
  const ceiling = [...inFlight.values()].reduce(
    (n, f) => n + f * FLOOD.secondsPerMonth * lambdaSecondsPrice,
    0,
  );
  return { totalUsd: fixed + typical, ceilingUsd: fixed + ceiling };
}

/**
 * Prints the flood table of docs/cost.md: `npx tsx packages/cdk/src/cost/flood.ts`.
 */
export function floodTable(reserved = true): string {
  const rows = OPEN_ENTRIES.map((e) => {
    const c = floodCost(e, reserved);
    const cap = reserved ? (RESERVED_CONCURRENCY[e.lambda] ?? "–") : "–";
    return `| \`${e.route}\` | ${e.lambda} | ${e.throttle.rateLimit} (${e.throttle.burstLimit}) | ${cap} | ${(c.requestsPerMonth / 1e6).toFixed(1)} M | $${c.totalUsd.toFixed(2)} | $${c.ceilingUsd.toFixed(2)} |`;
  });
  return [
    "| entry point | Lambda | rps (burst) | reserved | calls a month | flooded, calls refused in 50 ms | ceiling: every call to its timeout |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    `| all at once | | | | | $${floodAll(reserved).totalUsd.toFixed(2)} | $${floodAll(reserved).ceilingUsd.toFixed(2)} |`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(floodTable(true));
  console.log();
  console.log(floodTable(false));
}
