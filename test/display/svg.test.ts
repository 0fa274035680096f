import { describe, expect, it } from "vitest";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import * as pl from "../../core/index.js";

const { renderSvg } = pl.display;

/** The x coordinates of the rects that are bars (filled with the first trace color). */
function barRects(svg: string): { x: number; width: number }[] {
  return [...svg.matchAll(/<rect x="([\d.-]+)" y="[\d.-]+" width="([\d.]+)" height="[\d.]+" fill="#1f77b4"\/>/g)].map((m) => ({ x: Number(m[1]), width: Number(m[2]) }));
}

describe("SVG fallback", () => {
  it("keeps bars inside the plot frame", () => {
    const svg = renderSvg({ data: [{ type: "bar", x: [1, 2, 3, 4, 5], y: [12, 8, -3, 2, 0.5] }], layout: {} });
    expect(XMLValidator.validate(svg)).toBe(true);
    const bars = barRects(svg);
    expect(bars).toHaveLength(5);
    const frame = svg.match(/<rect x="(\d+)" y="\d+" width="(\d+)" height="\d+" fill="none"/)!;
    const [left, width] = [Number(frame[1]), Number(frame[2])];
    for (const bar of bars) {
      expect(bar.x).toBeGreaterThanOrEqual(left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(left + width);
    }
  });

  it("draws a second y-axis and leaves out traces on other axes", () => {
    const svg = renderSvg({
      data: [
        { type: "scatter", name: "loss", x: [1, 2, 3], y: [1, 0.5, 0.2] },
        { type: "scatter", name: "accuracy", x: [1, 2, 3], y: [0.5, 0.8, 0.9], yaxis: "y2" },
        { type: "scatter", name: "learning rate", x: [1, 2, 3], y: [0.1, 0.1, 0.01], yaxis: "y3" },
      ],
      layout: {},
    });
    expect(svg).toContain(">accuracy<");
    expect(svg).not.toContain(">learning rate<");
    expect(svg.match(/<polyline/g)).toHaveLength(2);
  });

  it("adds a color scale to heatmaps", () => {
    const svg = renderSvg({ data: [{ type: "heatmap", z: [[0, 1], [2, 3]] }], layout: {} });
    const labels = new XMLParser().parse(svg);
    expect(labels).toBeTruthy();
    expect(svg).toMatch(/>0<\/text>/);
    expect(svg).toMatch(/>3<\/text>/);
  });
});
