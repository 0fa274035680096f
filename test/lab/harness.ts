// Starts a lab on a free port over a temporary root folder, with @jupyterlab/services settings.
import { ServerConnection } from "@jupyterlab/services";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { startLab, type Lab, type LabOptions } from "../../lab/server/lab.js";
import { createLogger } from "../../lab/server/log.js";

export interface TestLab extends Lab {
  root: string;
  stateDir: string;
  settings: ServerConnection.ISettings;
  /** fetch() against the lab with the token header unless `headers` overrides it. */
  request(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** A WebSocket that offers no subprotocol, so the lab falls back to JSON text messages. */
export class JsonOnlyWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
  }
}

export async function startTestLab(options: Partial<LabOptions> = {}): Promise<TestLab> {
  const root = mkdtempSync(join(tmpdir(), "paramlab-lab-root-"));
  const stateDir = mkdtempSync(join(tmpdir(), "paramlab-lab-state-"));
  const lab = await startLab({ root, stateDir, port: 0, log: createLogger("silent"), ...options });
  const settings = makeSettings(lab, WebSocket);
  return Object.assign(lab, {
    root,
    stateDir,
    settings,
    request(path: string, init: RequestInit = {}) {
      const headers = { Authorization: `token ${lab.token}`, ...(init.headers as Record<string, string> | undefined) };
      return fetch(new URL(path, lab.baseUrl), { ...init, headers, redirect: "manual" });
    },
    async stop() {
      await lab.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  });
}

export function makeSettings(lab: Lab, socket: typeof WebSocket): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: lab.baseUrl,
    wsUrl: lab.baseUrl.replace(/^http/, "ws"),
    token: lab.token,
    appendToken: true,
    WebSocket: socket as unknown as typeof globalThis.WebSocket,
  });
}

/** Returns a minimal nbformat 4.5 notebook with the given code cells. */
export function notebookWith(sources: string[]): Record<string, unknown> {
  return {
    cells: sources.map((source, index) => ({ cell_type: "code", execution_count: null, id: `cell-${index}`, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { display_name: "TypeScript (paramlab)", language: "typescript", name: "paramlab" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
