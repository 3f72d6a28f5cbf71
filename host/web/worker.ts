/** The sweep worker (a module Web Worker): sweeper.ts does the work. */

import type { ToWorker } from "./protocol";
import { Sweeper } from "./sweeper";

const scope = self as unknown as Worker;
const sweeper = new Sweeper((m, transfer = []) => scope.postMessage(m, transfer));
scope.onmessage = (ev: MessageEvent<ToWorker>) => sweeper.handle(ev.data);
