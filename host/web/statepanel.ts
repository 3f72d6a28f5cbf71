/**
 * The kernel state panel: tasks (status, system call, stack, what they wait on, pending signals), each i_rwsem
 * (holders and queue) and each dentry a step touched (hashed, in-lookup owner, waiters, lookup
 * lock), at the cursor tick, from the model's tables (or, without them, reconstructed from the trace
 * (state.ts), and the panel says so.
 */

import { fill, h } from "./dom";
import type { KernelView, Since } from "./state";
import { laneColour } from "./timeline";

function taskChip(names: string[], s: Since, extra?: string): HTMLElement {
  const chip = h("span", { class: "chip", title: `since trace step ${s.event + 1}` }, names[s.task] ?? `task ${s.task}`, extra ? h("small", {}, ` ${extra}`) : null);
  laneColour(chip, s.task);
  return chip;
}

function chips(names: string[], list: Since[], extra?: (s: Since) => string): HTMLElement {
  if (list.length === 0) return h("span", { class: "none" }, "–");
  return h("span", { class: "chips" }, ...list.map((s) => taskChip(names, s, extra?.(s))));
}

const yesNo = (v: boolean | undefined, yes: string, no: string) => (v === undefined ? h("span", { class: "unknown" }, "?") : v ? yes : no);

export function renderState(el: HTMLElement, view: KernelView, lastTick: number, ranText: string): void {
  const names = view.tasks.map((t) => t.name);

  const tasks = h(
    "table",
    { class: "kv" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "task"), h("th", { scope: "col" }, "status"), h("th", { scope: "col" }, "stack (outermost first)"))),
    h(
      "tbody",
      {},
      ...view.tasks.map((t) => {
        const name = h("th", { scope: "row", class: "task-name" }, t.name);
        laneColour(name, t.index);
        const status = h("span", { class: `status-${t.status}` }, t.status);
        const wait = t.waitsOn ? h("div", { class: "waits" }, `waits: ${t.waitsOn.kind} on `, h("code", {}, t.waitsOn.label)) : null;
        const pending = t.pending.length
          ? h("div", { class: "pending", title: "fatal_signal_pending(): a killable sleep ends with -EINTR; an uninterruptible one (D state) does not wake; the task ends when its system call returns" }, "pending: ", ...t.pending.map((sig) => h("code", {}, sig)))
          : null;
        const stack =
          t.stack.length > 0
            ? h("ol", { class: "stack" }, ...t.stack.map((f) => h("li", {}, f.fn)))
            : h("span", { class: "none" }, t.status === "done" ? `done (${t.opsDone}/${t.nOps} ops)` : t.opsDone === 0 ? "not started" : `between ops (${t.opsDone}/${t.nOps})`);
        return h(
          "tr",
          { class: t.ran ? "ran" : "" },
          name,
          h("td", {}, status, t.ran ? h("small", {}, " ran this tick") : null, wait, pending),
          h("td", {}, t.syscall ? h("div", { class: "syscall" }, t.syscall) : null, stack),
        );
      }),
    ),
  );

  const rwsems =
    view.rwsems.length === 0
      ? h("p", { class: "none" }, "No i_rwsem touched yet.")
      : h(
          "table",
          { class: "kv" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "lock"), h("th", { scope: "col" }, "holders"), h("th", { scope: "col" }, "queue (first served first)"))),
          h(
            "tbody",
            {},
            ...view.rwsems.map((r) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, h("code", {}, r.label)),
                h("td", {}, r.writer ? taskChip(names, r.writer, "write") : chips(names, r.readers, () => "read")),
                h("td", {}, r.queue.length ? h("ol", { class: "queue" }, ...r.queue.map((q) => h("li", {}, taskChip(names, q, q.mode)))) : h("span", { class: "none" }, "–")),
              ),
            ),
          ),
        );

  const dentries =
    view.dentries.length === 0
      ? h("p", { class: "none" }, "No dentry touched yet.")
      : h(
          "table",
          { class: "kv" },
          h(
            "thead",
            {},
            h("tr", {}, h("th", { scope: "col" }, "dentry"), h("th", { scope: "col" }, "hashed"), h("th", { scope: "col" }, "in lookup (owner)"), h("th", { scope: "col" }, "d_wait_lookup"), h("th", { scope: "col" }, "lookup lock")),
          ),
          h(
            "tbody",
            {},
            ...view.dentries.map((d) =>
              h(
                "tr",
                { class: d.inLookup ? "in-lookup" : "" },
                h("th", { scope: "row" }, h("code", {}, d.label)),
                h("td", {}, yesNo(d.hashed, d.positive === false ? "yes, negative" : d.positive ? "yes, positive" : "yes", "no")),
                h("td", {}, d.inLookup ? (d.owner ? taskChip(names, d.owner) : "yes (owner unknown)") : "no"),
                h("td", {}, chips(names, d.waiters)),
                h("td", {}, d.lockHolder ? taskChip(names, d.lockHolder, "holds") : h("span", { class: "none" }, "–"), d.lockWaiters.length ? h("span", {}, " waiting: ", chips(names, d.lockWaiters)) : null),
              ),
            ),
          ),
        );

  fill(
    el,
    h("p", { class: "at" }, view.tick === 0 ? "Before the first tick." : `After tick ${view.tick} of ${lastTick}: ${ranText}`),
    h("p", { class: "honest" }, "From the model's own tables after this tick (the page replays the schedule tick by tick); the trace links each relation to the step that made it."),
    h("h4", {}, "Tasks"),
    tasks,
    h("h4", {}, "i_rwsem"),
    rwsems,
    h("h4", {}, "Dentries"),
    dentries,
  );
}
