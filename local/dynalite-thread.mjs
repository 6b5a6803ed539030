/**
 * Runs dynalite on its own thread: the embedded DynamoDB then uses a core of its own instead of sharing the
 * event loop (and the garbage collector) with the functions that call it. Started by `startEmbeddedDynamoDb`,
 * which receives the port and stops the thread on close.
 */
import { parentPort } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  parentPort?.postMessage({ port: server.address().port });
});
parentPort?.on('message', (message) => {
  if (message === 'close') {
    server.close(() => parentPort?.postMessage('closed'));
  }
});
