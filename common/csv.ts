// CSV as RFC 4180 writes it: a header row, CRLF line ends, a field quoted when it holds a comma,
// a double quote (doubled) or a line break. Text that a spreadsheet would run as a formula
// (starting with = + - @, a tab or a carriage return; nmap's product strings come from the
// scanned service) is written with a leading apostrophe; numbers are written as they are.

export interface CsvColumn<R> {
  name: string;
  value: (row: R) => string | number | boolean | null | undefined;
}

export function csvField(v: string | number | boolean | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const line = (cells: string[]): string => `${cells.join(',')}\r\n`;

/** The header row. */
export function csvHeader<R>(columns: ReadonlyArray<CsvColumn<R>>): string {
  return line(columns.map((c) => csvField(c.name)));
}

/** The rows, one line each, without the header (for output written a page at a time). */
export function csvRows<R>(rows: readonly R[], columns: ReadonlyArray<CsvColumn<R>>): string {
  let out = '';
  for (const r of rows) out += line(columns.map((c) => csvField(c.value(r))));
  return out;
}

/** The rows as CSV text, one line per row after the header; the header alone for no rows. */
export function toCsv<R>(rows: readonly R[], columns: ReadonlyArray<CsvColumn<R>>): string {
  return csvHeader(columns) + csvRows(rows, columns);
}
