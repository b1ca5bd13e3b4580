import {
  type CreateSchedule,
  CreateScheduleSchema,
  isValidTimezone,
  nextRunOf,
  SCHEDULE_KEYS,
  type Schedule,
  ScheduleSchema,
  type UpdateSchedule,
} from "@serverless-openclaw/shared";
import { GatewayError } from "../errors";
import type { ChannelCommand } from "./commands";

/** What the schedule commands need of ScheduleService (services/schedules.ts); optional on a channel. */
export interface ChannelSchedulesPort {
  create(userId: string, input: CreateSchedule): Promise<Schedule>;
  update(userId: string, scheduleId: string, patch: UpdateSchedule): Promise<Schedule>;
  delete(userId: string, scheduleId: string): Promise<void>;
}

const USAGE =
  "Usage:\n/schedule cron(0 8 ? * MON-FRI *) Europe/Berlin Summarise the news\n/schedule rate(6 hours) Check my inbox\n" +
  "/schedule pause 1 · /schedule resume 1 · /schedule delete 1 (numbers from /schedules)\n" +
  "Times follow EventBridge syntax (docs/schedules.md); the time zone is optional (UTC).";

/** Lists the user's scheduled prompts, numbered for /schedule pause|resume|delete. */
export const schedulesCommand: ChannelCommand = {
  name: "schedules",
  description: "list your scheduled prompts",
  paired: true,
  async run({ core, userId }) {
    const list = await listOf(core.deps.settings, userId);
    if (list.length === 0)
      return core.deps.schedules
        ? "No scheduled prompts yet. Create one with /schedule, or on the web app's Schedules page."
        : "No scheduled prompts yet. Create one on the web app's Schedules page.";
    const now = core.deps.clock.now();
    return list
      .map((s, i) => {
        const next = nextRunOf(s, now);
        const state = s.completed ? "done" : s.enabled ? `next ${next ? fmt(next) : "—"}` : "paused";
        const missed =
          s.missedRuns > 0 ? `, ${s.missedRuns} missed (${s.lastError?.message ?? "see the web app"})` : "";
        return `${i + 1}. ${s.name} — ${s.expression} ${s.timezone} — ${state}${missed}`;
      })
      .join("\n");
  },
};

/** Creates (delivering to this chat), pauses, resumes or deletes a scheduled prompt. */
export const scheduleCommand: ChannelCommand = {
  name: "schedule",
  description: "create, pause, resume or delete a scheduled prompt",
  arg: { name: "what", description: "e.g. rate(6 hours) Check my inbox, or pause 1", required: true },
  paired: true,
  async run({ core, userId, args }) {
    const port = core.deps.schedules;
    if (!port) return "Create and change schedules on the web app's Schedules page.";
    const text = args.trim();
    try {
      const action = /^(pause|resume|delete)\s+(\S+)$/i.exec(text);
      if (action?.[1] && action[2]) {
        const verb = action[1].toLowerCase();
        const list = await listOf(core.deps.settings, userId);
        const n = Number(action[2]);
        const target = Number.isInteger(n) ? list[n - 1] : list.find((s) => s.scheduleId === action[2]);
        if (!target) return `No schedule ${action[2]}; /schedules lists them.`;
        if (verb === "delete") {
          await port.delete(userId, target.scheduleId);
          return `Deleted "${target.name}".`;
        }
        await port.update(userId, target.scheduleId, { enabled: verb === "resume" });
        return `${verb === "resume" ? "Resumed" : "Paused"} "${target.name}".`;
      }
      const m = /^((?:cron|rate|at)\([^)]*\))\s+(?:(\S+)\s+)?([\s\S]+)$/.exec(text);
      if (!m?.[1] || !m[3]) return USAGE;
      const zone = m[2] && isValidTimezone(m[2]) ? m[2] : undefined;
      const prompt = (zone ? m[3] : `${m[2] ? `${m[2]} ` : ""}${m[3]}`).trim();
      const input = CreateScheduleSchema.safeParse({
        name: prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt,
        prompt,
        expression: m[1],
        timezone: zone ?? "UTC",
        deliverTo: core.spec.channel === "telegram" ? "telegram" : "web",
      });
      if (!input.success) return `That did not work: ${input.error.issues[0]?.message ?? "invalid schedule"}`;
      const created = await port.create(userId, input.data);
      const next = created.nextRunAt ? ` Next run: ${fmt(new Date(created.nextRunAt))}.` : "";
      return `Scheduled "${created.name}" (${created.expression}, ${created.timezone}).${next}`;
    } catch (error) {
      if (error instanceof GatewayError) return `That did not work: ${error.message}`;
      throw error;
    }
  },
};

async function listOf(
  settings: { list<T>(userId: string, prefix: string): Promise<Array<{ value: T }>> },
  userId: string,
): Promise<Schedule[]> {
  const items = await settings.list<unknown>(userId, SCHEDULE_KEYS.prefix);
  return items
    .map((i) => ScheduleSchema.safeParse(i.value))
    .flatMap((p) => (p.success ? [p.data] : []))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function fmt(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
