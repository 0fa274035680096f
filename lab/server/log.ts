// A small leveled logger for the lab; the CLI writes to stderr, tests pass a silent one.

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = ORDER.indexOf(level);
  const at = (name: LogLevel) => (message: string) => {
    if (ORDER.indexOf(name) >= threshold) write(`[paramlab lab ${new Date().toISOString()} ${name}] ${message}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
