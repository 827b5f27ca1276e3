// A set of non-negative integer ids below 2^53 (client addresses or their hashes), open
// addressing over a Float64Array: adding allocates nothing until the table grows. Capped: once
// `cap` ids are in, further new ids are not kept (size stays a lower bound).

export class IdSet {
  private keys = new Float64Array(16).fill(-1);
  size = 0;

  constructor(private readonly cap: number) {}

  add(id: number): void {
    let keys = this.keys;
    let mask = keys.length - 1;
    let i = (id ^ (id / 4294967296)) & mask;
    for (;;) {
      const k = keys[i];
      if (k === id) return;
      if (k === -1) break;
      i = (i + 1) & mask;
    }
    if (this.size >= this.cap) return;
    if ((this.size + 1) * 2 > keys.length) {
      this.grow();
      keys = this.keys;
      mask = keys.length - 1;
      i = (id ^ (id / 4294967296)) & mask;
      while (keys[i] !== -1) i = (i + 1) & mask;
    }
    keys[i] = id;
    this.size++;
  }

  private grow(): void {
    const old = this.keys;
    const keys = new Float64Array(old.length * 2).fill(-1);
    const mask = keys.length - 1;
    for (const k of old) {
      if (k === -1) continue;
      let i = (k ^ (k / 4294967296)) & mask;
      while (keys[i] !== -1) i = (i + 1) & mask;
      keys[i] = k;
    }
    this.keys = keys;
  }
}
