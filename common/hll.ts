// PLACEHOLDER (replaced by the real module at merge)
export function estimate(regs: ArrayLike<number>): number {
  const m = regs.length;
  if (m === 0) return 0;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    sum += 2 ** -regs[i];
    if (regs[i] === 0) zeros++;
  }
  const alpha = 0.709;
  const e = (alpha * m * m) / sum;
  if (e <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
  return e;
}
export function merge(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.max(a[i] ?? 0, b[i] ?? 0));
  return out;
}
export const STANDARD_ERROR = 1.04 / 8;
/** SQL giving estimate() of a sketch column (Array(UInt8)); the same rule, computed by ClickHouse. */
export function estimateSql(arr: string): string {
  const m = `length(${arr})`;
  const raw = `0.709 * ${m} * ${m} / arraySum(arrayMap(x -> exp2(-x), ${arr}))`;
  const zeros = `countEqual(${arr}, 0)`;
  return `if(${m} = 0, 0, if(${raw} <= 2.5 * ${m} AND ${zeros} > 0, ${m} * log(${m} / ${zeros}), ${raw}))`;
}
