// Lets each test process load the fused multiply-add kernels, as the paramlab kernel does, so the
// suite covers the build that notebooks run on.
import { enableRelaxedSimd } from "../../core/backend/wasm/runtime.js";

enableRelaxedSimd();
