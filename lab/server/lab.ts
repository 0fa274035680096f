// Starts the lab: an HTTP server on 127.0.0.1 with the Jupyter Server API, the kernel
// WebSocket bridge and the web app, all behind a random token.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { Guard } from "./auth.js";
import { ChannelBridge } from "./channels.js";
import { Checkpoints } from "./checkpoints.js";
import { Contents } from "./contents.js";
import { HttpError, MAX_BODY_BYTES, sendError } from "./http.js";
import { KernelManager } from "./kernels.js";
import { KernelSpecs, type KernelSpec } from "./kernelspecs.js";
import { createLogger, type Logger } from "./log.js";
import { RootFolder } from "./paths.js";
import { handleApi, type Services } from "./routes.js";
import { SessionManager } from "./sessions.js";
import { StaticFiles } from "./static.js";
import { TrustStore } from "./trust.js";
import { V1_PROTOCOL } from "./ws-format.js";

export const HOST = "127.0.0.1";
export const DEFAULT_PORT = 8888;
/** How many ports after the requested one the lab tries when it is taken. */
const PORT_ATTEMPTS = 50;

export interface LabOptions {
  /** The folder whose notebooks the lab serves. */
  root: string;
  /** The first port to try (default 8888); 0 picks any free port. */
  port?: number;
  /** The token (default: 48 random hex digits). */
  token?: string;
  /** The folder for the digests of notebooks the lab saved, which makes them trusted. */
  stateDir: string;
  log?: Logger;
  /** Kernelspecs besides paramlab's, by name. */
  kernelSpecs?: Record<string, KernelSpec>;
  kernelStartTimeoutMs?: number;
}

export interface Lab {
  /** The lab's URL with the token, for a browser. */
  url: string;
  /** The lab's URL without the token. */
  baseUrl: string;
  token: string;
  port: number;
  kernels: KernelManager;
  /** Closes WebSockets, shuts every kernel down and stops the server. */
  close(): Promise<void>;
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const log = options.log ?? createLogger("info");
  const token = options.token ?? randomBytes(24).toString("hex");
  const folder = new RootFolder(options.root);
  const specs = new KernelSpecs(options.kernelSpecs);
  const kernels = new KernelManager({ specs, log, startTimeoutMs: options.kernelStartTimeoutMs });
  const services: Services = {
    contents: new Contents(folder, new TrustStore(options.stateDir)),
    checkpoints: new Checkpoints(folder),
    kernels,
    sessions: new SessionManager(kernels, folder),
    specs,
    started: new Date(),
  };
  const staticFiles = new StaticFiles();
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_BODY_BYTES,
    handleProtocols: (protocols) => (protocols.has(V1_PROTOCOL) ? V1_PROTOCOL : false),
  });

  let guard: Guard | undefined;
  const server = createServer((req, res) => {
    void handleRequest(req, res, guard!, services, staticFiles, log);
  });
  server.on("upgrade", (req, socket, head) => handleUpgrade(req, socket, head, guard!, sockets, services, log));

  const port = await listen(server, options.port ?? DEFAULT_PORT);
  guard = new Guard(token, port);
  const baseUrl = `http://${HOST}:${port}/`;
  log.info(`serving ${folder.root} at ${baseUrl}`);

  return {
    url: `${baseUrl}lab?token=${token}`,
    baseUrl,
    token,
    port,
    kernels,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await kernels.shutdownAll();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info("lab stopped");
    },
  };
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, guard: Guard, services: Services, staticFiles: StaticFiles, log: Logger): Promise<void> {
  try {
    const url = new URL(req.url ?? "/", `http://${HOST}`);
    const problem = guard.originProblem(req);
    if (problem !== undefined && (isStateChanging(req.method) || problem.startsWith("Host"))) {
      log.warn(`rejected ${req.method} ${url.pathname}: ${problem}`);
      throw new HttpError(403, `${problem}; requests must come from the lab's own page`);
    }
    const source = guard.tokenSource(req, url);
    if (source === undefined) {
      throw new HttpError(403, "a valid token is required: open the URL that paramlab lab printed, which includes ?token=…");
    }
    if (url.pathname.startsWith("/api") || url.pathname.startsWith("/kernelspecs/")) {
      if (!(await handleApi(req, res, url, services))) throw new HttpError(404, `no API route matches ${req.method} ${url.pathname}`);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `method ${req.method} is not allowed on ${url.pathname}`);
    if (url.pathname.startsWith("/static/")) return staticFiles.file(url.pathname.slice("/static/".length), res);
    if (url.pathname === "/" || url.pathname === "/lab" || url.pathname.startsWith("/lab/")) {
      if (source === "query") {
        // Trade the token in the URL for a cookie, and drop it from the address bar.
        url.searchParams.delete("token");
        res.writeHead(302, { Location: `${url.pathname === "/" ? "/lab" : url.pathname}${url.search}`, "Set-Cookie": guard.cookieHeader() });
        res.end();
        return;
      }
      return staticFiles.page(res);
    }
    throw new HttpError(404, `${url.pathname} was not found`);
  } catch (error) {
    const wrapped = error instanceof URIError ? new HttpError(400, `the request path is not valid percent-encoding: ${req.url}`) : error;
    if (!(wrapped instanceof HttpError) || wrapped.status >= 500) log.error(`${req.method} ${req.url?.split("?")[0]} failed: ${(wrapped as Error).message}`);
    if (wrapped instanceof HttpError && wrapped.status === 403 && acceptsHtml(req)) return sendForbiddenPage(res, wrapped.message);
    sendError(res, wrapped);
  }
}

