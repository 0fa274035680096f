import { readFileSync } from "node:fs";
import type { Channel, ConnectionInfo } from "./types.js";

const PORT_FIELDS = ["shell_port", "control_port", "iopub_port", "stdin_port", "hb_port"] as const;

/** Reads and validates a Jupyter connection file. Throws an error naming the bad field. */
export function readConnectionFile(path: string): ConnectionInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`connection file ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  return validateConnectionInfo(parsed, path);
}

export function validateConnectionInfo(value: unknown, source = "connection info"): ConnectionInfo {
  if (typeof value !== "object" || value === null) {
    throw new Error(`${source}: expected a JSON object with ports, ip, transport and key`);
  }
  const info = value as Record<string, unknown>;
  const transport = info.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") {
    throw new Error(`${source}: transport is ${JSON.stringify(transport)}, expected "tcp" or "ipc"`);
  }
  for (const field of PORT_FIELDS) {
    const port = info[field];
    if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) {
      throw new Error(`${source}: ${field} is ${JSON.stringify(port)}, expected an integer port from 0 to 65535`);
    }
  }
  const scheme = info.signature_scheme ?? "hmac-sha256";
  if (scheme !== "hmac-sha256") {
    throw new Error(`${source}: signature_scheme ${JSON.stringify(scheme)} is not supported, use "hmac-sha256"`);
  }
  if (typeof (info.key ?? "") !== "string") {
    throw new Error(`${source}: key must be a string`);
  }
  return {
    transport,
    ip: typeof info.ip === "string" ? info.ip : "127.0.0.1",
    shell_port: info.shell_port as number,
    control_port: info.control_port as number,
    iopub_port: info.iopub_port as number,
    stdin_port: info.stdin_port as number,
    hb_port: info.hb_port as number,
    key: (info.key as string | undefined) ?? "",
    signature_scheme: "hmac-sha256",
    kernel_name: typeof info.kernel_name === "string" ? info.kernel_name : undefined,
  };
}

/**
 * Returns the ZeroMQ endpoint of a channel. For ipc, Jupyter names the socket file
 * `<ip>-<port>`, so the `ip` field contains a path prefix.
 */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port` as `${Channel}_port`];
  if (info.transport === "ipc") return `ipc://${info.ip}-${port}`;
  return `tcp://${info.ip}:${port}`;
}
