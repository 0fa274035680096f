// Kernel-side comms: targets that cells register, and comms opened from either side.
import { randomUUID } from "node:crypto";
import type { Output } from "./output.js";

export type CommHandler = (data: Record<string, unknown>, buffers: Buffer[]) => void;

export class Comm {
  private messageHandlers: CommHandler[] = [];
  private closeHandlers: CommHandler[] = [];
  closed = false;

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly manager: CommManager,
  ) {}

  send(data: Record<string, unknown> = {}): void {
    if (this.closed) throw new Error(`comm ${this.commId} (target "${this.targetName}") is closed and cannot send`);
    this.manager.output.publish("comm_msg", { comm_id: this.commId, data });
  }

  close(data: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.manager.output.publish("comm_close", { comm_id: this.commId, data });
    this.manager.forget(this.commId);
  }

  onMessage(handler: CommHandler): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: CommHandler): void {
    this.closeHandlers.push(handler);
  }

  /** Delivers a message from the frontend. */
  receive(data: Record<string, unknown>, buffers: Buffer[]): void {
    for (const handler of this.messageHandlers) handler(data, buffers);
  }

  /** Marks the comm closed by the frontend. */
  receiveClose(data: Record<string, unknown>, buffers: Buffer[]): void {
    this.closed = true;
    for (const handler of this.closeHandlers) handler(data, buffers);
  }
}

export type TargetHandler = (comm: Comm, data: Record<string, unknown>) => void;

export class CommManager {
  private readonly targets = new Map<string, TargetHandler>();
  private readonly comms = new Map<string, Comm>();

  constructor(readonly output: Output) {}

  registerTarget(targetName: string, handler: TargetHandler): void {
    this.targets.set(targetName, handler);
  }

  /** Opens a comm from the kernel side. */
  open(targetName: string, data: Record<string, unknown> = {}): Comm {
    const comm = new Comm(randomUUID(), targetName, this);
    this.comms.set(comm.commId, comm);
    this.output.publish("comm_open", { comm_id: comm.commId, target_name: targetName, data });
    return comm;
  }

  /** Handles comm_open from the frontend; an unknown target gets a comm_close, as in ipykernel. */
  openFromFrontend(commId: string, targetName: string, data: Record<string, unknown>): void {
    const handler = this.targets.get(targetName);
    if (handler === undefined) {
      this.output.publish("comm_close", { comm_id: commId, data: {} });
      throw new Error(`no comm target named "${targetName}" is registered; register it with kernel.comms.registerTarget`);
    }
    const comm = new Comm(commId, targetName, this);
    this.comms.set(commId, comm);
    handler(comm, data);
  }

  message(commId: string, data: Record<string, unknown>, buffers: Buffer[]): void {
    const comm = this.comms.get(commId);
    if (comm === undefined) throw new Error(`comm_msg for unknown comm id ${commId}`);
    comm.receive(data, buffers);
  }

  close(commId: string, data: Record<string, unknown>, buffers: Buffer[]): void {
    const comm = this.comms.get(commId);
    if (comm === undefined) throw new Error(`comm_close for unknown comm id ${commId}`);
    this.comms.delete(commId);
    comm.receiveClose(data, buffers);
  }

  forget(commId: string): void {
    const comm = this.comms.get(commId);
    if (comm !== undefined) comm.closed = true;
    this.comms.delete(commId);
  }

  /** Returns the open comms, optionally only those of one target, as comm_info_reply lists them. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const result: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (targetName === undefined || comm.targetName === targetName) result[comm.commId] = { target_name: comm.targetName };
    }
    return result;
  }
}
