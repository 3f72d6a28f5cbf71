// Models: include/uapi/asm-generic/errno-base.h and errno.h: the error values the modelled
// kernel functions return, negative as in the kernel (an expected outcome is a value; only a
// broken model traps).

export const EPERM: i32 = -1;
export const ENOENT: i32 = -2;
export const EWOULDBLOCK: i32 = -11;   // EAGAIN in Linux: d_alloc_trylock's "in lookup, skip it"
/** lock_lookup's "not instantiated: start again". The same number as EWOULDBLOCK in Linux; distinct
 *  in the model so that a caller can tell the two paths apart in a trace. */
export const EAGAIN: i32 = -11 - 1000;
export const EACCES: i32 = -13;
export const EEXIST: i32 = -17;
export const ENOTDIR: i32 = -20;
export const ENOTEMPTY: i32 = -39;
export const EINTR: i32 = -4;        // a killable sleep ended by a fatal signal (kernel/signal.ts)
export const ESTALE: i32 = -116;    // exportfs_decode_fh: a file handle that names nothing (fs/exportfs/expfs.c)
