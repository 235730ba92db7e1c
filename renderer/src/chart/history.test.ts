import { describe, expect, it } from 'vitest';
import type { BarsPayload } from '../../../engine/protocol';
import { HISTORY_PAGE, HistoryPages, ShownWindow, prependPayload } from './history';

const page = (from: number, n: number): BarsPayload => {
  const ts = Array.from({ length: n }, (_, i) => (from + i) * 60_000);
  return { symbol: 'X', timeframe: '1m', ts, open: ts.map((t) => t + 1), high: ts.map((t) => t + 2), low: ts.map((t) => t - 1), close: ts, volume: ts.map(() => 1) };
};

describe('HistoryPages', () => {
  it('asks for the page before the first loaded bar, one at a time, until a short page says there is no more', () => {
    const pages = new HistoryPages();
    pages.loaded(page(100_000, HISTORY_PAGE));
    expect(pages.next()).toBe(100_000 * 60_000);
    expect(pages.next()).toBeUndefined(); // in flight
    pages.older(page(80_000, HISTORY_PAGE));
    expect(pages.next()).toBe(80_000 * 60_000);
    pages.failed();
    expect(pages.next()).toBe(80_000 * 60_000); // a failed request may be retried
    pages.older(page(75_000, 5_000));
    expect(pages.next()).toBeUndefined(); // the oldest page was short
  });

  it('asks for nothing when the first page was not full, and starts over on a new load', () => {
    const pages = new HistoryPages();
    expect(pages.next()).toBeUndefined();
    pages.loaded(page(0, 11_000));
    expect(pages.next()).toBeUndefined();
    pages.loaded(page(50_000, HISTORY_PAGE));
    expect(pages.next()).toBe(50_000 * 60_000);
  });
});

describe('ShownWindow', () => {
  it('shows the newest page of a long history, then a page more each time, down to the first bar', () => {
    const w = new ShownWindow();
    w.reset(100_000);
    expect([w.from, w.shown, w.holdingBack]).toEqual([100_000 - HISTORY_PAGE, HISTORY_PAGE, true]);
    const added: number[] = [];
    while (w.holdingBack) added.push(w.showOlder());
    expect(added).toEqual([HISTORY_PAGE, HISTORY_PAGE, HISTORY_PAGE, HISTORY_PAGE]);
    expect([w.from, w.shown]).toEqual([0, 100_000]);
    expect(w.showOlder()).toBe(0);
  });

  it('shows a short history whole, and a last page shorter than the others', () => {
    const w = new ShownWindow();
    w.reset(500);
    expect([w.from, w.shown, w.holdingBack]).toEqual([0, 500, false]);
    w.reset(HISTORY_PAGE + 7);
    expect(w.shown).toBe(HISTORY_PAGE);
    expect(w.showOlder()).toBe(7);
    expect([w.from, w.shown, w.holdingBack]).toEqual([0, HISTORY_PAGE + 7, false]);
  });

  it('shows a page from the store at once when nothing is held back, and behind the held-back bars otherwise', () => {
    const w = new ShownWindow();
    w.reset(HISTORY_PAGE);
    expect(w.prepended(5_000)).toBe(5_000);
    expect([w.from, w.shown]).toEqual([0, HISTORY_PAGE + 5_000]);
    w.reset(HISTORY_PAGE + 100);
    expect(w.prepended(5_000)).toBe(0);
    expect([w.from, w.shown]).toEqual([5_100, HISTORY_PAGE]);
    expect(w.showOlder()).toBe(5_100);
  });
});

describe('prependPayload', () => {
  it('puts the older bars first and drops any that overlap the loaded ones', () => {
    const merged = prependPayload(page(0, 12), page(10, 5));
    expect(merged.ts).toEqual(page(0, 15).ts);
    expect(merged.high).toEqual(page(0, 15).high);
    expect(merged.volume.length).toBe(15);
    expect(prependPayload(page(10, 5), page(10, 5)).ts).toEqual(page(10, 5).ts);
  });
});
