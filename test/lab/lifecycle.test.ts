// The lab as a process: port choice, the printed URL, and kernels shut down when it exits.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePorts } from "../../kernel/client/index.js";
import { startTestLab, type TestLab } from "./harness.js";
import { isAlive } from "../helpers/process.js";

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface SpawnedLab {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<number | null>;
  stderr(): string;
}

function spawnLab(args: string[]): SpawnedLab {
  const child = spawn(process.execPath, ["bin/paramlab.js", "lab", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let errors = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => (errors += text));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (text: string) => {
      output += text;
      const match = /http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+/.exec(output);
      if (match !== null) resolve(match[0]);
    });
    void exited.then((code) => reject(new Error(`paramlab lab exited with code ${code}: ${output}${errors}`)));
  });
  // Tests that expect the lab to fail never read the URL.
  url.catch(() => undefined);
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return { child, url, exited, stderr: () => errors };
}

describe("lab process", () => {
  it("takes the next port when the first is in use", async () => {
    const [port] = await freePorts(1);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const lab: TestLab = await startTestLab({ port });
    cleanups.push(() => lab.stop());
    expect(lab.port).toBeGreaterThan(port);
    expect(lab.baseUrl).toBe(`http://127.0.0.1:${lab.port}/`);
    expect(lab.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it("shuts its kernels down on SIGTERM", async () => {
    const root = mkdtempSync(join(tmpdir(), "paramlab-lifecycle-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const { child, url, exited } = spawnLab([root, "--port", "0", "--no-browser", "--state-dir", join(root, ".state"), "--log-level", "silent"]);
    const labUrl = new URL(await url);
    const headers = { Authorization: `token ${labUrl.searchParams.get("token")}` };
    for (let index = 0; index < 2; index++) {
      const response = await fetch(new URL("/api/kernels", labUrl), { method: "POST", headers, body: "{}" });
      expect(response.status).toBe(201);
    }
    const kernelPids = execFileSync("ps", ["-o", "pid=", "--ppid", String(child.pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
    expect(kernelPids).toHaveLength(2);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of kernelPids) expect(isAlive(pid), `kernel process ${pid}`).toBe(false);
  });

  it("rejects a missing folder and bad options", async () => {
    const missing = spawnLab(["/nonexistent/paramlab-notebooks", "--no-browser"]);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toContain("folder /nonexistent/paramlab-notebooks does not exist");
    const badPort = spawnLab(["--port", "99999"]);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toContain("--port 99999 is invalid: use an integer from 0 to 65535");
    const help = execFileSync(process.execPath, ["bin/paramlab.js", "lab", "--help"], { encoding: "utf8" });
    expect(help).toContain("--port N");
  });
});
