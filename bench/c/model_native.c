/*
 * The model's own code as native code, for the speed comparison in docs/performance.md: a driver
 * for build/vfsim-lean.wasm translated to C by wasm2c (wabt) and compiled with gcc -O2. It runs
 * the same loop as the benchmark's "lean engine" (run_batch in chunks of 4096 schedules,
 * restarting after each failing one), so it does exactly the model's work per tick, natively.
 *
 * Note the translation is not free: wasm2c keeps linear memory behind the instance, so every load
 * and store goes through a pointer the C compiler must assume any store may change. It is an
 * upper bound on what the model's work costs natively, not a tuned port.
 *
 * Build (scripts/bench.mjs does it when wasm2c is installed; Debian package wabt):
 *   wasm2c build/vfsim-lean.wasm -n vfsim -o vfsim.c
 *   gcc -O2 -I/usr/share/wabt/wasm2c model_native.c vfsim.c /usr/share/wabt/wasm2c/wasm-rt-impl.c -lm
 * Run: ./model_native WORDS_FILE SEED SCHEDULES   (WORDS_FILE: the scenario words, little-endian i32)
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vfsim.h"

void Z_envZ_abort(struct Z_env_instance_t *env, u32 msg, u32 file, u32 line, u32 col) {
  (void)env; (void)msg; (void)file; (void)line; (void)col;
  fprintf(stderr, "model_native: the model trapped (a vfsim bug); replay the schedule in Node for the message\n");
  exit(3);
}

u32 Z_vfsimZ_visited_insert(struct Z_vfsim_instance_t *m, u32 lo, u32 hi, u32 used) {
  (void)m; (void)lo; (void)hi; (void)used;
  fprintf(stderr, "model_native: dfs is not driven from here\n");
  exit(3);
}

static int32_t words[1 << 16];

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WORDS_FILE SEED SCHEDULES\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  size_t n = fread(words, 4, sizeof words / 4, f);
  fclose(f);
  uint64_t seed = strtoull(argv[2], 0, 10);
  int schedules = atoi(argv[3]);

  static Z_vfsim_instance_t m;
  wasm_rt_init();
  Z_vfsim_init_module();
  Z_vfsim_instantiate(&m, NULL, &m);
  wasm_rt_memory_t *mem = Z_vfsimZ_memory(&m);
  memcpy(mem->data + Z_vfsimZ_scenario_ptr(&m), words, n * 4);
  if (Z_vfsimZ_load_scenario(&m) != 0) { fprintf(stderr, "%s: the model rejected the scenario\n", argv[1]); return 2; }

  /* the same warm-up as the benchmark's engine: 20,000 schedules of another seed */
  for (int i = 0; i < 20000;) {
    int hit = (int)Z_vfsimZ_run_batch(&m, 0, 99, (u32)i, (u32)(20000 - i), 0, 0);
    i = hit < 0 ? 20000 : i + hit + 1;
  }
  uint64_t t0 = Z_vfsimZ_ticks_total(&m), failures = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < schedules;) {
    int count = schedules - i < 4096 ? schedules - i : 4096;
    int hit = (int)Z_vfsimZ_run_batch(&m, 0, seed, (u32)i, (u32)count, 0, 0);
    if (hit < 0) i += count;
    else { failures++; i += hit + 1; }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  uint64_t ticks = Z_vfsimZ_ticks_total(&m) - t0;
  printf("{\"schedules\":%d,\"deadlocks\":%llu,\"ticks\":%llu,\"seconds\":%.6f,\"schedulesPerSecond\":%.0f}\n",
         schedules, (unsigned long long)failures, (unsigned long long)ticks, s, schedules / s);
  Z_vfsim_free(&m);
  wasm_rt_free();
  return 0;
}
