// The kernel state as a flat list of words for the page's state panel (host/core/state_view.ts).
// Not on any hot path.

import {
  gw, tw, fw, frame_addr, dw_raw, iw_raw, G_D_HWM, G_I_HWM, T_STATE, T_WAIT_KIND, T_WAIT_OBJ, T_OP, T_SP, F_FN, F_PC,
  D_FLAGS, D_PARENT, D_NAME, D_INODE, D_REF, D_OWNER, D_LOCKER, D_WAITERS, T_SIGNAL,
  I_USED, I_INO, I_IS_DIR, I_NAME, RW_WRITER, RW_READERS, RW_QLEN, RW_Q,
} from "./state";
import { n_tasks } from "./config";

export const VIEW: usize = memory.data(16384, 16);

let view_len: i32 = 0;
function put(v: i32): void { store<i32>(VIEW + (<usize>view_len << 2), v); view_len++; }

/** Write the current state into VIEW and return its length in words:
 *    [n_tasks, dentry high-water mark, inode high-water mark]
 *    per task:   state, wait kind, wait object, op index, frames, then (fn, pc) per frame
 *    per dentry: flags, parent, name, inode, refcount, owner+1, lock holder+1, waiters mask
 *    per inode:  used, ino, is_dir, name, writer+1, readers mask, queue length, queue entries
 *                (task | mode << 8, mode 1 read, 2 write)
 *    per task:   its signal bits (kernel/signal.ts: 1 SIGKILL pending; 2 woken by it, not yet run)
 *  (the signal words come last so that what precedes them keeps its offsets) */
export function fill_view(): i32 {
  view_len = 0;
  const d_hwm = gw(G_D_HWM), i_hwm = gw(G_I_HWM);
  put(n_tasks); put(d_hwm); put(i_hwm);
  for (let t = 0; t < n_tasks; t++) {
    put(tw(t, T_STATE)); put(tw(t, T_WAIT_KIND)); put(tw(t, T_WAIT_OBJ)); put(tw(t, T_OP));
    const sp = tw(t, T_SP);
    put(sp);
    for (let k = 0; k < sp; k++) { const fr = frame_addr(t, k); put(fw(fr, F_FN)); put(fw(fr, F_PC)); }
  }
  for (let d = 1; d <= d_hwm; d++) {
    put(dw_raw(d, D_FLAGS)); put(dw_raw(d, D_PARENT)); put(dw_raw(d, D_NAME)); put(dw_raw(d, D_INODE));
    put(dw_raw(d, D_REF)); put(dw_raw(d, D_OWNER)); put(dw_raw(d, D_LOCKER)); put(dw_raw(d, D_WAITERS));
  }
  for (let i = 1; i <= i_hwm; i++) {
    put(iw_raw(i, I_USED)); put(iw_raw(i, I_INO)); put(iw_raw(i, I_IS_DIR)); put(iw_raw(i, I_NAME));
    put(iw_raw(i, RW_WRITER)); put(iw_raw(i, RW_READERS));
    const q = iw_raw(i, RW_QLEN);
    put(q);
    for (let k = 0; k < q; k++) put(iw_raw(i, RW_Q + k));
  }
  for (let t = 0; t < n_tasks; t++) put(tw(t, T_SIGNAL));
  return view_len;
}
