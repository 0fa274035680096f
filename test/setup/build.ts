// Builds dist/ once before the suite, so tests that spawn the kernel or the CLI run the current sources.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
