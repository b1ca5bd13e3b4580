import { KEYS } from "@serverless-openclaw/shared";
import { invalidArgument } from "./store-error";

/**
 * Pending message ids are `<receivedAt ISO>#<uuid>`: they start with a digit, so every message item
 * sorts before the `dedupe#…` items and one key condition (`sk < "dedupe#"`) lists only messages.
 */
export function validateMessageId(id: string): string {
  if (!/^[0-9][^\s]*$/.test(id) || id.length > 200 || id.startsWith(KEYS.pending.dedupe(""))) {
    throw invalidArgument(
      `Invalid pending message id ${JSON.stringify(id.slice(0, 100))}: build it with KEYS.pending.message(receivedAt, uuid).`,
    );
  }
  return id;
}
