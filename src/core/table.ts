/** A typed table of experiments for export: CSV writes text, Parquet keeps the types. */
export interface ExportColumn {
  name: string;
  type: "varchar" | "double" | "integer" | "boolean" | "timestamp" | "varchar[]";
}
export type ExportValue = string | number | boolean | string[] | null;
export interface ExportTable {
  columns: ExportColumn[];
  rows: ExportValue[][];
}
