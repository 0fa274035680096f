import { type Generator, InvalidArgumentError, Tensor, isFloating } from "../tensor/index.js";
import { checkKeys, checkRange, describe, formatShapeOf, generatorOr } from "./util.js";

/**
 * Image transforms for tensors of shape [C, H, W] (one image) or [N, C, H, W] (a batch).
 * Each returns a new tensor, and the random ones draw per image from their `generator`
 * (the default generator, seeded by manualSeed, when omitted), so one seed gives the same
 * augmentations in every process.
 */
export type Transform = (image: Tensor) => Tensor;

interface ImageLayout {
  count: number;
  channels: number;
  height: number;
  width: number;
}

function layoutOf(owner: string, image: Tensor): ImageLayout {
  if (!(image instanceof Tensor) || (image.ndim !== 3 && image.ndim !== 4)) {
    throw new InvalidArgumentError(`${owner}: expected an image tensor of shape [C, H, W] or [N, C, H, W], got ${describe(image)}.`);
  }
  const [channels, height, width] = image.shape.slice(-3);
  return { count: image.ndim === 4 ? image.shape[0] : 1, channels, height, width };
}

function channelValues(owner: string, name: string, value: number | readonly number[], channels: number): number[] {
  const values = typeof value === "number" ? new Array<number>(channels).fill(value) : [...value];
  if (values.length !== channels || values.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new InvalidArgumentError(`${owner}: ${name}=${JSON.stringify(value)} is invalid for ${channels} channel(s); expected a finite number or an array of ${channels} finite numbers.`);
  }
  return values;
}

/**
 * Normalizes each channel c: out = (x − mean[c]) / std[c]. `mean` and `std` are one number for
 * every channel or one number per channel. The input must be float32 or float64.
 * Example: `normalize(0.1307, 0.3081)` for MNIST digits in [0, 1].
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const asList = (v: number | readonly number[]): number[] => (typeof v === "number" ? [v] : [...v]);
  if (asList(std).some((s) => !(s > 0))) {
    throw new InvalidArgumentError(`normalize: std=${JSON.stringify(std)} is invalid; every standard deviation must be positive.`);
  }
  return (image) => {
    const { count, channels, height, width } = layoutOf("normalize", image);
    if (!isFloating(image.dtype)) {
      throw new InvalidArgumentError(`normalize: the image has dtype ${image.dtype}; expected float32 or float64. Convert it first, for example by dividing bytes by 255.`);
    }
    const means = channelValues("normalize", "mean", typeof mean === "number" || mean.length !== 1 ? mean : mean[0], channels);
    const stds = channelValues("normalize", "std", typeof std === "number" || std.length !== 1 ? std : std[0], channels);
    const data = image.dataSync();
    const plane = height * width;
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < channels; c++) {
        const start = (n * channels + c) * plane;
        for (let i = start; i < start + plane; i++) data[i] = (data[i] - means[c]) / stds[c];
      }
    }
    return Tensor.fromTypedArray(data, image.shape);
  };
}

export interface RandomCropOptions {
  /** Pixels of `fill` added on every side before cropping: one number, or [vertical, horizontal]. */
  padding?: number | readonly [number, number];
  /** The value of padded pixels; 0 by default. */
  fill?: number;
  generator?: Generator;
}

/**
 * Crops a random `size` window (a number for a square, or [height, width]) out of each image,
 * after padding it by `padding` on every side. The top and left offsets are uniform integers,
 * drawn top first, per image.
 * Example: `randomCrop(28, { padding: 2 })` shifts MNIST digits by up to 2 pixels.
 */
