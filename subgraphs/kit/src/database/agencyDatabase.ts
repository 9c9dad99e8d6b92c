import Database from 'better-sqlite3';
import { tracedStatement } from '../tracing';

export type SqlParams = readonly unknown[] | Record<string, unknown>;

/**
 * An agency's SQLite database as the resolvers see it: prepared statements are cached by text,
 * and every execution is counted, so tests can prove that batching keeps the number of SQL
 * statements per query level constant.
 */
export class AgencyDatabase {
  readonly raw: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private executed = 0;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.raw = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    if (!options.readonly) {
      this.raw.pragma('journal_mode = WAL');
      this.raw.pragma('synchronous = NORMAL');
    }
    this.raw.pragma('foreign_keys = ON');
  }

  /** Number of statements executed since the database was opened. */
  get statementCount(): number {
    return this.executed;
  }

  all<Row>(sql: string, params: SqlParams = []): Row[] {
    this.executed++;
    return tracedStatement(sql, () => this.prepare(sql).all(params as never) as Row[]);
  }

  get<Row>(sql: string, params: SqlParams = []): Row | undefined {
    this.executed++;
    return tracedStatement(sql, () => this.prepare(sql).get(params as never) as Row | undefined);
  }

  run(sql: string, params: SqlParams = []): Database.RunResult {
    this.executed++;
    return tracedStatement(sql, () => this.prepare(sql).run(params as never));
  }

  transaction<T>(work: () => T): T {
    return this.raw.transaction(work)();
  }

  close(): void {
    this.statements.clear();
    this.raw.close();
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
