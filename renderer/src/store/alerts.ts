import { create } from 'zustand';
import type { Alert, AlertLogEntry, AlertRule, Params } from '../../../engine/protocol';
import { client } from './wire';

/** The trader's alert rules and the log of what fired, as the engine keeps them. */
interface AlertsStore {
  rules: AlertRule[];
  log: AlertLogEntry[];
  setRules(r: AlertRule[]): void;
  setLog(l: AlertLogEntry[]): void;
}

export const useAlerts = create<AlertsStore>((set) => ({
  rules: [],
  log: [],
  setRules: (rules) => set({ rules }),
  setLog: (log) => set({ log }),
}));

export async function loadAlerts(): Promise<void> {
  const [rules, log] = await Promise.all([client().call('alerts.list', {}), client().call('alerts.log', { limit: 100 })]);
  useAlerts.setState({ rules, log });
}

/** An alert pushed by the engine: a rule's count and state changed, and the log grew. */
export function onAlertPushed(a: Alert): void {
  const entry: AlertLogEntry = { id: -a.ts, ts: a.ts, kind: a.kind ?? 'engine', title: a.title, message: a.message, ...(a.ruleId !== undefined && { ruleId: a.ruleId }) };
  useAlerts.setState((s) => ({ log: [entry, ...s.log].slice(0, 200) }));
  if (a.ruleId !== undefined) void client().call('alerts.list', {}).then((rules) => useAlerts.setState({ rules })).catch(() => undefined);
}

export async function createAlert(p: Params<'alerts.create'>): Promise<AlertRule> {
  const rule = await client().call('alerts.create', p);
  useAlerts.setState((s) => ({ rules: [...s.rules, rule] }));
  return rule;
}

export async function updateAlert(p: Params<'alerts.update'>): Promise<void> {
  const rule = await client().call('alerts.update', p);
  useAlerts.setState((s) => ({ rules: s.rules.map((r) => (r.id === rule.id ? rule : r)) }));
}

export async function deleteAlert(id: string): Promise<void> {
  await client().call('alerts.delete', { id });
  useAlerts.setState((s) => ({ rules: s.rules.filter((r) => r.id !== id) }));
}
