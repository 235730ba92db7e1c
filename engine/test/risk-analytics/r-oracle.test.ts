import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { covCorr } from '../../src/risk/analytics/correlation';
import { loadBarFile } from '../../src/data/load-bar-file';
import { moments } from '../../src/risk/analytics/moments';
import { normInv } from '../../src/risk/analytics/normal';
import { returnsFromPrices } from '../../src/risk/analytics/returns';
import { historicalVarEs } from '../../src/risk/analytics/var';

// R is the oracle here: qnorm, quantile(type = 1), e1071's moment skewness/kurtosis, cor, cov.
// R is not a project dependency, so without Rscript on the PATH these checks are skipped.
const hasR = spawnSync('Rscript', ['--version'], { encoding: 'utf8' }).status === 0;
const title = hasR ? 'cross-check against R' : 'cross-check against R (SKIPPED: Rscript not found on PATH; install r-base-core to run it)';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const ORCL = (await loadBarFile(join(FIXTURES, 'orcl-1d-2010-2014.csv'))).series;
const NVDA = (await loadBarFile(join(FIXTURES, 'nvda-1d-2010-2014.csv'))).series;
const CONFIDENCES = [0.9, 0.95, 0.975, 0.99];
const PROBS = [1e-300, 1e-100, 1e-12, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.425, 0.5, 0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-9];

describe.skipIf(!hasR)(title, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'keel-risk-r-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const x = returnsFromPrices(ORCL).r;
  const y = returnsFromPrices(NVDA).r;

  const r = ((): Map<string, number[]> => {
    if (!hasR) return new Map();
    writeFileSync(join(tmp, 'xy.csv'), 'x,y\n' + Array.from(x, (v, i) => `${v.toPrecision(17)},${y[i]!.toPrecision(17)}`).join('\n') + '\n');
    const script = `
      d <- read.csv("${join(tmp, 'xy.csv')}")
      a <- c(${CONFIDENCES.join(',')})
      q <- sapply(1 - a, function(p) quantile(d$x, p, type = 1, names = FALSE))
      es <- sapply(q, function(v) mean(d$x[d$x <= v]))
      out <- function(name, v) cat(name, formatC(v, digits = 17, format = "g"), "\\n")
      out("qnorm", qnorm(c(${PROBS.map((p) => p.toPrecision(17)).join(',')})))
      out("var", -q)
      out("es", -es)
      if (requireNamespace("e1071", quietly = TRUE)) {
        out("skew", e1071::skewness(d$x, type = 1))
        out("kurt", e1071::kurtosis(d$x, type = 1))
      }
      out("sd", sd(d$x))
      out("cor", cor(d$x, d$y))
      out("cov", cov(d$x, d$y))
    `;
    const res = spawnSync('Rscript', ['-e', script], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`Rscript failed: ${res.stderr}`);
    return new Map(res.stdout.trim().split('\n').map((line) => {
      const [name, ...vals] = line.trim().split(/\s+/);
      return [name!, vals.map(Number)];
    }));
  })();

  it('normInv agrees with qnorm', () => {
    const want = r.get('qnorm')!;
    PROBS.forEach((p, i) => expect(Math.abs(normInv(p) - want[i]!)).toBeLessThan(1e-14 * Math.max(1, Math.abs(want[i]!))));
  });

  it('historical VaR is −quantile(type = 1) and ES the mean at or below it', () => {
    const mine = historicalVarEs(x, CONFIDENCES);
    mine.forEach((m, i) => {
      expect(m.var).toBe(r.get('var')![i]);
      expect(m.es).toBeCloseTo(r.get('es')![i]!, 15);
    });
  });

  it('moments, correlation and covariance agree with R', () => {
    const m = moments(x);
    expect(m.sd).toBeCloseTo(r.get('sd')![0]!, 15);
    if (r.has('skew')) {
      expect(m.skewness).toBeCloseTo(r.get('skew')![0]!, 12);
      expect(m.excessKurtosis).toBeCloseTo(r.get('kurt')![0]!, 12);
    }
    const c = covCorr(x, y);
    expect(c.corr).toBeCloseTo(r.get('cor')![0]!, 14);
    expect(c.cov).toBeCloseTo(r.get('cov')![0]!, 16);
  });
});
