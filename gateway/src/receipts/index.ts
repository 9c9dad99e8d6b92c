export * from './receiptClaims';
export * from './receiptKeys';
export * from './receiptSigner';
export * from './signReceipt';
export * from './verifyReceipt';
