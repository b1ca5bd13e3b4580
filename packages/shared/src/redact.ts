/**
 * Removes secret values from text before it is logged or shown: the values a process registered (agent
 * secrets, the store token, API keys, passwords) and, unregistered, anything shaped like a bearer token
 * in a query string or a JWT (a user's id token in a URL, a token echoed by an upstream error). The agent
 * task, local mode's terminal and their log files all pass through this one class.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers values to hide. Values shorter than 6 characters are ignored: they would shred ordinary words. */
  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 6) this.secrets.add(value);
  }

  remove(value: string): void {
    this.secrets.delete(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    return out
      .replace(/(token=)[A-Za-z0-9._~%-]{16,}/g, "$1[redacted]")
      .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, "[redacted-jwt]");
  }
}
