// The kernelspecs the lab can start: paramlab's own, plus any given by the embedding code.
import { kernelJson } from "../../kernel/install.js";
import { logoSvg } from "../../kernel/logo.js";
import { HttpError } from "./http.js";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: "message" | "signal";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export const DEFAULT_KERNEL = "paramlab";

export class KernelSpecs {
  private readonly specs: Map<string, KernelSpec>;

  constructor(extra: Record<string, KernelSpec> = {}) {
    this.specs = new Map([[DEFAULT_KERNEL, kernelJson(false) as unknown as KernelSpec], ...Object.entries(extra)]);
  }

  get(name: string): KernelSpec {
    const spec = this.specs.get(name);
    if (spec === undefined) {
      throw new HttpError(404, `kernelspec ${JSON.stringify(name)} was not found; available: ${[...this.specs.keys()].join(", ")}`);
    }
    return spec;
  }

  /** Returns the body of GET /api/kernelspecs. */
  model(): Record<string, unknown> {
    const kernelspecs: Record<string, unknown> = {};
    for (const [name, spec] of this.specs) {
      kernelspecs[name] = { name, spec, resources: name === DEFAULT_KERNEL ? { "logo-svg": `/kernelspecs/${name}/logo-svg.svg` } : {} };
    }
    return { default: DEFAULT_KERNEL, kernelspecs };
  }

  /** Returns a kernelspec resource file (only paramlab's logo exists). */
  resource(name: string, file: string): { type: string; body: string } {
    if (name === DEFAULT_KERNEL && file === "logo-svg.svg") return { type: "image/svg+xml", body: logoSvg() };
    throw new HttpError(404, `kernelspec resource ${name}/${file} was not found`);
  }
}
