import { EXIT_CODES } from "./errors";
import { createTask } from "./runtime";

/**
 * Entry point of the agent task (ECS container command, or the local runner's child process).
 * SIGTERM (Spot interruption, StopTask, the local runner) takes the same path as the idle stop.
 */
async function main(): Promise<number> {
  const { task, logger } = await createTask(process.env);
  let signalled = 0;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      signalled += 1;
      logger.info("signal received; stopping", { signal });
      if (signalled > 2) process.exit(EXIT_CODES.unexpected);
      void task.stop("signal");
    });
  }
  return task.run();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = (err as { code?: unknown })?.code;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `${JSON.stringify({ level: "error", message: "agent task failed to start", code, error: message })}\n`,
    );
    process.exit(code === "BAD_ENVIRONMENT" ? EXIT_CODES.config : EXIT_CODES.unexpected);
  },
);
