// Agent-hours per day for a day of use, given the inactivity timeout: the cost side of the speed figures.
// The agent task bills from its start (image pull, boot) to its end (inactivity timeout, state backup);
// messages that arrive while it still runs reuse it. Arithmetic, not a timing: the machine's load does
// not matter. By hand: npx tsx bench/agent-hours.ts [timeoutMinutes]
import { estimateMonthlyCost, type TemplateFacts } from "@serverless-openclaw/cdk/cost";
import { type BenchTable, defineBench, runIfMain } from "./lib/bench";

/** A stretch of use: the first message at `startMinute` (of the day), messages for `activeMinutes`. */
export interface Session {
  startMinute: number;
  activeMinutes: number;
}

export interface AgentHoursOptions {
  /** Settings → inactivity timeout (default 15 min). */
  timeoutMinutes: number;
  /** Start to Running (Fargate provisioning + image pull + boot), billed. */
  bootMinutes: number;
  /** Stopping: backing OpenClaw's state up before the task ends, billed. */
  stopMinutes: number;
}

export interface AgentHoursResult {
  /** Billed task time, hours. */
  hours: number;
  /** How many task starts (cold paths) the day had. */
  starts: number;
  /** Of the billed hours, the idle tails before each stop. */
  idleTailHours: number;
}

/**
 * Billed agent-hours: each session keeps the task alive until `timeoutMinutes` after its last message;
 * a session starting before then reuses the running task (no boot), otherwise a new task starts.
 */
export function agentHoursPerDay(sessions: readonly Session[], o: AgentHoursOptions): AgentHoursResult {
  const sorted = [...sessions].sort((a, b) => a.startMinute - b.startMinute);
  let minutes = 0;
  let starts = 0;
  let taskEnd = Number.NEGATIVE_INFINITY; // when the running task's idle timer fires
  for (const s of sorted) {
    const newEnd = s.startMinute + s.activeMinutes + o.timeoutMinutes;
    if (s.startMinute <= taskEnd) {
      // Still running: billed on until this session's own timeout instead of the previous one's.
      minutes += Math.max(0, newEnd - taskEnd);
      taskEnd = Math.max(taskEnd, newEnd);
    } else {
      starts += 1;
      minutes += o.bootMinutes + (newEnd - s.startMinute) + o.stopMinutes;
      taskEnd = newEnd;
    }
  }
  const active = sorted.reduce((n, s) => n + s.activeMinutes, 0);
  const idle = minutes - starts * (o.bootMinutes + o.stopMinutes) - active;
  return { hours: minutes / 60, starts, idleTailHours: Math.max(0, idle) / 60 };
}

/** A typical day of personal use: a few short conversations spread over the day (~1 h of chatting). */
export const TYPICAL_DAY: readonly Session[] = [
  { startMinute: 8 * 60, activeMinutes: 10 }, // morning questions
  { startMinute: 12 * 60 + 30, activeMinutes: 5 }, // lunch
  { startMinute: 12 * 60 + 45, activeMinutes: 10 }, // a follow-up 10 min later (reuses the task)
  { startMinute: 15 * 60, activeMinutes: 20 }, // afternoon work session
  { startMinute: 21 * 60, activeMinutes: 15 }, // evening
];

/** The default deployment's shape (what scripts/cost-model.ts reads from a synth; docs/cost.md). */
export const DEFAULT_FACTS: TemplateFacts = {
  taskVcpu: 1,
  taskMemoryGb: 2,
  browser: false,
  gatewayLambdaMemoryMb: 256,
  watchdogInvocationsPerMonth: 8_640,
  watchdogMemoryMb: 256,
  pitrTables: 2,
  alarmMetrics: 11,
  dashboards: 1,
};

/** One row per timeout: agent-hours per day and the AWS cost per month at that use (docs/cost.md model). */
export function agentHoursTable(bootMinutes = 0.75, timeouts = [5, 15, 30, 60]): BenchTable {
  return {
    header: [
      "inactivity timeout",
      "agent-hours/day",
      "task starts/day",
      "of which idle tail",
      "AWS per month",
    ],
    rows: timeouts.map((timeoutMinutes) => {
      const r = agentHoursPerDay(TYPICAL_DAY, { timeoutMinutes, bootMinutes, stopMinutes: 0.25 });
      const usd = estimateMonthlyCost(DEFAULT_FACTS, r.hours).total;
      return [
        `${timeoutMinutes} min${timeoutMinutes === 15 ? " (default)" : ""}`,
        r.hours.toFixed(2),
        String(r.starts),
        `${r.idleTailHours.toFixed(2)} h`,
        `$${usd.toFixed(2)}`,
      ];
    }),
  };
}

const bench = defineBench({
  name: "agent-hours",
  measures:
    "billed agent-hours for a typical day (`TYPICAL_DAY`), per inactivity timeout, and the monthly AWS cost from the cost model in `packages/cdk/src/cost/model.ts`",
  timed: false,
  async run(ctx) {
    const timeouts = ctx.argv[0] ? [Number(ctx.argv[0])] : undefined;
    const active = TYPICAL_DAY.reduce((n, s) => n + s.activeMinutes, 0);
    return {
      setup: `${TYPICAL_DAY.length} conversations, ${active} min of chatting; boot 0.75 min and backup 0.25 min billed per start`,
      tables: [agentHoursTable(0.75, timeouts)],
      data: { typicalDay: TYPICAL_DAY, facts: DEFAULT_FACTS },
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
