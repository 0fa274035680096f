// Jupyter Server sessions: a notebook path bound to a running kernel.
import { randomUUID } from "node:crypto";
import { dirname } from "node:path";
import { HttpError } from "./http.js";
import type { KernelManager, KernelModel } from "./kernels.js";
import { DEFAULT_KERNEL } from "./kernelspecs.js";
import type { RootFolder } from "./paths.js";

export interface SessionModel {
  id: string;
  path: string;
  name: string;
  type: string;
  kernel: KernelModel;
  notebook: { path: string; name: string };
}

interface Session {
  id: string;
  path: string;
  name: string;
  type: string;
  kernelId: string;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly kernels: KernelManager,
    private readonly folder: RootFolder,
  ) {}

  list(): SessionModel[] {
    this.dropOrphans();
    return [...this.sessions.values()].map((session) => this.model(session));
  }

  get(id: string): SessionModel {
    this.dropOrphans();
    const session = this.sessions.get(id);
    if (session === undefined) throw new HttpError(404, `session ${id} was not found`);
    return this.model(session);
  }

  /** Creates a session, or returns the existing one for the same path, as Jupyter Server does. */
  async create(body: Record<string, unknown>): Promise<SessionModel> {
    this.dropOrphans();
    const path = typeof body.path === "string" ? body.path : undefined;
    if (path === undefined) throw new HttpError(400, 'a session needs a string "path"');
    const existing = [...this.sessions.values()].find((session) => session.path === path);
    if (existing !== undefined) return this.model(existing);
    const kernelId = await this.kernelFor(path, body.kernel);
    const session: Session = {
      id: randomUUID(),
      path,
      name: typeof body.name === "string" ? body.name : "",
      type: typeof body.type === "string" ? body.type : "notebook",
      kernelId,
    };
    this.sessions.set(session.id, session);
    return this.model(session);
  }

  /** Changes a session's path, name, type or kernel. */
  async update(id: string, body: Record<string, unknown>): Promise<SessionModel> {
    const session = this.sessions.get(id);
    if (session === undefined) throw new HttpError(404, `session ${id} was not found`);
    if (typeof body.path === "string") session.path = body.path;
    if (typeof body.name === "string") session.name = body.name;
    if (typeof body.type === "string") session.type = body.type;
    if (isObject(body.kernel)) {
      const previous = session.kernelId;
      const wanted = body.kernel;
      if (wanted.id !== previous) {
        session.kernelId = await this.kernelFor(session.path, wanted);
        if (this.kernels.has(previous)) await this.kernels.shutdown(previous);
      }
    }
    return this.model(session);
  }

  async delete(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (session === undefined) throw new HttpError(404, `session ${id} was not found`);
    this.sessions.delete(id);
    if (this.kernels.has(session.kernelId)) await this.kernels.shutdown(session.kernelId);
  }

  private async kernelFor(path: string, kernel: unknown): Promise<string> {
    const wanted = isObject(kernel) ? kernel : {};
    if (typeof wanted.id === "string") return this.kernels.get(wanted.id).id;
    const name = typeof wanted.name === "string" && wanted.name !== "" ? wanted.name : DEFAULT_KERNEL;
    const file = this.folder.resolve(path);
    const started = await this.kernels.start(name, dirname(file));
    return started.id;
  }

  private model(session: Session): SessionModel {
    return {
      id: session.id,
      path: session.path,
      name: session.name,
      type: session.type,
      kernel: this.kernels.model(this.kernels.get(session.kernelId)),
      notebook: { path: session.path, name: session.name },
    };
  }

  /** Forgets sessions whose kernel was shut down through /api/kernels. */
  private dropOrphans(): void {
    for (const [id, session] of this.sessions) if (!this.kernels.has(session.kernelId)) this.sessions.delete(id);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
