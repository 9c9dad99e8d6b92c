import type { Command } from 'commander';

/** `hub receipt …`: the signed receipts answers carry (docs/guides/receipts.md). */
export function registerReceiptCommands(program: Command): void {
  const receipt = program
    .command('receipt')
    .description('signed receipts: check one against the body it came with; rotate the signing key');

  receipt
    .command('verify')
    .description(
      "check a receipt (x-hub-receipt) against the body it came with: exits 0 when the hub's key signed it and the body's SHA-256 matches, 1 otherwise",
    )
    .requiredOption('--receipt <jws>', 'the receipt, or a file holding it')
    .requiredOption('--body <file>', 'the body exactly as received')
    .option('--request <file>', 'the request body as sent (a POST), to check the request digest too')
    .option(
      '--keys <url-or-file>',
      "the hub's receipt keys: a JWKS URL or file (default: the key file RECEIPT_KEYS_FILE when it is here, else the gateway's /.well-known/hub-receipt-keys.json at GATEWAY_HOST:GATEWAY_PORT)",
    )
    .option(
      '--trail [dir]',
      "also check that this hub's audit trail (AUDIT_DIR, or the folder given: an archive of the Redis stream) holds each record the receipt names, with its hash",
    )
    .option('--json', 'print JSON')
    .action(
      async (options: {
        receipt: string;
        body: string;
        request?: string;
        keys?: string;
        trail?: boolean | string;
        json?: boolean;
      }) => {
        const { verifyReceiptCommand } = await import('./receiptCommands.js');
        const { valid, text } = await verifyReceiptCommand(options);
        console.log(text);
        if (!valid) process.exitCode = 1;
      },
    );

  receipt
    .command('rotate-key')
    .description(
      'add a new signing key to the receipt key file (made when absent): running gateways publish it within 2 s and sign with it once --activate-after has passed; the keys before it stay published',
    )
    .option('--file <path>', 'the key file (default: RECEIPT_KEYS_FILE, or <HUB_DATA_DIR>/receipt-keys.json)')
    .option(
      '--activate-after <seconds>',
      "how long the new key is published before it signs, so that verifiers' cached key sets (60 s) know it first",
      '120',
    )
    .action(async (options: { file?: string; activateAfter: string }) => {
      const { rotateReceiptKeyCommand } = await import('./receiptCommands.js');
      console.log(rotateReceiptKeyCommand(options));
    });

  receipt
    .command('keys')
    .description("print the receipt keys' public halves as a JWKS (what the gateway publishes)")
    .option('--file <path>', 'the key file (default: RECEIPT_KEYS_FILE, or <HUB_DATA_DIR>/receipt-keys.json)')
    .action(async (options: { file?: string }) => {
      const { publicKeysCommand } = await import('./receiptCommands.js');
      console.log(publicKeysCommand(options));
    });
}
