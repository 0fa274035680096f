// The kernel client API: launch a paramlab kernel (or any kernelspec argv) and talk to it.
export { KernelClient, type ExecuteOptions, type KernelClientOptions, type RequestChannel, type RequestResult } from "./client.js";
export { freePorts, writeConnectionFile, type ConnectionOptions } from "./connection.js";
export { defaultKernelArgv, launchKernel, type LaunchedKernel, type LaunchOptions } from "./launcher.js";
export type { ConnectionInfo, Header, Message } from "../wire/types.js";
