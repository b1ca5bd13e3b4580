/**
 * The gateway's error types. Each carries a stable `code` (for clients and tests) and a message a person
 * can act on. Handlers map them to HTTP statuses / `error` events; anything else becomes a generic 500-free
 * "INTERNAL" reply, so a stack trace never leaves the process.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 502 | 503;

export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: ErrorStatus,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type AuthErrorCode =
  | "TOKEN_MISSING"
  | "TOKEN_MALFORMED"
  | "TOKEN_EXPIRED"
  | "TOKEN_INVALID"
  | "TOKEN_SIGNATURE"
  | "TOKEN_REVOKED"
  | "AGENT_REJECTED";

/** A caller that could not be authenticated. The message never repeats the token. */
export class AuthError extends GatewayError {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, 401, options);
  }
}

export class ForbiddenError extends GatewayError {
  constructor(message: string) {
    super("FORBIDDEN", message, 403);
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string) {
    super("NOT_FOUND", message, 404);
  }
}

export class ConflictError extends GatewayError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

/** Input that parsed but is not acceptable as a whole (e.g. a provider that needs a baseUrl). */
export class ValidationError extends GatewayError {
  constructor(message: string) {
    super("VALIDATION_FAILED", message, 422);
  }
}

/** The agent task could not be started (RunTask failed, no capacity, misconfiguration). */
export class TaskStartError extends GatewayError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, 503, options);
  }
}

/** A short, safe description of an unknown thrown value for logs (never the value itself). */
export function errorSummary(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof GatewayError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 300) };
  return { name: typeof error, message: "non-Error thrown" };
}
