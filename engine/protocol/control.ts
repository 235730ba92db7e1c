/**
 * Messages between Electron main and the engine utility process (process.parentPort).
 * The UI protocol itself never goes this way: main only hands out MessagePorts, asks
 * for a kill switch from the global shortcut (which must work when the page is hung),
 * passes on a path the trader chose in a save dialog, asks what is open before it installs
 * an update, and asks the engine to stop.
 */
import type { EngineInfo } from './index';
import type { Exposure } from '../src/model/exposure';

export type { Exposure };

export type MainToEngine =
  /** Carries one MessagePort (in event.ports) for a new UI connection. */
  | { type: 'connect'; windowId: number }
  | { type: 'killSwitch'; reason: string }
  /** The trader chose this path in main's save dialog: one data.export may write there. */
  | { type: 'grantExport'; path: string }
  /** What is open (positions, working orders, running strategies): the updater installs only when nothing is. */
  | { type: 'exposure'; id: number }
  | { type: 'shutdown' };

export type EngineToMain =
  | { type: 'ready'; info: EngineInfo; startMs: number }
  | { type: 'stopped' }
  /** The answer to `exposure` with the same id: what is open, or why the engine cannot say. */
  | { type: 'exposure'; id: number; exposure?: Exposure; error?: string }
  | { type: 'fatal'; message: string }
  /** An alert fired (the trader's or the engine's): main shows it as a desktop notification. */
  | { type: 'notify'; title: string; body: string; level: 'info' | 'warn' | 'error' };
