import { XMLParser } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { architecture } from "../../core/display/module_diagram.js";
import { svgProblem } from "../analysis/svg.js";

const nn = pl.nn;

class Block extends nn.Module {
  conv1 = new nn.Conv2d(4, 4, 3, { padding: 1 });
  relu = new nn.ReLU();
  conv2 = new nn.Conv2d(4, 4, 3, { padding: 1 });
  forward(x: Tensor): Tensor {
    return pl.add(x, this.conv2.forward(this.relu.forward(this.conv1.forward(x))));
  }
}

class ResNet extends nn.Module {
  stem = new nn.Conv2d(1, 4, 3, { padding: 1 });
  blocks = new nn.Sequential(new Block(), new Block());
  head = new nn.Sequential(new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(4, 3));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.blocks.forward(this.stem.forward(x))) as Tensor;
  }
}

interface XmlElement {
  [key: string]: unknown;
}

/** Collects every element of a parsed XML tree whose tag is `tag`, depth first. */
function elements(node: unknown, tag: string, out: XmlElement[] = []): XmlElement[] {
  if (Array.isArray(node)) for (const item of node) elements(item, tag, out);
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === tag) for (const item of Array.isArray(value) ? value : [value]) out.push(item as XmlElement);
      elements(value, tag, out);
    }
  }
  return out;
}

function parse(svg: string): unknown {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => ["g", "text", "rect", "path"].includes(name) }).parse(svg);
}

/** Maps each layer box's data-name to its text. */
function layerTexts(svg: string): Map<string, string> {
  const boxes = elements(parse(svg), "g").filter((g) => g["@class"] === "layer");
  return new Map(boxes.map((g) => [String(g["@data-name"]), elements(g, "text").map((t) => String(t["#text"] ?? "")).join(" | ")]));
}

function edgesOf(arch: ReturnType<typeof architecture>): string[] {
  const { nodes, edges } = arch.diagram;
  return edges.map((e) => `${nodes[e.from].key}->${nodes[e.to].key}${e.label ? `[${e.label}]` : ""}`);
}

describe("architecture diagram", () => {
  test("nested model SVG is valid XML", () => {
    const svg = architecture(new ResNet(), [1, 1, 8, 8]).svg;
    expect(svgProblem(svg)).toBeNull();
  });

  test("SVG names every layer", () => {
    const model = new ResNet();
    const texts = layerTexts(architecture(model, [1, 1, 8, 8]).svg);
    const leaves = [...model.namedModules()].filter(([, m]) => [...m.children()].length === 0);
    expect(leaves.length).toBe(10);
    for (const [name, module] of leaves) {
      expect(texts.get(name), `box of "${name}"`).toContain(`${name}: ${module.constructor.name}`);
    }
    const groups = elements(parse(architecture(model, [1, 1, 8, 8]).svg), "g").filter((g) => g["@class"] === "group").map((g) => g["@data-name"]);
    expect(groups).toEqual(["blocks", "blocks.0", "blocks.1", "head"]);
  });

  test("boxes show output shapes and parameters", () => {
    const texts = layerTexts(architecture(new ResNet(), [2, 1, 8, 8]).svg);
    expect(texts.get("stem")).toContain("[2, 4, 8, 8] · 40 params");
    expect(texts.get("head.2")).toContain("[2, 3] · 15 params");
    expect(texts.get("input:0")).toContain("[2, 1, 8, 8]");
  });

  test("residual add shows as skip edges", () => {
    const edges = edgesOf(architecture(new ResNet(), [1, 1, 8, 8]));
    expect(edges).toContain("input:0->stem");
    expect(edges).toContain("stem->blocks.0.conv1");
    // The second block reads stem + block0(stem): an add junction with an edge from each addend.
    expect(edges).toContain("stem->op:0");
    expect(edges).toContain("blocks.0.conv2->op:0");
    expect(edges).toContain("op:0->blocks.1.conv1");
    expect(edges).toContain("op:0->op:1");
    expect(edges).toContain("blocks.1.conv2->op:1");
    expect(edges).toContain("op:1->head.0");
    expect(edges).toContain("head.2->output");
    expect(edges).not.toContain("stem->blocks.0.relu");
    expect(edges).not.toContain("stem->head.0");
    expect(edges).toHaveLength(15);
  });

  test("depth folds nested modules", () => {
    const arch = architecture(new ResNet(), [1, 1, 8, 8], { depth: 2 });
    // The residual adds are read by blocks.1 and head.0, which are drawn, so they stay junctions.
    expect(arch.diagram.nodes.map((n) => n.key)).toEqual(["input:0", "stem", "blocks.0", "op:0", "blocks.1", "op:1", "head.0", "head.1", "head.2", "output"]);
    expect(edgesOf(arch)).toContain("stem->op:0");
    expect(edgesOf(arch)).toContain("blocks.0->op:0");
    expect(edgesOf(arch)).toContain("op:0->blocks.1");
    expect(arch.diagram.nodes[2].collapsed).toBe(true);
    expect(layerTexts(arch.svg).get("blocks.0")).toContain("blocks.0: Block (collapsed)");
    const shallow = architecture(new ResNet(), [1, 1, 8, 8], { depth: 1 });
    // The add inside blocks folds into it; the one read by head stays.
    expect(shallow.diagram.nodes.map((n) => n.key)).toEqual(["input:0", "stem", "blocks", "op:1", "head", "output"]);
    expect(edgesOf(shallow).sort()).toEqual(["blocks->op:1", "head->output", "input:0->stem", "op:1->head", "stem->blocks", "stem->op:1"]);
    expect(svgProblem(shallow.svg)).toBeNull();
  });

  test("attention edges carry q, k and v", () => {
    const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 });
    const arch = architecture(layer, [5, 2, 16]);
    const edges = edgesOf(arch);
    expect(edges).toContain("input:0->self_attn[q,k,v]");
    // Post-norm residual: norm1 reads src + attention output.
    expect(edges).toContain("input:0->op:0");
    expect(edges).toContain("dropout1->op:0");
    expect(edges).toContain("op:0->norm1");
    expect(arch.diagram.nodes.find((n) => n.key === "op:0")?.label).toBe("add");
    expect(arch.diagram.nodes.map((n) => n.key)).not.toContain("self_attn.out_proj");
    expect(svgProblem(arch.svg)).toBeNull();
  });

  test("cross-attention separates query from key and value", () => {
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
    const arch = architecture(layer, [[3, 1, 8], [4, 1, 8]]);
    const edges = edgesOf(arch);
    expect(edges).toContain("input:1->multihead_attn[k,v]");
    expect(edges).toContain("norm1->multihead_attn[q]");
  });
});

