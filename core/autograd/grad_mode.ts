/**
 * Whether ops record the autograd graph. It is a plain module flag, switched only through
 * noGrad/enableGrad/setGradEnabled, which restore the previous value when their function returns.
 */
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets whether ops record the graph and returns the previous setting. */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Runs `fn` without recording the graph, as `torch.no_grad()` does.
 * NOTE: the mode is restored when `fn` returns. For an async `fn`, that is at its first await,
 * so await inside noGrad is not covered; call noGrad within the async code instead.
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with graph recording on, also inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
