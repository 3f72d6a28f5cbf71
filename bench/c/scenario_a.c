/*
 * A hand-written C port of vfsim scenario (a) under random scheduling, for the speed comparison
 * in docs/performance.md. NOT the vfsim model: a fixed-function state machine for exactly three
 * tasks on one directory, written the way one would hand-code this one scenario in C.
 *
 *   R  getdents("/d")   NFS READDIRPLUS, priming with d_alloc_parallel under /d shared
 *   L  stat("/d/x")     lookup_fast, else lookup_slow
 *   W  mkdir("/d/y")    lookup (EXCL, not instantiated), then the exclusive lock
 *
 * Lock order `current` or `proposed` (argv), i_rwsem with the `linux` policy, NFS, d_alloc_parallel
 * priming: the variants of fixtures/scenarios/a-readdirplus-prime-lookup-mkdir-deadlock.json with
 * prime=d_alloc_parallel rwsem=linux.
 *
 * What it keeps from the model: the same atomic steps (every tick boundary of assembly/ for these
 * paths: one `case` below is one tick), the same rwsem admission and hand-off, the same in-lookup
 * waits and wakes, the same scheduler (a uniform choice among runnable tasks through xoshiro128**
 * seeded per schedule by SplitMix64 exactly as assembly/sim/prng.ts), deadlock detection after
 * every tick, and a small shape check of the two dentries after every tick. Because the steps and
 * the PRNG are the same, schedule i makes the same choices here as in the model: the program
 * prints the number of deadlocks and the total ticks, which must equal the model's (bench.mjs
 * checks that).
 *
 * What it leaves out: the model's generality (frames, tables of 64 dentries, interned names, the
 * scenario decoder), refcounts, the trace buffer, the choice recording, the waits-for cycle
 * search, and the invariants that cannot fire in this scenario.
 *
 * Build: gcc -O2 -o scenario_a scenario_a.c      Run: ./scenario_a proposed 1 1000000
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the model's PRNG (assembly/sim/prng.ts) ------------------------------------------------ */

static uint32_t s0, s1, s2, s3;

static uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t schedule_seed(uint64_t seed, uint64_t index) { return splitmix64(seed ^ splitmix64(index + 0x5EED)); }

