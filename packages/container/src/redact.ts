/**
 * Removes known secret values (the LLM API key, the gateway token, the agent secret) from any
 * text before it is logged. OpenClaw's own output passes through here too: it never sees a
 * reason to print the key, but if an upstream error echoes it back we still must not log it.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value to hide. Very short values are ignored: hiding "a" would shred every line. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    }
    return out;
  }
}
