export * from './connection';
export * from './cursors';
export * from './cursorSealing';
export * from './cursorLifetime';
export * from './cursorSettings';
export * from './plainCursors';
