/**
 * Where the functions' log lines go instead of stdout. Deployed functions never set a sink: their lines are the
 * JSON CloudWatch and the metric filters read. The CLI sets one when it runs the functions locally for a
 * person, who reads short lines instead. Kept apart from the logger so that setting a sink does not create
 * the logger before the local runtime has set its environment (the log level is read at creation).
 */

/** A log line of the functions, as its fields: `level`, `message`, the Lambda context and the extra keys. */
export type LogLine = Record<string, unknown>;

let logSink: ((line: LogLine) => void) | undefined;

/** Hands the functions' log lines to `sink` instead of stdout until the returned function is called. */
export function redirectFunctionLogs(sink: (line: LogLine) => void): () => void {
  logSink = sink;
  return () => {
    if (logSink === sink) logSink = undefined;
  };
}

/** The sink set by {@link redirectFunctionLogs}, if any. */
export function currentLogSink(): ((line: LogLine) => void) | undefined {
  return logSink;
}
