import { describe, expect, it } from "vitest";
import { lineChartSvg, niceTicks, smooth } from "../src/report/svg-chart.js";
import { textChart } from "../src/report/text-chart.js";

const runs = [
  { label: "lr=0.1", points: [{ x: 1, y: 1 }, { x: 2, y: 0.5 }, { x: 3, y: NaN }, { x: 4, y: 0.2 }] },
  { label: "lr=<0.01>", points: [{ x: 1, y: 1.2 }, { x: 2, y: 0.9 }, { x: 3, y: 0.7 }, { x: 4, y: 0.6 }] },
];

describe("SVG line charts", () => {
  it("are well-formed standalone SVG with axes, escaped labels and one path per run", () => {
    const svg = lineChartSvg(runs, { title: "loss & friends", xLabel: "step", yLabel: "loss" });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<path class="series"/g)).toHaveLength(2);
    expect(svg).toContain('class="axes"');
    expect(svg).toContain("loss &amp; friends");
    expect(svg).toContain("lr=&lt;0.01&gt;");
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    // the NaN step leaves a gap: the first run's path has two sub-paths
    const first = /data-label="lr=0.1" d="([^"]+)"/.exec(svg)![1]!;
    expect(first.match(/M/g)).toHaveLength(2);
    // the point after the gap has no neighbour to join: it is a dot, not lost
    expect(svg.match(/<circle class="point"/g)).toHaveLength(1);
    // every tag opened is closed
    const opened = (svg.match(/<(svg|g|text|path|title)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|g|text|path|title)>/g) ?? []).length + (svg.match(/<path[^>]*\/>/g) ?? []).length;
    expect(closed).toBe(opened);
  });

  it("draw a point isolated between gaps, or a run's only point, as a dot", () => {
    const svg = lineChartSvg([
      { label: "a", points: [{ x: 0, y: 1 }, { x: 1, y: null }, { x: 2, y: 0.5 }, { x: 3, y: NaN }, { x: 4, y: 0.4 }, { x: 5, y: 0.3 }] },
      { label: "b", points: [{ x: 3, y: 0.7 }] },
    ]);
    const dots = [...svg.matchAll(/<circle class="point" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(dots).toHaveLength(3);
    const xs = [...svg.matchAll(/<text x="([\d.]+)" y="\d+" text-anchor="middle" fill="#333">([0-5])<\/text>/g)].map((m) => [m[2], Number(m[1])] as const);
    const at = new Map(xs);
    expect(dots.sort((p, q) => p - q)).toEqual([at.get("0"), at.get("2"), at.get("3")]);
  });

  it("say so when there is nothing to plot, and skip non-positive values on a log scale", () => {
    expect(lineChartSvg([{ label: "x", points: [{ x: 1, y: null }] }])).toContain("no data to plot");
    const svg = lineChartSvg([{ label: "x", points: [{ x: 1, y: 0 }, { x: 2, y: 10 }, { x: 3, y: 100 }] }], { logY: true, yLabel: "v" });
    expect(svg).toContain("(log)");
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("draw markers, and round ticks", () => {
    const svg = lineChartSvg(runs, { markers: [{ x: 4, y: 0.3, label: "head" }] });
    expect(svg).toContain("<circle");
    expect(svg).toContain(">head<");
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 47, 4)).toEqual([20, 40]);
  });

  it("with integerX, tick only whole numbers (commits are counted, not measured)", () => {
    const pts = { label: "acc", points: [0, 1].map((x) => ({ x, y: 0.9 + x / 100 })) };
    const labels = (svg: string): string[] => [...svg.matchAll(/text-anchor="middle" fill="#333">([^<]+)</g)].map((m) => m[1]!);
    expect(labels(lineChartSvg([pts], { markers: [{ x: 2, y: 0.95, label: "head" }] }))).toContain("0.5");
    const whole = labels(lineChartSvg([pts], { markers: [{ x: 2, y: 0.95, label: "head" }], integerX: true }));
    expect(whole.filter((l) => /^\d/.test(l))).toEqual(["0", "1", "2"]);
  });

  it("smooth with an exponential moving average, keeping gaps", () => {
    const s = smooth(runs[0]!.points, 0.5);
    expect(s.map((p) => p.y)).toEqual([1, 0.75, NaN, 0.475]);
  });
});

describe("text charts", () => {
  it("fit the width and mark each series", () => {
    const t = textChart(runs, { width: 60, title: "loss" });
    for (const line of t.split("\n")) expect(line.length).toBeLessThanOrEqual(60);
    expect(t).toContain("* lr=0.1");
    expect(t).toContain("+ lr=<0.01>");
    expect(textChart([], { width: 40 })).toBe("no data to plot\n");
  });
});
