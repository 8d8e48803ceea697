import { arch, cpus, platform, release, totalmem } from "node:os";
import type { JsonObject } from "../core/json.js";

/**
 * The environment facts that are free to read (no probe process): OS, CPU, memory and the
 * node runtime, in env.json's shape. A fuller capture (GPUs, Python packages) can replace it.
 */
export function basicEnv(): JsonObject {
  const cpu = cpus();
  return {
    os: { platform: platform(), release: release(), arch: arch() },
    cpu: { model: cpu[0]?.model.trim() ?? "unknown", cores: cpu.length },
    memory: { total_bytes: totalmem() },
    runtimes: { node: process.versions.node },
  };
}
