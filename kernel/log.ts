// A small leveled logger that writes to the kernel's stderr, which Jupyter servers keep as the kernel log.
import { format } from "node:util";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const originalStderrWrite = process.stderr.write.bind(process.stderr);

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function createLogger(name: string, level: LogLevel = "info"): Logger {
  const write = (at: LogLevel, args: unknown[]): void => {
    if (ORDER[at] < ORDER[level]) return;
    originalStderrWrite(`[${name} ${at.toUpperCase()} ${new Date().toISOString()}] ${format(...args)}\n`);
  };
  return {
    debug: (...args) => write("debug", args),
    info: (...args) => write("info", args),
    warn: (...args) => write("warn", args),
    error: (...args) => write("error", args),
  };
}

export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined) return "info";
  if (value in ORDER) return value as LogLevel;
  throw new Error(`log level ${JSON.stringify(value)} is invalid, expected one of ${Object.keys(ORDER).join(", ")}`);
}
