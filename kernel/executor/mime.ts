// Converts values to Jupyter MIME bundles through the display protocol.
import { inspect } from "node:util";

/** The key of the method that returns an object's MIME bundle (the convention Deno uses). */
export const DISPLAY_SYMBOL = Symbol.for("Jupyter.display");

export type MimeBundle = Record<string, unknown>;

/** A bundle made by the display helpers, shown as it is. */
export class RawBundle {
  constructor(
    readonly data: MimeBundle,
    readonly metadata: Record<string, unknown> = {},
  ) {}
}

export interface Bundle {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/**
 * Returns the bundle of a value: its `Symbol.for("Jupyter.display")` method's result when it has
 * one, else `util.inspect` as text/plain. A text/plain entry is present unless the method
 * returned an empty bundle, which means the value shows nothing (see isEmptyBundle). The result
 * is a promise only when the method returns one, so synchronous displays publish in call order.
 */
export function toMimeBundle(value: unknown): Bundle | Promise<Bundle> {
  if (value instanceof RawBundle) return { data: withPlainText(value.data, value), metadata: value.metadata };

  const method = (value as { [DISPLAY_SYMBOL]?: unknown } | null | undefined)?.[DISPLAY_SYMBOL];
  if (typeof method !== "function") return { data: { "text/plain": inspectValue(value) }, metadata: {} };

  const result = method.call(value) as unknown;
  if (isThenable(result)) return Promise.resolve(result).then((bundle) => checkedBundle(bundle, value));
  return checkedBundle(result, value);
}

function checkedBundle(bundle: unknown, value: unknown): Bundle {
  if (typeof bundle !== "object" || bundle === null) {
    throw new TypeError(
      `the Symbol.for("Jupyter.display") method returned ${inspect(bundle)}, expected an object mapping MIME types to data`,
    );
  }
  if (Object.keys(bundle).length === 0) return { data: {}, metadata: {} };
  return { data: withPlainText(bundle as MimeBundle, value), metadata: {} };
}

/** Tells whether a bundle has no data, as for a display handle, so it is not published. */
export function isEmptyBundle(bundle: Bundle): boolean {
  return Object.keys(bundle.data).length === 0;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

export function inspectValue(value: unknown): string {
  return inspect(value, { depth: 4, colors: false, maxArrayLength: 100, breakLength: 100 });
}

function withPlainText(bundle: MimeBundle, value: unknown): MimeBundle {
  if (typeof bundle["text/plain"] === "string") return bundle;
  const summary = value instanceof RawBundle ? `<${Object.keys(bundle).join(", ")}>` : inspectValue(value);
  return { ...bundle, "text/plain": summary };
}
