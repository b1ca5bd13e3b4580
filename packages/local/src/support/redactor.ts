/**
 * Replaces known secret values (agent secrets, the store token, API keys, passwords) in text that goes to
 * the terminal. Values shorter than 6 characters are ignored: they would mangle ordinary words.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 6) this.secrets.add(value);
  }

  remove(value: string): void {
    this.secrets.delete(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    // Bearer tokens and JWTs we did not register (e.g. a user's id token in a URL).
    return out
      .replace(/(token=)[A-Za-z0-9._~%-]{16,}/g, "$1[redacted]")
      .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, "[redacted-jwt]");
  }
}
