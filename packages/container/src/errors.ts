/** Errors of the agent task, each with a code and a message a user (or operator) can act on. */
export class AgentTaskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AgentTaskError";
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
}

/** Process exit codes of the task, so ECS (and the local runner) can tell outcomes apart. */
export const EXIT_CODES = {
  /** Stopped cleanly: idle timeout, SIGTERM, agent.shutdown. */
  ok: 0,
  /** Bad environment or configuration of the task itself. */
  config: 2,
  /** OpenClaw failed to start or crashed. */
  openclaw: 3,
  /** Could not reach the gateway's agent endpoint or it refused us. */
  gateway: 4,
  /** Anything else. */
  unexpected: 1,
} as const;
