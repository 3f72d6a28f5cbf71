/**
 * A deadlock's waits-for cycle (from the model: RunReport.cycle) as a drawing: one node per task
 * with its system call, one arrow per edge labelled with the kind of wait (rwsem queue, in-lookup
 * wait, lookup lock) and the object waited on. A list says the same for screen readers.
 *
 * Names come from the seed file and may be long: every text is measured (a canvas in the page's
 * fonts) and cut to fit its box with an ellipsis, the full text in a tooltip and in the list; a
 * node is as wide as its texts need, up to NODE_MAX_W; and the drawing's viewBox is the bounding
 * box of everything drawn, so no label is cut off at an edge.
 *
 * The drawing is built in three steps: nodes (layoutNodes: what each shows and where), edges
 * (drawEdge) and node boxes (drawNode), so a mark on a node or an edge is added in one place.
 */

import { killableSummary, killableText, type CycleEdge } from "../core/trace";
import { fill, h, s } from "./dom";
import type { KernelView, TaskView } from "./state";
import { laneColour } from "./timeline";

const NODE_MIN_W = 170, NODE_MAX_W = 260, NODE_H = 48, NODE_PAD = 10;
const LABEL_MAX_W = 230, LABEL_LINE_H = 14;
const MARGIN = 8;

/** The fonts of style.css's .node-name, .node-call and .edge-label: text is measured in them. */
const FONT = {
  name: "600 14px system-ui, sans-serif",
  call: '12px ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  label: "12px system-ui, sans-serif",
} as const;

type Font = keyof typeof FONT;

