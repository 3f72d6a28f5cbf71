/*
 * vfsim.pml: the project's Promela model of SPIN's shape Hk, for `npm run bench:spin`.
 *
 * One directory /d, its i_rwsem, and the dentries of the names x1..xk in it. The tasks, in the
 * order of fixtures/scale/spin-h<k>-<order>.json's threads (pids in declaration order):
 *   pids 0 .. K-1     R1..Rk  getdents64(/d): iterate_dir() takes /d shared; nfs_readdir's
 *                             readdirplus reply primes the dcache with x1..xk in order
 *                             (nfs_prime_dcache: d_alloc_parallel, or d_alloc_trylock).
 *   pids K .. 2K-1    L1..Lk  stat(/d/x_n), vfs_statx(): lookup_fast misses; lookup_slow():
 *                             d_alloc_parallel and ->lookup (nfs_lookup), with /d shared around
 *                             all of it (current order) or only around ->lookup (proposed).
 *   pids 2K .. 3K-1   W1..Wk  mkdir(/d/y_n), do_mkdirat(): /d exclusive around nfs_mkdir.
 *
 * Build flags (cpp):
 *   K=k              the size of the shape (default 1)
 *   ORDER_PROPOSED   __lookup_slow() takes /d shared itself, after d_alloc_parallel (the
 *                    proposal); without it lookup_slow() takes it first (the kernel today)
 *   PRIME_TRYLOCK    the primers use d_alloc_trylock(): a name in lookup by another task is
 *                    skipped (-EWOULDBLOCK) rather than waited for (d_wait_lookup)
 * Hk-current (the reference's Hk-old) is -DK=k; Hk-proposed (Hk-new) -DK=k -DORDER_PROPOSED;
 * Hk-noblock -DK=k -DORDER_PROPOSED -DPRIME_TRYLOCK (bench/spin/shape.mjs).
 *
 * The yardstick is the reference model of the shape (/work/shared/reference/vfs.pml and its
 * README): with partial-order reduction off (pan built with -DNOREDUCE) both must store the same
 * number of states and take the same transitions, and give the same verdict
 * (`node bench/spin/run.mjs --agree`). So each step here is one of the reference's steps, no
 * finer and no coarser (every atomic sequence below is one step; a statement that blocks inside
 * one ends the step, and the sleeper's next step starts there):
 *   - a lock request (down_read, down_write), granted at once or queued;
 *   - a queued waiter noticing it was handed the lock (rwsem_down_*_slowpath's wait loop);
 *   - d_alloc_parallel's search-or-insert; after sleeping in d_wait_lookup, the wake-up and the
 *     search again are one step;
 *   - ->lookup (nfs_lookup; for a primer, nfs_fhget of the entry's inode), nothing shared;
 *   - d_splice_alias (__d_add), which also ends the in-lookup state and wakes its waiters;
 *   - nfs_mkdir, nothing shared either;
 *   - a release (up_read, up_write) with the hand-over to the next waiters (rwsem_mark_wake).
 * Moving on to the primer's next name, or to the release after the last one, is part of the step
 * that finished the name. A finished task sits at its end_ label, so pan reports a state where
 * some task is unfinished and none can move as an invalid end state: the deadlock.
 *
 * vfsim's model of the same seed files takes many finer steps per operation, and does more than
 * this model: the path walk and lookup_fast, refcounts and dput, server objects and inodes,
 * mkdir's own lookup of y_n under the lock (filename_create), the checks of "all". This model is
 * the shape at the reference's granularity, for measuring SPIN on it; it is not a port of vfsim.
 *
 * Divergence from Linux (as vfsim's rwsem policy "fifo", assembly/kernel/rwsem.ts): the i_rwsem
 * hands the lock over in strict arrival order (a head reader takes the readers right behind it,
 * up to the first queued writer), with no optimistic spinning, reader stealing or handoff bit.
 * d_alloc_parallel's hash search, in-lookup search and insertion are one step (vfsim does the
 * same). No signals: iterate_dir's down_read_killable is down_read.
 */

#ifndef K
#define K 1
#endif
#define NR_TASKS (3 * K)
#define BIT(t) (1 << (t))

/* ---- /d's i_rwsem: kernel/locking/rwsem.c, policy fifo ------------------------------------ */

/* A waiter's type (struct rwsem_waiter.type) is its task's: the mkdir tasks wait to write
 * (RWSEM_WAITING_FOR_WRITE), the others to read; it is not stored, which keeps pan's state
 * vector as small as the reference's (pan's time per state grows with the vector). */
