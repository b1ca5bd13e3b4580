import { randomBytes, randomUUID } from "node:crypto";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function alphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/**
 * A connection id shaped like API Gateway's (`L0SM9cOFvHcCIhw=`): 15 characters and a trailing `=`.
 * The `=` matters: the management API client URI-encodes it, so the server must decode the path.
 */
export function newConnectionId(): string {
  return `${alphanumeric(15)}=`;
}

/** API Gateway request ids (`extendedRequestId` style, e.g. `WvZ3pFdgoAMFQ3A=`). */
export function newExtendedRequestId(): string {
  return `${alphanumeric(15)}=`;
}

export function newRequestId(): string {
  return randomUUID();
}

/** `10/Dec/2020:10:25:20 +0000`, the format of `requestTime` in API Gateway events. */
export function requestTime(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
