// Hessian analysis of a model's loss: `pl.analysis.hessian`.
export { operator, hvp, topEigenvalues, trace, diagonal, density, exact, spectrum, type EigenOptions, type TraceOptions, type HessianDensityOptions, type SpectrumOptions, type ExactResult, type SeedOptions } from "./api.js";
export { HessianOperator, type LossFunction, type Batch, type HessianData, type HessianOperatorOptions } from "./operator.js";
export { HessianSpectrum } from "./spectrum.js";
export { Landscape, landscape, type LandscapeOptions } from "./landscape.js";
export { powerIteration, type PowerIterationOptions } from "./power.js";
export { lanczos, lanczosRun, type LanczosOptions, type LanczosRun } from "./lanczos.js";
export { hutchinsonTrace, hutchinsonDiagonal, type HutchinsonOptions, type TraceEstimate, type DiagonalEstimate } from "./hutchinson.js";
export { spectralDensity, densityMoment, type DensityOptions, type SpectralDensity } from "./density.js";
export { exactHessian, exactEigen, matrixBytes, type ExactHessianOptions } from "./exact.js";
export { symmetricEigen, tridiagonalEigen, type SymmetricEigen } from "./eigen.js";
export { type LinearOperator, type EigenResult } from "./types.js";
export { logger, type LogLevel, type LogSink } from "./logger.js";
