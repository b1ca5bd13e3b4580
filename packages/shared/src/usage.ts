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

/** What one hour of a running agent task costs (Fargate Spot + its public IPv4), in USD. */
export function agentHourUsd(size: TaskSize = DEFAULT_TASK_SIZE): number {
  const p = AGENT_PRICES;
  const factor = 1 - p.spotDiscount;
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
  agentSeconds: z.number().nonnegative(),
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
  /** Where the cap comes from: the user's Settings or the deployment default. */
  budgetSource: z.enum(["settings", "deployment", "none"]),
  budgetExceeded: z.boolean(),
  hourlyUsd: z.number(),
  /** What the estimate covers. */
  note: z.string(),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

export const USAGE_NOTE =
  "Estimate of the agent task only (Fargate Spot and its public IP, while it runs). Fixed costs of the deployment, LLM provider charges and the AWS free tier are not included; see docs/cost.md.";

export const BUDGET_EXCEEDED = "BUDGET_EXCEEDED";

/** The sentence a user sees when the cap stops a start. */
export function budgetExceededMessage(spentUsd: number, budgetUsd: number): string {
  return (
    `This month's agent use is estimated at $${spentUsd.toFixed(2)}, past your monthly budget of ` +
    `$${budgetUsd.toFixed(2)}, so the agent will not start. Raise your monthly budget on the Usage page ` +
    "to continue (your messages are kept), or wait for next month."
  );
}

/** Settings-table items of usage (in the user's partition): `usage#YYYY-MM` → UsageRecord. */
export const USAGE_KEYS = {
  month: (month: string) => `usage#${month}`,
  prefix: "usage#",
} as const;
