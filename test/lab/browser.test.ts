// Drives the lab's web app in Debian's headless Chromium: run all, Plotly and SVG outputs,
// editing, saving, the keyboard model, and the bad-input messages.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestLab, type TestLab } from "./harness.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`skipping the lab browser tests: no Chromium at ${CHROMIUM}; install it with "apt-get install -y chromium", then run "npx vitest run test/lab/browser.test.ts"`);
}

const fixtures = join(import.meta.dirname, "..", "fixtures", "lab");
const tour = join(import.meta.dirname, "..", "..", "notebooks", "00-tour.ipynb");
/** The tour notebook when it exists, else a fixture with a Plotly figure and a module diagram. */
const notebookName = existsSync(tour) ? "00-tour.ipynb" : "plot.ipynb";

let lab: TestLab;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const pageErrors: string[] = [];
/** Requests the page made to anything but the lab; they are aborted. */
const foreignRequests: string[] = [];

async function openNotebook(name: string): Promise<void> {
  await page.goto(`${lab.baseUrl}lab/tree/${name}`);
  await page.locator(".kernel-status").waitFor();
}

async function waitForKernel(state = "idle"): Promise<void> {
  await page.locator(`.kernel-status[data-state="${state}"]`).waitFor({ timeout: 60_000 });
}

async function save(): Promise<void> {
  await page.keyboard.press("Control+s");
  await page.locator('.banner[data-kind="info"]').filter({ hasText: "Saved" }).waitFor();
}

