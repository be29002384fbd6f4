import { AdvancedConsoleLogger, type QueryRunner } from 'typeorm';
import type { LogMessage, PrepareLogMessagesOptions } from 'typeorm/logger/Logger';

type Parameters = unknown[] | Record<string, unknown>;

/**
 * A failed query's error as one line: its SQLSTATE and its message up to the first ": ", where
 * PostgreSQL puts the offending value (`invalid input syntax for type uuid: "…"`); none of the
 * driver error's fields (`detail` quotes values too).
 */
export function describeQueryError(error: string | Error): string {
  const message = typeof error === 'string' ? error : error.message;
  const code = typeof error === 'string' ? undefined : (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? `[${code}] ` : ''}${message.split(': ')[0] ?? ''}`;
}

/**
 * TypeORM's console logger without the values: a query's parameters (tenants' inputs, secrets'
 * hashes) never reach the logs, and a failed query's error is printed as its SQLSTATE and
 * message, not as the driver's object (whose `detail` may quote a value).
 */
export class ParameterFreeLogger extends AdvancedConsoleLogger {
  override logQuery(query: string, _parameters?: Parameters, queryRunner?: QueryRunner): void {
    super.logQuery(query, undefined, queryRunner);
  }

  override logQueryError(
    error: string | Error,
    query: string,
    _parameters?: Parameters,
    queryRunner?: QueryRunner,
  ): void {
    super.logQueryError(describeQueryError(error), query, undefined, queryRunner);
  }

  override logQuerySlow(
    time: number,
    query: string,
    _parameters?: Parameters,
    queryRunner?: QueryRunner,
  ): void {
    super.logQuerySlow(time, query, undefined, queryRunner);
  }

  protected override prepareLogMessages(
    logMessage: LogMessage | string | number | (LogMessage | string | number)[],
    options?: Partial<PrepareLogMessagesOptions>,
    queryRunner?: QueryRunner,
  ): LogMessage[] {
    const messages = super.prepareLogMessages(
      logMessage,
      { ...options, appendParameterAsComment: false, highlightSql: false },
      queryRunner,
    );
    // A long statement is cut: a multi-row insert's text is thousands of placeholders.
    for (const message of messages)
      if (typeof message.message === 'string' && message.message.length > 1000)
        message.message = `${message.message.slice(0, 1000)}… (${message.message.length} chars)`;
    return messages;
  }
}
