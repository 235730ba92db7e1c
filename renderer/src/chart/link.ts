import { Emitter } from '../lib/emitter';
import type { ChartController } from './ChartController';

/** The crosshair of one chart (by slot), for the charts linked to it. */
export const crosshairLink = new Emitter<{ from: number; ts: number | undefined }>();

/** The chart controller of each slot on screen (debug hooks and the bench read the active one). */
export const chartsBySlot = new Map<number, ChartController>();
