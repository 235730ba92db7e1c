import { detectBarLayout, type BarLayout } from './csv-layout';
import { BarChecker, type BarSink } from './bar-checker';
import { describeBadNumber, numericMask, readTime, rowHandler, timeText } from './csv-rows';
import { RejectLog } from './import-report';
import { headLines, scanLines } from './line-reader';

export interface BarFileParse {
  layout: BarLayout;
  checker: BarChecker;
  rejects: RejectLog;
  sha256: string;
}

/**
 * Reads a bar CSV of any accepted layout, checks every row and hands the accepted bars to
 * `sink` in file order. Refuses (throws BAD_FILE) only for problems that make the whole file
 * unreadable; bad rows are rejected one by one into the RejectLog.
 */
export async function parseBarCsv(path: string, sink: BarSink, onProgress?: (rowsRead: number) => void | Promise<void>): Promise<BarFileParse> {
  const layout = detectBarLayout(await headLines(path, 40), path);
  const rejects = new RejectLog();
  const checker = new BarChecker(rejects, sink);
  const { time, open, high, low, close, volume, adjClose } = layout;
  const columns = layout.description.split(' (')[0]!;
  const numeric = numericMask(layout.fieldCount, time, [open, high, low, close, volume, adjClose]);
  const onRow = rowHandler(path, layout, columns, numeric, (buf, f, line) => {
    checker.rowsRead++;
    const ts = readTime(buf, f, time);
    if (Number.isNaN(ts)) {
      rejects.add(line, 'bad-timestamp', `unreadable time "${timeText(buf, f, time).slice(0, 40)}"`);
      return;
    }
    const values = f.value;
    const o = values[open]!;
    const h = values[high]!;
    const l = values[low]!;
    const c = values[close]!;
    const v = volume < 0 ? 0 : values[volume]!;
    const a = adjClose < 0 ? NaN : values[adjClose]!;
    if (!Number.isFinite(o + h + l + c + v) || (adjClose >= 0 && !Number.isFinite(a))) {
      const i = [o, h, l, c, v].findIndex((x) => !Number.isFinite(x));
      const [index, name] = i < 0 ? [adjClose, 'adj close'] : ([[open, 'open'], [high, 'high'], [low, 'low'], [close, 'close'], [volume, 'volume']] as const)[i]!;
      rejects.add(line, 'not-a-number', describeBadNumber(buf, f, index, name));
      return;
    }
    checker.add(line, ts, o, h, l, c, v, a);
  });
  const { sha256 } = await scanLines(path, onRow, onProgress && (() => onProgress(checker.rowsRead)));
  return { layout, checker, rejects, sha256 };
}
