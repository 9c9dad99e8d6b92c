import type { Command } from 'commander';
import { DEFAULT_DEVELOPMENT_TTL } from './tokenLifetime';

/** `hub token`: development tokens. */
export function registerTokenCommands(program: Command): void {
  program
    .command('token')
    .description(
      "print a development token for a registered consumer, signed with the hub's secret (exit 2, nothing printed, when refused)",
    )
    .option('--consumer <id>', 'registered consumer id')
    .option(
      '--subject <id>',
      "instead of a consumer: a data subject's token for their own access log at /transparency (a resident ID number or USCC); it reads no agency data",
    )
    .option('--purpose <purpose>', 'purpose claim; it binds: a request with another x-data-purpose is refused')
    .option(
      '--role <role...>',
      'roles claim, each one the consumer directory lets the consumer hold (e.g. --consumer education --role cdo:education)',
    )
    .option(
      '--ttl <duration>',
      `lifetime, e.g. 30m, 8h, 24h; at most TOKEN_MAX_TTL (default: ${DEFAULT_DEVELOPMENT_TTL}, or TOKEN_MAX_TTL if shorter)`,
    )
    .action(
      async (options: { consumer?: string; subject?: string; purpose?: string; role?: string[]; ttl?: string }) => {
        const { TokenRefusal, issueDevelopmentToken, issueSubjectToken } = await import('./issueToken.js');
        try {
          if ((options.consumer === undefined) === (options.subject === undefined))
            throw new TokenRefusal('name either --consumer or --subject');
          if (options.subject !== undefined) {
            if (options.purpose || options.role)
              throw new TokenRefusal("a data subject's token carries no purpose and no role: it reads no agency data");
            console.log(
              await issueSubjectToken({ subject: options.subject, ...(options.ttl ? { ttl: options.ttl } : {}) }),
            );
            return;
          }
          console.log(
            await issueDevelopmentToken({
              consumer: options.consumer!,
              ...(options.ttl ? { ttl: options.ttl } : {}),
              ...(options.purpose ? { purpose: options.purpose } : {}),
              ...(options.role ? { roles: options.role } : {}),
            }),
          );
        } catch (error) {
          if (!(error instanceof TokenRefusal)) throw error;
          // A refusal is not a token: stdout stays empty, so `TOKEN=$(hub token …)` never captures one.
          console.error(`hub token: refused: ${error.message}`);
          process.exitCode = 2;
        }
      },
    );
}
