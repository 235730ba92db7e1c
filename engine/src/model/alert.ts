/*
 * Alerts a trader sets: what they watch (a condition), whether they fire once or every time,
 * and the log of what fired. The engine evaluates them (so they fire with the page closed);
 * a UI builds its forms from these lists.
 */
import type { PriceSource } from './indicator';

/**
 * What a running strategy does that an alert can watch, read from the strategy host's pushes:
 * it started (or resumed after a restart), paused, stopped or failed (its state); it signalled
 * an order; one of its orders filled; it logged an error or a warning (a refused order).
 */
export const STRATEGY_EVENTS = ['started', 'signal', 'fill', 'paused', 'stopped', 'failed', 'error', 'warning'] as const;
export type StrategyEventKind = (typeof STRATEGY_EVENTS)[number];

export const ALERT_KINDS = ['price', 'drawing', 'indicator', 'strategy', 'risk'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_KIND_LABELS: Readonly<Record<AlertKind, string>> = {
  price: 'Price crosses a level',
  drawing: 'Price crosses a drawn line',
  indicator: 'Indicator condition',
  strategy: 'Strategy event',
  risk: 'Risk event',
};

/** Which way a price must cross: from below (up), from above (down), or either. */
export const CROSSINGS = ['any', 'up', 'down'] as const;
export type Crossing = (typeof CROSSINGS)[number];

/** An indicator output against a value, on closed bars: crossing it, or being past it. */
export const INDICATOR_OPS = ['crosses_above', 'crosses_below', 'above', 'below'] as const;
export type IndicatorOp = (typeof INDICATOR_OPS)[number];

/**
 * Risk events: a breaker or the kill switch took trading off ACTIVE; `count` denials within
 * `windowSec` seconds; a feed went stale (the watchdog saw the data stream silent, or an order
 * was refused for a stale price).
 */
export const RISK_EVENTS = ['breaker', 'denial_burst', 'stale_feed'] as const;
export type RiskEventKind = (typeof RISK_EVENTS)[number];

export const RISK_EVENT_LABELS: Readonly<Record<RiskEventKind, string>> = {
  breaker: 'Breaker or kill switch',
  denial_burst: 'Burst of denials',
  stale_feed: 'Stale feed',
};

/** A denial burst unless the rule says otherwise: 3 denials within a minute. */
export const DENIAL_BURST_DEFAULT = { count: 3, windowSec: 60 } as const;

/** once: fires the first time, then is switched off; every: fires each time the condition becomes true. */
export const ALERT_MODES = ['once', 'every'] as const;
export type AlertMode = (typeof ALERT_MODES)[number];

export type AlertCondition =
  | { kind: 'price'; symbol: string; level: number; cross: Crossing }
  | { kind: 'drawing'; symbol: string; drawingId: string; cross: Crossing }
  | {
      kind: 'indicator';
      symbol: string;
      timeframe: string;
      indicator: string;
      params: Record<string, number>;
      source?: PriceSource;
      output: string;
      op: IndicatorOp;
      value: number;
    }
  /** Any event of a strategy (or of every strategy when `strategy` is absent), or only those of kind `event`. */
  | { kind: 'strategy'; strategy?: string; event?: StrategyEventKind }
  | { kind: 'risk'; event: RiskEventKind; count?: number; windowSec?: number };

export interface AlertRule {
  id: string;
  condition: AlertCondition;
  mode: AlertMode;
  /** A once-rule that fired is switched off; the trader may switch a rule off and on. */
  enabled: boolean;
  /** The trader's own words, shown with the alert. */
  note?: string;
  createdAt: number;
  lastFiredAt?: number;
  fired: number;
}

/** One alert that fired (or an engine alert): the log the app shows. */
export interface AlertLogEntry {
  id: number;
  ruleId?: string;
  ts: number;
  kind: AlertKind | 'engine';
  title: string;
  message: string;
}

/**
 * The move from `from` to `to` crossed `level` the way `cross` asks: up means from below to
 * at-or-above, down from above to at-or-below. Touching the level and going back is a cross.
 */
export function crosses(from: number, to: number, level: number, cross: Crossing): boolean {
  const up = from < level && to >= level;
  const down = from > level && to <= level;
  return cross === 'up' ? up : cross === 'down' ? down : up || down;
}

/** Whether `value` (with `prev`, the value a bar before) meets an indicator condition; crossings need both. */
export function indicatorMet(op: IndicatorOp, prev: number | undefined, value: number, level: number): boolean {
  if (op === 'above') return value > level;
  if (op === 'below') return value < level;
  if (prev === undefined) return false;
  return op === 'crosses_above' ? prev <= level && value > level : prev >= level && value < level;
}

const num = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 8 });
const CROSS_WORDS: Readonly<Record<Crossing, string>> = { any: 'crosses', up: 'crosses up through', down: 'crosses down through' };
const OP_WORDS: Readonly<Record<IndicatorOp, string>> = { crosses_above: 'crosses above', crosses_below: 'crosses below', above: 'is above', below: 'is below' };

/** The condition as a trader reads it ("BTC/USDT crosses up through 23,000"); `line` names a drawing. */
export function describeCondition(c: AlertCondition, line?: string): string {
  switch (c.kind) {
    case 'price':
      return `${c.symbol} ${CROSS_WORDS[c.cross]} ${num(c.level)}`;
    case 'drawing':
      return `${c.symbol} ${CROSS_WORDS[c.cross]} ${line ?? 'a drawn line'}`;
    case 'indicator': {
      const params = Object.values(c.params).join(', ');
      const source = c.source && c.source !== 'close' ? ` on ${c.source}` : '';
      return `${c.symbol} ${c.timeframe}: ${c.indicator.toUpperCase()}${params ? ` ${params}` : ''}${source} ${c.output === 'value' ? '' : `${c.output} `}${OP_WORDS[c.op]} ${num(c.value)}`;
    }
    case 'strategy':
      return `${c.event ? `"${c.event}" event` : 'any event'} of ${c.strategy ? `strategy ${c.strategy}` : 'any strategy'}`;
    case 'risk':
      if (c.event === 'denial_burst') {
        const { count, windowSec } = { ...DENIAL_BURST_DEFAULT, ...definedOnly({ count: c.count, windowSec: c.windowSec }) };
        return `${count} or more denials within ${windowSec} s`;
      }
      return c.event === 'breaker' ? 'a breaker or the kill switch stops trading' : 'a feed goes stale';
  }
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
