/**
 * Turns one line of the agent task's output (JSON log lines from its logger, or plain text from
 * OpenClaw) into a short terminal line.
 */
export function formatAgentLine(line: string): { level: "debug" | "info" | "warn" | "error"; text: string } {
  const trimmed = line.trim();
  if (trimmed.startsWith("{")) {
    try {
      const entry = JSON.parse(trimmed) as Record<string, unknown>;
      const raw = String(entry.level ?? "info").toLowerCase();
      const level = raw === "debug" || raw === "warn" || raw === "error" ? raw : "info";
      const { level: _l, message, timestamp: _t, time: _tt, service: _s, ...rest } = entry;
      const extras = Object.entries(rest)
        .filter(([, v]) => v !== undefined && v !== null && v !== "")
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      return { level, text: `${String(message ?? "")}${extras ? ` ${extras}` : ""}` };
    } catch {
      // Not JSON after all.
    }
  }
  return { level: "info", text: trimmed };
}
