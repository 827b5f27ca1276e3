// CSV as RFC 4180 writes it: a header row, CRLF line ends, a field quoted when it holds a comma,
// a double quote (doubled) or a line break. Values are written as they are: a cell starting
// with = + - @ is not neutralised for spreadsheets (the export is data, not a workbook).

export interface CsvColumn<R> {
  name: string;
  value: (row: R) => string | number | boolean | null | undefined;
}

export function csvField(v: string | number | boolean | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The rows as CSV text, one line per row after the header; the header alone for no rows. */
export function toCsv<R>(rows: readonly R[], columns: ReadonlyArray<CsvColumn<R>>): string {
  const line = (cells: string[]): string => `${cells.join(',')}\r\n`;
  let out = line(columns.map((c) => csvField(c.name)));
  for (const r of rows) out += line(columns.map((c) => csvField(c.value(r))));
  return out;
}
