/**
 * Messages between Electron main and the engine utility process (process.parentPort).
 * The UI protocol itself never goes this way: main only hands out MessagePorts, asks
 * for a kill switch from the global shortcut (which must work when the page is hung),
 * passes on a path the trader chose in a save dialog, and asks the engine to stop.
 */
import type { EngineInfo } from './index';

export type MainToEngine =
  /** Carries one MessagePort (in event.ports) for a new UI connection. */
  | { type: 'connect'; windowId: number }
  | { type: 'killSwitch'; reason: string }
  /** The trader chose this path in main's save dialog: one data.export may write there. */
  | { type: 'grantExport'; path: string }
  | { type: 'shutdown' };

export type EngineToMain =
  | { type: 'ready'; info: EngineInfo; startMs: number }
  | { type: 'stopped' }
  | { type: 'fatal'; message: string }
  /** An alert fired (the trader's or the engine's): main shows it as a desktop notification. */
  | { type: 'notify'; title: string; body: string; level: 'info' | 'warn' | 'error' };
