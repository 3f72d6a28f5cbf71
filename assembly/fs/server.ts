// The filesystem behind the dcache: what exists, whether or not a dentry caches it. For NFS it is
// the server's directory (names exist whether or not the client has looked them up); for procfs
// it is the set of entries proc would list (fixed for a run: procfs ops never create or remove).
// Each object is (parent object, name, is_dir); object 1 is the root directory.

import { fp_on, fp_srv } from "../sim/footprint";
import { ow, sow, ow_raw, gw, sgw, G_O_HWM, O_EXISTS, O_PARENT, O_NAME, O_IS_DIR, O_WORDS, MAX_OBJECTS } from "../sim/state";
import { model_assert } from "../sim/verdict";

export const ROOT_OBJ: i32 = 1;

/** The object named `name` in directory object `dir`, or 0. */
export function srv_lookup(dir: i32, name: i32): i32 {
  if (fp_on()) fp_srv(dir_name(dir), false);
  for (let o = 1, n = gw(G_O_HWM); o <= n; o++) {
    if (ow_raw(o, O_EXISTS) != 0 && ow_raw(o, O_PARENT) == dir && ow_raw(o, O_NAME) == name) return o;
  }
  return 0;
}

/** The name of a directory object (the root's is 0), naming SRV footprints. */
function dir_name(dir: i32): i32 { return dir == ROOT_OBJ ? 0 : ow_raw(dir, O_NAME); }

export function srv_create(dir: i32, name: i32, is_dir: bool): i32 {
  let o = 1;
  while (o <= MAX_OBJECTS && (ow_raw(o, O_EXISTS) != 0 || ow_raw(o, O_PARENT) != 0)) o++; // never reuse ids
  if (fp_on()) fp_srv(dir_name(dir), true);
  model_assert(o <= MAX_OBJECTS, "server object table full");
  if (o > gw(G_O_HWM)) sgw(G_O_HWM, o);
  for (let f = 0; f < O_WORDS; f++) sow(o, f, 0);
  sow(o, O_EXISTS, 1);
  sow(o, O_PARENT, dir);
  sow(o, O_NAME, name);
  sow(o, O_IS_DIR, is_dir ? 1 : 0);
  return o;
}

export function srv_remove(o: i32): void { sow(o, O_EXISTS, 0); }

/** Rename within one directory: `from` takes the name `to`, replacing whatever had it. */
export function srv_rename(dir: i32, from: i32, to: i32): i32 {
  const o = srv_lookup(dir, from);
  if (o == 0) return 0;
  const victim = srv_lookup(dir, to);
  if (victim != 0) srv_remove(victim);
  sow(o, O_NAME, to);
  return o;
}

/** The directory listing a readdir sees: a bitmask of object ids (bit o) present in `dir`. */
export function srv_children_mask(dir: i32): u32 {
  if (fp_on()) fp_srv(dir_name(dir), false);
  let mask: u32 = 0;
  for (let o = 1, n = min(gw(G_O_HWM), 31); o <= n; o++) {
    if (ow_raw(o, O_EXISTS) != 0 && ow_raw(o, O_PARENT) == dir) mask |= (<u32>1) << o;
  }
  return mask;
}

@inline export function srv_name(o: i32): i32 { return ow(o, O_NAME); }
@inline export function srv_is_dir(o: i32): bool { return ow(o, O_IS_DIR) != 0; }
@inline export function srv_exists(o: i32): bool { return ow(o, O_EXISTS) != 0; }
