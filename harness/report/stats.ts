/** Mean and sample standard deviation, for the per-test table and the reports. */

export interface MeanSd {
  mean: number;
  sd: number;
}

export function meanSd(values: number[]): MeanSd {
  if (values.length === 0) return { mean: 0, sd: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, sd: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

export function mean(values: number[]): number {
  return meanSd(values).mean;
}
