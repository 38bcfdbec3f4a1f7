/**
 * V8 settings for the data transfers (pull, fetch, checkout, push). Against a local or mounted remote their work
 * is system calls and OpenSSL's md5, not JavaScript, and two V8 defaults then cost more memory than they save
 * time: Turbofan, whose compilations grow the peak RSS by ~8 MB in a 1,000-file pull (its memory stays with the
 * process) for no measurable CPU gain, and a young generation that doubles under the pull's in-flight promises
 * (~2 MB more). Both are V8 flags that V8 reads when it decides (to optimise a function, to grow the young
 * generation), so setting them at run time takes effect in this process: no second process, no NODE_OPTIONS.
 * Where JavaScript is the hot path again (a cloud SDK; the CRLF normalisation of legacy 2.x objects, a byte loop
 * ten times slower without Turbofan) `fullRuntime` restores the defaults.
 */
import { setFlagsFromString } from 'node:v8';

let lean = false;

/** Leave functions to the interpreter and baseline compiler, and keep the young generation at its initial size. */
export function leanRuntime(): void {
  setFlagsFromString('--no-turbofan');
  setFlagsFromString('--semi-space-growth-factor=1');
  lean = true;
}

/** V8's defaults again (Turbofan on, semi-spaces grow ×2), for work where JavaScript is the hot path. */
export function fullRuntime(): void {
  if (!lean) return;
  setFlagsFromString('--turbofan');
  setFlagsFromString('--semi-space-growth-factor=2');
  lean = false;
}

export const isLeanRuntime = (): boolean => lean;
