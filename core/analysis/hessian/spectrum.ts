import { DISPLAY, type Figure, type MimeBundle, PLOTLY_MIME, renderSvg } from "../../display/index.js";
import type { SpectralDensity } from "./density.js";
import { type EigenResult, countOf } from "./types.js";

/**
 * The result of `analysis.hessian.spectrum`: the top eigenvalues (and their eigenvectors) of the
 * Hessian of a model's loss, and optionally its smoothed spectral density. In a notebook it shows
 * a bar chart of the eigenvalues above the density.
 */
export class HessianSpectrum {
  constructor(
    /** n, the number of parameters the Hessian is taken over. */
    readonly size: number,
    readonly eigen: EigenResult,
    readonly density: SpectralDensity | null,
    /** The loss at which the Hessian was taken. */
    readonly loss: number,
  ) {}

  /** The top eigenvalues, by descending magnitude. */
  get eigenvalues(): number[] {
    return this.eigen.values;
  }

  get eigenvectors(): Float64Array[] {
    return this.eigen.vectors;
  }

  get converged(): boolean {
    return this.eigen.converged;
  }

  get residuals(): number[] {
    return this.eigen.residuals;
  }

  figure(): Figure {
    const labels = this.eigenvalues.map((_, i) => i + 1);
    const data: Figure["data"] = [{ type: "bar", name: "top eigenvalues", x: labels, y: this.eigenvalues, xaxis: "x", yaxis: "y" }];
    const layout: Figure["layout"] = {
      title: { text: `Hessian spectrum (${this.size} parameters)` },
      xaxis: { title: { text: "eigenvalue rank" }, domain: [0, 1], anchor: "y", dtick: 1 },
      yaxis: { title: { text: "eigenvalue" }, domain: this.density ? [0.58, 1] : [0, 1], anchor: "x" },
      showlegend: false,
      margin: { t: 40, r: 20, b: 50, l: 70 },
    };
    if (this.density) {
      data.push({ type: "scatter", mode: "lines", name: "spectral density", x: this.density.grid, y: this.density.density, xaxis: "x2", yaxis: "y2" });
      layout.xaxis2 = { title: { text: "eigenvalue" }, domain: [0, 1], anchor: "y2" };
      layout.yaxis2 = { title: { text: "density" }, domain: [0, 0.42], anchor: "x2" };
    }
    return { data, layout };
  }

  toString(): string {
    const values = this.eigenvalues.map((v) => formatValue(v)).join(", ");
    const lines = [
      `HessianSpectrum: ${this.size} parameters, loss ${formatValue(this.loss)}`,
      `  top ${this.eigenvalues.length} eigenvalues (${this.eigen.method}, ${this.eigen.products} Hessian-vector products): ${values}`,
    ];
    if (!this.converged) lines.push(`  NOT CONVERGED: residuals ${this.residuals.map((r) => r.toExponential(2)).join(", ")}`);
    if (this.density) {
      const d = this.density;
      lines.push(`  density: stochastic Lanczos quadrature, ${countOf(d.runs, "run")} × ${countOf(d.steps, "step")}, sigma ${formatValue(d.sigma)}, support [${formatValue(d.grid[0])}, ${formatValue(d.grid[d.grid.length - 1])}]`);
    }
    return lines.join("\n");
  }

  [DISPLAY](): MimeBundle {
    const figure = this.figure();
    return { [PLOTLY_MIME]: figure, "image/svg+xml": this.svg(), "text/plain": this.toString() };
  }

  /** Draws the eigenvalue bars as SVG, with the density below them when there is one. */
  private svg(): string {
    const bars = renderSvg({
      data: [{ type: "bar", name: "eigenvalue", x: this.eigenvalues.map((_, i) => i + 1), y: this.eigenvalues }],
      layout: { title: { text: `Top ${this.eigenvalues.length} Hessian eigenvalues (${this.size} parameters)` }, xaxis: { title: { text: "rank" } }, yaxis: { title: { text: "eigenvalue" } } },
    });
    if (!this.density) return bars;
    const density = renderSvg({
      data: [{ type: "scatter", mode: "lines", name: "density", x: this.density.grid, y: this.density.density }],
      layout: { title: { text: "Spectral density (stochastic Lanczos quadrature)" }, xaxis: { title: { text: "eigenvalue" } }, yaxis: { title: { text: "density" } } },
    });
    return stackSvgs([bars, density]);
  }
}

/** Stacks standalone SVG documents vertically inside one SVG, each as a nested <svg>. */
export function stackSvgs(parts: string[]): string {
  let y = 0;
  let width = 0;
  const nested = parts.map((part) => {
    const w = Number(/width="(\d+)"/.exec(part)?.[1] ?? 640);
    const h = Number(/height="(\d+)"/.exec(part)?.[1] ?? 400);
    const placed = part.replace("<svg ", `<svg x="0" y="${y}" `);
    y += h;
    width = Math.max(width, w);
    return placed;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">${nested.join("")}</svg>`;
}

export function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(3);
  return String(Number(value.toPrecision(5)));
}
