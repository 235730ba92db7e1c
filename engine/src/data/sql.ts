/** A SQL string literal. For the few places DuckDB takes no parameter: file paths in COPY and read_parquet. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
