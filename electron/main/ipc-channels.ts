/** IPC channel names shared by main and the preload; nothing else crosses that boundary. */
export const IPC = {
  openFile: 'keel:dialog:open',
  saveFile: 'keel:dialog:save',
  layoutLoad: 'keel:layout:load',
  layoutSave: 'keel:layout:save',
  requestPort: 'keel:engine:request-port',
  /** main -> preload: carries the engine port in event.ports. */
  enginePort: 'keel:engine:port',
  /** main -> preload: the engine process died. */
  engineLost: 'keel:engine:lost',
  /** main -> preload: a menu command for the page. */
  menu: 'keel:menu',
} as const;
