// Benchmarks kernel startup (to the first kernel_info_reply) and the `1+1` round trip with
// Debian's jupyter_client, for paramlab and for the peer kernels that are installed.
//
//   npm run build && node bench/kernel/kernel.mjs [--starts N] [--trips N] [--peers DIR]
//
// Peers: IJavascript, tslab and Deno are found in DIR/node_modules/.bin (default /tmp/bench-peers),
// ipykernel through Debian's python3-ipykernel. A peer that is missing is listed as skipped.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("../..", import.meta.url).pathname;
const python = ["/usr/bin/python3", "python3"].find((candidate) => spawnSync(candidate, ["-c", "import jupyter_client"]).status === 0);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function writeSpec(prefix, name, spec) {
  const dir = join(prefix, "share", "jupyter", "kernels", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec));
}

/** Returns the kernels to measure: name, label, the code for the round trip, or a skip reason. */
function kernels(prefix, peers) {
  const list = [];
  execFileSync(process.execPath, [join(root, "bin", "paramlab.js"), "kernel", "install", "--prefix", prefix, "--name", "paramlab-bench"]);
  list.push({ name: "paramlab-bench", label: "paramlab (core preloaded)", code: "1+1" });

  const ijs = join(peers, "node_modules", ".bin", "ijskernel");
  if (existsSync(ijs)) {
    writeSpec(prefix, "ijavascript-bench", { argv: [ijs, "--protocol=5.0", "{connection_file}"], display_name: "IJavascript", language: "javascript" });
    list.push({ name: "ijavascript-bench", label: "IJavascript 5.2.1", code: "1+1" });
  } else {
    list.push({ label: "IJavascript", skip: `not installed in ${peers} (npm install ijavascript@5.2.1 there)` });
  }

  const tslab = join(peers, "node_modules", ".bin", "tslab");
  if (existsSync(tslab)) {
    writeSpec(prefix, "tslab-bench", { argv: [tslab, "kernel", "--config-path", "{connection_file}"], display_name: "tslab", language: "typescript" });
    list.push({ name: "tslab-bench", label: "tslab 1.0.22", code: "1+1" });
  } else {
    list.push({ label: "tslab", skip: `not installed in ${peers} (npm install tslab@1.0.22 there)` });
  }

  const deno = join(peers, "node_modules", ".bin", "deno");
  if (existsSync(deno)) {
    writeSpec(prefix, "deno-bench", { argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"], display_name: "Deno", language: "typescript" });
    list.push({ name: "deno-bench", label: "Deno 2.9.6", code: "1+1" });
  } else {
    list.push({ label: "Deno", skip: `not installed in ${peers} (npm install deno@2.9.6 there)` });
  }

  if (spawnSync("/usr/bin/python3", ["-c", "import ipykernel"]).status === 0) {
    writeSpec(prefix, "ipykernel-bench", {
      argv: ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
      display_name: "ipykernel",
      language: "python",
    });
    list.push({ name: "ipykernel-bench", label: "ipykernel (Debian, Python)", code: "1+1" });
  } else {
    list.push({ label: "ipykernel", skip: "python3-ipykernel is not installed" });
  }
  return list;
}

async function main() {
  const { values } = parseArgs({ options: { starts: { type: "string" }, trips: { type: "string" }, peers: { type: "string" } } });
  if (python === undefined) {
    console.error("jupyter_client is not importable; install it with: apt-get install -y python3-jupyter-client");
    process.exit(2);
  }
  if (!existsSync(join(root, "dist", "kernel", "cli.js"))) {
    console.error("dist/ is missing; run npm run build first");
    process.exit(2);
  }

  const starts = Number(values.starts ?? 10);
  const trips = Number(values.trips ?? 200);
  const prefix = mkdtempSync(join(tmpdir(), "paramlab-bench-"));
  const rows = [];
  try {
    for (const kernel of kernels(prefix, values.peers ?? "/tmp/bench-peers")) {
      if (kernel.skip !== undefined) {
        rows.push(`| ${kernel.label} | skipped: ${kernel.skip} | | |`);
        continue;
      }
      const run = spawnSync(python, [join(root, "bench", "kernel", "measure.py"), kernel.name, String(starts), String(trips), kernel.code], {
        encoding: "utf8",
        env: { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") },
        timeout: 600_000,
      });
      if (run.status !== 0) {
        const reason = (run.stderr ?? "").trim().split("\n").pop() || `exit status ${run.status}`;
        rows.push(`| ${kernel.label} | failed: ${reason.replaceAll("|", "/")} | | |`);
        continue;
      }
      const output = run.stdout;
      const result = JSON.parse(output.trim().split("\n").pop());
      const startup = median(result.startup_s);
      const p50 = median(result.round_trip_ms);
      const p90 = percentile(result.round_trip_ms, 90);
      rows.push(`| ${kernel.label} | ${startup.toFixed(3)} s | ${p50.toFixed(2)} ms | ${p90.toFixed(2)} ms |`);
      console.error(`measured ${kernel.label}`);
    }
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }

  console.log(`### Kernel startup and round trip\n`);
  console.log(`Driven by Debian's jupyter_client; ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}.`);
  console.log(`Startup: median of ${starts} launches, from starting the process to the first kernel_info_reply.`);
  console.log(`Round trip: execute_request of \`1+1\` until its reply and idle status, ${trips} runs after 10 warm-up runs.\n`);
  console.log("| kernel | startup, median | `1+1` round trip, p50 | p90 |");
  console.log("|---|---|---|---|");
  for (const row of rows) console.log(row);
}

await main();
