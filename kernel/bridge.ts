// Messages between the socket worker (session) and the main thread (executor).
import type { Header } from "./wire/types.js";

export type MainMethod =
  | "execute"
  | "complete"
  | "inspect"
  | "isComplete"
  | "commOpen"
  | "commMsg"
  | "commClose"
  | "commInfo";

/** Sent from the worker to the main thread. */
export type ToMain =
  | { kind: "request"; id: number; method: MainMethod; params: Record<string, unknown>; parent: Header }
  | { kind: "inputReply"; id: number; value?: string; error?: string }
  /** Stops the execution started by request `requestId`, if it still runs. */
  | { kind: "terminated"; requestId: number }
  | { kind: "interrupt"; requestId: number }
  | { kind: "shutdown" };

/** Sent from the main thread to the worker. */
export type ToWorker =
  | { kind: "response"; id: number; result?: Record<string, unknown>; error?: string }
  | { kind: "iopub"; msgType: string; content: Record<string, unknown>; parent?: Header; metadata?: Record<string, unknown> }
  | { kind: "inputRequest"; id: number; prompt: string; password: boolean; parent?: Header }
  | { kind: "interruptHandled" }
  | { kind: "cellStarted" }
  /** The running cell's synchronous part ended and vm's breakOnSigint no longer applies. */
  | { kind: "cellAwaiting" }
  | { kind: "sigintWhileIdle" }
  | { kind: "ready" };