#define RWSEM_WAITING_FOR_WRITE(t) ((t) >= 2 * K)

byte rwsem_owner;       /* the writer holding it, as its pid + 1; 0: no writer */
short rwsem_readers;    /* BIT(pid) for each reader holding it */
chan wait_list = [NR_TASKS] of { byte };   /* sem->wait_list, oldest first: waiter.task's pid */
short waiter_task;      /* BIT(pid) while pid's waiter.task != NULL: queued, not yet handed it */
hidden byte w_pid;      /* scratch for a waiter taken off the list (not part of the state) */

/* Models: rwsem_mark_wake() as rwsem_wake() calls it after a release (policy fifo).
 * Locking: the caller released the lock and holds wait_lock (inside its atomic step); no writer
 * holds the lock. A writer at the head is handed a lock nobody holds; a reader at the head is
 * handed the lock with every reader queued right behind it, up to the first writer. A waiter
 * handed the lock is off the list with waiter.task cleared, and holds the lock. */
inline rwsem_mark_wake() {
  do
  :: empty(wait_list) -> break
  :: nempty(wait_list) ->
     wait_list?<w_pid>;
     if
     :: RWSEM_WAITING_FOR_WRITE(w_pid) && rwsem_readers == 0 && rwsem_owner == 0 ->
        wait_list?w_pid;
        rwsem_owner = w_pid + 1;
        waiter_task = waiter_task & ~BIT(w_pid)
     :: !RWSEM_WAITING_FOR_WRITE(w_pid) && rwsem_owner == 0 ->
        wait_list?w_pid;
        rwsem_readers = rwsem_readers | BIT(w_pid);
        waiter_task = waiter_task & ~BIT(w_pid)
     :: else -> break
     fi
  od;
  w_pid = 0
}

/* Models: rwsem_down_read_slowpath(): queue at the tail, sleep until a releaser hands the lock
 * over (clears waiter.task), return holding it. The statement that sleeps ends the caller's
 * step; noticing the hand-over is the sleeper's next step. */
inline rwsem_down_read_slowpath() {
  wait_list!_pid;
  waiter_task = waiter_task | BIT(_pid);
  (waiter_task & BIT(_pid)) == 0
}

/* Models: rwsem_down_write_slowpath(): the same for a writer. */
inline rwsem_down_write_slowpath() {
  wait_list!_pid;
  waiter_task = waiter_task | BIT(_pid);
  (waiter_task & BIT(_pid)) == 0
}

/* Models: down_read() (inode_lock_shared). Granted at once iff no writer holds it and nobody is
 * queued (FIFO: a reader does not pass a queued writer). Locking: not held by the caller. */
inline down_read() {
  atomic {
    if
    :: rwsem_owner == 0 && len(wait_list) == 0 -> rwsem_readers = rwsem_readers | BIT(_pid)
    :: else -> rwsem_down_read_slowpath()
    fi
  }
}

/* Models: down_write() (inode_lock). Granted at once iff nobody holds it and nobody is queued.
 * Locking: not held by the caller. */
inline down_write() {
  atomic {
    if
    :: rwsem_owner == 0 && rwsem_readers == 0 && len(wait_list) == 0 -> rwsem_owner = _pid + 1
    :: else -> rwsem_down_write_slowpath()
    fi
  }
}

/* Models: up_read() (inode_unlock_shared). Locking: the caller holds it shared. */
inline up_read() {
  assert(rwsem_readers & BIT(_pid));
  rwsem_readers = rwsem_readers & ~BIT(_pid);
  rwsem_mark_wake()
}

/* Models: up_write() (inode_unlock). Locking: the caller holds it exclusive. */
inline up_write() {
  assert(rwsem_owner == _pid + 1);
  rwsem_owner = 0;
  rwsem_mark_wake()
}

/* ---- the dentries of x1..xk in /d: fs/dcache.c -------------------------------------------- */

bool d_hashed[K];       /* on the dcache hash: a lookup finds it (d_lookup) */
byte d_in_lookup[K];    /* DCACHE_PAR_LOOKUP set: its allocator's pid + 1; 0: not in lookup */

/* Models: __d_add(), as d_splice_alias() calls it, on the in-lookup dentry of name n: hash it
 * and end the lookup (__d_lookup_done), which wakes every task sleeping in d_wait_lookup on it.
 * Locking: the caller allocated n's in-lookup dentry (d_alloc_parallel returned it in lookup). */
inline __d_add(n) {
  assert(d_in_lookup[n] == _pid + 1);
  d_hashed[n] = 1;
  d_in_lookup[n] = 0
}

