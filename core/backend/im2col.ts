/**
 * im2col and col2im for 2-D convolution, so that a convolution becomes one matrix multiply.
 *
 * Layout, for one image of C×H×W (row-major, channel first) and a kernel of kH×kW:
 * the column matrix has C·kH·kW rows and outH·outW columns. Row `c·kH·kW + i·kW + j` is kernel
 * tap (i, j) of channel c, and column `oh·outW + ow` is output position (oh, ow). The entry is
 *
 *   x[c, oh·strideHeight − paddingHeight + i·dilationHeight, ow·strideWidth − paddingWidth + j·dilationWidth]
 *
 * or 0 when that position falls in the padding. A convolution with weights reshaped to
 * F×(C·kH·kW) is then `weights · columns`, an F×(outH·outW) result.
 */

type FloatArray = Float32Array | Float64Array;

/** Shape of one 2-D convolution over a single image: input, kernel, stride, padding, dilation, output. */
export interface Conv2dGeometry {
  channels: number;
  height: number;
  width: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** Zero rows above the image (and below it, when outHeight comes from conv2dGeometry). */
  paddingHeight: number;
  /** Zero columns left of the image (and right of it, when outWidth comes from conv2dGeometry). */
  paddingWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  outHeight: number;
  outWidth: number;
}

/** Input and kernel sizes for conv2dGeometry. Stride and dilation default to 1 and padding to 0. */
export interface Conv2dGeometryOptions {
  channels: number;
  height: number;
  width: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight?: number;
  strideWidth?: number;
  paddingHeight?: number;
  paddingWidth?: number;
  dilationHeight?: number;
  dilationWidth?: number;
}

/**
 * Validates convolution sizes and computes the output size with symmetric zero padding, as
 * PyTorch's conv2d does: outHeight = ⌊(H + 2·paddingHeight − dilationHeight·(kH − 1) − 1) / strideHeight⌋ + 1,
 * and likewise for the width.
 *
 * @example
 * // 28×28 image, 3×3 kernel, padding 1: output 28×28
 * conv2dGeometry({ channels: 1, height: 28, width: 28, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1 });
 * @throws RangeError when a size is not an integer in its range, or the dilated kernel is larger
 *   than the padded input.
 */
export function conv2dGeometry(options: Conv2dGeometryOptions): Conv2dGeometry {
  const geometry = {
    channels: options.channels,
    height: options.height,
    width: options.width,
    kernelHeight: options.kernelHeight,
    kernelWidth: options.kernelWidth,
    strideHeight: options.strideHeight ?? 1,
    strideWidth: options.strideWidth ?? 1,
    paddingHeight: options.paddingHeight ?? 0,
    paddingWidth: options.paddingWidth ?? 0,
    dilationHeight: options.dilationHeight ?? 1,
    dilationWidth: options.dilationWidth ?? 1,
  };
  for (const name of ["channels", "height", "width", "paddingHeight", "paddingWidth"] as const) {
    checkInteger(name, geometry[name], 0);
  }
  for (const name of ["kernelHeight", "kernelWidth", "strideHeight", "strideWidth", "dilationHeight", "dilationWidth"] as const) {
    checkInteger(name, geometry[name], 1);
  }

  const outHeight = outputSize(geometry.height, geometry.kernelHeight, geometry.strideHeight, geometry.paddingHeight, geometry.dilationHeight);
  const outWidth = outputSize(geometry.width, geometry.kernelWidth, geometry.strideWidth, geometry.paddingWidth, geometry.dilationWidth);
  if (outHeight < 1 || outWidth < 1) {
    throw new RangeError(
      `conv2dGeometry: the dilated ${geometry.kernelHeight}×${geometry.kernelWidth} kernel ` +
        `(dilation ${geometry.dilationHeight}×${geometry.dilationWidth}) is larger than the padded ` +
        `${geometry.height}×${geometry.width} input (padding ${geometry.paddingHeight}×${geometry.paddingWidth}); ` +
        `use a smaller kernel or dilation, or more padding`,
    );
  }
  return { ...geometry, outHeight, outWidth };
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`conv2dGeometry: ${name} must be an integer of at least ${min}, got ${value}`);
  }
}

