// The REST routes of the Jupyter Server API subset that @jupyterlab/services uses.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Checkpoints } from "./checkpoints.js";
import type { ContentType, Contents } from "./contents.js";
import { HttpError, readJson, sendJson } from "./http.js";
import type { KernelManager } from "./kernels.js";
import type { KernelSpecs } from "./kernelspecs.js";
import type { SessionManager } from "./sessions.js";

/** The Jupyter Server version whose API this lab follows. */
export const API_VERSION = "2.14.0";

export interface Services {
  contents: Contents;
  checkpoints: Checkpoints;
  kernels: KernelManager;
  sessions: SessionManager;
  specs: KernelSpecs;
  started: Date;
}

/** Handles one /api or /kernelspecs request; returns false when no route matches. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, services: Services): Promise<boolean> {
  const path = decodeURIComponent(url.pathname);
  const method = req.method ?? "GET";
  if (path === "/api" || path === "/api/") return reply(res, 200, { version: API_VERSION });
  if (path === "/api/status") return reply(res, 200, status(services));
  if (path === "/api/me") return reply(res, 200, { identity: { username: "paramlab", name: "paramlab", display_name: "paramlab", initials: "PL", avatar_url: null, color: null }, permissions: {} });
  if (path === "/api/kernelspecs" && method === "GET") return reply(res, 200, services.specs.model());
  const resource = /^\/kernelspecs\/([^/]+)\/([^/]+)$/.exec(path);
  if (resource !== null && method === "GET") {
    const { type, body } = services.specs.resource(resource[1], resource[2]);
    res.writeHead(200, { "Content-Type": type });
    res.end(body);
    return true;
  }
  if (path.startsWith("/api/kernels")) return kernelRoutes(req, res, path, services);
  if (path.startsWith("/api/sessions")) return sessionRoutes(req, res, path, services);
  if (path === "/api/contents" || path.startsWith("/api/contents/")) return contentRoutes(req, res, url, path.slice("/api/contents".length), services);
  return false;
}

async function kernelRoutes(req: IncomingMessage, res: ServerResponse, path: string, services: Services): Promise<boolean> {
  const { kernels } = services;
  const method = req.method;
  if (path === "/api/kernels" || path === "/api/kernels/") {
    if (method === "GET") return reply(res, 200, kernels.list());
    if (method === "POST") {
      const body = await readJson(req);
      const name = typeof body.name === "string" && body.name !== "" ? body.name : "paramlab";
      const cwd = services.contents.folder.resolve(typeof body.path === "string" ? body.path : "");
      const kernel = await kernels.start(name, cwd);
      return reply(res, 201, kernels.model(kernel), { Location: `/api/kernels/${kernel.id}` });
    }
    throw methodNotAllowed(method, path);
  }
  const match = /^\/api\/kernels\/([^/]+)(?:\/(interrupt|restart))?\/?$/.exec(path);
  if (match === null) return false;
  const [, id, action] = match;
  if (action === undefined && method === "GET") return reply(res, 200, kernels.model(kernels.get(id)));
  if (action === undefined && method === "DELETE") {
    await kernels.shutdown(kernels.get(id).id);
    return reply(res, 204, undefined);
  }
  if (action === "interrupt" && method === "POST") {
    await kernels.interrupt(id);
    return reply(res, 204, undefined);
  }
  if (action === "restart" && method === "POST") return reply(res, 200, await kernels.restart(id));
  throw methodNotAllowed(method, path);
}

async function sessionRoutes(req: IncomingMessage, res: ServerResponse, path: string, services: Services): Promise<boolean> {
  const { sessions } = services;
  const method = req.method;
  if (path === "/api/sessions" || path === "/api/sessions/") {
    if (method === "GET") return reply(res, 200, sessions.list());
    if (method === "POST") return reply(res, 201, await sessions.create(await readJson(req)));
    throw methodNotAllowed(method, path);
  }
  const match = /^\/api\/sessions\/([^/]+)\/?$/.exec(path);
  if (match === null) return false;
  const id = match[1];
  if (method === "GET") return reply(res, 200, sessions.get(id));
  if (method === "PATCH") return reply(res, 200, await sessions.update(id, await readJson(req)));
  if (method === "DELETE") {
    await sessions.delete(id);
    return reply(res, 204, undefined);
  }
  throw methodNotAllowed(method, path);
}

async function contentRoutes(req: IncomingMessage, res: ServerResponse, url: URL, rest: string, services: Services): Promise<boolean> {
  const { contents, checkpoints } = services;
  const method = req.method;
  const checkpoint = /^(.*)\/checkpoints(?:\/([^/]+))?\/?$/.exec(rest);
  if (checkpoint !== null) {
    const [, filePath, id] = checkpoint;
    if (id === undefined && method === "GET") return reply(res, 200, await checkpoints.list(filePath));
    if (id === undefined && method === "POST") return reply(res, 201, await checkpoints.create(filePath));
    if (id !== undefined && method === "POST") {
      await checkpoints.restore(filePath, id);
      return reply(res, 204, undefined);
    }
    if (id !== undefined && method === "DELETE") {
      await checkpoints.delete(filePath, id);
      return reply(res, 204, undefined);
    }
    throw methodNotAllowed(method, url.pathname);
  }
  if (method === "GET") {
    const type = url.searchParams.get("type") ?? undefined;
    const format = url.searchParams.get("format") ?? undefined;
    if (type !== undefined && !["notebook", "file", "directory"].includes(type)) {
      throw new HttpError(400, `type ${JSON.stringify(type)} is invalid: expected notebook, file or directory`);
    }
    if (format !== undefined && format !== "text" && format !== "base64") {
      throw new HttpError(400, `format ${JSON.stringify(format)} is invalid: expected text or base64`);
    }
    const content = url.searchParams.get("content") !== "0";
    return reply(res, 200, await contents.get(rest, { content, type: type as ContentType | undefined, format }));
  }
  if (method === "PUT") {
    const body = await readJson(req);
    const { model, created } = await contents.save(rest, body);
    return reply(res, created ? 201 : 200, model, { Location: `/api/contents/${encodeURI(model.path)}` });
  }
  if (method === "POST") {
    const model = await contents.create(rest, await readJson(req));
    return reply(res, 201, model, { Location: `/api/contents/${encodeURI(model.path)}` });
  }
  if (method === "PATCH") return reply(res, 200, await contents.rename(rest, (await readJson(req)).path));
  if (method === "DELETE") {
    await contents.delete(rest);
    return reply(res, 204, undefined);
  }
  throw methodNotAllowed(method, url.pathname);
}

function status(services: Services): Record<string, unknown> {
  const kernels = services.kernels.list();
  const activity = [services.started.getTime(), ...kernels.map((kernel) => Date.parse(kernel.last_activity))];
  return {
    started: services.started.toISOString(),
    last_activity: new Date(Math.max(...activity)).toISOString(),
    connections: kernels.reduce((sum, kernel) => sum + kernel.connections, 0),
    kernels: kernels.length,
  };
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  if (status === 204) {
    res.writeHead(204, headers);
    res.end();
  } else {
    sendJson(res, status, body, headers);
  }
  return true;
}

function methodNotAllowed(method: string | undefined, path: string): HttpError {
  return new HttpError(405, `method ${method} is not allowed on ${path}`);
}
