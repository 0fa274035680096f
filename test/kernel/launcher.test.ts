// The launcher's handling of kernel programs that cannot be started.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { launchKernel } from "../../kernel/client/index.js";

const dir = mkdtempSync(join(tmpdir(), "paramlab-launcher-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("launchKernel", () => {
  it("rejects when the program is missing", async () => {
    const program = join(dir, "no-such-kernel");
    const launch = launchKernel({ argv: [program, "--connection-file", "{connection_file}"], startTimeoutMs: 10_000 });

    await expect(launch).rejects.toThrow(`the kernel program "${program}" was not found`);
    await expect(launch).rejects.toThrow(`["${program}","--connection-file","{connection_file}"]`);
  });

  it("rejects when the program is not executable", async () => {
    const program = join(dir, "not-executable");
    writeFileSync(program, "#!/bin/sh\n");
    chmodSync(program, 0o644);
    const launch = launchKernel({ argv: [program, "{connection_file}"], startTimeoutMs: 10_000 });

    await expect(launch).rejects.toThrow(`the kernel program "${program}" could not be started`);
  });
});