describe("module display", () => {
  test("untraced bundle shows the tree", () => {
    const model = new ResNet();
    const bundle = model[pl.display.DISPLAY]();
    const svg = bundle["image/svg+xml"] as string;
    expect(svgProblem(svg)).toBeNull();
    const texts = layerTexts(svg);
    for (const [name] of [...model.namedModules()].filter(([, m]) => [...m.children()].length === 0)) expect(texts.has(name), name).toBe(true);
    expect(texts.get("stem")).toBe("stem: Conv2d | 40 params");
    const total = 40 + 2 * 2 * (4 * 4 * 9 + 4) + 15;
    expect(bundle["text/plain"]).toBe(`${model.toString()}\nTotal params: ${total.toLocaleString("en-US")} (trainable ${total.toLocaleString("en-US")})`);
  });

  test("untraced tree folds by depth", () => {
    const arch = architecture(new ResNet(), undefined, { depth: 1 });
    expect(arch.diagram.traced).toBe(false);
    expect(arch.diagram.nodes.map((n) => n.key)).toEqual(["stem", "blocks", "head"]);
    expect(arch.diagram.edges).toEqual([]);
    expect(layerTexts(arch.svg).get("blocks")).toBe("blocks: Sequential (collapsed) | 592 params");
    expect(() => architecture(new ResNet(), [1, 1, 8, 8], { depth: 0 })).toThrow(/depth=0 is invalid/);
  });

  test("HTML has collapsible groups and the parameter table", () => {
    const html = pl.display.architecture(new ResNet(), [1, 1, 8, 8])[pl.display.DISPLAY]()["text/html"] as string;
    expect(html).toContain('<details open style="margin-left:16px"><summary><code>blocks</code> Sequential()');
    expect(html).toContain("<summary>Parameters · Total params: 647");
    expect(html).toContain("<td>blocks.1.conv2.weight</td><td>[4, 4, 3, 3]</td>");
    expect(html).toContain("<svg");
  });

  test("model without parameters still draws", () => {
    const model = new nn.Sequential(new nn.ReLU(), new nn.Flatten());
    const arch = architecture(model, [2, 3, 4]);
    expect(svgProblem(arch.svg)).toBeNull();
    expect(edgesOf(arch)).toEqual(["input:0->0", "0->1", "1->output"]);
    expect(arch.toString()).toContain("Total params: 0");
  });

  test("bad input shape raises the layer's error", () => {
    expect(() => architecture(new ResNet(), [1, 3, 8, 8])).toThrow(/Conv2d\(1, 4\): expected input of shape \[batch, 1, height, width\], got \[1, 3, 8, 8\]/);
  });

  test("names with markup are escaped", () => {
    const model = new nn.Sequential();
    model.registerModule("a<b>&c", new nn.Linear(2, 2));
    const svg = architecture(model, [1, 2]).svg;
    expect(svgProblem(svg)).toBeNull();
    expect(layerTexts(svg).get("a<b>&c")).toContain("a<b>&c: Linear");
  });
});
