// Keeps cells from ending the kernel process with process.exit().
//
// Exiting while the socket worker's ZeroMQ sockets are open aborts the process (SIGABRT) and the
// frontend sees the kernel die. As sys.exit() in IPython raises SystemExit and the kernel lives
// on, a cell's process.exit() throws ProcessExitError instead.

export class ProcessExitError extends Error {
  override name = "ProcessExitError";
  constructor(readonly code: string | number | null | undefined) {
    super(
      `process.exit(${code ?? ""}) would stop the kernel, so cells cannot call it. ` +
        "To start over with a fresh kernel, use the frontend's restart command (Kernel > Restart Kernel).",
    );
  }
}

/**
 * Replaces `process.exit` with a function that throws ProcessExitError and returns the original,
 * which the kernel uses to exit after its sockets are closed.
 */
export function interceptProcessExit(): (code?: number) => never {
  const exit = process.exit.bind(process) as (code?: number) => never;
  process.exit = ((code?: string | number | null) => {
    throw new ProcessExitError(code);
  }) as typeof process.exit;
  return exit;
}