interface Pt {
  x: number;
  y: number;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

let measurer: CanvasRenderingContext2D | null | undefined;

/** The width of `text` in `font`, in CSS pixels (a canvas measures it; without one, an
 *  overestimate per character). */
export function textWidth(text: string, font: Font): number {
  if (measurer === undefined) measurer = typeof document !== "undefined" ? document.createElement("canvas").getContext("2d") : null;
  if (measurer) {
    measurer.font = FONT[font];
    return measurer.measureText(text).width;
  }
  return [...text].length * (font === "name" ? 9.5 : 8);
}

/** `text`, or its longest prefix that fits `width` with an ellipsis after it. */
export function fit(text: string, font: Font, width: number): string {
  if (textWidth(text, font) <= width) return text;
  const chars = [...text];
  let lo = 0, hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(`${chars.slice(0, mid).join("")}…`, font) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join("")}…`;
}

/** One task of the cycle as drawn. */
interface Node {
  edge: CycleEdge;
  task?: TaskView;
  /** centre, and box width */
  at: Pt;
  w: number;
  name: string;
  call: string;
}

function layoutNodes(cycle: CycleEdge[], tasks: Map<string, TaskView>): { nodes: Node[]; centre: Pt; n: number } {
  const n = cycle.length;
  const texts = cycle.map((edge) => {
    const t = tasks.get(edge.task);
    const need = Math.max(textWidth(edge.task, "name"), textWidth(t?.syscall ?? "", "call")) + 2 * NODE_PAD;
    const w = Math.min(NODE_MAX_W, Math.max(NODE_MIN_W, Math.ceil(need)));
    return { edge, task: t, w, name: fit(edge.task, "name", w - 2 * NODE_PAD), call: fit(t?.syscall ?? "", "call", w - 2 * NODE_PAD) };
  });
  // first node on the left, then clockwise round an ellipse wide enough for the widest node
  const widest = Math.max(...texts.map((x) => x.w));
  const rx = (n <= 2 ? 80 : 110) + widest / 2, ry = n <= 2 ? 0 : 110;
  const centre = { x: rx + widest / 2, y: n <= 2 ? 110 : 165 };
  const nodes = texts.map((x, i) => {
    const a = Math.PI + (2 * Math.PI * i) / n;
    return { ...x, at: { x: centre.x + rx * Math.cos(a), y: centre.y + ry * Math.sin(a) } };
  });
  return { nodes, centre, n };
}

/** Where the ray from a node's centre towards `to` leaves its box. */
function boxExit(node: Node, to: Pt, pad = 4): Pt {
  const c = node.at;
  const dx = to.x - c.x, dy = to.y - c.y;
  const sx = dx === 0 ? Infinity : (node.w / 2 + pad) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (NODE_H / 2 + pad) / Math.abs(dy);
  const k = Math.min(sx, sy, 1);
  return { x: c.x + dx * k, y: c.y + dy * k };
}

function nodeBox(node: Node, pad = 0): Box {
  return { x0: node.at.x - node.w / 2 - pad, y0: node.at.y - NODE_H / 2 - pad, x1: node.at.x + node.w / 2 + pad, y1: node.at.y + NODE_H / 2 + pad };
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** An edge: the arrow, bent away from the middle, and its label (the wait, then what it waits
 *  on) beside the curve, moved out along the bend until it clears every node. Returns the group
 *  and the box its label takes. */
function drawEdge(from: Node, to: Node, nodes: Node[], centre: Pt, n: number): { g: SVGGElement; box: Box } {
  const a = from.at, b = to.at, edge = from.edge;
  const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  // bend away from the middle of the drawing; with two nodes, to the left of the direction of
  // travel, so the two edges part ways
  let nx = -(b.y - a.y) / len, ny = (b.x - a.x) / len;
  if ((mx - centre.x) * nx + (my - centre.y) * ny < 0) [nx, ny] = [-nx, -ny];
  const bend = n <= 2 ? 55 : 30;
  const c = { x: mx + nx * bend, y: my + ny * bend };
  const p0 = boxExit(from, c), p1 = boxExit(to, c);
  const lines = [fit(edge.wait, "label", LABEL_MAX_W)];
  if (from.task?.waitsOn) lines.push(fit(`on ${from.task.waitsOn.label}`, "label", LABEL_MAX_W));
  const width = Math.max(...lines.map((l) => textWidth(l, "label")));
  // the label sits beyond the curve's midpoint on the side it bends to, running away from it:
  // to the right of a point right of the curve, above a point above it, and so on
  const qx = 0.25 * p0.x + 0.5 * c.x + 0.25 * p1.x, qy = 0.25 * p0.y + 0.5 * c.y + 0.25 * p1.y;
  const height = lines.length * LABEL_LINE_H;
  const anchor = nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle";
  const place = (d: number) => {
    const lx = qx + nx * d, ly = qy + ny * d;
    const top = ny > 0.3 ? ly : ny < -0.3 ? ly - height : ly - height / 2;
    const x0 = anchor === "start" ? lx : anchor === "end" ? lx - width : lx - width / 2;
    return { lx, top, box: { x0, y0: top, x1: x0 + width, y1: top + height } };
  };
  let at = place(10);
  for (let d = 16; d <= 200 && nodes.some((x) => overlaps(at.box, nodeBox(x, 4))); d += 6) at = place(d);
  const { lx, top } = at;
  const full = from.task?.waitsOn ? `${edge.wait} on ${from.task.waitsOn.label}` : edge.wait;
  const text = s("text", { x: lx, y: top + LABEL_LINE_H - 3, "text-anchor": anchor, class: "edge-label" },
    s("title", {}, full),
    ...lines.map((l, i) => s("tspan", { x: lx, dy: i === 0 ? 0 : LABEL_LINE_H }, l)));
  const g = s("g", { class: `cycle-edge kind-${edge.wait.replace(/[^a-z]+/g, "-")}`, "data-kind": edge.wait },
    s("path", { d: `M${p0.x},${p0.y} Q${c.x},${c.y} ${p1.x},${p1.y}`, "marker-end": "url(#arrow)" }),
    text);
  return { g, box: at.box };
}

/** A node: its box, the task's name and its system call, a tooltip with both in full. */
function drawNode(node: Node): SVGGElement {
  const t = node.task;
  const g = s(
    "g",
    { class: "cycle-node", "data-task": node.edge.task, transform: `translate(${node.at.x - node.w / 2},${node.at.y - NODE_H / 2})` },
    s("title", {}, `${node.edge.task}: ${t?.syscall ?? ""}${t?.stack.length ? ` in ${t.stack[t.stack.length - 1].fn}` : ""}`),
    s("rect", { width: node.w, height: NODE_H, rx: 8 }),
    s("text", { x: NODE_PAD, y: 19, class: "node-name" }, node.name),
    s("text", { x: NODE_PAD, y: 37, class: "node-call" }, node.call),
  );
  if (t) laneColour(g, t.index);
  return g;
}

export function renderCycle(el: HTMLElement, cycle: CycleEdge[], view: KernelView): void {
  const tasks = new Map(view.tasks.map((t) => [t.name, t]));
  const { nodes, centre, n } = layoutNodes(cycle, tasks);
  const edges = nodes.map((node, i) => drawEdge(node, nodes[(i + 1) % n], nodes, centre, n));
  // the viewBox holds every node and every label
  const boxes: Box[] = [...nodes.map((x) => nodeBox(x)), ...edges.map((e) => e.box)];
  const x0 = Math.floor(Math.min(...boxes.map((b) => b.x0)) - MARGIN), y0 = Math.floor(Math.min(...boxes.map((b) => b.y0)) - MARGIN);
  const x1 = Math.ceil(Math.max(...boxes.map((b) => b.x1)) + MARGIN), y1 = Math.ceil(Math.max(...boxes.map((b) => b.y1)) + MARGIN);
  const svg = s(
    "svg",
    { viewBox: `${x0} ${y0} ${x1 - x0} ${y1 - y0}`, width: x1 - x0, class: "cycle-svg", role: "img", "aria-labelledby": "cycle-title" },
    s("title", { id: "cycle-title" }, `Waits-for cycle: ${cycle.map((c) => c.task).join(" → ")} → ${cycle[0]?.task ?? ""}`),
    s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }))),
    // edges first, so nodes sit on top
    ...edges.map((e) => e.g),
    ...nodes.map(drawNode),
  );

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
