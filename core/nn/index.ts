export { Module, type ForwardHook, type ForwardPreHook, type LoadStateDictResult } from "./module.js";
export { Parameter } from "./parameter.js";
export * as init from "./init.js";
export { Linear, Identity, linear, type LinearOptions } from "./layers/linear.js";
export { Sequential, ModuleList, ModuleDict } from "./layers/containers.js";
export * as functional from "./functional.js";
