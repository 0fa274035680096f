// Builds Jupyter error content (ename, evalue, traceback) with positions in the cell's source.
import { inspect } from "node:util";
import type { CompiledCell } from "./compile.js";
import { CellSyntaxError } from "./compile.js";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Compiled cells by file name, kept so stack frames of later errors can be mapped too. */
export type CellRegistry = Map<string, { compiled: CompiledCell; source: string }>;

const CELL_FRAME = /(cell-\d+(?:\.\d+)?):(\d+):(\d+)/g;

export function errorContent(error: unknown, cells: CellRegistry, syntaxCell?: { name: string; source: string }): ErrorContent {
  if (error instanceof CellSyntaxError && syntaxCell !== undefined) {
    return {
      ename: "SyntaxError",
      evalue: error.message,
      traceback: [
        `SyntaxError: ${error.message}`,
        `    at ${syntaxCell.name}:${error.line}:${error.column}`,
        ...excerpt(syntaxCell.source, error.line, error.column),
      ],
    };
  }
  if (!(error instanceof Error)) {
    const evalue = typeof error === "string" ? error : inspect(error);
    return { ename: "Error", evalue, traceback: [`Uncaught ${evalue}`] };
  }

  const ename = error.name || "Error";
  const evalue = error.message;
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  const userFrames = frames.filter((line) => !isKernelFrame(line)).map((line) => mapFrame(line, cells));
  const first = firstCellPosition(userFrames);
  const source = first === undefined ? undefined : cells.get(first.name)?.source;
  return {
    ename,
    evalue,
    traceback: [
      `${ename}: ${evalue}`,
      ...userFrames,
      ...(first !== undefined && source !== undefined ? excerpt(source, first.line, first.column) : []),
    ],
  };
}

function mapFrame(line: string, cells: CellRegistry): string {
  return line.replace(CELL_FRAME, (match, name: string, row: string, column: string) => {
    const cell = cells.get(name);
    if (cell === undefined) return match;
    const position = cell.compiled.toCellPosition(Number(row), Number(column));
    return `${name}:${position.line}:${position.column}`;
  });
}

function firstCellPosition(frames: string[]): { name: string; line: number; column: number } | undefined {
  for (const frame of frames) {
    const match = /(cell-\d+(?:\.\d+)?):(\d+):(\d+)/.exec(frame);
    if (match !== null) return { name: match[1], line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

function isKernelFrame(line: string): boolean {
  return line.includes("/dist/kernel/") || line.includes("/kernel/executor/") || /\(node:|at node:/.test(line);
}

function excerpt(source: string, line: number, column: number): string[] {
  const text = source.split("\n")[line - 1];
  if (text === undefined) return [];
  return ["", `${String(line).padStart(4)} | ${text}`, `${" ".repeat(4)} | ${" ".repeat(Math.max(0, column - 1))}^`];
}
