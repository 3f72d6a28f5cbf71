/**
 * The trace as one lane per task on a shared tick axis: a table whose rows are ticks and whose
 * columns are tasks. Every step is labelled as the CLI prints it (kernel function, state, object,
 * note). The row of the cursor tick is marked; later rows are dimmed; the steps that formed a
 * deadlock cycle are highlighted.
 */

import { h, fill } from "./dom";
import type { ShownRun } from "./session";

/** Rows beyond this are not drawn (a tick-limit run may be long); the state panel still works. */
export const MAX_ROWS = 10_000;

const NOTE_CLASS: Record<string, string> = {
  granted: "granted",
  queued: "blocks",
  sleeps: "blocks",
  "new, owner": "owns",
  locked: "owns",
  released: "releases",
  "ended episode": "releases",
  instantiated: "releases",
};

/** A stable colour per lane, set through the CSSOM (the page's CSP forbids style attributes). */
export function laneColour(el: HTMLElement | SVGElement, task: number): void {
  el.style.setProperty("--lane", `var(--lane-${task % 8})`);
}

export class Timeline {
  private rows: HTMLTableRowElement[] = [];
  private current = -1;

  constructor(
    private container: HTMLElement,
    private onPick: (tick: number) => void,
  ) {}

  render(run: ShownRun): void {
    const { enc, report, seed } = run;
    const events = report.trace ?? [];
    const lastTick = run.recon.lastTick;
    const shownTicks = Math.min(lastTick, MAX_ROWS);
    const why = report.verdict === "deadlock" ? "formed the waits-for cycle" : `broke ${report.invariant ?? "an invariant"}`;

    const head = h("tr", {}, h("th", { scope: "col", class: "tick-col" }, "tick"));
    enc.threads.forEach((name, k) => {
      const ops = seed.threads[k].ops.map((op) => (op.op === "rename" ? `rename ${op.from} → ${op.to}` : op.op === "kill" ? `kill ${op.task} (SIGKILL)` : `${op.op} ${op.path}`)).join("; ");
      const th = h("th", { scope: "col", class: "lane-head" }, h("span", { class: "lane-name" }, name), h("span", { class: "lane-ops" }, ops));
      laneColour(th, k);
      head.append(th);
    });

    // events by tick, then by lane
    const byTick = new Map<number, number[]>();
    events.forEach((e, i) => {
      if (e.tick > shownTicks) return;
      let list = byTick.get(e.tick);
      if (!list) byTick.set(e.tick, (list = []));
      list.push(i);
    });

    this.rows = [];
    const body = h("tbody");
    const start = h("tr", { class: "start", "data-tick": 0 }, this.tickCell(0), h("td", { colspan: enc.threads.length, class: "start-cell" }, "initial state"));
    this.rows.push(start);
    body.append(start);
    for (let tick = 1; tick <= shownTicks; tick++) {
      const row = h("tr", { "data-tick": tick }, this.tickCell(tick));
      const ran = run.report.choices?.[tick - 1];
      const lanes = enc.threads.map((_, k) => {
        const td = h("td", { class: k === ran ? "lane ran" : "lane" });
        laneColour(td, k);
        return td;
      });
      for (const i of byTick.get(tick) ?? []) {
        const e = events[i];
        const cls = ["step"];
        if (e.fn === "wake_up") cls.push("wake");
        else if (e.state === "enter" || e.state === "return") cls.push("syscall");
        if (NOTE_CLASS[e.note]) cls.push(NOTE_CLASS[e.note]);
        const forming = run.forming.has(i);
        if (forming) cls.push("forming");
        const step = h(
          "div",
          { class: cls.join(" "), "data-event": i, title: `${e.fn} · ${e.state}${e.note ? ` · ${e.note}` : ""}${forming ? ` · ${why}` : ""}` },
          forming ? h("span", { class: "mark", "aria-label": `${why}:` }, "◆ ") : null,
          e.text,
        );
        lanes[e.task]?.append(step);
      }
      if (ran !== undefined && lanes[ran] && lanes[ran].childElementCount === 0) {
        lanes[ran].append(h("div", { class: "step quiet" }, "(a step with no trace event)"));
      }
      row.append(...lanes);
      this.rows.push(row);
      body.append(row);
    }

    const notes: (HTMLElement | null)[] = [];
    if (lastTick > shownTicks) notes.push(h("p", { class: "hint" }, `Ticks after ${shownTicks} are not drawn (the run has ${lastTick}); the state panel follows the cursor to the end.`));
    if (report.traceLost) notes.push(h("p", { class: "hint" }, `${report.traceLost} trace events did not fit the model's trace buffer and are missing.`));
    fill(this.container, h("table", { class: "lanes" }, h("thead", {}, head), body), ...notes);
    this.current = -1;
  }

  private tickCell(tick: number): HTMLTableCellElement {
    const b = h("button", { type: "button", class: "tick-btn", "aria-label": `Go to tick ${tick}`, tabindex: -1 }, String(tick));
    b.addEventListener("click", () => this.onPick(tick));
    return h("th", { scope: "row", class: "tick-col" }, b);
  }

  /** Move the cursor: mark the row, dim the future, keep the row in view. */
  setTick(tick: number, scroll = true): void {
    const last = this.rows.length - 1;
    const next = Math.min(tick, last);
    const prev = this.current;
    if (next === prev) return;
    // only rows between the old and the new cursor change (all of them the first time)
    const [lo, hi] = prev < 0 ? [0, last] : [Math.min(prev, next), Math.max(prev, next)];
    for (let k = lo; k <= hi; k++) this.rows[k].classList.toggle("future", k > next);
    if (prev >= 0) {
      this.rows[prev].classList.remove("current");
      this.rows[prev].removeAttribute("aria-current");
    }
    this.rows[next].classList.add("current");
    this.rows[next].setAttribute("aria-current", "step");
    this.current = next;
    if (scroll) {
      // the lane header is sticky: keep the row below it, not under it
      const head = this.container.querySelector("thead");
      if (head) this.container.style.setProperty("scroll-padding-top", `${head.getBoundingClientRect().height}px`);
      this.rows[next].scrollIntoView({ block: "nearest" });
    }
  }
}
