// Runs the backend tests again on the SIMD128 kernels, the build for runtimes without relaxed SIMD.
// The fused build is enabled first, so these tests also cover turning it off.
import { setBackend } from "../../core/backend/backend.js";
import { enableRelaxedSimd } from "../../core/backend/wasm/runtime.js";

enableRelaxedSimd();
setBackend("wasm", { fusedMultiplyAdd: false });
