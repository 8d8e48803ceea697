import type { RunDetails } from "../../../api/dashboard.js";
import { $, api, errorBox, esc } from "./dom.js";
import { state } from "./state.js";

export function mediaUrl(id: string, path: string): string {
  return "/api/media?id=" + encodeURIComponent(id) + "&path=" + encodeURIComponent(path);
}

/** One run's images, a slider a key, on the last step first. */
export function mediaPanel(r: RunDetails): string {
  if (!r.media.length) return '<p class="muted">no images logged</p>';
  return r.media
    .map((m, i) => {
      const last = m.items.length - 1;
      const item = m.items[last]!;
      return (
        '<div class="media" data-key="' + esc(m.key) + '"><div class="bar"><b>' + esc(m.key) + '</b> <input type="range" class="media-step" data-i="' + i + '" min="0" max="' + last + '" value="' + last + '"' + (last ? "" : " disabled") +
        '> <span class="media-label">step ' + item.step + '</span> <span class="muted">' + m.items.length + ' image(s)</span></div><img class="media-img" alt="' + esc(m.key) + '" src="' + esc(mediaUrl(r.id, item.path)) + '"></div>'
      );
    })
    .join("");
}

/** The sliders of mediaPanel, once it is in the page. */
export function wireMediaSliders(el: HTMLElement, r: RunDetails): void {
  el.querySelectorAll<HTMLInputElement>("input.media-step").forEach((inp) => {
    inp.oninput = () => {
      const m = r.media[Number(inp.dataset["i"])]!;
      const item = m.items[Number(inp.value)]!;
      const box = inp.closest(".media")!;
      box.querySelector(".media-label")!.textContent = "step " + item.step;
      box.querySelector<HTMLImageElement>(".media-img")!.src = mediaUrl(r.id, item.path);
    };
  });
}

/** The same step of one media key across the selected runs, side by side. */
export function showMedia(ids: string[]): void {
  const d = $("detail");
  void Promise.all(ids.slice(0, 8).map((id) => api<RunDetails>("/api/run", { id }))).then((answers) => {
    const runs: RunDetails[] = [];
    for (const a of answers) {
      if (a.error) {
        d.innerHTML = errorBox(a.error.message);
        return;
      }
      runs.push(a);
    }
    const keys = Array.from(new Set(runs.flatMap((r) => r.media.map((m) => m.key)))).sort();
    if (!keys.length) {
      d.innerHTML = "<h3>Media</h3>" + errorBox("the selected runs logged no images");
      return;
    }
    const key = state.mediaKey !== undefined && keys.includes(state.mediaKey) ? state.mediaKey : keys[0]!;
    const ofKey = (r: RunDetails): RunDetails["media"][number] | undefined => r.media.find((x) => x.key === key);
    const steps = Array.from(new Set(runs.flatMap((r) => ofKey(r)?.items.map((i) => i.step) ?? []))).sort((a, b) => a - b);
    d.innerHTML =
      '<div class="bar"><h3>Media</h3> <select id="media-key">' + keys.map((k) => "<option" + (k === key ? " selected" : "") + ">" + esc(k) + "</option>").join("") +
      '</select> step <input type="range" id="media-all-step" min="0" max="' + (steps.length - 1) + '" value="' + (steps.length - 1) + '"> <span id="media-all-label"></span></div><div id="media-side" class="media-side"></div>';
    const paint = (): void => {
      const step = steps[Number($<HTMLInputElement>("media-all-step").value)]!;
      $("media-all-label").textContent = String(step);
      $("media-side").innerHTML = runs
        .map((r) => {
          const item = ofKey(r)?.items.filter((i) => i.step <= step).pop();
          return (
            "<figure><figcaption>" + esc(r.name || r.id.slice(0, 10)) + (item && item.step !== step ? ' <span class="muted">(step ' + item.step + ")</span>" : "") + "</figcaption>" +
            (item ? '<img src="' + esc(mediaUrl(r.id, item.path)) + '" alt="' + esc(key) + '">' : '<p class="muted">no image by this step</p>') + "</figure>"
          );
        })
        .join("");
    };
    $<HTMLSelectElement>("media-key").onchange = (e) => {
      state.mediaKey = (e.target as HTMLSelectElement).value;
      showMedia(ids);
    };
    $<HTMLInputElement>("media-all-step").oninput = paint;
    paint();
  });
}
