import * as z from "zod";

export type FetchLike = typeof fetch;

/** A platform API call that failed; `retryable` when waiting and trying again may help. */
export class ChannelApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ChannelApiError";
  }
}

export interface JsonRequestOptions {
  fetch?: FetchLike;
  /** 429s are waited out and retried this many times (platform rate limits). */
  maxRetries?: number;
  /** A 429 asking for longer than this is not waited for (a webhook has seconds, not minutes). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

const RetryBodySchema = z.object({ retry_after: z.number().nonnegative() }).partial();

/**
 * One JSON request with the rate-limit handling Discord and Slack share: on 429, wait what the
 * server asks (Retry-After header, or Discord's `retry_after` in the body) and try again.
 */
export async function requestJson(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
  options: JsonRequestOptions = {},
): Promise<{ status: number; body: unknown }> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxRetries = options.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const res = await doFetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status !== 429) return { status: res.status, body };
    const header = Number(res.headers.get("retry-after"));
    const fromBody = RetryBodySchema.safeParse(body).data?.retry_after;
    const waitMs = Math.ceil(1000 * (fromBody ?? (Number.isFinite(header) ? header : 1)));
    if (attempt >= maxRetries || waitMs > (options.maxWaitMs ?? 30_000)) {
      throw new ChannelApiError("RATE_LIMITED", `rate limited for ${waitMs} ms`, 429, true);
    }
    await sleep(waitMs);
  }
}
