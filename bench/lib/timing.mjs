// Median wall-clock and CPU timing of a synchronous function inside this process.

/**
 * Runs `fn` `warmup` times untimed, then times it until both `minRuns` runs and `minMs`
 * milliseconds of wall-clock time have passed (at most `maxRuns` runs). Returns the median
 * wall-clock time and the median CPU time of this process (user + system), both in milliseconds.
 * Calls the garbage collector before timing when Node runs with --expose-gc.
 *
 * CPU time leaves out the time this process waited for a core while other processes ran, so it
 * is the steadier figure on a shared machine. It only fits code that runs on one thread, because
 * CPU time of several threads adds up.
 */
export function measure(fn, { warmup = 2, minRuns = 5, minMs = 1000, maxRuns = 50 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  globalThis.gc?.();

  const wall = [];
  const cpu = [];
  let total = 0;
  while (wall.length < maxRuns && (wall.length < minRuns || total < minMs)) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    fn();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    wall.push(elapsed);
    cpu.push((used.user + used.system) / 1000);
    total += elapsed;
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/** Returns the median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Returns a seeded generator of uniform numbers in [-1, 1) (mulberry32), so runs see the same inputs. */
export function seededUniform(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}
