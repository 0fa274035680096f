// Loads the TypeScript compiler once. It takes about half a second, so the kernel starts it in
// the background after startup instead of before its first reply.
import type * as TS from "typescript";

let loading: Promise<typeof TS> | undefined;

export function loadTypeScript(): Promise<typeof TS> {
  loading ??= import("typescript").then((module) => (module.default ?? module) as typeof TS);
  return loading;
}
