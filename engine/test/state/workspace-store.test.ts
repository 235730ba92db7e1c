import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateDb } from '../../src/state/db';
import { WorkspaceStore } from '../../src/state/workspace-store';
import type { Drawing } from '../../src/model/drawing';

describe('WorkspaceStore drawings', () => {
  it('lists drawings made in the same millisecond in the order they were made, and a replaced one keeps its place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-workspace-'));
    const db = openStateDb(join(dir, 'state.sqlite'));
    const store = new WorkspaceStore(db);
    const ts = 1_700_000_000_000;
    // Ids sort the other way round from the order of making, as random ids may.
    const ids = ['d-z', 'd-m', 'd-a', 'd-q'];
    ids.forEach((id, i) => store.saveDrawing({ id, symbol: 'BTC/USDT', kind: 'hline', points: [{ ts, price: 100 + i }], updatedAt: ts } as Drawing));
    store.saveDrawing({ id: 'd-m', symbol: 'BTC/USDT', kind: 'hline', points: [{ ts, price: 999 }], updatedAt: ts + 5 } as Drawing);
    expect(store.drawings('BTC/USDT').map((d) => [d.id, d.points[0]!.price])).toEqual([
      ['d-z', 100],
      ['d-m', 999],
      ['d-a', 102],
      ['d-q', 103],
    ]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
