import { createHash, timingSafeEqual } from "node:crypto";
import type { TaskStateStore } from "../ports";
import type { AgentScope } from "./agent-scope";

/**
 * The ECS task id an IAM caller is, from the assumed-role ARN API Gateway's IAM authorization puts in
 * the request (`arn:aws:sts::<account>:assumed-role/<role>/<session>`): ECS names a task role's session
 * after the task id, and nobody but ECS can assume the task role (its trust policy admits only
 * ecs-tasks.amazonaws.com), so the session name is not something a task can choose. With `roleName`,
 * any other role is refused.
 */
export function callerTaskId(userArn: string | null | undefined, roleName?: string): string | undefined {
  const match = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/([\w+=,.@-]{1,64})\/([A-Za-z0-9-]{1,64})$/.exec(
    userArn ?? "",
  );
  if (!match) return undefined;
  if (roleName !== undefined && match[1] !== roleName) return undefined;
  return match[2];
}

/** Whether an ECS task ARN (`arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`) is the task `taskId`. */
export function isTaskArnOf(taskArn: string | null | undefined, taskId: string): boolean {
  return typeof taskArn === "string" && taskId.length > 0 && taskArn.endsWith(`/${taskId}`);
}

/** The per-start secret as TaskState keeps it: only its SHA-256 (hex) is stored. */
export function hashAgentSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time check of a presented secret against the stored SHA-256 hex. */
export function agentSecretMatches(secret: string, storedHash: string | undefined): boolean {
  if (!storedHash || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashAgentSecret(secret), "hex"), Buffer.from(storedHash, "hex"));
}

export interface BindAgentOptions {
  /** How long to wait for the gateway to record the task ARN of a start still in flight (ms). */
  waitForArnMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Binds a calling task to the user it was started for: the user's TaskState row must hold a live run
 * whose `taskArn` is this task. The user id is the task's claim (it knows whom it serves); the row is
 * the proof, written only by the gateway. A start whose RunTask has returned but whose ARN is not yet
 * recorded is waited for briefly (the task reaches us seconds after RunTask; this closes the race).
 * Returns the scope every store call of that task is confined to, or undefined.
 */
export async function bindAgentTask(
  taskState: Pick<TaskStateStore, "get">,
  claim: { userId: string; taskId: string },
  options: BindAgentOptions = {},
): Promise<AgentScope | undefined> {
  const sleep = options.sleep ?? sleepFor;
  const deadline = Date.now() + (options.waitForArnMs ?? 3000);
  for (;;) {
    const row = await taskState.get(claim.userId);
    if (row.state === "Idle") return undefined;
    if (isTaskArnOf(row.taskArn, claim.taskId)) {
      return {
        userId: claim.userId,
        ...(row.agentSecretHash ? { agentSecretHash: row.agentSecretHash } : {}),
      };
    }
    if (row.taskArn || row.state !== "Starting" || Date.now() >= deadline) return undefined;
    await sleep(200);
  }
}
