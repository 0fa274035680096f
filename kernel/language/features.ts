import type { LanguageFeatures } from "../executor/runtime.js";

export async function createLanguageFeatures(cells: string[]): Promise<LanguageFeatures> {
  const { LanguageService } = await import("./service.js");
  return LanguageService.create(cells);
}
