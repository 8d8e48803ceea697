import { describe, expect, it } from "vitest";
import { parseGitDate } from "../src/core/time.js";

describe("GIT_AUTHOR_DATE forms git accepts", () => {
  it("epoch, ISO 8601 with Z or an offset, git's ISO form with a space before the zone", () => {
    const at = Date.UTC(2026, 0, 10, 10, 0, 0);
    expect(parseGitDate("@1768039200 +0000")).toBe(at);
    expect(parseGitDate("2026-01-10T10:00:00Z")).toBe(at);
    expect(parseGitDate("2026-01-10T12:00:00+02:00")).toBe(at);
    expect(parseGitDate("2026-01-10T10:00:00 +0000")).toBe(at);
    expect(parseGitDate("2026-01-10 12:00:00 +0200")).toBe(at);
  });

  it("anything else is refused with the forms to use", () => {
    expect(() => parseGitDate("next tuesday")).toThrow(/@<epoch seconds> \+0000/);
  });
});
