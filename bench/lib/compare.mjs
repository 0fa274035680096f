// Agreement checks between engines' results.

/** Returns max |expected − actual| / max |expected| over two arrays of equal length. */
export function maxRelativeDifference(expected, actual) {
  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(expected[i] - actual[i]));
    maxMagnitude = Math.max(maxMagnitude, Math.abs(expected[i]));
  }
  return maxDifference / maxMagnitude;
}
