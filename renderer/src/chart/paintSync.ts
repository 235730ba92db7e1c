import type { ISeriesPrimitive, Time } from 'lightweight-charts';

/**
 * A primitive that draws nothing: the library calls `updateAllViews` whenever the chart is
 * redrawn for a changed view (scroll, zoom, rescale, new data), so overlays placed in prices
 * and times (order lines, drawings' handles) follow the chart exactly. The callback runs on
 * the next frame, outside the library's own update.
 */
export class PaintSync implements ISeriesPrimitive<Time> {
  private frame: number | undefined;

  constructor(private readonly onPaint: () => void) {}

  updateAllViews(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.onPaint();
    });
  }

  detached(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
  }
}
