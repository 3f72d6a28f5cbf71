/**
 * The seed file editor: a plain textarea over a mirror that marks the offending field, a line
 * gutter, and a margin note beside the offending line with the validator's message. The
 * accessible copy of the message is the #seed-error paragraph (role=alert) under the editor.
 */

import { byId, fill, h } from "./dom";
import { lineOf } from "./jsonpos";

export interface EditorError {
  /** the whole message, e.g. `threads[1].ops[0].op: unknown op "stta"; expected one of ...` */
  message: string;
  /** where it is in the text (absent: nowhere in particular) */
  from?: number;
  to?: number;
}

export class SeedEditor {
  readonly textarea = byId("seed-text", HTMLTextAreaElement);
  private gutter = byId("editor-gutter");
  private backdrop = byId("editor-backdrop");
  private notes = byId("editor-notes");
  private message = byId("seed-error");
  private error?: EditorError;
  private timer = 0;

  constructor(onInput: (text: string) => void) {
    this.textarea.addEventListener("input", () => {
      this.paint();
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => onInput(this.textarea.value), 150);
    });
    this.textarea.addEventListener("scroll", () => this.sync());
  }

  get text(): string {
    return this.textarea.value;
  }

  set text(v: string) {
    this.textarea.value = v;
    this.paint();
  }

  setError(e: EditorError | undefined): void {
    this.error = e;
    this.textarea.closest(".editor")?.classList.toggle("has-error", e?.from !== undefined);
    this.paint();
    if (!e) {
      fill(this.message);
      this.textarea.removeAttribute("aria-invalid");
      return;
    }
    this.textarea.setAttribute("aria-invalid", "true");
    const where = e.from !== undefined ? lineOf(this.text, e.from) : undefined;
    if (where === undefined) fill(this.message, e.message);
    else {
      const jump = h("button", { type: "button", class: "link" }, `line ${where}`);
      jump.addEventListener("click", () => this.select(e.from!, e.to ?? e.from!));
      fill(this.message, jump, ": ", e.message);
    }
  }

  /** Select a range and scroll it into view. */
  select(from: number, to: number): void {
    this.textarea.focus();
    this.textarea.setSelectionRange(from, to);
    const line = lineOf(this.text, from);
    const lh = this.lineHeight();
    const top = (line - 1) * lh;
    if (top < this.textarea.scrollTop || top > this.textarea.scrollTop + this.textarea.clientHeight - 2 * lh) {
      this.textarea.scrollTop = Math.max(0, top - this.textarea.clientHeight / 3);
    }
    this.sync();
  }

  private lineHeight(): number {
    return parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
  }

  /** Redraw the gutter, the mirror and the margin note. */
  private paint(): void {
    const text = this.text;
    const lines = text.split("\n").length;
    const errLine = this.error?.from !== undefined ? lineOf(text, this.error.from) : -1;
    const nums: (Node | string)[] = [];
    for (let i = 1; i <= lines; i++) {
      nums.push(i === errLine ? h("span", { class: "err-line" }, String(i)) : String(i));
      nums.push("\n");
    }
    fill(this.gutter, ...nums);

    const e = this.error;
    if (e?.from !== undefined) {
      const from = Math.min(e.from, text.length);
      const to = Math.max(from + 1, Math.min(e.to ?? from + 1, text.length));
      const marked = text.slice(from, to) || " ";
      fill(this.backdrop, text.slice(0, from), h("mark", {}, marked), text.slice(to), "\n");
    } else {
      fill(this.backdrop, text, "\n");
    }

    if (e && errLine > 0) {
      fill(this.notes, h("div", { class: "note" }, h("span", { class: "arrow" }, "◀ "), e.message));
    } else fill(this.notes);
    this.sync();
  }

  /** Keep the mirror, gutter and note aligned with the textarea's scroll position. */
  private sync(): void {
    const { scrollTop, scrollLeft } = this.textarea;
    this.backdrop.scrollTop = scrollTop;
    this.backdrop.scrollLeft = scrollLeft;
    this.gutter.scrollTop = scrollTop;
    const note = this.notes.firstElementChild as HTMLElement | null;
    if (note && this.error?.from !== undefined) {
      const pad = parseFloat(getComputedStyle(this.textarea).paddingTop) || 0;
      const top = pad + (lineOf(this.text, this.error.from) - 1) * this.lineHeight() - scrollTop;
      note.style.top = `${top}px`;
      note.hidden = top < -this.lineHeight() || top > this.textarea.clientHeight;
    }
  }
}