function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, guard: Guard, sockets: WebSocketServer, services: Services, log: Logger): void {
  const reject = (status: number, message: string): void => {
    log.warn(`rejected WebSocket ${req.url?.split("?")[0]}: ${message}`);
    socket.end(`HTTP/1.1 ${status} ${status === 403 ? "Forbidden" : "Not Found"}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
  };
  const url = new URL(req.url ?? "/", `http://${HOST}`);
  const problem = guard.originProblem(req);
  if (problem !== undefined) return reject(403, problem);
  if (guard.tokenSource(req, url) === undefined) return reject(403, "a valid token is required");
  const match = /^\/api\/kernels\/([^/]+)\/channels\/?$/.exec(url.pathname);
  if (match === null || !services.kernels.has(match[1])) return reject(404, `no kernel WebSocket at ${url.pathname}`);
  const kernel = services.kernels.get(match[1]);
  sockets.handleUpgrade(req, socket, head, (ws) => {
    new ChannelBridge(ws, ws.protocol, kernel, log);
    log.debug(`WebSocket connected to kernel ${kernel.id} (${ws.protocol || "JSON"} protocol)`);
  });
}

function acceptsHtml(req: IncomingMessage): boolean {
  return req.method === "GET" && (req.headers.accept ?? "").includes("text/html") && !(req.url ?? "").startsWith("/api");
}

/** Sends a 403 page that shows a browser user how to open the lab with its token. */
function sendForbiddenPage(res: ServerResponse, message: string): void {
  const escaped = message.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  res.writeHead(403, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>paramlab: token required</title></head><body><h1>403: token required</h1><p>${escaped}</p></body></html>\n`);
}

function isStateChanging(method: string | undefined): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}

/** Listens on the first free port from `first`; port 0 takes any free port. */
async function listen(server: Server, first: number): Promise<number> {
  const attempts = first === 0 ? 1 : PORT_ATTEMPTS;
  for (let index = 0; index < attempts; index++) {
    const port = first === 0 ? 0 : first + index;
    const bound = await new Promise<boolean>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off("listening", onListening);
        if (error.code === "EADDRINUSE") resolve(false);
        else reject(error);
      };
      const onListening = (): void => {
        server.off("error", onError);
        resolve(true);
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(port, HOST);
    });
    if (bound) return (server.address() as AddressInfo).port;
  }
  throw new Error(`ports ${first} to ${first + attempts - 1} on ${HOST} are all in use; pass --port with a free port`);
}
