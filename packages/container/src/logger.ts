import type { Redactor } from "./redact";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The subset of Powertools' Logger the task uses, so either can be passed in. */
export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface JsonLoggerOptions {
  redactor: Redactor;
  level?: LogLevel;
  /** Where lines go; stdout by default (CloudWatch Logs on ECS, the local runner's log file locally). */
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

/** One JSON object per line, every line passed through the redactor before it leaves the process. */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const min = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (level: LogLevel, message: string, extra?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const record = { level, time: new Date().toISOString(), ...options.base, message, ...extra };
    write(options.redactor.redact(JSON.stringify(record, errorReplacer)));
  };
  return {
    debug: (m, e) => log("debug", m, e),
    info: (m, e) => log("info", m, e),
    warn: (m, e) => log("warn", m, e),
    error: (m, e) => log("error", m, e),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}
