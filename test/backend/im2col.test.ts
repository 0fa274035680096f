import { describe, expect, it } from "vitest";

import { col2im, conv2dGeometry, im2col, type Conv2dGeometry, type Conv2dGeometryOptions } from "../../core/backend/im2col.js";

type FloatArray = Float32Array | Float64Array;
type Dtype = "float32" | "float64";

const TOLERANCE: Record<Dtype, number> = { float32: 1e-5, float64: 1e-12 };

/** Returns a mulberry32 generator, so every run uses the same inputs. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArray(dtype: Dtype, length: number, random: () => number): FloatArray {
  const data = dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) data[i] = random() * 2 - 1;
  return data;
}

/** Reads x[c, ih, iw] of a C×H×W image at `offset`, or 0 outside the image. */
function pixel(g: Conv2dGeometry, x: FloatArray, offset: number, c: number, ih: number, iw: number): number {
  if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) return 0;
  return x[offset + (c * g.height + ih) * g.width + iw];
}

/** Direct 2-D cross-correlation of F filters (F×C×kH×kW) with one image, as a float64 F×outH×outW array. */
function naiveConvolution(g: Conv2dGeometry, x: FloatArray, offset: number, weights: FloatArray, filters: number): Float64Array {
  const y = new Float64Array(filters * g.outHeight * g.outWidth);
  for (let f = 0; f < filters; f++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        let sum = 0;
        for (let c = 0; c < g.channels; c++) {
          for (let i = 0; i < g.kernelHeight; i++) {
            for (let j = 0; j < g.kernelWidth; j++) {
              const ih = oh * g.strideHeight - g.paddingHeight + i * g.dilationHeight;
              const iw = ow * g.strideWidth - g.paddingWidth + j * g.dilationWidth;
              const w = weights[((f * g.channels + c) * g.kernelHeight + i) * g.kernelWidth + j];
              sum += w * pixel(g, x, offset, c, ih, iw);
            }
          }
        }
        y[(f * g.outHeight + oh) * g.outWidth + ow] = sum;
      }
    }
  }
  return y;
}

/** Convolution sizes: 1×1, padded, strided, dilated, kernels larger than the image, odd and non-square. */
const GEOMETRIES: Conv2dGeometryOptions[] = [
  { channels: 1, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1 },
  { channels: 2, height: 5, width: 4, kernelHeight: 1, kernelWidth: 1, strideHeight: 2, strideWidth: 3 },
  { channels: 1, height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1 },
  { channels: 3, height: 7, width: 5, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1, paddingHeight: 1, paddingWidth: 0 },
  { channels: 2, height: 9, width: 11, kernelHeight: 3, kernelWidth: 3, dilationHeight: 2, dilationWidth: 3, paddingHeight: 2, paddingWidth: 1 },
  { channels: 1, height: 2, width: 3, kernelHeight: 5, kernelWidth: 5, paddingHeight: 2, paddingWidth: 2 },
  { channels: 2, height: 3, width: 3, kernelHeight: 2, kernelWidth: 4, strideHeight: 3, strideWidth: 2, paddingHeight: 3, paddingWidth: 2 },
  { channels: 4, height: 8, width: 7, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1, dilationHeight: 2, dilationWidth: 1 },
  { channels: 1, height: 13, width: 1, kernelHeight: 4, kernelWidth: 1, strideHeight: 3, strideWidth: 5 },
];

function label(dtype: Dtype, options: Conv2dGeometryOptions): string {
  return `${dtype} ${JSON.stringify(options)}`;
}