function outputSize(size: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Copies the receptive fields of one C×H×W image into a (C·kH·kW)×(outH·outW) column matrix,
 * with the layout described at the top of this file.
 *
 * The image starts at `x[xOffset]`, and entry (row, column) of the result is written to
 * `columns[columnsOffset + row·ldColumns + column]`. A `ldColumns` above outH·outW lets a batch
 * share one wide matrix: image b can write at `columnsOffset = b·outH·outW` with
 * `ldColumns = N·outH·outW`. For grouped convolution, pass the group's channel count in
 * `geometry.channels` and `xOffset` at its first channel.
 *
 * @throws RangeError when the image or the column matrix reaches past the end of its array.
 */
export function im2col(
  geometry: Conv2dGeometry,
  x: FloatArray,
  xOffset: number,
  columns: FloatArray,
  columnsOffset: number,
  ldColumns: number = geometry.outHeight * geometry.outWidth,
): void {
  checkExtents("im2col", geometry, x, xOffset, columns, columnsOffset, ldColumns);
  const { channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = geometry;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelHeight; i++) {
      for (let j = 0; j < kernelWidth; j++) {
        const row = (c * kernelHeight + i) * kernelWidth + j;
        const shiftW = j * geometry.dilationWidth - geometry.paddingWidth;
        const [first, end] = validOutputRange(shiftW, geometry.strideWidth, width, outWidth);
        for (let oh = 0; oh < outHeight; oh++) {
          const ih = oh * geometry.strideHeight - geometry.paddingHeight + i * geometry.dilationHeight;
          const out = columnsOffset + row * ldColumns + oh * outWidth;
          if (ih < 0 || ih >= height) {
            columns.fill(0, out, out + outWidth);
            continue;
          }
          const source = xOffset + (c * height + ih) * width + shiftW;
          columns.fill(0, out, out + first);
          for (let ow = first; ow < end; ow++) {
            columns[out + ow] = x[source + ow * geometry.strideWidth];
          }
          columns.fill(0, out + end, out + outWidth);
        }
      }
    }
  }
}

/**
 * Adds each entry of a (C·kH·kW)×(outH·outW) column matrix back onto the image position it was
 * taken from, the adjoint of im2col: `x += col2im(columns)`. Entries that fall in the padding
 * are dropped. Offsets and `ldColumns` mean the same as for im2col.
 *
 * @throws RangeError when the image or the column matrix reaches past the end of its array.
 */
export function col2im(
  geometry: Conv2dGeometry,
  columns: FloatArray,
  columnsOffset: number,
  x: FloatArray,
  xOffset: number,
  ldColumns: number = geometry.outHeight * geometry.outWidth,
): void {
  checkExtents("col2im", geometry, x, xOffset, columns, columnsOffset, ldColumns);
  const { channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = geometry;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelHeight; i++) {
      for (let j = 0; j < kernelWidth; j++) {
        const row = (c * kernelHeight + i) * kernelWidth + j;
        const shiftW = j * geometry.dilationWidth - geometry.paddingWidth;
        const [first, end] = validOutputRange(shiftW, geometry.strideWidth, width, outWidth);
        for (let oh = 0; oh < outHeight; oh++) {
          const ih = oh * geometry.strideHeight - geometry.paddingHeight + i * geometry.dilationHeight;
          if (ih < 0 || ih >= height) continue;
          const source = columnsOffset + row * ldColumns + oh * outWidth;
          const target = xOffset + (c * height + ih) * width + shiftW;
          for (let ow = first; ow < end; ow++) {
            x[target + ow * geometry.strideWidth] += columns[source + ow];
          }
        }
      }
    }
  }
}

/**
 * Returns [first, end): the output columns ow whose input column ow·stride + shift lies in
 * [0, width). Columns outside the range read padding.
 */
function validOutputRange(shift: number, stride: number, width: number, outWidth: number): [number, number] {
  const first = Math.min(outWidth, shift >= 0 ? 0 : Math.ceil(-shift / stride));
  const last = width - 1 - shift;
  const end = last < 0 ? 0 : Math.min(outWidth, Math.floor(last / stride) + 1);
  return [first, Math.max(first, end)];
}

function checkExtents(
  op: string,
  geometry: Conv2dGeometry,
  x: FloatArray,
  xOffset: number,
  columns: FloatArray,
  columnsOffset: number,
  ldColumns: number,
): void {
  const imageSize = geometry.channels * geometry.height * geometry.width;
  if (!Number.isInteger(xOffset) || xOffset < 0 || xOffset + imageSize > x.length) {
    throw new RangeError(
      `${op}: the ${geometry.channels}×${geometry.height}×${geometry.width} image at offset ${xOffset} ` +
        `needs ${xOffset + imageSize} elements but the image array has ${x.length}`,
    );
  }
  const rows = geometry.channels * geometry.kernelHeight * geometry.kernelWidth;
  const cols = geometry.outHeight * geometry.outWidth;
  if (!Number.isInteger(ldColumns) || ldColumns < cols) {
    throw new RangeError(`${op}: ldColumns must be an integer of at least outHeight·outWidth = ${cols}, got ${ldColumns}`);
  }
  const end = rows === 0 ? columnsOffset : columnsOffset + (rows - 1) * ldColumns + cols;
  if (!Number.isInteger(columnsOffset) || columnsOffset < 0 || end > columns.length) {
    throw new RangeError(
      `${op}: the ${rows}×${cols} column matrix at offset ${columnsOffset} (leading dimension ${ldColumns}) ` +
        `needs ${end} elements but the column array has ${columns.length}`,
    );
  }
}
