/** The perturbations a sandbox request may get, drawn from a seeded source so a run can be replayed. */
import type { Random } from './random.js';

export interface FaultRates {
  /** Share of requests whose connection is reset without an answer. */
  resetRate: number;
  /** Share of requests answered HTTP 500 code 1002001. */
  errorRate: number;
}

export type Fault = 'reset' | 'serverError' | undefined;

/** One draw per request; the two shares are stacked bands of [0, 1), so their sum is best kept at most 1. */
export function drawFault(random: Random, rates: FaultRates): Fault {
  if (rates.resetRate <= 0 && rates.errorRate <= 0) return undefined;
  const draw = random();
  if (draw < rates.resetRate) return 'reset';
  if (draw < rates.resetRate + rates.errorRate) return 'serverError';
  return undefined;
}

/** Base latency plus uniform jitter in [-jitterMs, +jitterMs], never below 0. */
export function drawDelayMs(random: Random, latencyMs: number, jitterMs: number): number {
  if (jitterMs <= 0) return Math.max(0, latencyMs);
  return Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs);
}
