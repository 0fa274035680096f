// The lab's guards: token on every route and the WebSocket, Origin and Host checks, path
// confinement, and saves that survive the server being killed mid-write.
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { notebookWith, startTestLab, type TestLab } from "./harness.js";

let lab: TestLab;
let kernelId: string;
let outside: string;

beforeAll(async () => {
  lab = await startTestLab();
  outside = mkdtempSync(join(tmpdir(), "paramlab-outside-"));
  writeFileSync(join(outside, "secret.txt"), "outside the root");
  writeFileSync(join(lab.root, "inside.txt"), "inside the root");
  symlinkSync(outside, join(lab.root, "escape"));
  symlinkSync(join(outside, "secret.txt"), join(lab.root, "secret-link.txt"));
  symlinkSync(join(outside, "missing.txt"), join(lab.root, "dangling.txt"));
  const response = await lab.request("api/kernels", { method: "POST", body: "{}" });
  kernelId = ((await response.json()) as { id: string }).id;
});

afterAll(async () => {
  await lab?.stop();
  if (outside !== undefined) rmSync(outside, { recursive: true, force: true });
});

/** Opens the kernel WebSocket and resolves with the HTTP status of the upgrade (101 on success). */
function upgradeStatus(query: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = `${lab.baseUrl.replace(/^http/, "ws")}api/kernels/${kernelId}/channels${query}`;
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("error", reject);
  });
}

