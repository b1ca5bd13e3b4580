/** Structured log attributes. Never put tokens, secrets or message text here at info level. */
export type LogAttributes = Record<string, unknown>;

/**
 * The subset of Powertools' Logger every process uses (gateway Lambdas, the agent task, local mode), so
 * Powertools, the task's JSON logger and local mode's terminal logger can each be passed where a
 * Logger is wanted.
 */
export interface Logger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
}
