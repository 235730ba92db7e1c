import { create } from 'zustand';
import type { ImportReportDto, JobProgress } from '../../../engine/protocol';

interface DataStore {
  importing: string | undefined;
  progress: JobProgress | undefined;
  reports: ImportReportDto[];
  error: string | undefined;
  lastExport: { path: string; rows: number } | undefined;
  startImport(name: string): void;
  finishImport(r: ImportReportDto): void;
  failImport(message: string): void;
  onJob(items: JobProgress[]): void;
  setExport(e: { path: string; rows: number } | undefined): void;
}

export const useData = create<DataStore>((set, get) => ({
  importing: undefined,
  progress: undefined,
  reports: [],
  error: undefined,
  lastExport: undefined,
  startImport: (name) => set({ importing: name, error: undefined, progress: undefined }),
  finishImport: (r) => set((s) => ({ importing: undefined, progress: undefined, reports: [r, ...s.reports].slice(0, 20) })),
  failImport: (message) => set({ importing: undefined, progress: undefined, error: message }),
  onJob: (items) => {
    if (!get().importing) return;
    const last = items.filter((j) => j.kind === 'import').pop();
    if (last) set({ progress: last });
  },
  setExport: (lastExport) => set({ lastExport }),
}));
