/**
 * Random ids for clientMessageId / conversationId (letters, digits, '-' only, as the shared
 * id schemas require). crypto.randomUUID exists only in secure contexts, so a plain-http LAN
 * address falls back to getRandomValues.
 */
export function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
