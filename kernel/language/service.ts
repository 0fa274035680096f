// Completion, inspection, is_complete and type checking from the TypeScript language service.
// It reads the cells that ran so far and the preloaded core's types.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";
import type * as TS from "typescript";
import type { LanguageFeatures } from "../executor/runtime.js";
import type { ErrorContent } from "../executor/traceback.js";
import { loadTypeScript } from "../executor/typescript.js";
import { buildModuleText } from "./cells.js";
import { globalDeclarations } from "./globals.js";
import { checkComplete } from "./is-complete.js";
import { codePointsToUtf16, utf16ToCodePoints } from "./positions.js";


export class LanguageService implements LanguageFeatures {
  private readonly history: string[];
  private readonly files = new Map<string, { text: string; version: number }>();
  private readonly cellFile: string;
  private readonly globalsFile: string;
  private readonly service: TS.LanguageService;
  private cellStart = 0;

  private constructor(
    private readonly ts: typeof TS,
    cells: string[],
    dir: string,
  ) {
    this.history = cells;
    this.cellFile = join(dir, "__paramlab_cells__.ts");
    this.globalsFile = join(dir, "__paramlab_globals__.d.ts");
    this.files.set(this.globalsFile, { text: globalDeclarations((globalThis as { pl?: unknown }).pl !== undefined), version: 1 });
    this.files.set(this.cellFile, { text: "export {};\n", version: 1 });
    this.service = ts.createLanguageService(this.host(dir), ts.createDocumentRegistry());
  }

  /** Creates the service for a kernel whose cells resolve imports from `dir` (default: the working folder). */
  static async create(cells: string[], dir = process.cwd()): Promise<LanguageService> {
    return new LanguageService(await loadTypeScript(), cells, dir);
  }

  addCell(code: string): void {
    this.history.push(code);
  }

  async complete(code: string, cursorPos: number): Promise<Record<string, unknown>> {
    const cursor = codePointsToUtf16(code, cursorPos);
    this.setCell(code);
    const start = identifierStart(code, cursor);
    const typed = code.slice(start, cursor);
    const completions = this.service.getCompletionsAtPosition(this.cellFile, this.cellStart + cursor, {
      includeCompletionsWithInsertText: true,
    });
    const entries = (completions?.entries ?? [])
      .filter((entry) => entry.name.toLowerCase().startsWith(typed.toLowerCase()))
      .sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    const cursorStart = utf16ToCodePoints(code, start);
    const cursorEnd = utf16ToCodePoints(code, cursor);
    return {
      status: "ok",
      matches: entries.map((entry) => entry.name),
      cursor_start: cursorStart,
      cursor_end: cursorEnd,
      metadata: {
        _jupyter_types_experimental: entries.map((entry) => ({ start: cursorStart, end: cursorEnd, text: entry.name, type: entry.kind })),
      },
    };
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<Record<string, unknown>> {
    const cursor = codePointsToUtf16(code, cursorPos);
    this.setCell(code);
    const info = this.quickInfoNear(cursor, code);
    if (info === undefined) return { status: "ok", found: false, data: {}, metadata: {} };

    const ts = this.ts;
    const signature = ts.displayPartsToString(info.displayParts);
    const documentation = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`.trimEnd());
    const details = detailLevel > 0 ? tags : tags.filter((tag) => !tag.startsWith("@example"));
    const plain = [signature, documentation, ...details].filter((part) => part !== "").join("\n\n");
    const markdown = [`\`\`\`typescript\n${signature}\n\`\`\``, documentation, ...details].filter((part) => part !== "").join("\n\n");
    return { status: "ok", found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
  }

  async isComplete(code: string): Promise<Record<string, unknown>> {
    return checkComplete(this.ts, code);
  }

  async typeCheck(code: string): Promise<ErrorContent | undefined> {
    this.setCell(code);
    const ts = this.ts;
    const diagnostics = [...this.service.getSyntacticDiagnostics(this.cellFile), ...this.service.getSemanticDiagnostics(this.cellFile)].filter(
      (d) =>
        d.category === ts.DiagnosticCategory.Error &&
        d.start !== undefined &&
        d.start >= this.cellStart &&
        d.start <= this.cellStart + code.length,
    );
    if (diagnostics.length === 0) return undefined;

    const lines = code.split("\n");
    const traceback: string[] = [];
    for (const diagnostic of diagnostics) {
      const { line, character } = positionOf(code, diagnostic.start! - this.cellStart);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      traceback.push(`cell:${line + 1}:${character + 1} - error TS${diagnostic.code}: ${message}`);
      traceback.push(`${String(line + 1).padStart(4)} | ${lines[line] ?? ""}`, `     | ${" ".repeat(character)}^`);
    }
    const first = ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n");
    return { ename: "TypeScriptError", evalue: `${diagnostics.length} type error(s); the first: ${first}`, traceback };
  }

  private quickInfoNear(cursor: number, code: string): TS.QuickInfo | undefined {
    for (const offset of [cursor, cursor - 1, identifierStart(code, cursor)]) {
      if (offset < 0) continue;
      const info = this.service.getQuickInfoAtPosition(this.cellFile, this.cellStart + offset);
      if (info !== undefined) return info;
    }
    return undefined;
  }

  private setCell(code: string): void {
    const { text, cellStart } = buildModuleText(this.ts, this.history, code);
    const previous = this.files.get(this.cellFile)!;
    if (previous.text !== text) this.files.set(this.cellFile, { text, version: previous.version + 1 });
    this.cellStart = cellStart;
  }

  private host(dir: string): TS.LanguageServiceHost {
    const ts = this.ts;
    const typeRoots = join(packageRoot(), "node_modules", "@types");
    const options: TS.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      esModuleInterop: true,
      allowImportingTsExtensions: true,
      experimentalDecorators: true,
      types: existsSync(join(typeRoots, "node")) ? ["node"] : [],
      typeRoots: [typeRoots],
      paths: { paramlab: [join(packageRoot(), "core", "index.ts")] },
    };
    return {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [this.globalsFile, this.cellFile],
      getScriptVersion: (name) => String(this.files.get(name)?.version ?? 0),
      getScriptSnapshot: (name) => {
        const text = this.files.get(name)?.text ?? ts.sys.readFile(name);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => dir,
      getDefaultLibFileName: (settings) => ts.getDefaultLibFilePath(settings),
      fileExists: (name) => this.files.has(name) || ts.sys.fileExists(name),
      readFile: (name) => this.files.get(name)?.text ?? ts.sys.readFile(name),
      directoryExists: (name) => ts.sys.directoryExists(name),
      getDirectories: (name) => ts.sys.getDirectories(name),
      readDirectory: (...args) => ts.sys.readDirectory(...args),
      realpath: ts.sys.realpath,
    };
  }
}

function identifierStart(code: string, cursor: number): number {
  let start = cursor;
  while (start > 0 && /[\p{ID_Continue}$]/u.test(code[start - 1])) start -= 1;
  return start;
}

function positionOf(code: string, offset: number): { line: number; character: number } {
  const before = code.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}
