import { describe, expect, it } from 'vitest';
import type { BarsPayload } from '../../../engine/protocol';
import { HISTORY_PAGE, HistoryPages, SHOWN_MAX, ShownWindow, prependPayload } from './history';

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
  const state = (w: ShownWindow) => ({ from: w.from, to: w.to, holdingBack: w.holdingBack, atNewest: w.atNewest });

  it('shows the newest page, then a page more as the view goes back, never more than SHOWN_MAX at once', () => {
    const w = new ShownWindow();
    w.reset(100_000);
    expect(state(w)).toEqual({ from: 80_000, to: 100_000, holdingBack: true, atNewest: true });
    expect(w.showOlder()).toBe(true);
    expect(state(w)).toEqual({ from: 60_000, to: 100_000, holdingBack: true, atNewest: true });
    expect(w.showOlder()).toBe(true);
    // The newest page gives way: what the library holds stays two pages, however far back.
    expect(state(w)).toEqual({ from: 40_000, to: 80_000, holdingBack: true, atNewest: false });
    expect(w.showOlder() && w.showOlder()).toBe(true);
    expect(state(w)).toEqual({ from: 0, to: SHOWN_MAX, holdingBack: false, atNewest: false });
    expect(w.showOlder()).toBe(false);
  });

  it('comes forward a page at a time, or to the newest page at once', () => {
    const w = new ShownWindow();
    w.reset(100_000);
    while (w.showOlder());
    expect(w.showNewer()).toBe(true);
    expect(state(w)).toEqual({ from: 20_000, to: 60_000, holdingBack: true, atNewest: false });
    while (w.showNewer());
    expect(state(w)).toEqual({ from: 60_000, to: 100_000, holdingBack: true, atNewest: true });
    while (w.showOlder());
    expect(w.showNewest()).toBe(true);
    expect(state(w)).toEqual({ from: 80_000, to: 100_000, holdingBack: true, atNewest: true });
    expect(w.showNewest()).toBe(false);
    expect(w.showNewer()).toBe(false);
  });

  it('shows a short history whole, and a last page shorter than the others', () => {
    const w = new ShownWindow();
    w.reset(500);
    expect(state(w)).toEqual({ from: 0, to: 500, holdingBack: false, atNewest: true });
    w.reset(HISTORY_PAGE + 7);
    expect(w.shown).toBe(HISTORY_PAGE);
    expect(w.showOlder()).toBe(true);
    expect(state(w)).toEqual({ from: 0, to: HISTORY_PAGE + 7, holdingBack: false, atNewest: true });
  });

  it('shows a page from the store when the first bar in hand was shown, and keeps it waiting otherwise', () => {
    const w = new ShownWindow();
    w.reset(HISTORY_PAGE);
    w.prepended(5_000);
    expect(state(w)).toEqual({ from: 0, to: HISTORY_PAGE + 5_000, holdingBack: false, atNewest: true });
    w.prepended(HISTORY_PAGE);
    expect(state(w)).toEqual({ from: 0, to: SHOWN_MAX, holdingBack: false, atNewest: false });
    w.reset(HISTORY_PAGE + 100);
    w.prepended(5_000);
    expect(state(w)).toEqual({ from: 5_100, to: HISTORY_PAGE + 5_100, holdingBack: true, atNewest: true });
  });

  it('keeps the view on the bars it showed, and a view in the live tail the same distance past the last bar shown', () => {
    const w = new ShownWindow();
    w.reset(100_000);
    const before = { from: w.from, shown: w.shown };
    w.showOlder();
    // Bar 80,150 was at 150 and is now at 20,150; the tail's second bar follows the 40,000 shown.
    expect(ShownWindow.follow(150, before, w)).toBe(20_150);
    expect(ShownWindow.follow(-3.5, before, w)).toBe(19_996.5);
    expect(ShownWindow.follow(20_001, before, w)).toBe(40_001);
    // 20,000 bars put in front while bars 0.. were shown: the same bar is 20,000 further on.
    const front = new ShownWindow();
    front.reset(HISTORY_PAGE);
    const b2 = { from: front.from, shown: front.shown };
    front.prepended(HISTORY_PAGE);
    expect(ShownWindow.follow(100, b2, front, HISTORY_PAGE)).toBe(20_100);
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
