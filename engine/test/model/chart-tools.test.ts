import { describe, expect, it } from 'vitest';
import { crosses, describeCondition, indicatorMet } from '../../src/model/alert';
import { drawingProblem, lineValueAt } from '../../src/model/drawing';
import { keyCombo, KEY_COMBO_PATTERN } from '../../src/model/workspace';

describe('drawn lines', () => {
  it('a trend line runs through its points and on to the right; not before its first point', () => {
    const d = { kind: 'trend' as const, points: [{ ts: 2000, price: 120 }, { ts: 1000, price: 100 }] };
    expect(lineValueAt(d, 1000)).toBe(100);
    expect(lineValueAt(d, 1500)).toBe(110);
    expect(lineValueAt(d, 3000)).toBe(140);
    expect(lineValueAt(d, 999)).toBeUndefined();
    expect(lineValueAt({ kind: 'hline', points: [{ ts: 5000, price: 7 }] }, 0)).toBe(7);
    expect(lineValueAt({ kind: 'rect', points: d.points }, 1500)).toBeUndefined();
    expect(lineValueAt({ kind: 'ray', points: [{ ts: 1, price: 5 }, { ts: 1, price: 6 }] }, 2)).toBeUndefined();
  });

  it('says what is wrong with a drawing', () => {
    expect(drawingProblem({ kind: 'rect', points: [{ ts: 1, price: 1 }] })).toBe('a rectangle needs 2 points, got 1');
    expect(drawingProblem({ kind: 'hline', points: [{ ts: 1, price: 0 }] })).toBe("a point's price must be above 0, got 0");
    expect(drawingProblem({ kind: 'text', points: [{ ts: 1, price: 1 }], text: '  ' })).toBe('a text note needs some text');
    expect(drawingProblem({ kind: 'fib', points: [{ ts: 1, price: 1 }, { ts: 2, price: 2 }] })).toBeUndefined();
  });
});

describe('alert conditions', () => {
  it('crossing a level: up from below to at or above, down from above to at or below', () => {
    expect(crosses(99, 100, 100, 'up')).toBe(true);
    expect(crosses(100, 101, 100, 'up')).toBe(false); // it was already there
    expect(crosses(101, 100, 100, 'up')).toBe(false);
    expect(crosses(101, 100, 100, 'down')).toBe(true);
    expect(crosses(101, 99, 100, 'any')).toBe(true);
    expect(crosses(99, 99.5, 100, 'any')).toBe(false);
  });

  it('indicator conditions: crossings need the bar before; above and below do not', () => {
    expect(indicatorMet('crosses_above', 69, 71, 70)).toBe(true);
    expect(indicatorMet('crosses_above', 71, 72, 70)).toBe(false);
    expect(indicatorMet('crosses_above', undefined, 71, 70)).toBe(false);
    expect(indicatorMet('crosses_below', 31, 29, 30)).toBe(true);
    expect(indicatorMet('above', undefined, 71, 70)).toBe(true);
    expect(indicatorMet('below', undefined, 71, 70)).toBe(false);
  });

  it('reads as a trader would say it', () => {
    expect(describeCondition({ kind: 'price', symbol: 'BTC/USDT', level: 23000.5, cross: 'up' })).toBe('BTC/USDT crosses up through 23,000.5');
    expect(describeCondition({ kind: 'indicator', symbol: 'BTC/USDT', timeframe: '5m', indicator: 'rsi', params: { n: 14 }, output: 'value', op: 'crosses_above', value: 70 })).toBe(
      'BTC/USDT 5m: RSI 14 crosses above 70',
    );
    expect(describeCondition({ kind: 'risk', event: 'denial_burst' })).toBe('3 or more denials within 60 s');
    expect(describeCondition({ kind: 'strategy', strategy: 'sma-cross' })).toBe('any event of strategy sma-cross');
  });
});

describe('hotkeys', () => {
  it('reads a key event as a combination the settings form accepts', () => {
    const combo = keyCombo({ key: 'b', shiftKey: true, ctrlKey: false, altKey: false, metaKey: false });
    expect(combo).toBe('Shift+B');
    expect(KEY_COMBO_PATTERN.test(combo)).toBe(true);
    expect(keyCombo({ key: 'F5', shiftKey: false, ctrlKey: true, altKey: true, metaKey: false })).toBe('Ctrl+Alt+F5');
    expect(KEY_COMBO_PATTERN.test('Shift+')).toBe(false);
  });
});
