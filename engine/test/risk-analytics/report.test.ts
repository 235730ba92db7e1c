import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBarFile } from '../../src/data/load-bar-file';
import { riskReport } from '../../src/risk/analytics/report';
import { returnsFromPrices } from '../../src/risk/analytics/returns';
import { Rng } from '../../src/risk/analytics/random';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const orcl = (await loadBarFile(join(FIXTURES, 'orcl-1d-2010-2014.csv'))).series;
const nvda = (await loadBarFile(join(FIXTURES, 'nvda-1d-2010-2014.csv'))).series;

/** Plain reference implementations, written independently of the library. */
const ref = {
  simple: (c: ArrayLike<number>): number[] => Array.from({ length: c.length - 1 }, (_, i) => c[i + 1]! / c[i]! - 1),
  mean: (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length,
  sd(x: number[]): number {
    const m = ref.mean(x);
    return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
  },
  /** VaR = −r_(k), ES = −mean of r ≤ r_(k); k from integer per-mille arithmetic. */
  historical(x: number[], permille: number): { var: number; es: number } {
    const s = [...x].sort((a, b) => a - b);
    const k = Math.max(1, Math.ceil((x.length * (1000 - permille)) / 1000));
    const tail = s.filter((v) => v <= s[k - 1]!);
    return { var: -s[k - 1]!, es: -ref.mean(tail) };
  },
};

describe('riskReport on a real two-stock portfolio (ORCL 60%, NVDA 40%, 2010–2014 daily)', () => {
  const positions = [
    { symbol: 'ORCL', value: 60_000 },
    { symbol: 'NVDA', value: 40_000 },
  ];
  const series = [returnsFromPrices(orcl), returnsFromPrices(nvda)];
  const report = riskReport({ kind: 'portfolio', positions, series, capital: 100_000 }, { simulations: 50_000, seed: 7 });
  const ro = ref.simple(orcl.close);
  const rn = ref.simple(nvda.close);
  const port = ro.map((r, i) => 0.6 * r + 0.4 * rn[i]!);

  it('historical VaR/ES equal the sort-based definition', () => {
    // Both files have the same trading days, so every daily return lines up.
    expect([...orcl.ts]).toEqual([...nvda.ts]);
    expect(report.sample.n).toBe(1257);
    for (const [i, permille] of [950, 990].entries()) {
      const want = ref.historical(port, permille);
      expect(report.levels[i]!.historical.var).toBeCloseTo(want.var, 14);
      expect(report.levels[i]!.historical.es).toBeCloseTo(want.es, 14);
    }
  });

  it('Gaussian VaR/ES follow the closed form with the sample mean and sd', () => {
    const mu = ref.mean(port);
    const sd = ref.sd(port);
    expect(report.levels[0]!.gaussian.var).toBeCloseTo(-mu + sd * 1.6448536269514722, 13);
    expect(report.levels[1]!.gaussian.es).toBeCloseTo(-mu + (sd * 0.02665214220345808) / 0.01, 13);
  });

  it('Monte Carlo is reproducible under the seed and close to Gaussian', () => {
    const again = riskReport({ kind: 'portfolio', positions, series, capital: 100_000 }, { simulations: 50_000, seed: 7 });
    expect(again.levels.map((l) => l.monteCarlo)).toEqual(report.levels.map((l) => l.monteCarlo));
    for (const l of report.levels) expect(Math.abs(l.monteCarlo.var / l.gaussian.var - 1)).toBeLessThan(0.03);
    // Real equity returns have fat tails: the 99% historical ES is well beyond the Gaussian one.
    expect(report.levels[1]!.historical.es).toBeGreaterThan(report.levels[1]!.gaussian.es);
  });

  it('stress: the worst day is the worst portfolio day, in money on today\'s positions', () => {
    const worst = Math.min(...port);
    const i = port.indexOf(worst);
    expect(report.stress.worstDays[0]!.pnl).toBeCloseTo(100_000 * worst, 8);
    expect(report.stress.worstDays[0]!.date).toBe(new Date(orcl.ts[i + 1]!).toISOString().slice(0, 10));
    expect(report.stress.worstDays[0]!.date).toBe('2011-08-08');
    expect(report.stress.completeDays).toBe(1257);
    const oWorst = ro.indexOf(Math.min(...ro));
    expect(report.stress.worstDayBySymbol[0]!.day.date).toBe(new Date(orcl.ts[oWorst + 1]!).toISOString().slice(0, 10));
  });

  it('correlation is Pearson on the daily returns', () => {
    const mo = ref.mean(ro);
    const mn = ref.mean(rn);
    let sxy = 0;
    for (let t = 0; t < ro.length; t++) sxy += (ro[t]! - mo) * (rn[t]! - mn);
    const cov = sxy / (ro.length - 1);
    expect(report.correlation.covariance[0]![1]).toBeCloseTo(cov, 15);
    expect(report.correlation.correlation[0]![1]).toBeCloseTo(cov / (ref.sd(ro) * ref.sd(rn)), 13);
    expect(report.correlation.overlap[0]![1]).toBe(1257);
  });

  it('a 5-day horizon measures compounded overlapping 5-day returns', () => {
    const h = riskReport({ kind: 'portfolio', positions, series, capital: 100_000 }, { horizon: 5, simulations: 1000 });
    const r5: number[] = [];
    for (let t = 4; t < ro.length; t++) {
      let go = 1;
      let gn = 1;
      for (let j = t - 4; j <= t; j++) {
        go *= 1 + ro[j]!;
        gn *= 1 + rn[j]!;
      }
      r5.push(0.6 * (go - 1) + 0.4 * (gn - 1));
    }
    expect(h.sample.n).toBe(r5.length);
    expect(h.levels[0]!.historical.var).toBeCloseTo(ref.historical(r5, 950).var, 14);
    expect(h.warnings.join('\n')).toMatch(/overlap/);
  });
});

describe('riskReport on a backtest equity curve', () => {
  const rng = new Rng(99);
  const H = 3_600_000;
  const t0 = Date.UTC(2024, 2, 1);
  const ts: number[] = [];
  const equity: number[] = [];
  let e = 10_000;
  for (let i = 0; i < 24 * 60; i++) {
    ts.push(t0 + i * H);
    equity.push(e);
    e *= 1 + 0.003 * rng.nextNormal();
  }

  it('uses per-bar simple returns of equity, and stresses the last equity in money', () => {
    const r = riskReport({ kind: 'equity', ts, equity }, { simulations: 2000, worstDays: 3 });
    const rets = ref.simple(equity);
    expect(r.symbols).toEqual(['equity']);
    expect(r.capital).toBe(equity[equity.length - 1]);
    expect(r.levels[0]!.historical.var).toBeCloseTo(ref.historical(rets, 950).var, 15);
    // Daily stress: compounding 24 hourly returns is the close-to-close change of the UTC day.
    const byDay = new Map<string, number>();
    for (let i = 1; i < equity.length; i++) {
      const d = new Date(ts[i]!).toISOString().slice(0, 10);
      byDay.set(d, (byDay.get(d) ?? 1) * (equity[i]! / equity[i - 1]!));
    }
    const worst = [...byDay].sort((a, b) => a[1] - b[1])[0]!;
    expect(r.stress.worstDays[0]!.date).toBe(worst[0]);
    expect(r.stress.worstDays[0]!.return).toBeCloseTo(worst[1] - 1, 12);
    expect(r.stress.worstDays[0]!.pnl).toBeCloseTo((worst[1] - 1) * r.capital, 8);
    expect(r.stress.worstDays.length).toBe(3);
  });

  it('refuses a curve that is too short', () => {
    expect(() => riskReport({ kind: 'equity', ts: [t0, t0 + H], equity: [1, 2] })).toThrow(/need at least 2/);
    expect(() => riskReport({ kind: 'equity', ts: [], equity: [] })).toThrow(/empty/);
  });
});

describe('riskReport input checks and warnings', () => {
  const a = returnsFromPrices({ symbol: 'A', ts: [0, 1, 2, 3, 4], close: [10, 11, 10, 12, 11] });
  const b = returnsFromPrices({ symbol: 'B', ts: [0, 1, 3, 4], close: [5, 6, 5, 6] });

  it('warns about thin tails and about intervals left out by alignment', () => {
    const r = riskReport({ kind: 'portfolio', positions: [{ symbol: 'A', value: 1 }, { symbol: 'B', value: 1 }], series: [a, b] }, { simulations: 100 });
    expect(r.alignment).toEqual({ intervals: 2, dropped: [{ symbol: 'A', count: 2 }, { symbol: 'B', count: 1 }] });
    expect(r.warnings.join('\n')).toMatch(/A: 2 return\(s\) left out/);
    expect(r.warnings.join('\n')).toMatch(/averages only 1 observation/);
  });

  it('warns when the Cornish–Fisher expansion is not increasing (thin, uniform-like tails)', () => {
    const rng = new Rng(4);
    const equity = [100];
    for (let i = 0; i < 500; i++) equity.push(equity[i]! * (1 + 0.02 * (rng.nextFloat() - 0.5)));
    const r = riskReport({ kind: 'equity', ts: equity.map((_, i) => 1e12 + i * 60_000), equity }, { simulations: 100 });
    expect(r.sample.moments.excessKurtosis).toBeLessThan(-1);
    expect(r.levels[0]!.cornishFisher.monotone).toBe(false);
    expect(r.warnings.join('\n')).toMatch(/Cornish–Fisher expansion is increasing/);
  });

  it('refuses positions without history, duplicates and empty confidence lists', () => {
    expect(() => riskReport({ kind: 'portfolio', positions: [{ symbol: 'C', value: 1 }], series: [a] })).toThrow(/C: a position has no return history/);
    expect(() => riskReport({ kind: 'portfolio', positions: [{ symbol: 'A', value: 1 }, { symbol: 'A', value: 1 }], series: [a] })).toThrow(/twice/);
    expect(() => riskReport({ kind: 'portfolio', positions: [{ symbol: 'A', value: 1 }], series: [a] }, { confidences: [] })).toThrow(/at least one/);
  });
});
