// Tests of `paramlab kernel install/uninstall`, and Debian's jupyter_client driving the kernel.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "paramlab.js");
const prefix = mkdtempSync(join(tmpdir(), "paramlab-prefix-"));

afterAll(() => rmSync(prefix, { recursive: true, force: true }));

function paramlab(...args: string[]) {
  return spawnSync(process.execPath, [bin, "kernel", ...args], { encoding: "utf8" });
}

/** Returns a python that can import jupyter_client, preferring Debian's, or undefined. */
function findJupyterPython(): string | undefined {
  for (const python of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(python, ["-c", "import jupyter_client"], { encoding: "utf8" });
    if (probe.status === 0) return python;
  }
  return undefined;
}

describe("kernel install", () => {
  const specDir = join(prefix, "share", "jupyter", "kernels", "paramlab-test");

  it("writes kernel.json and logos under --prefix", () => {
    const result = paramlab("install", "--prefix", prefix, "--name", "paramlab-test");
    const spec = JSON.parse(readFileSync(join(specDir, "kernel.json"), "utf8"));

    expect(result.status).toBe(0);
    expect(spec.display_name).toBe("TypeScript (paramlab)");
    expect(spec.language).toBe("typescript");
    expect(spec.interrupt_mode).toBe("message");
    expect(spec.argv).toContain("{connection_file}");
    expect(spec.argv[0]).toBe(process.execPath);
    for (const logo of ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]) expect(existsSync(join(specDir, logo))).toBe(true);
    const png = readFileSync(join(specDir, "logo-64x64.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(64);
  });

  it("rejects an invalid kernel name", () => {
    const result = paramlab("install", "--prefix", prefix, "--name", "bad name");

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('kernel name "bad name" is invalid');
  });

  it("rejects two locations at once", () => {
    const result = paramlab("install", "--user", "--prefix", prefix);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("at most one of --user, --sys-prefix and --prefix");
  });

  it("fails clearly without a connection file", () => {
    const result = paramlab();

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("missing --connection-file FILE");
  });

  it("is driven by Debian's jupyter_client", () => {
    const python = findJupyterPython();
    if (python === undefined) {
      console.log("SKIPPED: jupyter_client is not importable; install it with: apt-get install -y python3-jupyter-client");
      return;
    }
    const script = `
import json, sys, time
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel
specs = KernelSpecManager().find_kernel_specs()
assert "paramlab-test" in specs, specs
km, kc = start_new_kernel(kernel_name="paramlab-test", startup_timeout=60)

def reply_to(msg_id):
    while True:
        msg = kc.get_shell_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg

try:
    out = {}
    msg_id = kc.execute("const answer: number = 40 + 2\\nanswer")
    out["status"] = reply_to(msg_id)["content"]["status"]
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            out["result"] = msg["content"]["data"]["text/plain"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    loop_id = kc.execute("while (true) {}")
    time.sleep(0.5)
    km.interrupt_kernel()
    out["interrupted"] = reply_to(loop_id)["content"]["ename"]
    out["after"] = reply_to(kc.execute("1 + 1"))["content"]["status"]
    print(json.dumps(out))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
`;
    const output = execFileSync(python, ["-c", script], {
      encoding: "utf8",
      env: { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") },
      timeout: 120_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const result = JSON.parse(output.trim().split("\n").pop()!);

    expect(result).toEqual({ status: "ok", result: "42", interrupted: "InterruptError", after: "ok" });
  });

  it("installs for the user where jupyter_client looks", () => {
    const dataDir = join(prefix, "user-data");
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir };
    const install = spawnSync(process.execPath, [bin, "kernel", "install", "--user", "--name", "paramlab-user"], { encoding: "utf8", env });

    expect(install.status).toBe(0);
    expect(existsSync(join(dataDir, "kernels", "paramlab-user", "kernel.json"))).toBe(true);
    const python = findJupyterPython();
    if (python === undefined) {
      console.log("SKIPPED the jupyter_client lookup: jupyter_client is not importable; install it with: apt-get install -y python3-jupyter-client");
      return;
    }
    const found = execFileSync(python, ["-c", "from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec('paramlab-user').display_name)"], {
      encoding: "utf8",
      env,
    });
    expect(found.trim()).toBe("TypeScript (paramlab)");
  });

  it("uninstalls the kernelspec", () => {
    const result = paramlab("uninstall", "--prefix", prefix, "--name", "paramlab-test");

    expect(result.status).toBe(0);
    expect(existsSync(specDir)).toBe(false);
    expect(paramlab("uninstall", "--prefix", prefix, "--name", "paramlab-test").stderr).toContain("nothing to remove");
  });
});
