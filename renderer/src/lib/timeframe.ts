/** Timeframe labels as the engine writes them ("1m", "5m", "1h", "1d", "1w"). */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function timeframeMs(tf: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(tf.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** The open time of the bar that holds `ts`: where a fill's marker belongs on the chart. */
export function barOpen(ts: number, tf: string): number {
  const ms = timeframeMs(tf);
  return ms ? Math.floor(ts / ms) * ms : ts;
}

export function sortTimeframes(tfs: string[]): string[] {
  return [...new Set(tfs)].sort((a, b) => (timeframeMs(a) ?? 0) - (timeframeMs(b) ?? 0));
}
