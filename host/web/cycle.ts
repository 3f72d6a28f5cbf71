/**
 * A deadlock's waits-for cycle (from the model: RunReport.cycle) as a drawing: one node per task
 * with its system call, one arrow per edge labelled with the kind of wait (rwsem queue, in-lookup
 * wait, lookup lock) and the object waited on. A list says the same for screen readers.
 */

import { killableSummary, killableText, type CycleEdge } from "../core/trace";
import { fill, h, s } from "./dom";
import type { KernelView } from "./state";
import { laneColour } from "./timeline";

const W = 620, NODE_W = 170, NODE_H = 48;

interface Pt {
  x: number;
  y: number;
}

/** Where the ray from a box's centre towards `to` leaves the box. */
function boxExit(c: Pt, to: Pt, pad = 4): Pt {
  const dx = to.x - c.x, dy = to.y - c.y;
  const sx = dx === 0 ? Infinity : (NODE_W / 2 + pad) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (NODE_H / 2 + pad) / Math.abs(dy);
  const k = Math.min(sx, sy, 1);
  return { x: c.x + dx * k, y: c.y + dy * k };
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export function renderCycle(el: HTMLElement, cycle: CycleEdge[], view: KernelView): void {
  const tasks = new Map(view.tasks.map((t) => [t.name, t]));
  const n = cycle.length;
  const H = n <= 2 ? 220 : 330;
  const cx = W / 2, cy = H / 2;
  const rx = n <= 2 ? 170 : 200, ry = n <= 2 ? 0 : 110;
  // first node on the left, then clockwise
  const pos: Pt[] = cycle.map((_, i) => {
    const a = Math.PI + (2 * Math.PI * i) / n;
    return { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) };
  });

  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, class: "cycle-svg", role: "img", "aria-labelledby": "cycle-title" },
    s("title", { id: "cycle-title" }, `Waits-for cycle: ${cycle.map((c) => c.task).join(" → ")} → ${cycle[0]?.task ?? ""}`),
    s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }))),
  );

  // edges first, so nodes sit on top
  cycle.forEach((edge, i) => {
    const a = pos[i], b = pos[(i + 1) % n];
    const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    // bend away from the middle of the drawing; with two nodes, to the left of the direction of
    // travel, so the two edges part ways
    let nx = -(b.y - a.y) / len, ny = (b.x - a.x) / len;
    if ((mx - cx) * nx + (my - cy) * ny < 0) [nx, ny] = [-nx, -ny];
    const bend = n <= 2 ? 55 : 30;
    const c = { x: mx + nx * bend, y: my + ny * bend };
    const p0 = boxExit(a, c), p1 = boxExit(b, c);
    const waiter = tasks.get(edge.task);
    const what = waiter?.waitsOn ? `${edge.wait} on ${waiter.waitsOn.label}` : edge.wait;
    // the label sits beyond the curve's midpoint on the side it bends to, running away from it
    const qx = 0.25 * p0.x + 0.5 * c.x + 0.25 * p1.x, qy = 0.25 * p0.y + 0.5 * c.y + 0.25 * p1.y;
    const lx = qx + nx * 10, ly = qy + ny * 10 + (ny > 0.3 ? 10 : ny < -0.3 ? -2 : 4);
    const anchor = nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle";
    svg.append(
      s(
        "g",
        { class: `cycle-edge kind-${edge.wait.replace(/[^a-z]+/g, "-")}`, "data-kind": edge.wait },
        s("path", { d: `M${p0.x},${p0.y} Q${c.x},${c.y} ${p1.x},${p1.y}`, "marker-end": "url(#arrow)" }),
        s("text", { x: lx, y: ly, "text-anchor": anchor, class: "edge-label" }, clip(what, 40)),
      ),
    );
  });

  cycle.forEach((edge, i) => {
    const p = pos[i];
    const t = tasks.get(edge.task);
    const g = s(
      "g",
      { class: "cycle-node", "data-task": edge.task, transform: `translate(${p.x - NODE_W / 2},${p.y - NODE_H / 2})` },
      s("title", {}, `${edge.task}: ${t?.syscall ?? ""}${t?.stack.length ? ` in ${t.stack[t.stack.length - 1].fn}` : ""}`),
      s("rect", { width: NODE_W, height: NODE_H, rx: 8 }),
      s("text", { x: 10, y: 19, class: "node-name" }, clip(edge.task, 20)),
      s("text", { x: 10, y: 37, class: "node-call" }, clip(t?.syscall ?? "", 26)),
    );
    if (t) laneColour(g, t.index);
    svg.append(g);
  });

  const list = h(
    "ol",
    { class: "cycle-list" },
    ...cycle.map((edge, i) => {
      const next = cycle[(i + 1) % n].task;
      const a = tasks.get(edge.task), b = tasks.get(next);
      return h(
        "li",
        {},
        h("strong", {}, edge.task),
        a?.syscall ? ` (${a.syscall})` : "",
        " waits for ",
        h("strong", {}, next),
        b?.syscall ? ` (${b.syscall})` : "",
        ": ",
        h("span", { class: "kind" }, edge.wait),
        a?.waitsOn ? h("span", {}, " on ", h("code", {}, a.waitsOn.label)) : null,
        h("span", { class: edge.killable ? "killable" : "d-state", "data-killable": String(edge.killable) }, ` [${killableText(edge)}]`),
      );
    }),
  );

  fill(
    el,
    h("h3", {}, "Waits-for cycle"),
    svg,
    list,
    h("p", { class: "cycle-kill" }, killableSummary(cycle)),
    h("p", { class: "hint" }, "The cycle is the model's; the steps that formed it are marked ◆ in the trace."),
  );
}
