import type { LocalLogger } from "../support/local-logger";

/**
 * What a started stack must undo, in reverse order of starting: a later step may depend on an earlier one
 * (agents save their state through the server, so they stop before it closes). A failing step is logged
 * and the rest still run, so one stuck part never leaves the others running.
 */
export class Cleanups {
  private readonly steps: Array<() => Promise<void>> = [];

  constructor(private readonly logger: Pick<LocalLogger, "error">) {}

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  readonly run = async (): Promise<void> => {
    for (const step of this.steps.reverse())
      await step().catch((err: unknown) => this.logger.error("shutdown step failed", err));
    this.steps.length = 0;
  };
}