describe.skipIf(!hasChromium)("lab in Chromium", () => {
  beforeAll(async () => {
    lab = await startTestLab({
      kernelSpecs: {
        broken: {
          argv: [process.execPath, "-e", "process.stderr.write('broken kernel: cannot load module x'); process.exit(3)", "{connection_file}"],
          display_name: "Broken",
          language: "typescript",
        },
      },
    });
    copyFileSync(notebookName === "plot.ipynb" ? join(fixtures, "plot.ipynb") : tour, join(lab.root, notebookName));
    for (const name of ["untrusted.ipynb", "broken-kernel.ipynb", "plot.ipynb", "outputs.ipynb"]) copyFileSync(join(fixtures, name), join(lab.root, name));
    userDataDir = mkdtempSync(join(tmpdir(), "paramlab-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    // Only the lab itself may be loaded.
    await context.route(/.*/, (route) => {
      const url = route.request().url();
      if (url.startsWith(lab.baseUrl)) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(lab.url);
    console.info(`lab browser tests use ${notebookName}`);
  });

  afterAll(async () => {
    await context?.close();
    await lab?.stop();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  it("logs in with the token and lists the files", async () => {
    expect(new URL(page.url()).pathname).toBe("/lab");
    expect(page.url()).not.toContain("token=");
    await page.locator(".file-browser .entry-notebook").filter({ hasText: notebookName }).waitFor();
  });

  it("saves an unedited notebook byte-identical", async () => {
    const before = readFileSync(join(lab.root, notebookName));
    await openNotebook(notebookName);
    await waitForKernel();
    await page.locator(".cells").focus();
    await save();
    expect(readFileSync(join(lab.root, notebookName)).equals(before)).toBe(true);
  });

  it("runs all and renders the Plotly plot and the SVG diagram", async () => {
    await openNotebook(notebookName);
    await waitForKernel();
    await page.locator('button[data-action="run-all"]').click();
    const codeCells = page.locator(".cell-code");
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll(".cell-code .prompt")).every((prompt) => /^\[\d+\]:$/.test(prompt.textContent ?? "")),
      undefined,
      { timeout: 240_000 },
    );
    expect(await codeCells.count()).toBeGreaterThan(1);
    expect(await page.locator(".output-error").allInnerTexts()).toEqual([]);
    await page.locator(".plotly-rendered .main-svg").first().waitFor({ timeout: 30_000 });
    // The architecture diagram: an SVG outside the Plotly figures that names the Linear layers.
    const diagrams = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".output svg")).filter((svg) => svg.closest(".plotly-output") === null && (svg.textContent ?? "").includes("Linear")).length,
    );
    expect(diagrams).toBeGreaterThan(0);
    expect(await page.locator(".rendered-markdown .katex").count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it("edits a cell, saves and reloads", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    const editor = page.locator(".cell-code .cm-content").first();
    await editor.click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\n// edited in the browser");
    await save();
    expect(readFileSync(join(lab.root, "plot.ipynb"), "utf8")).toContain("// edited in the browser");
    const checkpoint = join(lab.root, ".ipynb_checkpoints", "plot-checkpoint.ipynb");
    await expect.poll(() => existsSync(checkpoint) && readFileSync(checkpoint, "utf8").includes("// edited in the browser")).toBe(true);
    await page.reload();
    await waitForKernel();
    expect(await page.locator(".cell-code .cm-content").first().innerText()).toContain("// edited in the browser");
  });

  it("follows Jupyter's keyboard model", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    const cells = page.locator(".cell");
    const count = await cells.count();
    await page.locator(".cells").focus();
    await page.keyboard.press("b");
    expect(await cells.count()).toBe(count + 1);
    await page.keyboard.press("Enter");
    await page.keyboard.type("2 ** 10");
    await page.keyboard.press("Shift+Enter");
    await page.locator(".cell").nth(1).locator(".output-execute_result").filter({ hasText: "1024" }).waitFor();

    await page.keyboard.press("Escape");
    await page.locator(".cells").focus();
    await page.keyboard.press("k");
    await page.keyboard.press("m");
    expect(await page.locator(".cell").nth(1).getAttribute("class")).toContain("cell-markdown");
    await page.keyboard.press("y");
    expect(await page.locator(".cell").nth(1).getAttribute("class")).toContain("cell-code");
    const withNew = await cells.count();
    await page.keyboard.press("d");
    await page.keyboard.press("d");
    expect(await cells.count()).toBe(withNew - 1);
    await page.keyboard.press("a");
    expect(await cells.count()).toBe(withNew);
  });

  it("completes with Tab and inspects with Shift+Tab", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    await page.locator(".cell-code .cm-content").first().click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("Math.ma");
    await page.keyboard.press("Tab");
    await page.locator(".cm-tooltip-autocomplete").filter({ hasText: "max" }).waitFor({ timeout: 30_000 });
    await page.keyboard.press("Enter");
    expect(await page.locator(".cell.selected .cm-content").innerText()).toContain("Math.max");
    await page.keyboard.press("Shift+Tab");
    await page.locator(".inspect-tooltip").waitFor({ timeout: 30_000 });
    expect(await page.locator(".inspect-tooltip").innerText()).toMatch(/max/i);
  });

  it("updates a display id in place", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    const first = page.locator(".cell-code").first();
    await first.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type('var handle = display("step 0", { displayId: true });\nhandle.update("step 1");');
    await page.keyboard.press("Control+Enter");
    await first.locator(".output").filter({ hasText: "step 1" }).waitFor();

    await page.keyboard.press("b");
    await page.keyboard.press("Enter");
    await page.keyboard.type('handle.update("step 2")');
    await page.keyboard.press("Control+Enter");
    await first.locator(".output").filter({ hasText: "step 2" }).waitFor();
    expect(await first.locator(".output").count()).toBe(1);
  });

  it("offers reload or overwrite after an outside change", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    const outside = JSON.parse(readFileSync(join(lab.root, "plot.ipynb"), "utf8")) as { cells: Array<{ source: string[] }> };
    outside.cells[1].source = ["// changed by another program"];
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(lab.root, "plot.ipynb"), JSON.stringify(outside, null, 1));
    await page.locator(".cells").focus();
    await page.keyboard.press("Control+s");
    const banner = page.locator('.banner[data-kind="conflict"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain("changed by another program");
    await banner.getByRole("button", { name: "Reload from disk" }).click();
    await banner.waitFor({ state: "detached" });
    expect(await page.locator(".cell-code .cm-content").first().innerText()).toContain("// changed by another program");
  });

  it("reconnects a lost WebSocket", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    await page.evaluate(() => window.paramlab?.notebook?.kernel?.dropConnection());
    const banner = page.locator('.banner[data-kind="warning"]');
    await banner.filter({ hasText: "reconnecting" }).waitFor();
    await banner.waitFor({ state: "detached", timeout: 30_000 });
    await page.locator(".cell-code .cm-content").first().click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("'after reconnect'");
    await page.keyboard.press("Control+Enter");
    await page.locator(".output-execute_result").filter({ hasText: "after reconnect" }).waitFor();
  });

  it("starts a new kernel when its kernel is gone", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    const before = await page.evaluate(() => window.paramlab?.notebook?.kernel?.kernelId);
    expect((await lab.request(`api/kernels/${before}`, { method: "DELETE" })).status).toBe(204);
    await page.locator(".banner").filter({ hasText: "no longer exists" }).waitFor({ timeout: 30_000 });
    await waitForKernel();
    const after = await page.evaluate(() => window.paramlab?.notebook?.kernel?.kernelId);
    expect(after).not.toBe(before);
    await page.locator(".cell-code .cm-content").first().click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("'new kernel'");
    await page.keyboard.press("Control+Enter");
    await page.locator(".output-execute_result").filter({ hasText: "new kernel" }).waitFor();
  });

  it("shows the stderr of a kernel that fails to start", async () => {
    await openNotebook("broken-kernel.ipynb");
    const banner = page.locator('.banner[data-kind="error"]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.innerText()).toContain("The kernel failed to start");
    expect(await banner.locator(".banner-detail").innerText()).toContain("broken kernel: cannot load module x");
  });

  it("reports a corrupt notebook", async () => {
    writeFileSync(join(lab.root, "corrupt.ipynb"), '{"cells": [');
    await openNotebook("corrupt.ipynb");
    const banner = page.locator('.banner[data-kind="error"]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain("corrupt.ipynb is corrupt");
    expect((await lab.request("api/status")).status).toBe(200);
  });

  it("renders every stored output type", async () => {
    await openNotebook("outputs.ipynb");
    const outputs = page.locator(".outputs .output");
    await outputs.first().waitFor();
    expect(await outputs.count()).toBe(9);
    expect(await page.locator(".output-stdout .ansi-red-fg").innerText()).toBe("red");
    expect(await page.locator(".output-stderr").innerText()).toContain("a warning");
    expect(await page.locator('.output[data-mime="text/latex"] .katex-display').count()).toBe(1);
    expect(await page.locator('.output[data-mime="text/markdown"] h2').innerText()).toBe("Rendered heading");
    expect(await page.locator('.output[data-mime="text/markdown"] .katex').count()).toBe(1);
    expect(JSON.parse(await page.locator('.output[data-mime="application/json"] pre').innerText())).toEqual({ answer: [1, 2] });
    expect(await page.locator('.output[data-mime="image/png"] img').evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(1);
    expect(await page.locator('.output[data-mime="image/svg+xml"] svg circle#dot').count()).toBe(1);
    expect(await page.locator(".output-execute_result").innerText()).toBe("42");
    const traceback = page.locator(".output-error");
    expect(await traceback.innerText()).toContain("TypeError: x is not a function\n    at cell 1");
    expect(await traceback.locator(".ansi-red-fg").innerText()).toBe("TypeError");
    expect(await page.locator(".cell-code .prompt").innerText()).toBe("[3]:");
  });

  it("reports a dead kernel and restarts it", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    const sessions = (await (await lab.request("api/sessions")).json()) as Array<{ path: string; kernel: { id: string } }>;
    const session = sessions.find((item) => item.path === "plot.ipynb")!;
    lab.kernels.get(session.kernel.id).launched.process.kill("SIGKILL");
    const banner = page.locator('.banner[data-kind="error"]').filter({ hasText: "The kernel died" });
    await banner.waitFor({ timeout: 30_000 });
    await banner.getByRole("button", { name: "Restart kernel" }).click();
    await waitForKernel();
    expect(await banner.count()).toBe(0);
    await page.locator(".cell-code .cm-content").first().click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("'alive again'");
    await page.keyboard.press("Control+Enter");
    await page.locator(".output-execute_result").filter({ hasText: "alive again" }).waitFor();
  });

  it("interrupts a running cell", async () => {
    await openNotebook("plot.ipynb");
    await waitForKernel();
    await page.locator(".cell-code .cm-content").first().click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("await new Promise((resolve) => setTimeout(resolve, 120_000));");
    await page.keyboard.press("Control+Enter");
    await waitForKernel("busy");
    await page.locator('button[data-action="interrupt"]').click();
    await waitForKernel("idle");
    await page.locator(".cell-code").first().locator(".output-error").waitFor({ timeout: 30_000 });
    expect(await page.locator(".cell-code .prompt").first().innerText()).toMatch(/^\[\d+\]:$/);
  });

  it("sanitizes HTML in an untrusted notebook", async () => {
    await openNotebook("untrusted.ipynb");
    await page.locator("#kept").waitFor();
    expect(await page.locator(".trust").innerText()).toBe("Not trusted");
    expect(await page.locator(".outputs script").count()).toBe(0);
    expect(await page.locator("#bad").getAttribute("onerror")).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
  });

  it("trusts a notebook saved in the lab", async () => {
    await openNotebook("untrusted.ipynb");
    await page.locator("#kept").waitFor();
    await page.locator(".cells").focus();
    await save();
    await page.reload();
    await page.locator("#kept").waitFor();
    expect(await page.locator(".trust").innerText()).toBe("Trusted");
    await expect.poll(() => page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBe(true);
  });
});
