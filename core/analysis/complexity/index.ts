// Complexity of a model: parameters, FLOPs, MACs, activations, receptive fields, time per layer.
export { complexity, makeInputs, withMode, type ComplexityOptions, type ComplexityInput } from "./summary.js";
export { type ComplexitySummary, type LayerSummary, type ComplexityTotals, summaryText, summaryHtml } from "./table.js";
export { type ReceptiveField, receptiveFields } from "./receptive_field.js";
export { ACTIVATION_FLOPS, countCall, type Count } from "./counters.js";
export { traceForward, tensorsIn, type CallRecord, type Trace, type TraceOptions } from "./trace.js";
