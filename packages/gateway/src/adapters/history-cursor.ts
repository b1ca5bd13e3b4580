import { KEYS } from "@serverless-openclaw/shared";
import { StoreError } from "./store-error";

/**
 * The history cursor is the sort key of the oldest message of the previous page, base64url-encoded
 * so clients treat it as opaque. Decoding checks it belongs to the conversation asked for.
 */
export function encodeHistoryCursor(sortKey: string): string {
  return Buffer.from(sortKey, "utf8").toString("base64url");
}

export function decodeHistoryCursor(cursor: string, conversationId: string): string {
  const sortKey = Buffer.from(cursor, "base64url").toString("utf8");
  if (!sortKey.startsWith(KEYS.conversations.messagePrefix(conversationId)) || sortKey.length > 400) {
    throw new StoreError(
      "INVALID_CURSOR",
      "The history cursor does not belong to this conversation; reload the conversation and page again.",
    );
  }
  return sortKey;
}
