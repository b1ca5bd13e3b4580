import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { nextRunTimes, parseScheduleExpression, type ScheduleFireEvent } from "@serverless-openclaw/shared";
import type { Logger } from "../../deps";
import { errorSummary } from "../../errors";
import type { Clock, ScheduleRegistration, Scheduler } from "../../ports";

export interface InProcessSchedulerOptions {
  /** Called for each run, like EventBridge Scheduler invoking the schedule-fire Lambda. */
  fire: (event: ScheduleFireEvent) => Promise<unknown>;
  /** Where registrations are kept across restarts (EventBridge keeps them on AWS). */
  file?: string;
  clock?: Clock;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** The longest a timer sleeps before looking again (clock changes, long sleeps). */
  maxSleepMs?: number;
}

interface Entry {
  registration: ScheduleRegistration;
  next?: Date;
}

type Stored = Omit<ScheduleRegistration, "anchor"> & { anchor: string };

/**
 * Local mode's EventBridge Scheduler: keeps registrations (persisted to a JSON file), computes each
 * one's next run with the same expression code as validation (croner for cron(...), time zones
 * included), and calls `fire` at that time. Runs missed while local mode was not running are not
 * replayed, as on AWS. An at(...) schedule is removed after its run (ActionAfterCompletion DELETE).
 */
export class InProcessScheduler implements Scheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly clock: Clock;
  private writing: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: InProcessSchedulerOptions) {
    this.clock = options.clock ?? { now: () => new Date() };
  }

  /** Loads the registrations saved by a previous run and arms the timer. */
  async start(): Promise<void> {
    if (this.options.file) {
      const text = await readFile(this.options.file, "utf8").catch(() => undefined);
      const stored = text ? (JSON.parse(text) as Stored[]) : [];
      for (const s of stored) this.put({ ...s, anchor: new Date(s.anchor) });
    }
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.writing;
  }

  async create(schedule: ScheduleRegistration): Promise<void> {
    this.put(schedule);
    await this.persist();
  }

  async update(schedule: ScheduleRegistration): Promise<void> {
    this.put(schedule);
    await this.persist();
  }

  async delete(userId: string, scheduleId: string): Promise<void> {
    this.entries.delete(keyOf(userId, scheduleId));
    this.arm();
    await this.persist();
  }

  /** The next run of each registration, for tests and the terminal. */
  nextRuns(): Array<{ userId: string; scheduleId: string; next?: Date }> {
    return [...this.entries.values()].map((e) => ({
      userId: e.registration.userId,
      scheduleId: e.registration.scheduleId,
      ...(e.next ? { next: e.next } : {}),
    }));
  }

  private put(registration: ScheduleRegistration): void {
    const entry: Entry = { registration };
    entry.next = this.nextAfter(registration, this.clock.now());
    this.entries.set(keyOf(registration.userId, registration.scheduleId), entry);
    this.arm();
  }

  private nextAfter(r: ScheduleRegistration, after: Date): Date | undefined {
    if (!r.enabled) return undefined;
    try {
      return nextRunTimes(parseScheduleExpression(r.expression), r.timezone, after, 1, r.anchor)[0];
    } catch (error) {
      this.options.logger.warn("schedule has a bad expression", {
        scheduleId: r.scheduleId,
        ...errorSummary(error),
      });
      return undefined;
    }
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const nexts = [...this.entries.values()].flatMap((e) => (e.next ? [e.next.getTime()] : []));
    if (nexts.length === 0) return;
    const wait = Math.max(0, Math.min(...nexts) - this.clock.now().getTime());
    this.timer = setTimeout(() => this.tick(), Math.min(wait, this.options.maxSleepMs ?? 60_000));
    this.timer.unref();
  }

  private tick(): void {
    const now = this.clock.now();
    let removed = false;
    for (const [key, entry] of this.entries) {
      if (!entry.next || entry.next.getTime() > now.getTime()) continue;
      const due = entry.next;
      const r = entry.registration;
      const run = this.options
        .fire({ userId: r.userId, scheduleId: r.scheduleId, scheduledTime: due.toISOString() })
        .catch((error: unknown) =>
          this.options.logger.error("scheduled run failed", {
            scheduleId: r.scheduleId,
            ...errorSummary(error),
          }),
        );
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
      if (r.expression.trim().startsWith("at(")) {
        this.entries.delete(key);
        removed = true;
      } else {
        entry.next = this.nextAfter(r, due);
      }
    }
    if (removed) void this.persist();
    this.arm();
  }

  private persist(): Promise<void> {
    const file = this.options.file;
    if (!file) return Promise.resolve();
    const stored: Stored[] = [...this.entries.values()].map((e) => ({
      ...e.registration,
      anchor: e.registration.anchor.toISOString(),
    }));
    // Writes are chained so an older snapshot never lands after a newer one.
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, JSON.stringify(stored, null, 2), { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      });
    return this.writing;
  }
}

function keyOf(userId: string, scheduleId: string): string {
  return `${userId}/${scheduleId}`;
}
