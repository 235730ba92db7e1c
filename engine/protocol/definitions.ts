/**
 * The domain's definitions a UI needs at run time: the order vocabulary and the risk limits'
 * ranges. The renderer may import this module (not just its types) so that its forms check
 * and offer exactly what the engine accepts, before the engine is even connected; the rest
 * of the protocol it imports as types only (engine/test/architecture.test.ts).
 *
 * Re-exports only, from platform-free engine/src/model modules: nothing here may hold state
 * or reach the engine's other layers.
 */
export { ORDER_TYPES, SIDES, SIZE_MODES, TIMES_IN_FORCE, needsLimitPrice, needsStopPrice } from '../src/model/order';
export {
  DEFAULT_LIMITS,
  LIMIT_KEYS,
  RISK_LIMIT_SPECS,
  limitInputAttributes,
  limitProblem,
  limitRangeText,
  limitsProblems,
  type Bound,
  type EnumLimitSpec,
  type LimitKey,
  type LimitSpec,
  type NumericLimitSpec,
} from '../src/model/risk-limits';
export { TRADING_STATES } from '../src/model/risk-state';
export { OUTPUT_STYLES, PRICE_SOURCES, LINE_STYLES, sourceValue } from '../src/model/indicator';
export {
  ALERT_KINDS,
  ALERT_KIND_LABELS,
  ALERT_MODES,
  CROSSINGS,
  DENIAL_BURST_DEFAULT,
  INDICATOR_OPS,
  RISK_EVENTS,
  RISK_EVENT_LABELS,
  STRATEGY_EVENTS,
  crosses,
  describeCondition,
  indicatorMet,
} from '../src/model/alert';
export { DRAWING_KINDS, DRAWING_LABELS, DRAWING_POINTS, DRAWING_TEXT_MAX, FIB_LEVELS, LINE_DRAWINGS, drawingProblem, lineValueAt } from '../src/model/drawing';
export {
  CHART_COUNTS,
  DEFAULT_TRADING_PREFS,
  HOTKEY_ACTIONS,
  HOTKEY_LABELS,
  KEY_COMBO_PATTERN,
  MAX_CHARTS,
  WORKSPACE_LIMITS,
  keyCombo,
  type ChartCount,
  type HotkeyAction,
} from '../src/model/workspace';
export { STRATEGY_ACTIONS } from '../src/model/ledger';
export { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE, CREDENTIAL_MAX_LENGTH, EXCHANGE_ID_PATTERN, accountNameProblem, credentialProblem, liveConfirmation, maskKey } from '../src/model/exchange-account';
