import type { LogAttributes, Logger, Redactor } from "@serverless-openclaw/shared";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
  const log = (level: LogLevel, message: string, attributes: LogAttributes[]) => {
    if (ORDER[level] < min) return;
    const record = {
      level,
      time: new Date().toISOString(),
      ...options.base,
      message,
      ...Object.assign({}, ...attributes),
    };
    write(options.redactor.redact(JSON.stringify(record, errorReplacer)));
  };
  return {
    debug: (m, ...a) => log("debug", m, a),
    info: (m, ...a) => log("info", m, a),
    warn: (m, ...a) => log("warn", m, a),
    error: (m, ...a) => log("error", m, a),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}
