import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAlive } from "../helpers/process.js";

const clientModule = fileURLToPath(new URL("../../dist/kernel/client/index.js", import.meta.url));

describe("kernel whose launcher dies", () => {
  it("exits instead of running on as an orphan", async () => {
    // A launcher process that starts a kernel, prints its pid and waits to be killed.
    const script = `
      const { launchKernel } = await import(${JSON.stringify(clientModule)});
      const kernel = await launchKernel({});
      console.log(kernel.process.pid);
      setInterval(() => {}, 1000);
    `;
    const launcher = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const kernelPid = await new Promise<number>((resolve, reject) => {
      launcher.stdout.on("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
      launcher.on("exit", (code) => reject(new Error(`the launcher exited with code ${code} before printing the kernel pid`)));
    });
    expect(isAlive(kernelPid)).toBe(true);

    launcher.kill("SIGKILL");
    const deadline = Date.now() + 15_000;
    while (isAlive(kernelPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const survived = isAlive(kernelPid);
    if (survived) process.kill(kernelPid, "SIGKILL");
    expect(survived).toBe(false);
  });
});
