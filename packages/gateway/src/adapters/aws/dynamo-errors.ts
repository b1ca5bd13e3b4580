/** Recognises DynamoDB's condition and transaction failures by name (no SDK class import needed). */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === "ConditionalCheckFailedException";
}

/** The per-item reason codes of a TransactionCanceledException, or undefined for any other error. */
export function cancellationCodes(err: unknown): Array<string | undefined> | undefined {
  if (!(err instanceof Error) || err.name !== "TransactionCanceledException") return undefined;
  const reasons = (err as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  return (reasons ?? []).map((r) => r.Code);
}

/**
 * Runs a transaction, retrying while DynamoDB cancels it only because another transaction on the same
 * items is in flight (TransactionConflict); after the other one commits, our condition decides.
 */
export async function withConflictRetry<T>(run: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const codes = cancellationCodes(err);
      const conflictOnly =
        codes?.includes("TransactionConflict") && !codes.includes("ConditionalCheckFailed");
      if (!conflictOnly || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
    }
  }
}
