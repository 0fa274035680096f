import { XMLValidator } from "fast-xml-parser";

/** Returns null when `svg` is well-formed XML with an <svg> root, or the parser's complaint. */
export function svgProblem(svg: unknown): string | null {
  if (typeof svg !== "string") return `expected a string, got ${typeof svg}`;
  const result = XMLValidator.validate(svg);
  if (result !== true) return `${result.err.code}: ${result.err.msg} at line ${result.err.line}`;
  if (!svg.trimStart().startsWith("<svg")) return "the root element is not <svg>";
  return null;
}
