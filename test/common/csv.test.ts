// RFC 4180 output of `porthole services --csv`: header row, quoting, CRLF.

import { describe, expect, it } from 'vitest';
import { type CsvColumn, csvField, toCsv } from '../../common/csv.js';

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['', ''],
    [null, ''],
    [443, '443'],
    [-1, '-1'],
    [true, 'true'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+1', "'+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('field %j is %j', (v, want) => {
    expect(csvField(v)).toBe(want);
  });
  it('writes a header row and one CRLF line per row', () => {
    const cols: CsvColumn<{ ip: string; port: number; product: string }>[] = [
      { name: 'ip', value: (r) => r.ip },
      { name: 'port', value: (r) => r.port },
      { name: 'product, version', value: (r) => r.product },
    ];
    expect(
      toCsv(
        [
          { ip: '192.0.2.1', port: 22, product: 'OpenSSH "9.0"' },
          { ip: '2001:db8::1', port: 443, product: '' },
        ],
        cols,
      ),
    ).toBe('ip,port,"product, version"\r\n192.0.2.1,22,"OpenSSH ""9.0"""\r\n2001:db8::1,443,\r\n');
    expect(toCsv([], cols)).toBe('ip,port,"product, version"\r\n');
  });
});
