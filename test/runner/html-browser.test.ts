// Opens an exported page in headless Chromium at a phone's size, with every network request blocked.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { copyFixtures, findChromium, runCli } from "./helpers.js";

const executablePath = findChromium();
if (executablePath === undefined) console.warn("skipping the exported-page browser test: no Chromium at /usr/bin/chromium (apt-get install chromium)");

describe.skipIf(executablePath === undefined)("exported HTML in Chromium", () => {
  it("draws Plotly and math offline on a phone-sized screen", async () => {
    const dir = copyFixtures("display.ipynb");
    const result = await runCli([join(dir, "display.ipynb"), "--out", join(dir, "out"), "--html"]);
    expect(result.code, result.stderr).toBe(0);

    const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
      const remote: string[] = [];
      const problems: string[] = [];
      const dialogs: string[] = [];
      await page.route(/^(?!file:|data:)/, async (route) => {
        remote.push(route.request().url());
        await route.abort();
      });
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });

      await page.goto(pathToFileURL(join(dir, "out", "display.html")).href);
      await page.locator(".plotly-figure .main-svg").first().waitFor({ timeout: 15_000 });

      expect(await page.locator(".plotly-figure .scatterlayer .trace").count()).toBe(1);
      expect(await page.locator(".markdown .katex").count()).toBe(1);
      expect(await page.locator(".output .katex-display").count()).toBe(1);
      expect(await page.locator(".output.stderr").innerText()).toBe("a warning\n");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(remote).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