static void prng_seed(uint64_t seed) {
  uint64_t a = splitmix64(seed), b = splitmix64(a);
  s0 = (uint32_t)a; s1 = (uint32_t)(a >> 32); s2 = (uint32_t)b; s3 = (uint32_t)(b >> 32);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t prng_next(void) {
  uint32_t result = rotl(s1 * 5, 7) * 9, t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
  return result;
}

static inline uint32_t prng_below(uint32_t n) { return (uint32_t)(((uint64_t)prng_next() * n) >> 32); }

/* ---- state ------------------------------------------------------------------------------------ */

enum { R, L, W, NT };
enum { RUNNABLE, BLOCKED, DONE };
enum { ABSENT, PRIVATE, IN_LOOKUP, HASHED };   /* a dentry of /d: x or y */
enum { X, Y };

typedef struct {
  /* dentries x and y of /d (d and / are always cached) */
  uint8_t dstate[2], owner[2], waiters[2];
  uint8_t srv_y;                 /* y exists on the server (x always does) */
  /* /d's i_rwsem, linux policy: writer (task + 1), readers mask, FIFO queue of (task, write) */
  uint8_t writer, readers, qlen, qtask[NT], qwrite[NT];
  /* tasks */
  uint8_t state[NT], pc[NT], waitobj[NT], listed, next_obj, prime_obj;
  int ticks, done;
} State;

static State S;
static int proposed;

/* ---- i_rwsem (assembly/kernel/rwsem.ts, linux policy) --------------------------------------- */

static void wake(int t) { S.state[t] = RUNNABLE; }

static int down_read(int t) {
  if (!S.writer && !S.qlen) { S.readers |= 1 << t; return 1; }
  S.qtask[S.qlen] = t; S.qwrite[S.qlen++] = 0;
  return 0;
}

static int down_write(int t) {
  if (!S.writer && !S.readers && !S.qlen) { S.writer = t + 1; return 1; }
  S.qtask[S.qlen] = t; S.qwrite[S.qlen++] = 1;
  return 0;
}

static void dequeue(int k) {
  for (int j = k; j < S.qlen - 1; j++) { S.qtask[j] = S.qtask[j + 1]; S.qwrite[j] = S.qwrite[j + 1]; }
  S.qlen--;
}

/* After a release: a reader at the head brings every queued reader in; else a head writer
 * gets the lock once it is free. */
static void grant(void) {
  if (!S.qlen || S.writer) return;
  if (!S.qwrite[0]) {
    for (int k = 0; k < S.qlen;) {
      if (!S.qwrite[k]) { int t = S.qtask[k]; S.readers |= 1 << t; dequeue(k); wake(t); }
      else k++;
    }
  }
  if (!S.qlen || S.readers) return;
  if (S.qwrite[0]) { int t = S.qtask[0]; S.writer = t + 1; dequeue(0); wake(t); }
}

static void up_read(int t) { S.readers &= ~(1 << t); grant(); }
static void up_write(void) { S.writer = 0; grant(); }

/* Take the lock for task t; 1: go on at `next` next tick; 0: blocked, resumes at `next`. */
static void lock_shared(int t, int next) { S.pc[t] = next; if (!down_read(t)) S.state[t] = BLOCKED; }
static void lock_excl(int t, int next) { S.pc[t] = next; if (!down_write(t)) S.state[t] = BLOCKED; }

/* ---- dcache ----------------------------------------------------------------------------------- */

/* __d_add of an in-lookup or private dentry: end the episode (waking d_wait_lookup sleepers),
 * attach the inode, hash it. */
static void d_add(int t, int d) {
  (void)t;
  if (S.dstate[d] == IN_LOOKUP) {
    for (int u = 0; u < NT; u++) if (S.waiters[d] & (1 << u)) wake(u);
    S.waiters[d] = 0;
  }
  S.dstate[d] = HASHED;
}

/* d_alloc_parallel's search-or-insert for task t: 'h' hashed hit, 'w' someone else's
 * in-lookup dentry (wait), 'n' a new in-lookup dentry owned by t. */
static char dap_search(int t, int d) {
  if (S.dstate[d] == HASHED) return 'h';
  if (S.dstate[d] == IN_LOOKUP) return 'w';
  S.dstate[d] = IN_LOOKUP; S.owner[d] = t;
  return 'n';
}

/* d_wait_lookup: sleep while d is in lookup; resumes at `recheck`. Else go straight on. */
static int d_wait(int t, int d, int recheck) {
  S.pc[t] = recheck;
  if (S.dstate[d] != IN_LOOKUP) return 0;
  S.waiters[d] |= 1 << t; S.waitobj[t] = d; S.state[t] = BLOCKED;
  return 1;
}

/* ---- R: getdents("/d") ------------------------------------------------------------------------ */

enum { R_WALK, R_LOCK, R_RPC, R_NEXT, R_EXISTING, R_ALLOC, R_GOT_HIT, R_WAIT, R_RECHECK, R_FHGET, R_SPLICE, R_DPUT, R_FPUT };

static void step_R(void) {
  switch (S.pc[R]) {
  case R_WALK: S.pc[R] = R_LOCK; return;                          /* lookup_fast "d" */
  case R_LOCK: lock_shared(R, R_RPC); return;                     /* iterate_dir: down_read */
  case R_RPC:                                                     /* READDIRPLUS: x, and y once created */
    S.listed = S.srv_y ? 2 : 1; S.next_obj = 0; S.pc[R] = R_NEXT; return;
  case R_NEXT:                                                    /* next entry: d_lookup */
    if (S.next_obj == S.listed) { up_read(R); S.pc[R] = R_FPUT; return; }   /* up_read */
    S.prime_obj = S.next_obj++;
    S.pc[R] = S.dstate[S.prime_obj] == HASHED ? R_EXISTING : R_ALLOC;
    return;
  case R_EXISTING: S.pc[R] = R_NEXT; return;                      /* nfs_same_file, dput */
  case R_ALLOC:                                                   /* d_alloc_parallel */
    switch (dap_search(R, S.prime_obj)) {
    case 'h': S.pc[R] = R_GOT_HIT; return;
    case 'w': S.pc[R] = R_WAIT; return;
    default: S.pc[R] = R_FHGET; return;
    }
  case R_GOT_HIT: S.pc[R] = R_NEXT; return;                       /* d_in_lookup? no: same file, dput */
  case R_WAIT:                                                    /* d_wait_lookup */
    if (d_wait(R, S.prime_obj, R_RECHECK)) return;
    __attribute__((fallthrough));                                 /* not in lookup: re-check now */
  case R_RECHECK:
    S.pc[R] = S.dstate[S.prime_obj] == HASHED ? R_GOT_HIT : R_ALLOC;
    return;
  case R_FHGET: S.pc[R] = R_SPLICE; return;                       /* nfs_fhget */
  case R_SPLICE: d_add(R, S.prime_obj); S.pc[R] = R_DPUT; return;  /* d_splice_alias */
  case R_DPUT: S.pc[R] = R_NEXT; return;                          /* d_lookup_done (no-op), dput */
  case R_FPUT: S.state[R] = DONE; S.done++; return;               /* fput, return */
  }
}

/* ---- L: stat("/d/x") -------------------------------------------------------------------------- */

enum { L_WALK, L_FAST, L_RET, L_SLOW, L_SEARCH, L_GOT_HIT, L_UNLOCKED, L_WAIT, L_RECHECK, L_GOT_NEW, L_RPC, L_INST, L_LOOKED, L_DONE };

/* d_alloc_parallel(x) for L, then where __lookup_slow goes on. */
static void l_search(void) {
  switch (dap_search(L, X)) {
  case 'h': S.pc[L] = L_GOT_HIT; return;
  case 'w': S.pc[L] = L_WAIT; return;
  default: S.pc[L] = L_GOT_NEW; return;
  }
}

static void step_L(void) {
  switch (S.pc[L]) {
  case L_WALK: S.pc[L] = L_FAST; return;                          /* lookup_fast "d" */
  case L_FAST: S.pc[L] = S.dstate[X] == HASHED ? L_RET : L_SLOW; return;   /* lookup_fast "x" */
  case L_RET: S.state[L] = DONE; S.done++; return;                /* generic_fillattr, dput */
  case L_SLOW:
    if (proposed) { l_search(); return; }                         /* lookup_slow: d_alloc_parallel first */
    lock_shared(L, L_SEARCH); return;                             /* lookup_slow: inode_lock_shared */
  case L_SEARCH: l_search(); return;
  case L_GOT_HIT:                                                 /* not in lookup: return it */
    if (proposed) { S.pc[L] = L_RET; return; }                    /* ... up to link_path_walk */
    up_read(L); S.pc[L] = L_UNLOCKED; return;                     /* lookup_slow: inode_unlock_shared */
  case L_UNLOCKED: S.pc[L] = L_RET; return;                       /* link_path_walk: step_into */
  case L_WAIT: if (d_wait(L, X, L_RECHECK)) return;
    __attribute__((fallthrough));
  case L_RECHECK: S.pc[L] = S.dstate[X] == HASHED ? L_GOT_HIT : L_SEARCH; return;
  case L_GOT_NEW:
    if (proposed) { lock_shared(L, L_RPC); return; }              /* __lookup_slow: inode_lock_shared */
    __attribute__((fallthrough));                                 /* current order holds it already */
  case L_RPC: S.pc[L] = L_INST; return;                           /* nfs_lookup: LOOKUP */
  case L_INST: d_add(L, X); S.pc[L] = L_LOOKED; return;           /* d_splice_alias */
  case L_LOOKED:
    if (proposed) { up_read(L); S.pc[L] = L_DONE; return; }       /* inode_unlock_shared */
    up_read(L); S.pc[L] = L_UNLOCKED; return;                     /* d_lookup_done (no-op), up_read */
  case L_DONE: S.pc[L] = L_RET; return;                           /* d_lookup_done (no-op), return */
  }
}

/* ---- W: mkdir("/d/y") ------------------------------------------------------------------------- */

enum { W_WALK, W_START, W_C_LOOKUP, W_C_MKDIR, W_INST, W_UNLOCK, W_DPUT, W_P_GOT, W_P_LOOKUP, W_P_AFTER, W_P_MKDIR, W_P_UNLOCK };

static void step_W(void) {
  switch (S.pc[W]) {
  case W_WALK: S.pc[W] = W_START; return;                         /* lookup_fast "d" */
  case W_START:
    if (!proposed) { lock_excl(W, W_C_LOOKUP); return; }          /* inode_lock */
    dap_search(W, Y); S.pc[W] = W_P_GOT; return;                  /* lookup_one_qstr: d_alloc_parallel */
  case W_C_LOOKUP: S.dstate[Y] = PRIVATE; S.pc[W] = W_C_MKDIR; return;   /* d_lookup miss, d_alloc */
  case W_C_MKDIR: S.srv_y = 1; S.pc[W] = W_INST; return;          /* ->lookup (EXCL: NULL), RPC mkdir */
  case W_INST: d_add(W, Y); S.pc[W] = proposed ? W_P_UNLOCK : W_UNLOCK; return;   /* d_instantiate */
  case W_UNLOCK: up_write(); S.pc[W] = W_DPUT; return;            /* inode_unlock */
  case W_DPUT: S.state[W] = DONE; S.done++; return;               /* dput, return */
  case W_P_GOT: lock_shared(W, W_P_LOOKUP); return;               /* lookup_one_qstr: inode_lock_shared */
  case W_P_LOOKUP: up_read(W); S.pc[W] = W_P_AFTER; return;       /* ->lookup (EXCL: NULL), unlock */
  case W_P_AFTER: lock_excl(W, W_P_MKDIR); return;                /* inode_lock, still in lookup */
  case W_P_MKDIR: S.srv_y = 1; S.pc[W] = W_INST; return;          /* re-validate, RPC mkdir */
  case W_P_UNLOCK: up_write(); S.pc[W] = W_DPUT; return;          /* inode_unlock; then d_lookup_done
                                                                     (no-op) and dput in W_DPUT */
  }
}

/* ---- the run ---------------------------------------------------------------------------------- */

enum { V_RUNNING, V_OK, V_DEADLOCK, V_VIOLATION, V_TICK_LIMIT };

/* After every tick: the shape of the two dentries (an in-lookup dentry has an owner and no
 * waiter sleeps on a dentry that is not in lookup), then termination. */
static int after_tick(void) {
  for (int d = 0; d < 2; d++) {
    if (S.dstate[d] != IN_LOOKUP && S.waiters[d]) return V_VIOLATION;
    if (S.dstate[d] == IN_LOOKUP && S.owner[d] >= NT) return V_VIOLATION;
  }
  if (S.done == NT) return V_OK;
  for (int t = 0; t < NT; t++) if (S.state[t] == RUNNABLE) return S.ticks >= 2000 ? V_TICK_LIMIT : V_RUNNING;
  return V_DEADLOCK;
}

static int run_schedule(uint64_t seed, uint64_t index) {
  memset(&S, 0, sizeof S);
  S.dstate[X] = ABSENT; S.dstate[Y] = ABSENT;
  prng_seed(schedule_seed(seed, index));
  for (;;) {
    int mask = 0;
    for (int t = 0; t < NT; t++) if (S.state[t] == RUNNABLE) mask |= 1 << t;
    uint32_t k = prng_below((uint32_t)__builtin_popcount(mask));
    int t = 0;
    for (; t < NT; t++) if (mask & (1 << t)) { if (k == 0) break; k--; }
    S.ticks++;
    if (t == R) step_R(); else if (t == L) step_L(); else step_W();
    int v = after_tick();
    if (v != V_RUNNING) return v;
  }
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "current") && strcmp(argv[1], "proposed"))) {
    fprintf(stderr, "usage: %s current|proposed SEED SCHEDULES\n", argv[0]);
    return 2;
  }
  proposed = strcmp(argv[1], "proposed") == 0;
  uint64_t seed = strtoull(argv[2], 0, 10), n = strtoull(argv[3], 0, 10);
  uint64_t deadlocks = 0, other = 0, ticks = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (uint64_t i = 0; i < n; i++) {
    int v = run_schedule(seed, i);
    ticks += S.ticks;
    if (v == V_DEADLOCK) deadlocks++;
    else if (v != V_OK) other++;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("{\"order\":\"%s\",\"seed\":%llu,\"schedules\":%llu,\"deadlocks\":%llu,\"other\":%llu,\"ticks\":%llu,\"seconds\":%.6f,\"schedulesPerSecond\":%.0f}\n",
         argv[1], (unsigned long long)seed, (unsigned long long)n, (unsigned long long)deadlocks, (unsigned long long)other,
         (unsigned long long)ticks, s, n / s);
  return 0;
}
