// Function ids of the modelled kernel functions (frame and trace event `fn` field). Each id names
// the Linux function the state machine models, so a trace reads beside the kernel source.

export const FN_NONE: i32 = 0;
// system calls (one frame per op)
export const FN_VFS_STATX: i32 = 1;
export const FN_GETDENTS64: i32 = 2;
export const FN_DO_MKDIRAT: i32 = 3;
export const FN_DO_FILP_OPEN: i32 = 4;     // open(O_CREAT)
export const FN_DO_UNLINKAT: i32 = 5;
export const FN_DO_RENAMEAT2: i32 = 6;
// fs/namei.c
export const FN_LINK_PATH_WALK: i32 = 7;
export const FN_LOOKUP_SLOW: i32 = 8;
export const FN___LOOKUP_SLOW: i32 = 9;
export const FN_LOOKUP_ONE_QSTR_EXCL: i32 = 10;   // current order, parent held exclusive
export const FN_LOOKUP_ONE_QSTR: i32 = 11;        // proposed order (52/53), shared around ->lookup
// fs/dcache.c
export const FN_D_ALLOC_PARALLEL: i32 = 12;
export const FN_D_ALLOC_TRYLOCK: i32 = 13;   // d_alloc_trylock, called d_alloc_noblock until May 2026
/** Old name of FN_D_ALLOC_TRYLOCK, kept so code written before the rename builds; drop when unused. */
export const FN_D_ALLOC_NOBLOCK: i32 = FN_D_ALLOC_TRYLOCK;
export const FN_D_ALLOC_LOCKED: i32 = 14;
export const FN_LOCK_LOOKUP: i32 = 15;
// fs/readdir.c
export const FN_ITERATE_DIR: i32 = 16;
// fs/nfs
export const FN_NFS_READDIR: i32 = 17;
export const FN_NFS_PRIME_DCACHE: i32 = 18;
export const FN_NFS_LOOKUP: i32 = 19;
export const FN_NFS_MKDIR: i32 = 20;
export const FN_NFS_ATOMIC_OPEN: i32 = 21;
export const FN_NFS_UNLINK: i32 = 22;
export const FN_NFS_RENAME: i32 = 23;
// fs/proc
export const FN_PROC_READDIR: i32 = 24;
export const FN_PROC_FILL_CACHE: i32 = 25;
export const FN_PROC_LOOKUP: i32 = 26;
// pseudo-function for wake-up events in a sleeper's lane
export const FN_WAKE: i32 = 27;
// fs/nfs (helper k1's range 28..33)
export const FN_NFS_CREATE: i32 = 28;       // ->create of NFSv3 (no ->atomic_open)
// rmdir (helper k3's id range 34..43)
export const FN_DO_RMDIR: i32 = 34;
export const FN_VFS_RMDIR: i32 = 35;
export const FN_NFS_RMDIR: i32 = 36;
// fs/fuse
export const FN_FUSE_READDIR: i32 = 46;
export const FN_FUSE_DIRENTPLUS_LINK: i32 = 47;
export const FN_FUSE_LOOKUP: i32 = 48;
// fs/smb/client
export const FN_CIFS_READDIR: i32 = 49;
export const FN_CIFS_PRIME_DCACHE: i32 = 50;
export const FN_CIFS_LOOKUP: i32 = 51;
// fs/proc/proc_sysctl.c (its ->lookup, proc_sys_lookup, is modelled by FN_PROC_LOOKUP)
export const FN_PROC_SYS_READDIR: i32 = 52;
export const FN_PROC_SYS_FILL_CACHE: i32 = 53;
// fs/overlayfs
export const FN_OVL_ITERATE: i32 = 54;
export const FN_OVL_LOOKUP: i32 = 55;
// kernel/signal.c, kernel/exit.c (kernel/signal.ts); fn ids stay below 64 (the coverage map's
// (fn, pc) bits are fn * 64 + pc inside COV_BITS)
export const FN_KILL: i32 = 56;             // the kill(2) system call frame (op "kill")
export const FN_SIGNAL_WAKE_UP: i32 = 57;   // trace only: signal_wake_up() in the woken task's lane
export const FN_DO_EXIT: i32 = 58;          // trace only: the killed task exits
// nested d_alloc_parallel and silly-unlink owners (helper "nested"'s ids 37..45 and 59, below 64)
export const FN_D_ADD_CI: i32 = 37;                 // fs/dcache.c
export const FN_XFS_VN_CI_LOOKUP: i32 = 38;         // fs/xfs/xfs_iops.c
export const FN_NFS_COMPLETE_UNLINK: i32 = 39;      // fs/nfs/unlink.c (the op's frame)
export const FN_NFS_CALL_UNLINK: i32 = 40;
export const FN_NFS_ASYNC_UNLINK_RELEASE: i32 = 41; // the RPC's rpc_release, run by rpciod
export const FN_AFS_SILLY_IPUT: i32 = 42;           // fs/afs/dir_silly.c
export const FN_EXPORTFS_DECODE_FH: i32 = 43;       // fs/exportfs/expfs.c (the op's frame)
export const FN_RECONNECT_PATH: i32 = 44;
export const FN_DO_FILP_OPEN_RDONLY: i32 = 45;      // open without O_CREAT (the op "open")
export const FN_NFS_ATOMIC_OPEN_RDONLY: i32 = 59;   // nfs_atomic_open without O_CREAT
export const FN_COUNT: i32 = 60;

