/**
 * Exit statuses: one meaning each, the same in every command (README, "Exit statuses").
 */

export const EXIT = {
  /** nothing failed and the stated space was exhausted; replay: the schedule ran clean */
  ok: 0,
  /** a deadlock or an invariant violation; replay: the recorded failure happened again */
  failure: 1,
  /** bad input (a seed-file field, a flag, a path), rejected before any work */
  badInput: 2,
  /** a trap inside the model, or a worker that died */
  modelBug: 3,
  /** no failure found, and the space was not exhausted (a budget, a time limit, a full table, or
   *  sampled schedules) */
  inconclusive: 4,
  /** replay: the run ended otherwise than recorded */
  notReproduced: 5,
  /** replay: the recorded schedule does not fit the model */
  diverged: 6,
  /** sweep: stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it); what was done is
   *  saved with --out, and the message says how to resume */
  interrupted: 130,
} as const;
