export * from './catalogue';
export * from './hubError';
export * from './httpErrors';
export * from './unreadBody';
