import { create } from 'zustand';
import type { LogEntry, SystemStatus } from '../../../engine/protocol';

const MAX_LOGS = 500;

export function appendLogs(current: LogEntry[], incoming: LogEntry[]): LogEntry[] {
  if (incoming.length === 0) return current;
  const next = [...current, ...incoming];
  return next.length > MAX_LOGS ? next.slice(next.length - MAX_LOGS) : next;
}

interface SystemStore {
  status: SystemStatus | undefined;
  logs: LogEntry[];
  setStatus(s: SystemStatus): void;
  setLogs(l: LogEntry[]): void;
  addLogs(l: LogEntry[]): void;
}

export const useSystem = create<SystemStore>((set) => ({
  status: undefined,
  logs: [],
  setStatus: (status) => set({ status }),
  setLogs: (logs) => set({ logs: appendLogs([], logs) }),
  addLogs: (l) => set((s) => ({ logs: appendLogs(s.logs, l) })),
}));
