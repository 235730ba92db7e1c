import type { IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesPrimitive, PrimitivePaneViewZOrder, SeriesAttachedParameter, Time } from 'lightweight-charts';
import type { Drawing } from '../../../engine/protocol';
import { fmtPrice } from '../lib/format';
import { palette } from '../theme';
import { shapeOf, TEXT_BOX, type Projection } from './drawingGeometry';

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];
type Shown = Pick<Drawing, 'id' | 'kind' | 'points' | 'text' | 'color'>;

/** Drawings painted in the price pane, in the chart's own frame (they scroll and zoom with the bars). */
export class DrawingsPrimitive implements ISeriesPrimitive<Time> {
  private drawings: Shown[] = [];
  private selected: string | undefined;
  private requestUpdate: (() => void) | undefined;
  private readonly view: IPrimitivePaneView;

  constructor(private readonly project: () => Projection) {
    const renderer: IPrimitivePaneRenderer = { draw: (t) => this.draw(t) };
    this.view = { zOrder: (): PrimitivePaneViewZOrder => 'top', renderer: () => renderer };
  }

  attached(p: SeriesAttachedParameter<Time>): void {
    this.requestUpdate = p.requestUpdate;
  }

  detached(): void {
    this.requestUpdate = undefined;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  set(drawings: Shown[], selected: string | undefined): void {
    this.drawings = drawings;
    this.selected = selected;
    this.requestUpdate?.();
  }

  private draw(target: DrawTarget): void {
    const p = this.project();
    target.useMediaCoordinateSpace(({ context: c }) => {
      for (const d of this.drawings) {
        const s = shapeOf(d, p);
        if (!s) continue;
        const colour = d.color ?? palette.accent;
        const selected = d.id === this.selected;
        c.strokeStyle = colour;
        c.fillStyle = colour;
        c.lineWidth = selected ? 2 : 1;
        c.setLineDash(d.id === 'draft' ? [4, 3] : []);
        if (s.box) {
          c.globalAlpha = 0.12;
          c.fillRect(s.box[0], s.box[1], s.box[2] - s.box[0], s.box[3] - s.box[1]);
          c.globalAlpha = 1;
        }
        c.beginPath();
        for (const [a, b] of s.segments) {
          if (d.kind === 'fib' && a === s.points[0]) c.setLineDash([2, 3]);
          c.moveTo(a.x, a.y);
          c.lineTo(b.x, b.y);
        }
        c.stroke();
        c.setLineDash([]);
        c.font = '11px Inter, system-ui, sans-serif';
        if (s.levels) {
          for (const l of s.levels) c.fillText(`${l.level} (${fmtPrice(l.price)})`, l.x0 + 4, l.y - 3);
        }
        if (d.kind === 'hline') c.fillText(fmtPrice(d.points[0]!.price), 6, s.points[0]!.y - 4);
        if (s.text && d.text) {
          const w = d.text.length * TEXT_BOX.charWidth + 2 * TEXT_BOX.pad;
          c.globalAlpha = 0.85;
          c.fillStyle = palette.panelAlt;
          c.fillRect(s.text.x, s.text.y - TEXT_BOX.height, w, TEXT_BOX.height);
          c.globalAlpha = 1;
          c.strokeRect(s.text.x, s.text.y - TEXT_BOX.height, w, TEXT_BOX.height);
          c.fillStyle = palette.text;
          c.font = '12px Inter, system-ui, sans-serif';
          c.fillText(d.text, s.text.x + TEXT_BOX.pad, s.text.y - 5);
        }
        if (selected) {
          c.fillStyle = palette.panel;
          for (const q of s.points) {
            c.fillRect(q.x - 4, q.y - 4, 8, 8);
            c.strokeRect(q.x - 4, q.y - 4, 8, 8);
          }
        }
      }
    });
  }
}
