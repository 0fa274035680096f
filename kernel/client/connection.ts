// Creates connection files for kernels that this process launches.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionInfo } from "../wire/types.js";

/** Returns `count` distinct free TCP ports on `ip`, found by binding to port 0. */
export async function freePorts(count: number, ip = "127.0.0.1"): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<import("node:net").Server>((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, ip, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => (server.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export interface ConnectionOptions {
  transport?: "tcp" | "ipc";
  /** The address for tcp (default 127.0.0.1), or a path prefix for ipc. */
  ip?: string;
  /** The folder for the connection file and ipc sockets (default: a new temporary folder). */
  dir?: string;
}

/** Creates connection info with a random 256-bit key and writes it to a file readable only by the user. */
export async function writeConnectionFile(options: ConnectionOptions = {}): Promise<{ file: string; info: ConnectionInfo }> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "paramlab-kernel-"));
  const transport = options.transport ?? "tcp";
  const ports = transport === "tcp" ? await freePorts(5, options.ip ?? "127.0.0.1") : [1, 2, 3, 4, 5];
  const info: ConnectionInfo = {
    transport,
    ip: options.ip ?? (transport === "tcp" ? "127.0.0.1" : join(dir, "kernel-ipc")),
    shell_port: ports[0],
    iopub_port: ports[1],
    stdin_port: ports[2],
    control_port: ports[3],
    hb_port: ports[4],
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: "paramlab",
  };
  const file = join(dir, `kernel-${randomBytes(6).toString("hex")}.json`);
  writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  return { file, info };
}