export function randomCrop(size: number | readonly [number, number], options?: RandomCropOptions): Transform {
  const opts = checkKeys("randomCrop", options, ["padding", "fill", "generator"]);
  const [cropHeight, cropWidth] = typeof size === "number" ? [size, size] : size;
  const [padY, padX] = typeof opts.padding === "object" ? opts.padding : [opts.padding ?? 0, opts.padding ?? 0];
  if (![cropHeight, cropWidth].every((v) => Number.isInteger(v) && v > 0)) {
    throw new InvalidArgumentError(`randomCrop: size=${JSON.stringify(size)} is invalid; expected a positive integer or [height, width].`);
  }
  if (![padY, padX].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new InvalidArgumentError(`randomCrop: padding=${JSON.stringify(opts.padding)} is invalid; expected a non-negative integer or [vertical, horizontal].`);
  }
  const fill = opts.fill ?? 0;
  const generator = generatorOr(opts.generator);

  return (image) => {
    const { count, channels, height, width } = layoutOf("randomCrop", image);
    const paddedHeight = height + 2 * padY;
    const paddedWidth = width + 2 * padX;
    if (cropHeight > paddedHeight || cropWidth > paddedWidth) {
      throw new InvalidArgumentError(
        `randomCrop: the crop [${cropHeight}, ${cropWidth}] is larger than the padded image [${paddedHeight}, ${paddedWidth}] from shape ${formatShapeOf(image)}; use a smaller size or more padding.`,
      );
    }
    const source = image.dataSync();
    const out = new (source.constructor as new (n: number) => typeof source)(count * channels * cropHeight * cropWidth);
    for (let n = 0; n < count; n++) {
      const top = generator.integer(0, paddedHeight - cropHeight + 1) - padY;
      const left = generator.integer(0, paddedWidth - cropWidth + 1) - padX;
      for (let c = 0; c < channels; c++) {
        const from = (n * channels + c) * height * width;
        const to = (n * channels + c) * cropHeight * cropWidth;
        for (let y = 0; y < cropHeight; y++) {
          const sy = top + y;
          for (let x = 0; x < cropWidth; x++) {
            const sx = left + x;
            const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
            out[to + y * cropWidth + x] = inside ? source[from + sy * width + sx] : fill;
          }
        }
      }
    }
    const shape = image.ndim === 4 ? [count, channels, cropHeight, cropWidth] : [channels, cropHeight, cropWidth];
    return Tensor.fromTypedArray(out, shape);
  };
}

export interface RandomFlipOptions {
  /** The probability of flipping each image; 0.5 by default. */
  p?: number;
  /** "horizontal" mirrors left and right (the default); "vertical" mirrors top and bottom. */
  direction?: "horizontal" | "vertical";
  generator?: Generator;
}

/** Mirrors each image with probability `p`; image n flips when the n-th uniform draw is below p. */
export function randomFlip(options?: RandomFlipOptions): Transform {
  const opts = checkKeys("randomFlip", options, ["p", "direction", "generator"]);
  const p = checkRange("randomFlip", "p", opts.p ?? 0.5, 0, 1);
  const direction = opts.direction ?? "horizontal";
  if (direction !== "horizontal" && direction !== "vertical") {
    throw new InvalidArgumentError(`randomFlip: direction=${JSON.stringify(direction)} is invalid; expected "horizontal" or "vertical".`);
  }
  const generator = generatorOr(opts.generator);

  return (image) => {
    const { count, channels, height, width } = layoutOf("randomFlip", image);
    const data = image.dataSync();
    const source = data.slice();
    const plane = height * width;
    for (let n = 0; n < count; n++) {
      if (!(generator.uniform() < p)) continue;
      for (let c = 0; c < channels; c++) {
        const start = (n * channels + c) * plane;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const from = direction === "horizontal" ? y * width + (width - 1 - x) : (height - 1 - y) * width + x;
            data[start + y * width + x] = source[start + from];
          }
        }
      }
    }
    return Tensor.fromTypedArray(data, image.shape);
  };
}

/** Applies `transforms` left to right. */
export function compose(...transforms: Transform[]): Transform {
  const bad = transforms.findIndex((t) => typeof t !== "function");
  if (bad >= 0) {
    throw new InvalidArgumentError(`compose: transform ${bad} is ${describe(transforms[bad])}; expected functions such as normalize(0.5, 0.5).`);
  }
  return (image) => transforms.reduce((x, transform) => transform(x), image);
}
