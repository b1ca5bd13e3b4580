import { type ErrorStatus, GatewayError } from "../errors";

const STATUS: Record<string, ErrorStatus> = { INVALID_ARGUMENT: 400, INVALID_CURSOR: 400, CONFLICT: 409 };

/** An error from a store adapter, with a code callers (and the store RPC) can act on. */
export class StoreError extends GatewayError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, STATUS[code] ?? 503, options);
  }
}

export function invalidArgument(message: string): StoreError {
  return new StoreError("INVALID_ARGUMENT", message);
}