describe("lab token", () => {
  const routes: Array<[string, string]> = [
    ["GET", "/"],
    ["GET", "/lab"],
    ["GET", "/lab/tree/x.ipynb"],
    ["GET", "/static/app.js"],
    ["GET", "/api"],
    ["GET", "/api/status"],
    ["GET", "/api/me"],
    ["GET", "/api/kernelspecs"],
    ["GET", "/kernelspecs/paramlab/logo-svg.svg"],
    ["GET", "/api/kernels"],
    ["POST", "/api/kernels"],
    ["GET", "/api/kernels/KERNEL"],
    ["DELETE", "/api/kernels/KERNEL"],
    ["POST", "/api/kernels/KERNEL/interrupt"],
    ["POST", "/api/kernels/KERNEL/restart"],
    ["GET", "/api/sessions"],
    ["POST", "/api/sessions"],
    ["GET", "/api/contents"],
    ["GET", "/api/contents/inside.txt"],
    ["PUT", "/api/contents/inside.txt"],
    ["PATCH", "/api/contents/inside.txt"],
    ["POST", "/api/contents"],
    ["DELETE", "/api/contents/inside.txt"],
    ["GET", "/api/contents/inside.txt/checkpoints"],
    ["POST", "/api/contents/inside.txt/checkpoints"],
    ["GET", "/no/such/route"],
  ];

  it("answers 403 on every route without a token", async () => {
    for (const [method, route] of routes) {
      const path = route.replace("KERNEL", kernelId);
      const body = method === "GET" || method === "DELETE" ? undefined : "{}";
      const response = await fetch(new URL(path, lab.baseUrl), { method, body, redirect: "manual" });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect(existsSync(join(lab.root, "inside.txt"))).toBe(true);
    expect(lab.kernels.has(kernelId)).toBe(true);
  });

  it("shows browsers a page on 403", async () => {
    const response = await fetch(new URL("lab", lab.baseUrl), { headers: { Accept: "text/html" } });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("open the URL that paramlab lab printed");
  });

  it("answers 403 to a wrong token", async () => {
    const header = await fetch(new URL("api/status", lab.baseUrl), { headers: { Authorization: "token wrong" } });
    expect(header.status).toBe(403);
    const query = await fetch(new URL("api/status?token=wrong", lab.baseUrl));
    expect(query.status).toBe(403);
    const cookie = await fetch(new URL("api/status", lab.baseUrl), { headers: { Cookie: `paramlab-token-${lab.port}=wrong` } });
    expect(cookie.status).toBe(403);
  });

  it("accepts the token as header, query or cookie", async () => {
    const header = await fetch(new URL("api/status", lab.baseUrl), { headers: { Authorization: `token ${lab.token}` } });
    expect(header.status).toBe(200);
    const query = await fetch(new URL(`api/status?token=${lab.token}`, lab.baseUrl));
    expect(query.status).toBe(200);

    const login = await fetch(new URL(`lab?token=${lab.token}`, lab.baseUrl), { redirect: "manual" });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/lab");
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    expect(login.headers.get("set-cookie")).toContain("HttpOnly");
    const page = await fetch(new URL("lab", lab.baseUrl), { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/static/app.js");
  });

  it("answers 403 to a WebSocket without a token", async () => {
    expect(await upgradeStatus("")).toBe(403);
    expect(await upgradeStatus("?token=wrong")).toBe(403);
    expect(await upgradeStatus(`?token=${lab.token}`)).toBe(101);
    expect(await upgradeStatus("", { Authorization: `token ${lab.token}` })).toBe(101);
    expect(await upgradeStatus("", { Cookie: `paramlab-token-${lab.port}=${lab.token}` })).toBe(101);
  });
});

describe("lab origin", () => {
  it("rejects state-changing requests from another origin", async () => {
    const response = await lab.request("api/contents", { method: "POST", body: '{"type": "file"}', headers: { Origin: "http://evil.example" } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain("evil.example");
    const own = await lab.request("api/contents", { method: "POST", body: '{"type": "file"}', headers: { Origin: `http://127.0.0.1:${lab.port}` } });
    expect(own.status).toBe(201);
  });

  it("rejects a WebSocket from another origin", async () => {
    expect(await upgradeStatus(`?token=${lab.token}`, { Origin: "http://evil.example" })).toBe(403);
    expect(await upgradeStatus(`?token=${lab.token}`, { Origin: `http://127.0.0.1:${lab.port}` })).toBe(101);
  });

  it("rejects a foreign Host header", async () => {
    const response = await rawRequest(`/api/status?token=${lab.token}`, { Host: "rebound.example" });
    expect(response.status).toBe(403);
    expect(response.body).toContain("rebound.example");
  });
});

describe("lab path confinement", () => {
  it("refuses .. in contents paths", async () => {
    const paths = ["/api/contents/..%2Fsecret.txt", "/api/contents/a/..%2F..%2Fetc%2Fpasswd", "/api/contents/a%2F%2E%2E%2F%2E%2E%2Fx"];
    for (const path of paths) {
      const response = await rawRequest(path, { Authorization: `token ${lab.token}` });
      expect(response.status, path).toBe(404);
      expect(response.body, path).toContain("outside the lab's root folder");
    }
    // URL parsing resolves plain and %2E ".." segments before routing, so these never reach the contents API.
    for (const path of ["/api/contents/../../etc/passwd", "/api/contents/%2E%2E/%2E%2E/etc/passwd"]) {
      const plain = await rawRequest(path, { Authorization: `token ${lab.token}` });
      expect(plain.status, path).toBe(404);
      expect(plain.body, path).not.toContain("root:");
    }
  });

  it("rejects backslashes and NUL in paths", async () => {
    for (const path of ["api/contents/a%5C..%5Csecret.txt", "api/contents/inside.txt%00.png"]) {
      const response = await lab.request(path);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { message: string }).message, path).toContain("NUL or backslash");
    }
  });

  it("refuses symlinks that lead outside", async () => {
    for (const path of ["api/contents/escape/secret.txt", "api/contents/secret-link.txt", "api/contents/escape"]) {
      const response = await lab.request(path);
      expect(response.status, path).toBe(404);
      expect(JSON.stringify(await response.json())).not.toContain("outside the root\"");
    }
    const write = await lab.request("api/contents/escape/new.txt", { method: "PUT", body: JSON.stringify({ type: "file", format: "text", content: "x" }) });
    expect(write.status).toBe(404);
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    const dangling = await lab.request("api/contents/dangling.txt", { method: "PUT", body: JSON.stringify({ type: "file", format: "text", content: "x" }) });
    expect(dangling.status).toBe(404);
    expect(existsSync(join(outside, "missing.txt"))).toBe(false);
  });

  it("refuses renames and copies out of the root", async () => {
    const rename = await lab.request("api/contents/inside.txt", { method: "PATCH", body: JSON.stringify({ path: "../moved.txt" }) });
    expect(rename.status).toBe(404);
    const viaLink = await lab.request("api/contents/inside.txt", { method: "PATCH", body: JSON.stringify({ path: "escape/moved.txt" }) });
    expect(viaLink.status).toBe(404);
    const copy = await lab.request("api/contents", { method: "POST", body: JSON.stringify({ copy_from: "escape/secret.txt" }) });
    expect(copy.status).toBe(404);
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
  });

  it("hides symlinks that lead outside from listings", async () => {
    const listing = (await (await lab.request("api/contents")).json()) as { content: Array<{ name: string }> };
    const names = listing.content.map((item) => item.name);
    expect(names).toContain("inside.txt");
    expect(names).not.toContain("escape");
    expect(names).not.toContain("secret-link.txt");
  });
});

describe("lab saves", () => {
  it("keep the previous file when the server is killed mid-save", async () => {
    const root = mkdtempSync(join(tmpdir(), "paramlab-kill-"));
    const stateDir = join(root, ".state");
    mkdirSync(stateDir);
    const previous = `${JSON.stringify(notebookWith(["previous"]), null, 1)}\n`;
    writeFileSync(join(root, "big.ipynb"), previous);
    const child = spawn(process.execPath, ["bin/paramlab.js", "lab", root, "--port", "0", "--no-browser", "--state-dir", stateDir, "--log-level", "silent"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const url = await printedUrl(child);
      const token = new URL(url).searchParams.get("token")!;
      const big = notebookWith(["x".repeat(64 * 1024 * 1024)]);
      const save = fetch(new URL("api/contents/big.ipynb", url), {
        method: "PUT",
        headers: { Authorization: `token ${token}` },
        body: JSON.stringify({ type: "notebook", format: "json", content: big }),
      }).catch((error: Error) => error);

      let sawTemp = false;
      for (let attempt = 0; attempt < 20_000 && !sawTemp; attempt++) {
        sawTemp = readdirSync(root).some((name) => name.endsWith(".tmp"));
        if (!sawTemp) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      child.kill("SIGKILL");
      expect(await save).toBeInstanceOf(Error);
      expect(sawTemp).toBe(true);
      expect(readFileSync(join(root, "big.ipynb"), "utf8")).toBe(previous);
    } finally {
      child.kill("SIGKILL");
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (text: string) => {
      output += text;
      const match = /http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+/.exec(output);
      if (match !== null) resolve(match[0]);
    });
    child.once("exit", (code) => reject(new Error(`paramlab lab exited with code ${code} before it printed its URL: ${output}`)));
  });
}

/** Sends a GET with the path exactly as given (fetch would normalize ".." away) and any Host header. */
function rawRequest(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: lab.port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => (body += text));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
