/**
 * A small leveled logger for the Hessian estimators. By default it writes warnings to the
 * console. `logger.setLevel("silent")` turns it off, as the tests do, and `logger.setSink(fn)`
 * sends messages elsewhere, for example to a list a test inspects.
 */

export type LogLevel = "debug" | "info" | "warn" | "silent";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, silent: 3 };

export type LogSink = (level: Exclude<LogLevel, "silent">, message: string) => void;

const consoleSink: LogSink = (level, message) => {
  if (level === "warn") console.warn(message);
  else console.log(message);
};

class Logger {
  private level: LogLevel = "warn";
  private sink: LogSink = consoleSink;

  setLevel(level: LogLevel): void {
    if (!(level in RANK)) throw new Error(`logger.setLevel: unknown level "${String(level)}"; expected debug, info, warn or silent.`);
    this.level = level;
  }

  getLevel(): LogLevel {
    return this.level;
  }

  /** Sends messages to `sink` instead of the console; pass null to restore the console. */
  setSink(sink: LogSink | null): void {
    this.sink = sink ?? consoleSink;
  }

  debug(message: string): void {
    this.write("debug", message);
  }

  info(message: string): void {
    this.write("info", message);
  }

  warn(message: string): void {
    this.write("warn", message);
  }

  private write(level: Exclude<LogLevel, "silent">, message: string): void {
    if (RANK[level] >= RANK[this.level]) this.sink(level, message);
  }
}

/** The logger of `analysis.hessian`. */
export const logger = new Logger();
