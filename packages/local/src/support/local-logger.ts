import { Redactor } from "@serverless-openclaw/shared";

/** The subset of Powertools' Logger the gateway code calls; printed as plain lines in local mode. */
export interface LocalLogger {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  redactor?: Redactor;
  /** Where lines go (default: stderr). Tests capture them here. */
  write?: (line: string) => void;
  prefix?: string;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, (_key, v) =>
      v instanceof Error ? { name: v.name, message: v.message } : v,
    );
  } catch {
    return String(value);
  }
}

export function createConsoleLogger(
  options: ConsoleLoggerOptions = {},
): LocalLogger & { redactor: Redactor } {
  const level = options.level ?? "info";
  const redactor = options.redactor ?? new Redactor();
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const prefix = options.prefix ? `${options.prefix} ` : "";
  const emit = (at: LogLevel, message: string, extra: unknown[]) => {
    if (ORDER[at] < ORDER[level]) return;
    const tail = extra.length > 0 ? ` ${extra.map(describe).join(" ")}` : "";
    const tag = at === "info" ? "" : `${at.toUpperCase()} `;
    write(redactor.redact(`${prefix}${tag}${message}${tail}`));
  };
  return {
    redactor,
    debug: (m, ...e) => emit("debug", m, e),
    info: (m, ...e) => emit("info", m, e),
    warn: (m, ...e) => emit("warn", m, e),
    error: (m, ...e) => emit("error", m, e),
  };
}
