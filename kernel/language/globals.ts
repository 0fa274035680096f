// Declarations of the globals that the kernel defines in cells, for the language service.

/** Names preloaded from the core, with the type expression of each. */
const CORE_GLOBAL_TYPES: Record<string, string> = {
  tensor: 'typeof import("paramlab")["tensor"]',
  nn: 'typeof import("paramlab")["nn"]',
  optim: 'typeof import("paramlab")["optim"]',
  autograd: 'typeof import("paramlab")["autograd"]',
  data: 'typeof import("paramlab")["data"]',
  train: 'typeof import("paramlab")["train"]',
  analysis: 'typeof import("paramlab")["analysis"]',
  noGrad: 'typeof import("paramlab")["noGrad"]',
  manualSeed: 'typeof import("paramlab")["manualSeed"]',
  F: 'typeof import("paramlab")["nn"]["functional"]',
};

const KERNEL_GLOBALS = `
interface KernelDisplayOptions {
  /** An id for later updates in place, or true to generate one. */
  displayId?: string | true;
  metadata?: Record<string, unknown>;
}
interface KernelDisplayHandle {
  readonly displayId: string | undefined;
  /** Replaces the output in place. */
  update(value: unknown): void;
}
interface KernelDisplay {
  /** Shows a value through its Symbol.for("Jupyter.display") method, or as text. */
  (value: unknown, options?: KernelDisplayOptions): KernelDisplayHandle;
  html(html: string, options?: KernelDisplayOptions): KernelDisplayHandle;
  markdown(markdown: string, options?: KernelDisplayOptions): KernelDisplayHandle;
  latex(latex: string, options?: KernelDisplayOptions): KernelDisplayHandle;
  svg(svg: string, options?: KernelDisplayOptions): KernelDisplayHandle;
  png(bytes: Uint8Array, options?: KernelDisplayOptions): KernelDisplayHandle;
  jpeg(bytes: Uint8Array, options?: KernelDisplayOptions): KernelDisplayHandle;
  json(value: unknown, options?: KernelDisplayOptions): KernelDisplayHandle;
  plotly(figure: { data: unknown[]; layout?: unknown; config?: unknown }, options?: KernelDisplayOptions): KernelDisplayHandle;
  table(rows: Array<Record<string, unknown> | unknown[]>, options?: KernelDisplayOptions): KernelDisplayHandle;
  text(text: string, options?: KernelDisplayOptions): KernelDisplayHandle;
  bundle(data: Record<string, unknown>, options?: KernelDisplayOptions): KernelDisplayHandle;
  update(displayId: string, value: unknown): void;
}
/** Publishes display_data for a value or through a helper such as display.html. */
declare const display: KernelDisplay;
/** Clears the cell's output; with wait, only when the next output arrives. */
declare function clearOutput(options?: { wait?: boolean }): void;
/** Reads a line from the user through the frontend's stdin. */
declare function input(prompt?: string, options?: { password?: boolean }): Promise<string>;
interface KernelComm {
  readonly commId: string;
  readonly targetName: string;
  send(data?: Record<string, unknown>): void;
  close(data?: Record<string, unknown>): void;
  onMessage(handler: (data: Record<string, unknown>) => void): void;
  onClose(handler: (data: Record<string, unknown>) => void): void;
}
declare const kernel: {
  comms: {
    registerTarget(targetName: string, handler: (comm: KernelComm, data: Record<string, unknown>) => void): void;
    open(targetName: string, data?: Record<string, unknown>): KernelComm;
  };
  notebookDir: string;
  setTypeChecking(enabled: boolean): void;
};
declare module "tslab" {
  interface Display {
    html(html: string): void;
    markdown(markdown: string): void;
    latex(latex: string): void;
    svg(svg: string): void;
    png(bytes: Uint8Array): void;
    jpeg(bytes: Uint8Array): void;
    gif(bytes: Uint8Array): void;
    pdf(bytes: Uint8Array): void;
    text(text: string): void;
    javascript(code: string): void;
    raw(contentType: string, data: string | Uint8Array): void;
  }
  export const display: Display;
  export function newDisplay(): Display;
  export const isNode: boolean;
  export const isBrowser: boolean;
  export const versions: { tslab: string; typescript: string; node: string };
}
`;

/** Returns the declaration file text for the globals that exist in this kernel process. */
export function globalDeclarations(hasCore: boolean): string {
  const lines = [KERNEL_GLOBALS];
  if (!hasCore) {
    lines.push("declare const pl: any;");
    return lines.join("\n");
  }
  lines.push('/** The paramlab core, as `import * as pl from "paramlab"` gives it. */');
  lines.push('declare const pl: typeof import("paramlab");');
  const globals = globalThis as Record<string, unknown>;
  for (const [name, type] of Object.entries(CORE_GLOBAL_TYPES)) {
    if (globals[name] !== undefined) lines.push(`declare const ${name}: ${type};`);
  }
  return lines.join("\n");
}
