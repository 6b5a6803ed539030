/** Named errors the core throws. Adapters translate SDK errors into these (with `cause`). */

/** Configuration (environment, context) is missing or invalid; the message says what to set. */
export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
}

/** Input (an event, a file, an HTTP body) failed validation; the message names the bad field. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** The store could not be read or written; the run should be retried. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** The mailer could not send; `retryable` says whether trying again later can help. */
export class MailerError extends Error {
  override name = 'MailerError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
