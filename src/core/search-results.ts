/** What `ls` answers: one row per experiment found. */
import type { JsonValue } from "./json.js";

export interface FoundExperiment {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  created_by: string | null;
  branch: string | null;
  source_commit: string | null;
  config_hash: string;
  message: string | null;
  duration_s: number | null;
  exit_code: number | null;
  dirty: boolean | null;
  tags: string[];
  metrics: Record<string, number | null>;
  params?: Record<string, JsonValue>;
}