describe("im2col", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} entries follow the documented layout`, () => {
      GEOMETRIES.forEach((options, index) => {
        const g = conv2dGeometry(options);
        const random = seededRandom(100 + index);
        const x = randomArray(dtype, g.channels * g.height * g.width, random);
        const columns = randomArray(dtype, g.channels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth, random);
        im2col(g, x, 0, columns, 0);

        const ld = g.outHeight * g.outWidth;
        for (let c = 0; c < g.channels; c++) {
          for (let i = 0; i < g.kernelHeight; i++) {
            for (let j = 0; j < g.kernelWidth; j++) {
              for (let oh = 0; oh < g.outHeight; oh++) {
                for (let ow = 0; ow < g.outWidth; ow++) {
                  const ih = oh * g.strideHeight - g.paddingHeight + i * g.dilationHeight;
                  const iw = ow * g.strideWidth - g.paddingWidth + j * g.dilationWidth;
                  const row = c * g.kernelHeight * g.kernelWidth + i * g.kernelWidth + j;
                  const got = columns[row * ld + oh * g.outWidth + ow];
                  if (got !== pixel(g, x, 0, c, ih, iw)) {
                    expect.fail(`${label(dtype, options)}: row ${row}, output (${oh}, ${ow}) is ${got}, expected x[${c}, ${ih}, ${iw}]`);
                  }
                }
              }
            }
          }
        }
      });
    });

    it(`${dtype} times weights matches naive convolution`, () => {
      GEOMETRIES.forEach((options, index) => {
        const g = conv2dGeometry(options);
        const random = seededRandom(200 + index);
        const filters = 3;
        const rows = g.channels * g.kernelHeight * g.kernelWidth;
        const cols = g.outHeight * g.outWidth;
        const x = randomArray(dtype, g.channels * g.height * g.width, random);
        const weights = randomArray(dtype, filters * rows, random);
        const columns = dtype === "float32" ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
        im2col(g, x, 0, columns, 0);

        const expected = naiveConvolution(g, x, 0, weights, filters);
        for (let f = 0; f < filters; f++) {
          for (let col = 0; col < cols; col++) {
            let sum = 0;
            let scale = 0;
            for (let row = 0; row < rows; row++) {
              sum += weights[f * rows + row] * columns[row * cols + col];
              scale += Math.abs(weights[f * rows + row] * columns[row * cols + col]);
            }
            expect(Math.abs(sum - expected[f * cols + col]), label(dtype, options)).toBeLessThanOrEqual(TOLERANCE[dtype] * scale);
          }
        }
      });
    });
  }

  it("batch writes side by side with offsets and ldColumns", () => {
    const g = conv2dGeometry({ channels: 2, height: 5, width: 6, kernelHeight: 3, kernelWidth: 2, paddingHeight: 1, strideWidth: 2 });
    const random = seededRandom(300);
    const imageSize = g.channels * g.height * g.width;
    const rows = g.channels * g.kernelHeight * g.kernelWidth;
    const cols = g.outHeight * g.outWidth;
    const batch = randomArray("float64", 3 + 2 * imageSize, random);
    const wide = new Float64Array(7 + rows * 2 * cols).fill(-9);
    im2col(g, batch, 3, wide, 7, 2 * cols);
    im2col(g, batch, 3 + imageSize, wide, 7 + cols, 2 * cols);

    for (const b of [0, 1]) {
      const single = new Float64Array(rows * cols);
      im2col(g, batch, 3 + b * imageSize, single, 0);
      for (let row = 0; row < rows; row++) {
        for (let col = 0; col < cols; col++) {
          expect(wide[7 + row * 2 * cols + b * cols + col]).toBe(single[row * cols + col]);
        }
      }
    }
    expect(Array.from(wide.subarray(0, 7))).toEqual(new Array(7).fill(-9));
  });
});

describe("col2im", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} is the adjoint of im2col`, () => {
      GEOMETRIES.forEach((options, index) => {
        const g = conv2dGeometry(options);
        const random = seededRandom(400 + index);
        const imageSize = g.channels * g.height * g.width;
        const columnsSize = g.channels * g.kernelHeight * g.kernelWidth * g.outHeight * g.outWidth;
        const x = randomArray(dtype, imageSize, random);
        const y = randomArray(dtype, columnsSize, random);
        const columns = dtype === "float32" ? new Float32Array(columnsSize) : new Float64Array(columnsSize);
        const image = dtype === "float32" ? new Float32Array(imageSize) : new Float64Array(imageSize);
        im2col(g, x, 0, columns, 0);
        col2im(g, y, 0, image, 0);

        let left = 0;
        let right = 0;
        let scale = 0;
        for (let i = 0; i < columnsSize; i++) {
          left += columns[i] * y[i];
          scale += Math.abs(columns[i] * y[i]);
        }
        for (let i = 0; i < imageSize; i++) right += x[i] * image[i];
        expect(Math.abs(left - right), label(dtype, options)).toBeLessThanOrEqual(TOLERANCE[dtype] * scale);
      });
    });
  }

  it("adds onto the image and respects offsets", () => {
    const g = conv2dGeometry({ channels: 2, height: 4, width: 5, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, strideHeight: 2 });
    const random = seededRandom(500);
    const imageSize = g.channels * g.height * g.width;
    const rows = g.channels * g.kernelHeight * g.kernelWidth;
    const cols = g.outHeight * g.outWidth;
    const ld = cols + 4;
    const columns = randomArray("float64", 2 + rows * ld, random);
    const start = randomArray("float64", 5 + imageSize + 3, random);
    const image = start.slice();
    col2im(g, columns, 2, image, 5, ld);

    // Each column entry lands on the pixel im2col reads it from, so sum them per pixel directly.
    const expected = start.slice();
    for (let c = 0; c < g.channels; c++) {
      for (let i = 0; i < g.kernelHeight; i++) {
        for (let j = 0; j < g.kernelWidth; j++) {
          for (let oh = 0; oh < g.outHeight; oh++) {
            for (let ow = 0; ow < g.outWidth; ow++) {
              const ih = oh * g.strideHeight - g.paddingHeight + i * g.dilationHeight;
              const iw = ow * g.strideWidth - g.paddingWidth + j * g.dilationWidth;
              if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
              const row = (c * g.kernelHeight + i) * g.kernelWidth + j;
              expected[5 + (c * g.height + ih) * g.width + iw] += columns[2 + row * ld + oh * g.outWidth + ow];
            }
          }
        }
      }
    }
    for (let i = 0; i < image.length; i++) {
      expect(image[i], `element ${i}`).toBeCloseTo(expected[i], 12);
    }
  });
});

