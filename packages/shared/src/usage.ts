import * as z from "zod";

/**
 * Prices behind the per-user cost view and the budget cap (AWS list prices, us-east-1, checked 2026).
 * packages/cdk/src/cost/model.ts uses the same constants for the deployment-wide estimate.
 */
export const AGENT_PRICES = {
  /** Fargate Linux/ARM on-demand, per hour. */
  fargateArmOnDemand: { vcpuHour: 0.03238, gbHour: 0.00356 },
  /** Fargate Spot discount the estimate assumes (Spot has sat near 68–70 % below on-demand). */
  spotDiscount: 0.68,
  /** Public IPv4 address, per hour while the task runs. */
  publicIpv4Hour: 0.005,
} as const;

/** The agent task's size (packages/cdk TASK_SIZE.standard). */
export const DEFAULT_TASK_SIZE = { vcpu: 1, memoryGb: 2 } as const;
export type TaskSize = { vcpu: number; memoryGb: number };

/**
 * Where a task ran: Fargate Spot (the default) or on-demand Fargate, the fallback when Spot has no
 * capacity. On-demand costs about 3× Spot, so usage, the cap and the spend alarm price each run by it.
 */
export const CAPACITIES = ["spot", "on-demand"] as const;
export type Capacity = (typeof CAPACITIES)[number];

/** What one hour of a running agent task costs (Fargate Spot or on-demand + its public IPv4), in USD. */
export function agentHourUsd(size: TaskSize = DEFAULT_TASK_SIZE, capacity: Capacity = "spot"): number {
  const p = AGENT_PRICES;
  const factor = capacity === "on-demand" ? 1 : 1 - p.spotDiscount;
  return (
    size.vcpu * p.fargateArmOnDemand.vcpuHour * factor +
    size.memoryGb * p.fargateArmOnDemand.gbHour * factor +
    p.publicIpv4Hour
  );
}

/** `YYYY-MM` in UTC: the month usage is booked to (a run is booked to the month it ended in). */
export function usageMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Settings table item `usage#YYYY-MM` of a user. */
export const UsageRecordSchema = z.object({
  /** Every run's seconds, whatever capacity it ran on. */
  agentSeconds: z.number().nonnegative(),
  /** The part of agentSeconds that ran on on-demand Fargate (priced as such). */
  onDemandSeconds: z.number().nonnegative().optional(),
  starts: z.number().int().nonnegative(),
  /** startedAt of the last run booked, so a run that ends twice (task and watchdog) counts once. */
  lastRunStartedAt: z.string().optional(),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

export const UsageMonthSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  agentHours: z.number().nonnegative(),
  starts: z.number().int().nonnegative(),
  estimatedUsd: z.number().nonnegative(),
});
export type UsageMonth = z.infer<typeof UsageMonthSchema>;

/** GET /usage. */
export const UsageReportSchema = z.object({
  /** Newest first; this month is first. */
  months: z.array(UsageMonthSchema),
  /** The cap on this month's estimate; null = no cap. */
  monthlyBudgetUsd: z.number().nullable(),
  /**
   * Where the cap comes from: the user's Settings (lower than the deployment's, or no deployment cap)
   * or the deployment's cap, a ceiling no user can raise.
   */
  budgetSource: z.enum(["settings", "deployment", "none"]),
  /** The deployment's cap (BUDGET_MONTHLY_USD), the most a user's own cap may be; null = none. */
  deploymentBudgetUsd: z.number().nullable().optional(),
  budgetExceeded: z.boolean(),
  hourlyUsd: z.number(),
  /** What the estimate covers. */
  note: z.string(),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

export const USAGE_NOTE =
  "Estimate of the agent task only (Fargate Spot, or on-demand Fargate when Spot had no capacity, and its public IP, while it runs). Fixed costs of the deployment, LLM provider charges and the AWS free tier are not included; see docs/cost.md.";

export const BUDGET_EXCEEDED = "BUDGET_EXCEEDED";

/** The sentence a user sees when the cap stops a start. */
export function budgetExceededMessage(
  spentUsd: number,
  budgetUsd: number,
  source: "settings" | "deployment" = "settings",
): string {
  const head = `This month's agent use is estimated at $${spentUsd.toFixed(2)}, past `;
  if (source === "deployment") {
    return (
      `${head}this deployment's monthly budget of $${budgetUsd.toFixed(2)}, so the agent will not start. ` +
      "Only whoever runs the deployment can raise it (BUDGET_MONTHLY_USD); your messages are kept, or wait for next month."
    );
  }
  return (
    `${head}your monthly budget of $${budgetUsd.toFixed(2)}, so the agent will not start. Raise your ` +
    "monthly budget on the Usage page to continue (up to the deployment's cap, if it has one; your messages are kept), or wait for next month."
  );
}

export const BUDGET_UNAVAILABLE = "BUDGET_UNAVAILABLE";

/** The cap fails closed: a start is refused when this month's usage cannot be read. */
export const BUDGET_UNAVAILABLE_MESSAGE =
  "The agent did not start because this month's usage could not be read to check the monthly budget " +
  "(a storage error). Your messages are kept; send one again in a minute to retry.";

export const BUDGET_ABOVE_CEILING = "BUDGET_ABOVE_CEILING";

/** PUT /settings refuses a user's cap above the deployment's. */
export function budgetAboveCeilingMessage(ceilingUsd: number): string {
  return `monthlyBudgetUsd may be at most this deployment's cap of $${ceilingUsd.toFixed(2)} (you can lower it, not raise it)`;
}

/** Settings-table items of usage (in the user's partition): `usage#YYYY-MM` → UsageRecord. */
export const USAGE_KEYS = {
  month: (month: string) => `usage#${month}`,
  prefix: "usage#",
} as const;
