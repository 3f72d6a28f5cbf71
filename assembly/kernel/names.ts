// Names for the trace: (function id, program counter) -> the kernel line the state models.

import {
  FN_VFS_STATX, FN_GETDENTS64, FN_DO_MKDIRAT, FN_DO_FILP_OPEN, FN_DO_UNLINKAT, FN_DO_RENAMEAT2,
  FN_LINK_PATH_WALK, FN_LOOKUP_SLOW, FN___LOOKUP_SLOW, FN_LOOKUP_ONE_QSTR_EXCL, FN_LOOKUP_ONE_QSTR,
  FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED, FN_LOCK_LOOKUP, FN_ITERATE_DIR,
  FN_NFS_READDIR, FN_NFS_PRIME_DCACHE, FN_NFS_LOOKUP, FN_NFS_MKDIR, FN_NFS_ATOMIC_OPEN, FN_NFS_CREATE,
  FN_NFS_UNLINK, FN_NFS_RENAME, FN_PROC_READDIR, FN_PROC_FILL_CACHE, FN_PROC_LOOKUP, FN_WAKE,
  FN_DO_RMDIR, FN_VFS_RMDIR, FN_NFS_RMDIR,
  FN_FUSE_READDIR, FN_FUSE_DIRENTPLUS_LINK, FN_FUSE_LOOKUP, FN_CIFS_READDIR, FN_CIFS_PRIME_DCACHE,
  FN_CIFS_LOOKUP, FN_PROC_SYS_READDIR, FN_PROC_SYS_FILL_CACHE, FN_OVL_ITERATE, FN_OVL_LOOKUP,
  FN_KILL, FN_SIGNAL_WAKE_UP, FN_DO_EXIT,
  FN_D_ADD_CI, FN_XFS_VN_CI_LOOKUP, FN_NFS_COMPLETE_UNLINK, FN_NFS_CALL_UNLINK, FN_NFS_ASYNC_UNLINK_RELEASE,
  FN_AFS_SILLY_IPUT, FN_EXPORTFS_DECODE_FH, FN_RECONNECT_PATH, FN_DO_FILP_OPEN_RDONLY, FN_NFS_ATOMIC_OPEN_RDONLY,
} from "./fns";
import { do_filp_open_rdonly_state } from "./namei_open";
import { nfs_atomic_open_rdonly_state } from "../fs/nfs_atomic_open";
import {
  link_path_walk_state, lookup_slow_state, __lookup_slow_state, lookup_one_qstr_excl_state, lookup_one_qstr_state,
} from "./namei";
import { dirop_state, vfs_rmdir_state } from "./namei_dirop";
import { vfs_statx_state } from "./stat";
import { d_alloc_parallel_state, lock_lookup_state, d_add_ci_state } from "./dcache";
import { xfs_vn_ci_lookup_state } from "../fs/xfs";
import { nfs_complete_unlink_state, nfs_call_unlink_state, nfs_async_unlink_release_state } from "../fs/nfs_unlink";
import { afs_silly_iput_state } from "../fs/afs_dir_silly";
import { exportfs_decode_fh_state, reconnect_path_state } from "../fs/exportfs";
import { iterate_dir_state, getdents64_state } from "./readdir";
import { nfs_readdir_state, nfs_prime_dcache_state, nfs_lookup_state, nfs_dirop_state } from "../fs/nfs";
import { proc_readdir_state, proc_fill_cache_state, proc_lookup_state } from "../fs/procfs";
import { fuse_readdir_state, fuse_direntplus_link_state, fuse_lookup_state } from "../fs/fuse";
import { cifs_readdir_state, cifs_prime_dcache_state, cifs_lookup_state } from "../fs/smb";
import { proc_sys_readdir_state, proc_sys_fill_cache_state } from "../fs/proc_sys";
import { ovl_iterate_state, ovl_lookup_state } from "../fs/overlayfs";
import { WAIT_RWSEM_READ, WAIT_RWSEM_WRITE, WAIT_IN_LOOKUP, WAIT_LOOKUP_LOCK, WAIT_DYING_DIR, PC_SYSCALL_ENTER, PC_SYSCALL_EXIT } from "../abi";

