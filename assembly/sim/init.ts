// Build the state every schedule starts from: the filesystem tree (server objects), the root and
// the cached dentries, the tasks at their first op. Then save it, so a schedule starts with one
// memory copy.

import { VERDICT_RUNNING, CHECK_LOCKDEP } from "../abi";
import {
  sgw, sdw, STATE, STATE_BYTES, G_VERDICT, G_CHECK, G_FAIL_TASK, G_LAST_TASK, G_NEXT_INO,
  TS_RUNNABLE, D_REF, DCACHE_HASHED, D_FLAGS, dw, save_initial, set_live_tasks, set_task_state,
} from "./state";
import { n_tree, n_cached, n_tasks, tree_path, tree_is_dir, cached_path, path_len, path_name, fs_proc_like, check_on } from "./config";
import { srv_create, srv_lookup, srv_is_dir, ROOT_OBJ } from "../fs/server";
import { d_alloc, d_lookup, d_inode } from "../kernel/dcache";
import { new_inode, nfs_fhget, proc_make_inode, i_obj } from "../kernel/inode";
import { start_next_op } from "./tick";
import { ROOT_DENTRY } from "../kernel/namei";
import { model_assert } from "./verdict";

/** The proc inode numbers handed out by get_next_ino() start here. */
export const PROC_FIRST_INO: i32 = 100;

/** Server object for a path, walking from the root; 0 if some component does not exist. */
function path_obj(p: i32, upto: i32): i32 {
  let o = ROOT_OBJ;
  for (let i = 0; i < upto && o != 0; i++) o = srv_lookup(o, path_name(p, i));
  return o;
}

export function init_state(): void {
  memory.fill(STATE, 0, <usize>STATE_BYTES);
  set_live_tasks(n_tasks, check_on(CHECK_LOCKDEP));
  sgw(G_VERDICT, VERDICT_RUNNING);
  sgw(G_CHECK, -1);
  sgw(G_FAIL_TASK, -1);
  sgw(G_LAST_TASK, -1);
  sgw(G_NEXT_INO, PROC_FIRST_INO);

  // the filesystem: object 1 is the root directory
  const root = srv_create(0, 0, true);
  model_assert(root == ROOT_OBJ, "root object");
  for (let i = 0; i < n_tree; i++) {
    const p = tree_path(i), len = path_len(p);
    const parent = path_obj(p, len - 1);
    model_assert(parent != 0, "tree entry without a parent directory");
    srv_create(parent, path_name(p, len - 1), tree_is_dir(i));
  }

  // the root dentry: always present, never killed (kept "hashed" though IS_ROOT in Linux)
  const rd = d_alloc(0, 0);
  model_assert(rd == ROOT_DENTRY, "root dentry");
  sdw(rd, D_FLAGS, dw(rd, D_FLAGS) | DCACHE_HASHED);
  sdw(rd, 3 /* D_INODE */, new_inode(ROOT_OBJ, true, 1, 0));

  // cached dentries: hashed, positive where the tree has the object, negative otherwise
  for (let i = 0; i < n_cached; i++) {
    const p = cached_path(i), len = path_len(p);
    let cur = ROOT_DENTRY;
    for (let k = 0; k < len; k++) {
      const name = path_name(p, k);
      let d = d_lookup(cur, name);
      if (d == 0) {
        const parent_obj = i_obj(d_inode(cur));
        const o = srv_lookup(parent_obj, name);
        d = d_alloc(cur, name);
        if (o != 0) {
          const inode = fs_proc_like() ? proc_make_inode(o, srv_is_dir(o), name) : nfs_fhget(o, srv_is_dir(o), name);
          sdw(d, 3 /* D_INODE */, inode);
        }
        sdw(d, D_FLAGS, dw(d, D_FLAGS) | DCACHE_HASHED);
        sdw(d, D_REF, 0);                      // unused, kept because hashed
      }
      model_assert(k == len - 1 || d_inode(d) != 0, "cached path below a negative dentry");
      cur = d;
    }
  }

  for (let t = 0; t < n_tasks; t++) {
    set_task_state(t, TS_RUNNABLE);
    start_next_op(t);
  }
  save_initial();
}

