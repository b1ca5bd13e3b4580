import {
  agentHourUsd,
  BUDGET_EXCEEDED,
  budgetExceededMessage,
  type Capacity,
  DEFAULT_TASK_SIZE,
  KEYS,
  USAGE_KEYS,
  USAGE_NOTE,
  type UsageMonth,
  type UsageRecord,
  UsageRecordSchema,
  type UsageReport,
  usageMonth,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";

export type UsageDeps = Pick<GatewayDeps, "settings" | "clock" | "logger" | "config">;

/** How many months GET /usage returns (this one included). */
const REPORT_MONTHS = 6;

export interface BudgetCheck {
  exceeded: boolean;
  spentUsd: number;
  budgetUsd: number | null;
  source: UsageReport["budgetSource"];
  /** What to tell the user when exceeded. */
  error?: { code: string; message: string };
}

/**
 * Agent usage per user per month (Settings items `usage#YYYY-MM`), its estimated cost, and the monthly
 * budget cap that LifecycleService.wake consults before starting a task.
 */
export class UsageService {
  constructor(private readonly deps: UsageDeps) {}

  private get hourlyUsd(): number {
    return agentHourUsd(this.deps.config.taskSize ?? DEFAULT_TASK_SIZE);
  }

  /** A month's estimate: Spot seconds at the Spot rate, on-demand seconds at the on-demand rate. */
  private costUsd(record: UsageRecord): number {
    const size = this.deps.config.taskSize ?? DEFAULT_TASK_SIZE;
    const onDemand = Math.min(record.onDemandSeconds ?? 0, record.agentSeconds);
    return (
      ((record.agentSeconds - onDemand) / 3600) * agentHourUsd(size, "spot") +
      (onDemand / 3600) * agentHourUsd(size, "on-demand")
    );
  }

  /** The deployment's cap, or null when it has none (0 or unset). */
  private get ceilingUsd(): number | null {
    const c = this.deps.config.monthlyBudgetUsd;
    return c !== undefined && c > 0 ? c : null;
  }

  async month(userId: string, month: string): Promise<UsageRecord> {
    const raw = await this.deps.settings.get(userId, USAGE_KEYS.month(month));
    const parsed = UsageRecordSchema.safeParse(raw ?? {});
    return parsed.success ? parsed.data : { agentSeconds: 0, starts: 0 };
  }

  /** A task start was decided (Idle → Starting won). */
  async recordStart(userId: string, at: Date): Promise<void> {
    const month = usageMonth(at);
    const current = await this.month(userId, month);
    await this.deps.settings.put(userId, USAGE_KEYS.month(month), { ...current, starts: current.starts + 1 });
  }

  /**
   * A run ended (its row reached Idle): books its whole duration to the month it ended in. A run is
   * booked once even when two writers report its end.
   */
  async recordRunEnded(
    userId: string,
    startedAt: string,
    endedAt: Date,
    capacity: Capacity = "spot",
  ): Promise<void> {
    const seconds = Math.max(0, (endedAt.getTime() - Date.parse(startedAt)) / 1000);
    if (!Number.isFinite(seconds)) return;
    const month = usageMonth(endedAt);
    const current = await this.month(userId, month);
    if (current.lastRunStartedAt === startedAt) return;
    await this.deps.settings.put(userId, USAGE_KEYS.month(month), {
      ...current,
      agentSeconds: Math.round((current.agentSeconds + seconds) * 1000) / 1000,
      ...(capacity === "on-demand"
        ? { onDemandSeconds: Math.round(((current.onDemandSeconds ?? 0) + seconds) * 1000) / 1000 }
        : {}),
      lastRunStartedAt: startedAt,
    });
  }

  async report(userId: string): Promise<UsageReport> {
    const now = this.deps.clock.now();
    const months: UsageMonth[] = [];
    for (let i = 0; i < REPORT_MONTHS; i++) {
      const month = usageMonth(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)));
      const record = await this.month(userId, month);
      const agentHours = record.agentSeconds / 3600;
      months.push({
        month,
        agentHours: round(agentHours, 3),
        starts: record.starts,
        estimatedUsd: round(this.costUsd(record), 4),
      });
    }
    const budget = await this.budgetCheck(userId);
    return {
      months,
      monthlyBudgetUsd: budget.budgetUsd,
      budgetSource: budget.source,
      deploymentBudgetUsd: this.ceilingUsd,
      budgetExceeded: budget.exceeded,
      hourlyUsd: round(this.hourlyUsd, 5),
      note: USAGE_NOTE,
    };
  }

  /**
   * The cap that applies to a user: the deployment's (a ceiling) or the user's own when lower. A user's
   * cap above the ceiling (saved before the ceiling was lowered) counts as the ceiling.
   */
  effectiveCap(own: unknown): { budgetUsd: number | null; source: BudgetCheck["source"] } {
    const ceiling = this.ceilingUsd;
    const mine = typeof own === "number" && Number.isFinite(own) && own >= 0 ? own : null;
    if (mine !== null && (ceiling === null || mine < ceiling)) return { budgetUsd: mine, source: "settings" };
    if (ceiling !== null) return { budgetUsd: ceiling, source: "deployment" };
    return { budgetUsd: null, source: "none" };
  }

  /**
   * Whether this month's estimate has reached the cap. Throws when settings or usage cannot be read:
   * the lifecycle then refuses the start (fails closed).
   */
  async budgetCheck(userId: string): Promise<BudgetCheck> {
    const settings = await this.deps.settings.get<{ monthlyBudgetUsd?: unknown }>(
      userId,
      KEYS.settings.settings,
    );
    const { budgetUsd, source } = this.effectiveCap(settings?.monthlyBudgetUsd);
    const raw = await this.deps.settings.get(userId, USAGE_KEYS.month(usageMonth(this.deps.clock.now())));
    const parsed = UsageRecordSchema.safeParse(raw ?? { agentSeconds: 0, starts: 0 });
    if (!parsed.success) throw new Error("this month's usage record is unreadable");
    const spentUsd = this.costUsd(parsed.data);
    const exceeded = budgetUsd !== null && spentUsd >= budgetUsd;
    return {
      exceeded,
      spentUsd,
      budgetUsd,
      source,
      ...(exceeded && budgetUsd !== null
        ? {
            error: {
              code: BUDGET_EXCEEDED,
              message: budgetExceededMessage(
                spentUsd,
                budgetUsd,
                source === "deployment" ? "deployment" : "settings",
              ),
            },
          }
        : {}),
    };
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
