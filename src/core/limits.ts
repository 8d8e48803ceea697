/**
 * How large one experiment may be. Past these, `record`, `import` and `run` refuse it (exit
 * 2), `pull` leaves it in quarantine with the reason, and the index leaves it out with a
 * warning naming it: whatever a remote sends, no single experiment can make every read of a
 * clone slow. Normal experiments (dozens of params, a dozen metrics, series of thousands of
 * points) are far below every one.
 */
export const LIMITS = {
  /** Keys in one JSON file (config.json, results.json, env.json, ...), counted at every level. */
  keysPerFile: 10_000,
  /** Objects and arrays nested in one another in one JSON file. */
  depth: 64,
  /** Bytes of one JSON file of the tree: experiment.json, config.json, a series, ... */
  jsonFileBytes: 16 * 2 ** 20,
  /** Bytes of any other file: patch.diff, log.txt, artifacts, media. */
  fileBytes: 100 * 2 ** 20,
  /** Files in one experiment's tree, in all folders. */
  filesPerTree: 10_000,
  /** Points (steps) of one metric series. */
  pointsPerSeries: 100_000,
  /** Points of all an experiment's series together. */
  pointsPerExperiment: 1_000_000,
} as const;

/** What the limits look at in one JSON text: found by a scan, with no parse. */
export interface JsonShape {
  /** Deepest nesting of objects and arrays (a scalar alone is 0). */
  depth: number;
  /** Object members, at every level. */
  keys: number;
  /** Elements of the longest array. */
  longestArray: number;
}

type Text = string | Uint8Array;

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const OPEN = new Set([123, 91]); // { [
const CLOSE = new Set([125, 93]); // } ]
const SPACE = new Set([32, 9, 10, 13]);

const codeAt = (t: Text, i: number): number => (typeof t === "string" ? t.charCodeAt(i) : t[i]!);

/**
 * The shape of a JSON text, read character by character (strings skipped whole). Every
 * structural character is ASCII, so bytes of UTF-8 and the decoded text scan alike.
 */
