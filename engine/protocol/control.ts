/**
 * Messages between Electron main and the engine utility process (process.parentPort).
 * The UI protocol itself never goes this way: main only hands out MessagePorts, asks
 * for a kill switch from the global shortcut (which must work when the page is hung),
 * passes on a path the trader chose in a save dialog, asks what is open before it installs
 * an update, and asks the engine to stop. The engine asks main for exchange keys: under
 * Electron main alone opens the OS keychain (reads, writes and deletes), and the engine,
 * which never does, asks it here.
 */
import type { EngineInfo } from './index';
import type { ErrorCode } from '../src/core/errors';
import type { ApiCredentials } from '../src/model/exchange-account';
import type { Exposure } from '../src/model/exposure';

export type { ApiCredentials, Exposure };

/** What the engine asks of main's keychain, for one account (its entry is named after it). */
export type KeychainRequest =
  | { op: 'available' }
  | { op: 'get'; account: string }
  | { op: 'set'; account: string; credentials: ApiCredentials }
  | { op: 'delete'; account: string };

/** A keychain error as it crosses from main to the engine: code, message and `where`, never a credential. */
export interface KeychainErrorWire {
  code: ErrorCode;
  message: string;
  where?: string;
}

/**
 * Main's answer: what the keychain said, or its error (code and `where` kept, so the engine
 * reports it as if it had asked the keychain itself). Never a plain-text fallback.
 */
export type KeychainAnswer =
  | { ok: true; available?: { ok: boolean; reason?: string }; credentials?: ApiCredentials; deleted?: boolean }
  | { ok: false; error: KeychainErrorWire };

export type MainToEngine =
  /** Carries one MessagePort (in event.ports) for a new UI connection. */
  | { type: 'connect'; windowId: number }
  | { type: 'killSwitch'; reason: string }
  /** The trader chose this path in main's save dialog: one data.export may write there. */
  | { type: 'grantExport'; path: string }
  /** What is open (positions, working orders, running strategies): the updater installs only when nothing is. */
  | { type: 'exposure'; id: number }
  /** The answer to the engine's `keychain` request with the same id. */
  | { type: 'keychain'; id: number; answer: KeychainAnswer }
  | { type: 'shutdown' };

export type EngineToMain =
  | { type: 'ready'; info: EngineInfo; startMs: number }
  | { type: 'stopped' }
  /** The answer to `exposure` with the same id: what is open, or why the engine cannot say. */
  | { type: 'exposure'; id: number; exposure?: Exposure; error?: string }
  | { type: 'fatal'; message: string }
  /** The engine needs the keychain (an account's key to trade with, or one to store or delete): main answers. */
  | { type: 'keychain'; id: number; request: KeychainRequest }
  /** An alert fired (the trader's or the engine's): main shows it as a desktop notification. */
  | { type: 'notify'; title: string; body: string; level: 'info' | 'warn' | 'error' };
