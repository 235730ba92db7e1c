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
 * `sink` in file order, each time snapped down onto a grid of `snapMs` when that is given.
 * Refuses (throws BAD_FILE) only for problems that make the whole file
 * unreadable; bad rows are rejected one by one into the RejectLog.
 */
export async function parseBarCsv(path: string, sink: BarSink, snapMs = 0, onProgress?: (rowsRead: number) => void | Promise<void>): Promise<BarFileParse> {
  const layout = detectBarLayout(await headLines(path, 40), path);
  const rejects = new RejectLog();
  const checker = new BarChecker(rejects, sink, snapMs);
  const { time, open, high, low, close, volume, adjClose } = layout;
  const columns = layout.description.split(' (')[0]!;
  const numeric = numericMask(layout.fieldCount, time, [open, high, low, close, volume, adjClose]);
  const onRow = rowHandler(path, layout, columns, numeric, (buf, f, line) => {
    checker.rowsRead++;
    const ts = readTime(buf, f, time);
    if (Number.isNaN(ts)) {
      rejects.add(line, 'bad-timestamp', `unreadable time ${timeText(buf, f, time)}`);
      return;
    }
    const values = f.value;
    const o = values[open]!;
    const h = values[high]!;
    const l = values[low]!;
    const c = values[close]!;
    const v = volume < 0 ? 0 : values[volume]!;
    const a = adjClose < 0 ? NaN : values[adjClose]!;
    // The sum is one test for the common case; finite values whose sum overflows (1e308 each) are fine, so look at each.
    if (!Number.isFinite(o + h + l + c + v) || (adjClose >= 0 && !Number.isFinite(a))) {
      const bad = ([[o, open, 'open'], [h, high, 'high'], [l, low, 'low'], [c, close, 'close'], [v, volume, 'volume'], [adjClose >= 0 ? a : 0, adjClose, 'adj close']] as const).find(
        ([x]) => !Number.isFinite(x),
      );
      if (bad) {
        rejects.add(line, 'not-a-number', describeBadNumber(buf, f, bad[1], bad[2]));
        return;
      }
    }
    checker.add(line, ts, o, h, l, c, v, a);
  });
  const { sha256 } = await scanLines(path, onRow, onProgress && (() => onProgress(checker.rowsRead)));
  return { layout, checker, rejects, sha256 };
}
