import {
  type AgentState,
  AgentStateSchema,
  type TaskState,
  TaskStateSchema,
  UserIdSchema,
} from "@serverless-openclaw/shared";
import * as z from "zod";
import type { TaskStateChange } from "../ports";
import { invalidArgument } from "./store-error";

const settable = TaskStateSchema.omit({ userId: true, version: true, updatedAt: true }).shape;

/** Fields a change may set; `null` removes one (except `state`, which a row always has). */
const TaskStateSetSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(settable).map(([key, schema]) => [
      key,
      key === "state" ? AgentStateSchema.optional() : schema.nullable().optional(),
    ]),
  ),
) as unknown as z.ZodType<TaskStateChange["set"]>;

export const TaskStateChangeSchema = z.object({
  userId: UserIdSchema,
  expectState: z.union([AgentStateSchema, z.array(AgentStateSchema).min(1)]),
  expectVersion: z.number().int().nonnegative().optional(),
  set: TaskStateSetSchema,
});

/** Parses a change so no adapter ever writes an attribute TaskState does not have. */
export function parseTaskStateChange(change: TaskStateChange): TaskStateChange {
  const parsed = TaskStateChangeSchema.safeParse(change);
  if (!parsed.success) {
    throw invalidArgument(`Invalid task state change: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data as TaskStateChange;
}

export function expectedStates(change: TaskStateChange): readonly AgentState[] {
  return typeof change.expectState === "string" ? [change.expectState] : change.expectState;
}

/** What `get` returns for a user who never had an agent. */
export function idleRow(userId: string): TaskState {
  return { userId, state: "Idle", version: 0, updatedAt: new Date(0).toISOString() };
}