describe("conv2dGeometry", () => {
  it("computes PyTorch output sizes", () => {
    const g = conv2dGeometry({ channels: 1, height: 28, width: 28, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1 });
    expect([g.outHeight, g.outWidth]).toEqual([28, 28]);
    const strided = conv2dGeometry({ channels: 3, height: 10, width: 9, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 3, dilationHeight: 2 });
    // ⌊(10 − 2·2 − 1) / 2⌋ + 1 = 3 and ⌊(9 − 1 − 1) / 3⌋ + 1 = 3
    expect([strided.outHeight, strided.outWidth]).toEqual([3, 3]);
  });

  it("rejects kernel larger than input", () => {
    expect(() => conv2dGeometry({ channels: 1, height: 2, width: 5, kernelHeight: 3, kernelWidth: 3 })).toThrow(
      "conv2dGeometry: the dilated 3×3 kernel (dilation 1×1) is larger than the padded 2×5 input (padding 0×0)",
    );
  });

  it("rejects zero stride", () => {
    expect(() => conv2dGeometry({ channels: 1, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, strideWidth: 0 })).toThrow(
      "conv2dGeometry: strideWidth must be an integer of at least 1, got 0",
    );
  });

  it("rejects negative padding", () => {
    expect(() => conv2dGeometry({ channels: 1, height: 5, width: 5, kernelHeight: 3, kernelWidth: 3, paddingHeight: -1 })).toThrow(
      "conv2dGeometry: paddingHeight must be an integer of at least 0, got -1",
    );
  });
});

describe("im2col argument errors", () => {
  const g = conv2dGeometry({ channels: 2, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3 });

  it("image past the end of its array", () => {
    expect(() => im2col(g, new Float32Array(31), 0, new Float32Array(72), 0)).toThrow(
      "im2col: the 2×4×4 image at offset 0 needs 32 elements but the image array has 31",
    );
  });

  it("column matrix too small", () => {
    expect(() => col2im(g, new Float32Array(71), 0, new Float32Array(32), 0)).toThrow(
      "col2im: the 18×4 column matrix at offset 0 (leading dimension 4) needs 72 elements but the column array has 71",
    );
  });

  it("ldColumns below the output size", () => {
    expect(() => im2col(g, new Float32Array(32), 0, new Float32Array(72), 0, 3)).toThrow(
      "im2col: ldColumns must be an integer of at least outHeight·outWidth = 4, got 3",
    );
  });
});