export function jsonShape(text: Text): JsonShape {
  let depth = 0;
  let keys = 0;
  let longestArray = 0;
  // Per open container: -1 for an object, else the commas seen in that array (-2: empty so far).
  const open: number[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = codeAt(text, i);
    if (SPACE.has(c)) continue;
    const top = open.length - 1;
    if (top >= 0 && open[top] === -2 && !CLOSE.has(c)) open[top] = 0; // an array's first element
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = codeAt(text, i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (OPEN.has(c)) {
      open.push(c === 123 ? -1 : -2);
      if (open.length > depth) depth = open.length;
    } else if (CLOSE.has(c)) {
      const commas = open.pop();
      if (commas !== undefined && commas >= 0 && commas + 1 > longestArray) longestArray = commas + 1;
    } else if (c === COLON) keys++;
    else if (c === COMMA && top >= 0 && open[top]! >= 0) open[top]!++;
  }
  return { depth, keys, longestArray };
}

/** How often `code` occurs in `text`, counting no further than `cap + 1` (native search, no scan). */
function countUpTo(text: Text, code: number, cap: number): number {
  const next = typeof text === "string" ? ((ch: string) => (from: number) => text.indexOf(ch, from))(String.fromCharCode(code)) : (from: number) => text.indexOf(code, from);
  let n = 0;
  for (let i = next(0); i >= 0 && n <= cap; i = next(i + 1)) n++;
  return n;
}

/**
 * The shape, or an upper bound of it that already passes: most files are checked by their
 * length and a few native searches, never scanned (the index checks 400,000 files a build).
 */
function boundedShape(text: Text, series: boolean): JsonShape {
  const n = text.length;
  // A key needs at least 5 characters ("":0,), a level 2 ([]), a point 4 (one in step and value, each with a comma).
  const keys = n < 5 * LIMITS.keysPerFile ? 0 : countUpTo(text, COLON, LIMITS.keysPerFile);
  const brackets = n < 2 * LIMITS.depth ? 0 : countUpTo(text, 123, LIMITS.depth) + countUpTo(text, 91, LIMITS.depth);
  const points = !series || n < 4 * LIMITS.pointsPerSeries ? 0 : countUpTo(text, COMMA, LIMITS.pointsPerSeries);
  if (keys <= LIMITS.keysPerFile && brackets <= LIMITS.depth && points <= LIMITS.pointsPerSeries) {
    return { depth: brackets, keys, longestArray: points };
  }
  return jsonShape(text);
}

/** Why a JSON text nests past the limit (`what` names it), or undefined: checked before any parse. */
export function jsonDepthProblem(text: Text, what: string): string | undefined {
  const n = text.length;
  if (n < 2 * LIMITS.depth || countUpTo(text, 123, LIMITS.depth) + countUpTo(text, 91, LIMITS.depth) <= LIMITS.depth) return undefined;
  const { depth } = jsonShape(text);
  return depth > LIMITS.depth ? depthMessage(what, depth) : undefined;
}

const depthMessage = (what: string, depth: number): string =>
  `${what} nests objects and arrays ${depth} levels deep, more than the ${LIMITS.depth} allowed`;

/** Why one JSON text is past the limits (`what` names it: "config.json"), or undefined. */
function jsonLimitProblem(text: Text, what: string, options: { series?: boolean } = {}): string | undefined {
  const shape = boundedShape(text, options.series ?? false);
  if (shape.depth > LIMITS.depth) return depthMessage(what, shape.depth);
  if (!options.series && shape.keys > LIMITS.keysPerFile) {
    return `${what} has ${shape.keys} keys, more than the ${LIMITS.keysPerFile} allowed in one file`;
  }
  if (options.series && shape.longestArray > LIMITS.pointsPerSeries) {
    return `${what} has ${shape.longestArray} points, more than the ${LIMITS.pointsPerSeries} allowed in one series`;
  }
  return undefined;
}

/** series/<metric>.json, directly in series/ (system metrics one folder down count too). */
function isSeriesFile(path: string): boolean {
  return path.startsWith("series/") && path.endsWith(".json");
}

const JSON_FILES = new Set(["experiment.json", "config.json", "results.json", "env.json", "inputs.json", "outputs.json"]);

/**
 * Why an experiment's tree is past the limits, or undefined: the one check that record,
 * import, run, pull and the index all make. `files` are the files read (path -> bytes), all
 * of them or only those the caller needs; `fileCount` is how many the tree holds when not
 * all were read. Costs next to nothing for a normal experiment.
 */
export function experimentLimitProblem(files: ReadonlyMap<string, Uint8Array>, fileCount = files.size): string | undefined {
  if (fileCount > LIMITS.filesPerTree) return `the experiment holds ${fileCount} files, more than the ${LIMITS.filesPerTree} allowed`;
  const series: Uint8Array[] = [];
  for (const [path, data] of files) {
    const isSeries = isSeriesFile(path);
    const json = isSeries || JSON_FILES.has(path);
    const max = json ? LIMITS.jsonFileBytes : LIMITS.fileBytes;
    if (data.length > max) return `${path} is ${data.length} bytes, more than the ${max} allowed`;
    if (!json) continue;
    const problem = jsonLimitProblem(data, path, { series: isSeries });
    if (problem) return problem;
    if (isSeries) series.push(data);
  }
  const points = seriesPoints(series);
  if (points > LIMITS.pointsPerExperiment) {
    return `the series hold ${points} points together, more than the ${LIMITS.pointsPerExperiment} allowed in one experiment`;
  }
  return undefined;
}

/** Points of all series together; 0 when their size alone shows the sum is under the limit. */
function seriesPoints(series: Uint8Array[]): number {
  // A point takes at least 4 bytes: a number and a comma in both step and value.
  if (series.reduce((n, d) => n + d.length, 0) < 4 * LIMITS.pointsPerExperiment) return 0;
  return series.reduce((n, d) => n + jsonShape(d).longestArray, 0);
}
