export * from './connection';
export * from './cursors';
export * from './cursorSealing';
export * from './cursorSettings';
export * from './plainCursors';
