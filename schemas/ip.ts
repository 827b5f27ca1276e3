// IP address text: canonical forms from packet bytes (dotted quad for IPv4; RFC 5952 for IPv6:
// lowercase, longest run of two or more zero groups compressed, first on ties) and a strict parser.

export function ipv4Text(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

export function ipv6Text(b: Uint8Array, o: number): string {
  // the longest run of two or more zero groups (the first on ties) becomes "::"; no arrays, as
  // this runs for every new endpoint, mostly before the JIT has optimised it
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    const zero = i < 8 && b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      if (i - runStart > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart;
      }
      runStart = -1;
    }
  }
  // IPv4-mapped addresses keep their dotted tail, as inet_ntop and tshark print them
  if (bestStart === 0 && bestLen === 5 && b[o + 10] === 0xff && b[o + 11] === 0xff)
    return `::ffff:${ipv4Text(b, o + 12)}`;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += ((b[o + 2 * i] << 8) | b[o + 2 * i + 1]).toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

export function ipText(b: Uint8Array, o: number, version: number): string {
  return version === 4 ? ipv4Text(b, o) : ipv6Text(b, o);
}

/** Parse IPv4 or IPv6 text into 4 or 16 bytes; null when it is not an address. */
export function parseIp(text: string): Uint8Array | null {
  if (text.includes(':')) return parseIPv6(text);
  return parseIPv4(text);
}

/** Dotted quad, four decimal parts 0..255 without leading zeros (hot: runs per message). */
function parseIPv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let part = 0;
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // a final '.' closes the last part
    if (c === 46) {
      if (digits === 0 || part > 3) return null;
      out[part++] = n;
      n = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && n === 0) return null; // leading zero
      n = n * 10 + (c - 48);
      if (++digits > 3 || n > 255) return null;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

function parseIPv6(s: string): Uint8Array | null {
  if (s.includes('%')) return null; // zone ids are not addresses of a host
  const out = new Uint8Array(16);
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const res: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        res.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        res.push(parseInt(p, 16));
      }
    }
    return res;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The canonical text of an address, or null when `text` is not an address. */
export function canonicalIp(text: string): string | null {
  if (!text.includes(':')) return parseIPv4(text) ? text : null; // valid dotted quads are canonical
  const b = parseIp(text);
  if (!b) return null;
  return b.length === 4 ? ipv4Text(b, 0) : ipv6Text(b, 0);
}
