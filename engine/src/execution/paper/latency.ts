import { badInput } from '../../core/errors';
import type { Rng } from '../../risk/analytics/random';

/**
 * How long the venue takes to answer, in whole ms: one draw per acknowledgement, cancel and
 * fill report. Lognormal has the long right tail real exchange latency shows; uniform is the
 * simple default; fixed is for tests that need exact times.
 */
export type LatencyModel =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number; maxMs?: number };

export const DEFAULT_LATENCY: LatencyModel = { kind: 'uniform', minMs: 50, maxMs: 200 };

export function validateLatency(m: LatencyModel): void {
  const bad = (msg: string): never => {
    throw badInput(msg, 'paper venue latency', { model: m });
  };
  switch (m.kind) {
    case 'fixed':
      if (!(m.ms >= 0)) bad(`fixed latency must be >= 0 ms, got ${m.ms}`);
      return;
    case 'uniform':
      if (!(m.minMs >= 0) || !(m.maxMs >= m.minMs)) bad(`uniform latency needs 0 <= minMs <= maxMs, got ${m.minMs}..${m.maxMs}`);
      return;
    case 'lognormal':
      if (!(m.medianMs > 0) || !(m.sigma >= 0)) bad(`lognormal latency needs medianMs > 0 and sigma >= 0, got ${m.medianMs}, ${m.sigma}`);
      if (m.maxMs !== undefined && !(m.maxMs >= 0)) bad(`lognormal maxMs must be >= 0, got ${m.maxMs}`);
      return;
    default:
      bad(`unknown latency model ${(m as { kind: string }).kind}`);
  }
}

export function drawLatency(m: LatencyModel, rng: Rng): number {
  switch (m.kind) {
    case 'fixed':
      return Math.round(m.ms);
    case 'uniform':
      return Math.round(m.minMs + rng.nextFloat() * (m.maxMs - m.minMs));
    case 'lognormal': {
      const ms = m.medianMs * Math.exp(m.sigma * rng.nextNormal());
      return Math.round(m.maxMs === undefined ? ms : Math.min(ms, m.maxMs));
    }
  }
}