export function state_name(fn: i32, pc: i32): string {
  if ((fn >= FN_VFS_STATX && fn <= FN_DO_RENAMEAT2) || fn == FN_DO_RMDIR || fn == FN_NFS_COMPLETE_UNLINK ||
      fn == FN_AFS_SILLY_IPUT || fn == FN_EXPORTFS_DECODE_FH || fn == FN_DO_FILP_OPEN_RDONLY) {
    if (pc == PC_SYSCALL_ENTER) return "enter";
    if (pc == PC_SYSCALL_EXIT) return "return";
  }
  switch (fn) {
    case FN_VFS_STATX: return vfs_statx_state(pc);
    case FN_GETDENTS64: return getdents64_state(pc);
    case FN_DO_MKDIRAT:
    case FN_DO_FILP_OPEN:
    case FN_DO_UNLINKAT:
    case FN_DO_RMDIR:
    case FN_DO_RENAMEAT2: return dirop_state(pc);
    case FN_VFS_RMDIR: return vfs_rmdir_state(pc);
    case FN_LINK_PATH_WALK: return link_path_walk_state(pc);
    case FN_LOOKUP_SLOW: return lookup_slow_state(pc);
    case FN___LOOKUP_SLOW: return __lookup_slow_state(pc);
    case FN_LOOKUP_ONE_QSTR_EXCL: return lookup_one_qstr_excl_state(pc);
    case FN_LOOKUP_ONE_QSTR: return lookup_one_qstr_state(pc);
    case FN_D_ALLOC_PARALLEL:
    case FN_D_ALLOC_TRYLOCK:
    case FN_D_ALLOC_LOCKED: return d_alloc_parallel_state(pc);
    case FN_LOCK_LOOKUP: return lock_lookup_state(pc);
    case FN_ITERATE_DIR: return iterate_dir_state(pc);
    case FN_NFS_READDIR: return nfs_readdir_state(pc);
    case FN_NFS_PRIME_DCACHE: return nfs_prime_dcache_state(pc);
    case FN_NFS_LOOKUP: return nfs_lookup_state(pc);
    case FN_NFS_MKDIR:
    case FN_NFS_ATOMIC_OPEN:
    case FN_NFS_CREATE:
    case FN_NFS_UNLINK:
    case FN_NFS_RMDIR:
    case FN_NFS_RENAME: return nfs_dirop_state(pc);
    case FN_PROC_READDIR: return proc_readdir_state(pc);
    case FN_PROC_FILL_CACHE: return proc_fill_cache_state(pc);
    case FN_PROC_LOOKUP: return proc_lookup_state(pc);
    case FN_FUSE_READDIR: return fuse_readdir_state(pc);
    case FN_FUSE_DIRENTPLUS_LINK: return fuse_direntplus_link_state(pc);
    case FN_FUSE_LOOKUP: return fuse_lookup_state(pc);
    case FN_CIFS_READDIR: return cifs_readdir_state(pc);
    case FN_CIFS_PRIME_DCACHE: return cifs_prime_dcache_state(pc);
    case FN_CIFS_LOOKUP: return cifs_lookup_state(pc);
    case FN_PROC_SYS_READDIR: return proc_sys_readdir_state(pc);
    case FN_PROC_SYS_FILL_CACHE: return proc_sys_fill_cache_state(pc);
    case FN_OVL_ITERATE: return ovl_iterate_state(pc);
    case FN_OVL_LOOKUP: return ovl_lookup_state(pc);
    case FN_D_ADD_CI: return d_add_ci_state(pc);
    case FN_XFS_VN_CI_LOOKUP: return xfs_vn_ci_lookup_state(pc);
    case FN_NFS_COMPLETE_UNLINK: return nfs_complete_unlink_state(pc);
    case FN_NFS_CALL_UNLINK: return nfs_call_unlink_state(pc);
    case FN_NFS_ASYNC_UNLINK_RELEASE: return nfs_async_unlink_release_state(pc);
    case FN_AFS_SILLY_IPUT: return afs_silly_iput_state(pc);
    case FN_EXPORTFS_DECODE_FH: return exportfs_decode_fh_state(pc);
    case FN_RECONNECT_PATH: return reconnect_path_state(pc);
    case FN_DO_FILP_OPEN_RDONLY: return do_filp_open_rdonly_state(pc);
    case FN_NFS_ATOMIC_OPEN_RDONLY: return nfs_atomic_open_rdonly_state(pc);
    case FN_WAKE:
      if (pc == WAIT_RWSEM_READ) return "granted i_rwsem (read)";
      if (pc == WAIT_RWSEM_WRITE) return "granted i_rwsem (write)";
      if (pc == WAIT_IN_LOOKUP) return "woken from d_wait_lookup";
      if (pc == WAIT_LOOKUP_LOCK) return "woken from lookup-lock wait";
      if (pc == WAIT_DYING_DIR) return "woken: directory no longer dying";
      return "";
    case FN_KILL: return pc == 0 ? "send_signal(SIGKILL)" : "";
    case FN_SIGNAL_WAKE_UP: return pc == 0 ? "woken from a killable sleep" : "";
    case FN_DO_EXIT: return pc == 0 ? "killed: no more system calls" : "";
  }
  return "";
}
