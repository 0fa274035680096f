import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

const { normalize, randomCrop, randomFlip, compose } = pl.data;

// A [2, 2, 3] image whose values encode (channel, row, column) as 100c + 10y + x.
function codedImage(channels = 2, height = 2, width = 3): pl.Tensor {
  const values = [];
  for (let c = 0; c < channels; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values.push(100 * c + 10 * y + x);
  return pl.Tensor.fromTypedArray(Float32Array.from(values), [channels, height, width]);
}

describe("normalize", () => {
  test("per-channel mean and std, hand-computed", () => {
    const image = pl.tensor([[[1, 3]], [[10, 20]]]); // [2, 1, 2]
    const out = normalize([2, 10], [1, 5])(image);
    expect(out.toArray()).toEqual([[[-1, 1]], [[0, 2]]]);
    expect(out.dtype).toBe("float32");
  });

  test("one mean and std for every channel of a batch", () => {
    const batch = pl.tensor([[[[0.5, 1]]], [[[0, 0.25]]]], { dtype: "float64" }); // [2, 1, 1, 2]
    const out = normalize(0.5, 0.25)(batch);
    expect(out.dtype).toBe("float64");
    expect(out.toArray()).toEqual([[[[0, 2]]], [[[-2, -1]]]]);
  });

  test("leaves the input unchanged", () => {
    const image = pl.tensor([[[1, 2]]]);
    normalize(1, 1)(image);
    expect(image.toArray()).toEqual([[[1, 2]]]);
  });

  test("rejects non-positive std, wrong channel counts and integer images", () => {
    expect(() => normalize(0, 0)).toThrow(/std=0 is invalid; every standard deviation must be positive/);
    expect(() => normalize([0, 0, 0], 1)(codedImage())).toThrow(/mean=\[0,0,0\] is invalid for 2 channel\(s\)/);
    expect(() => normalize(0, 1)(pl.zeros([1, 2, 2], { dtype: "int32" }))).toThrow(/dtype int32; expected float32 or float64/);
    expect(() => normalize(0, 1)(pl.zeros([4, 4]))).toThrow(/expected an image tensor of shape \[C, H, W\] or \[N, C, H, W\], got a float32 tensor of shape \[4, 4\]/);
  });
});

describe("randomCrop", () => {
  test("matches a naive crop at the drawn offsets", () => {
    const image = codedImage(2, 4, 5);
    const padding = 2;
    const out = randomCrop([3, 4], { padding, fill: -1, generator: new pl.Generator(9) })(image);
    expect(out.shape).toEqual([2, 3, 4]);

    const draws = new pl.Generator(9);
    const top = draws.integer(0, 4 + 2 * padding - 3 + 1) - padding;
    const left = draws.integer(0, 5 + 2 * padding - 4 + 1) - padding;
    const source = image.toArray() as number[][][];
    const expected = source.map((plane) =>
      Array.from({ length: 3 }, (_, y) => Array.from({ length: 4 }, (_, x) => plane[top + y]?.[left + x] ?? -1)),
    );
    expect(out.toArray()).toEqual(expected);
  });

  test("without padding a full-size crop is the image", () => {
    const image = codedImage();
    expect(randomCrop([2, 3], { generator: new pl.Generator(0) })(image).toArray()).toEqual(image.toArray());
  });

  test("every offset of a small case appears", () => {
    // A 1×1 image padded by 1 and cropped to 1×1 has 9 windows, one of them the pixel itself.
    const crop = randomCrop(1, { padding: 1, fill: 0, generator: new pl.Generator(1) });
    const values = new Set<number>();
    let pixelCount = 0;
    for (let i = 0; i < 900; i++) {
      const value = crop(pl.tensor([[[7]]])).item();
      values.add(value);
      if (value === 7) pixelCount++;
    }
    expect([...values].sort()).toEqual([0, 7]);
    expect(pixelCount).toBeGreaterThan(50);
    expect(pixelCount).toBeLessThan(150);
  });

  test("a batch draws offsets per image", () => {
    const images = pl.Tensor.fromTypedArray(Float32Array.from({ length: 4 * 9 }, (_, i) => i % 9), [4, 1, 3, 3]);
    const out = randomCrop(1, { generator: new pl.Generator(4) })(images);
    expect(out.shape).toEqual([4, 1, 1, 1]);
    const draws = new pl.Generator(4);
    const expected = Array.from({ length: 4 }, () => {
      const top = draws.integer(0, 3);
      const left = draws.integer(0, 3);
      return 3 * top + left;
    });
    expect((out.reshape([4]).toArray() as number[])).toEqual(expected);
  });

  test("same seed gives the same crops", () => {
    const image = codedImage(1, 6, 6);
    const a = randomCrop(4, { padding: 1, generator: new pl.Generator(3) });
    const b = randomCrop(4, { padding: 1, generator: new pl.Generator(3) });
    for (let i = 0; i < 5; i++) expect(a(image).toArray()).toEqual(b(image).toArray());
  });

  test("rejects a crop larger than the padded image and bad sizes", () => {
    expect(() => randomCrop(5, { padding: 1 })(codedImage())).toThrow(/crop \[5, 5\] is larger than the padded image \[4, 5\]/);
    expect(() => randomCrop(0)).toThrow(/size=0 is invalid/);
    expect(() => randomCrop(2, { padding: -1 })).toThrow(/padding=-1 is invalid/);
    expect(() => randomCrop(2, { pad: 1 } as never)).toThrow(/unknown option "pad"/);
  });
});

describe("randomFlip", () => {
  test("p = 1 mirrors left and right", () => {
    const out = randomFlip({ p: 1 })(codedImage());
    expect(out.toArray()).toEqual([
      [[2, 1, 0], [12, 11, 10]],
      [[102, 101, 100], [112, 111, 110]],
    ]);
  });

  test("vertical mirrors top and bottom", () => {
    const out = randomFlip({ p: 1, direction: "vertical" })(codedImage());
    expect(out.toArray()).toEqual([
      [[10, 11, 12], [0, 1, 2]],
      [[110, 111, 112], [100, 101, 102]],
    ]);
  });

  test("p = 0 keeps the image", () => {
    expect(randomFlip({ p: 0 })(codedImage()).toArray()).toEqual(codedImage().toArray());
  });

  test("a batch flips the images whose draw is below p", () => {
    const batch = pl.Tensor.fromTypedArray(Float32Array.from([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]), [6, 1, 1, 2]);
    const out = randomFlip({ p: 0.5, generator: new pl.Generator(6) })(batch).reshape([6, 2]).toArray();
    const draws = new pl.Generator(6);
    const expected = Array.from({ length: 6 }, () => (draws.uniform() < 0.5 ? [2, 1] : [1, 2]));
    expect(out).toEqual(expected);
    expect(new Set(expected.map((row) => row[0])).size).toBe(2);
  });

  test("rejects p outside [0, 1] and unknown directions", () => {
    expect(() => randomFlip({ p: 1.5 })).toThrow(/p=1.5 is invalid; expected a number in \[0, 1\]/);
    expect(() => randomFlip({ direction: "diagonal" } as never)).toThrow(/direction="diagonal" is invalid/);
  });
});

describe("compose", () => {
  test("applies transforms left to right", () => {
    const image = pl.tensor([[[1, 3]]]);
    const flipThenShift = compose(randomFlip({ p: 1 }), normalize(1, 2));
    expect(flipThenShift(image).toArray()).toEqual([[[1, 0]]]);
  });

  test("rejects a non-function", () => {
    expect(() => compose(normalize(0, 1), 3 as never)).toThrow(/transform 1 is 3; expected functions/);
  });
});
