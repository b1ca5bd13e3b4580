import { invalidArgument } from "./store-error";

/**
 * Blob keys are relative, `/`-separated paths. They must never escape the store's directory
 * (file store) or its prefix (S3), so every adapter validates them the same way.
 */
export function validateBlobKey(key: string): string {
  const segments = key.split("/");
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    /[\\\0]/.test(key) ||
    segments.some((s) => s === "" || s === "." || s === "..");
  if (bad) {
    throw invalidArgument(
      `Invalid blob key ${JSON.stringify(key.slice(0, 100))}: use a relative path of non-empty segments without '.', '..' or backslashes.`,
    );
  }
  return key;
}

/** A list prefix may be empty or end anywhere, but must not contain traversal either. */
export function validateBlobPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  const segments = prefix.split("/");
  if (/[\\\0]/.test(prefix) || segments.some((s) => s === "." || s === "..") || prefix.startsWith("/")) {
    throw invalidArgument(`Invalid blob prefix ${JSON.stringify(prefix.slice(0, 100))}.`);
  }
  return prefix;
}