/* Models: d_alloc_parallel(/d, x_n)'s search-or-insert, inside the caller's atomic step: FOUND
 * if n is hashed (d_lookup); OWNED after inserting an in-lookup dentry of the caller's own;
 * BUSY if another task has n in lookup (d_alloc_parallel: d_wait_lookup; d_alloc_trylock:
 * -EWOULDBLOCK). Each of FOUND, OWNED, BUSY is a statement that leaves the step (a goto). */
#define D_ALLOC_PARALLEL(n, FOUND, OWNED, BUSY) \
  if \
  :: d_hashed[n] -> FOUND \
  :: !d_hashed[n] && d_in_lookup[n] == 0 -> d_in_lookup[n] = _pid + 1; OWNED \
  :: d_in_lookup[n] != 0 -> BUSY \
  fi

/* ---- getdents64(/d): iterate_dir -> nfs_readdir -> nfs_prime_dcache for each entry ----------- */

/* on to the readdirplus reply's next entry, or to the end of the directory */
#define NEXT_ENTRY \
  pos++; \
  if \
  :: pos < K -> goto nfs_prime_dcache \
  :: else -> goto inode_unlock_shared \
  fi

active [K] proctype getdents64() {
  byte pos = 0;   /* the entry x_{pos+1} being primed */

  down_read();    /* iterate_dir: inode_lock_shared(/d) (killable; no signals here) */
nfs_prime_dcache:
  atomic {
#ifdef PRIME_TRYLOCK
    /* d_alloc_trylock: an entry in lookup by another task is left to it */
    D_ALLOC_PARALLEL(pos, NEXT_ENTRY, goto nfs_fhget, NEXT_ENTRY)
#else
    D_ALLOC_PARALLEL(pos, NEXT_ENTRY, goto nfs_fhget, goto d_wait_lookup);
d_wait_lookup:
    /* sleep until the owner's __d_lookup_done; then d_alloc_parallel looks again */
    d_in_lookup[pos] == 0;
    D_ALLOC_PARALLEL(pos, NEXT_ENTRY, goto nfs_fhget, goto d_wait_lookup)
#endif
  }
nfs_fhget:
  skip;           /* the entry's inode, from the readdirplus reply: nothing shared */
d_splice_alias:
  atomic { __d_add(pos); NEXT_ENTRY }
inode_unlock_shared:
  atomic { up_read() }
end_getdents64:
  false
}

/* ---- stat(/d/x_n): vfs_statx -> link_path_walk -> lookup_slow -> __lookup_slow -------------- */

#define NAME (_pid - K)   /* L_n looks up x_n */

active [K] proctype vfs_statx() {
#ifndef ORDER_PROPOSED
  down_read();    /* lookup_slow: inode_lock_shared(/d) around __lookup_slow */
d_alloc_parallel:
  atomic {
    D_ALLOC_PARALLEL(NAME, goto inode_unlock_shared, goto nfs_lookup, goto d_wait_lookup);
d_wait_lookup:
    d_in_lookup[NAME] == 0;
    D_ALLOC_PARALLEL(NAME, goto inode_unlock_shared, goto nfs_lookup, goto d_wait_lookup)
  }
nfs_lookup:
  skip;           /* ->lookup: asks the server, nothing shared */
d_splice_alias:
  atomic { __d_add(NAME) }
inode_unlock_shared:
  atomic { up_read() }
#else
d_alloc_parallel:
  atomic {
    D_ALLOC_PARALLEL(NAME, goto end_vfs_statx, goto inode_lock_shared, goto d_wait_lookup);
d_wait_lookup:
    d_in_lookup[NAME] == 0;
    D_ALLOC_PARALLEL(NAME, goto end_vfs_statx, goto inode_lock_shared, goto d_wait_lookup)
  }
inode_lock_shared:
  down_read();    /* __lookup_slow: /d shared around ->lookup only */
nfs_lookup:
  skip;
d_splice_alias:
  atomic { __d_add(NAME) }
inode_unlock_shared:
  atomic { up_read() }
#endif
end_vfs_statx:
  false
}

/* ---- mkdir(/d/y_n): do_mkdirat -> filename_create -> vfs_mkdir ----------------------------- */

active [K] proctype do_mkdirat() {
  down_write();   /* filename_create: inode_lock_nested(/d, I_MUTEX_PARENT) */
nfs_mkdir:
  skip;           /* vfs_mkdir -> nfs_mkdir: asks the server, nothing shared */
inode_unlock:
  atomic { up_write() }
end_do_mkdirat:
  false
}