export function fn_name(fn: i32): string {
  switch (fn) {
    case FN_VFS_STATX: return "vfs_statx";
    case FN_GETDENTS64: return "getdents64";
    case FN_DO_MKDIRAT: return "do_mkdirat";
    case FN_DO_FILP_OPEN: return "do_filp_open";
    case FN_DO_UNLINKAT: return "do_unlinkat";
    case FN_DO_RENAMEAT2: return "do_renameat2";
    case FN_LINK_PATH_WALK: return "link_path_walk";
    case FN_LOOKUP_SLOW: return "lookup_slow";
    case FN___LOOKUP_SLOW: return "__lookup_slow";
    case FN_LOOKUP_ONE_QSTR_EXCL: return "lookup_one_qstr_excl";
    case FN_LOOKUP_ONE_QSTR: return "lookup_one_qstr";
    case FN_D_ALLOC_PARALLEL: return "d_alloc_parallel";
    case FN_D_ALLOC_TRYLOCK: return "d_alloc_trylock";
    case FN_D_ALLOC_LOCKED: return "d_alloc_locked";
    case FN_LOCK_LOOKUP: return "lock_lookup";
    case FN_ITERATE_DIR: return "iterate_dir";
    case FN_NFS_READDIR: return "nfs_readdir";
    case FN_NFS_PRIME_DCACHE: return "nfs_prime_dcache";
    case FN_NFS_LOOKUP: return "nfs_lookup";
    case FN_NFS_MKDIR: return "nfs_mkdir";
    case FN_NFS_ATOMIC_OPEN: return "nfs_atomic_open";
    case FN_NFS_UNLINK: return "nfs_unlink";
    case FN_NFS_RENAME: return "nfs_rename";
    case FN_PROC_READDIR: return "proc_readdir";
    case FN_PROC_FILL_CACHE: return "proc_fill_cache";
    case FN_PROC_LOOKUP: return "proc_lookup";
    case FN_WAKE: return "wake_up";
    case FN_NFS_CREATE: return "nfs_create";
    case FN_DO_RMDIR: return "do_rmdir";
    case FN_VFS_RMDIR: return "vfs_rmdir";
    case FN_NFS_RMDIR: return "nfs_rmdir";
    case FN_FUSE_READDIR: return "fuse_readdir";
    case FN_FUSE_DIRENTPLUS_LINK: return "fuse_direntplus_link";
    case FN_FUSE_LOOKUP: return "fuse_lookup";
    case FN_CIFS_READDIR: return "cifs_readdir";
    case FN_CIFS_PRIME_DCACHE: return "cifs_prime_dcache";
    case FN_CIFS_LOOKUP: return "cifs_lookup";
    case FN_PROC_SYS_READDIR: return "proc_sys_readdir";
    case FN_PROC_SYS_FILL_CACHE: return "proc_sys_fill_cache";
    case FN_OVL_ITERATE: return "ovl_iterate";
    case FN_OVL_LOOKUP: return "ovl_lookup";
    case FN_KILL: return "kill";
    case FN_SIGNAL_WAKE_UP: return "signal_wake_up";
    case FN_DO_EXIT: return "do_exit";
    case FN_D_ADD_CI: return "d_add_ci";
    case FN_XFS_VN_CI_LOOKUP: return "xfs_vn_ci_lookup";
    case FN_NFS_COMPLETE_UNLINK: return "nfs_complete_unlink";
    case FN_NFS_CALL_UNLINK: return "nfs_call_unlink";
    case FN_NFS_ASYNC_UNLINK_RELEASE: return "nfs_async_unlink_release";
    case FN_AFS_SILLY_IPUT: return "afs_silly_iput";
    case FN_EXPORTFS_DECODE_FH: return "exportfs_decode_fh";
    case FN_RECONNECT_PATH: return "reconnect_path";
    case FN_DO_FILP_OPEN_RDONLY: return "path_openat";   // do_filp_open -> path_openat (no O_CREAT)
    case FN_NFS_ATOMIC_OPEN_RDONLY: return "nfs_atomic_open";
    default: return "";
  }
}
