// A HyperLogLog of distinct 32-bit ids with precision 6: 64 one-byte registers, each the largest
// rank (1 + leading zeros of the hash's low 26 bits, so 1..27; 0 = untouched) of the hashes its
// top 6 bits select. Standard error 1.04 / sqrt(64), about 13%; small counts use linear counting,
// which is near exact. Two sketches merge by element-wise max, which is what ClickHouse's
// maxForEach computes over Array(UInt8) columns; an empty array stands for "no ids".

export const HLL_PRECISION = 6;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
/** The largest register value: every one of the 26 low bits zero. */
export const HLL_MAX_RANK = 32 - HLL_PRECISION + 1;
/** Relative standard error of hllEstimate: 1.04 / sqrt(registers). */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);

const LOW_BITS = (1 << (32 - HLL_PRECISION)) - 1;
const ALPHA = 0.709; // the bias constant for 64 registers (Flajolet et al.)
const TWO_32 = 2 ** 32;

/** A well-mixed 32-bit hash of a client id (an IPv4 address or an IPv6 address's hash): fmix32. */
export function hllHash(id: number): number {
  let h = id | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Add `hash` (from hllHash) to the sketch stored at regs[off .. off + 64). */
export function hllAdd(regs: Uint8Array, off: number, hash: number): void {
  const i = off + (hash >>> (32 - HLL_PRECISION));
  const rank = Math.clz32(hash & LOW_BITS) - HLL_PRECISION + 1;
  if (rank > regs[i]) regs[i] = rank;
}

/** Fold sketch `from` into `into` (64 registers): element-wise max. An empty `from` adds nothing. */
export function hllMerge(into: Uint8Array, from: ArrayLike<number>): void {
  for (let i = 0; i < from.length; i++) if (from[i] > into[i]) into[i] = from[i];
}

/** The estimated number of distinct ids in a sketch (not rounded); 0 for an empty array. */
export function hllEstimate(regs: ArrayLike<number>): number {
  if (regs.length === 0) return 0;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    sum += 2 ** -regs[i];
    if (regs[i] === 0) zeros++;
  }
  const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
  // small range: linear counting over the untouched registers
  if (raw <= 2.5 * HLL_REGISTERS && zeros > 0) return HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros);
  // large range: hash collisions in 32 bits
  if (raw > TWO_32 / 30) return -TWO_32 * Math.log(1 - raw / TWO_32);
  return raw;
}

/** SQL giving hllEstimate() of a sketch column (Array(UInt8)): the same rule, computed by ClickHouse. */
export function hllEstimateSql(arr: string): string {
  const m = HLL_REGISTERS;
  const raw = `(${ALPHA * m * m} / arraySum(arrayMap(x -> exp2(-x), ${arr})))`;
  const zeros = `countEqual(${arr}, 0)`;
  return `if(length(${arr}) = 0, 0, multiIf(${raw} <= ${2.5 * m} AND ${zeros} > 0, ${m} * log(${m} / ${zeros}),
    ${raw} > ${TWO_32 / 30}, -${TWO_32} * log(1 - ${raw} / ${TWO_32}), ${raw}))`;
}
