import { type TaskState, TaskStateSchema } from "@serverless-openclaw/shared";
import type { Clock, TaskStateChange, TaskStateStore } from "../../ports";
import { systemClock } from "../clock";
import { expectedStates, idleRow, parseTaskStateChange } from "../task-state-change";
import type { LocalTable } from "./local-table";

/** TaskState rows in an embedded table; each transition is one synchronous check-and-write. */
export class EmbeddedTaskStateStore implements TaskStateStore {
  constructor(
    private readonly table: LocalTable,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(userId: string): Promise<TaskState> {
    const item = this.table.get(userId);
    return item ? TaskStateSchema.parse(item) : idleRow(userId);
  }

  async transition(input: TaskStateChange): Promise<TaskState | undefined> {
    const change = parseTaskStateChange(input);
    const item = this.table.get(change.userId);
    const current = item ? TaskStateSchema.parse(item) : idleRow(change.userId);
    if (!expectedStates(change).includes(current.state)) return undefined;
    if (change.expectVersion !== undefined && change.expectVersion !== current.version) return undefined;

    const next: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(change.set)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    next.version = current.version + 1;
    next.updatedAt = this.clock.now().toISOString();
    const row = TaskStateSchema.parse(next);
    this.table.put(row.userId, "", row);
    return row;
  }

  async listActive(): Promise<TaskState[]> {
    return this.table
      .scan()
      .map((item) => TaskStateSchema.parse(item))
      .filter((row) => row.state !== "Idle");
  }
}
