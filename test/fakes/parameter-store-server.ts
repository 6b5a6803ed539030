/**
 * A local HTTP server speaking the two Parameter Store actions the stack uses (`GetParameter`,
 * `PutParameter`) in the AWS JSON 1.1 protocol, as the SDK's SSMClient sends them: errors are the documented
 * `ParameterNotFound` and `ParameterAlreadyExists`. Values are kept in memory; nothing is encrypted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredParameter {
  value: string;
  type: string;
  version: number;
}

/** A running fake Parameter Store: its endpoint, what it holds, and a count of requests per action. */
export interface ParameterStoreServer {
  endpoint: string;
  parameters: Map<string, StoredParameter>;
  requests: Map<string, number>;
  close(): Promise<void>;
}

export async function startParameterStore(): Promise<ParameterStoreServer> {
  const parameters = new Map<string, StoredParameter>();
  const requests = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      requests.set(action, (requests.get(action) ?? 0) + 1);
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      const reply = (status: number, payload: object) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      const name = String(input.Name);
      const stored = parameters.get(name);
      if (action === 'GetParameter') {
        if (!stored) return reply(400, { __type: 'ParameterNotFound', message: name });
        return reply(200, {
          Parameter: {
            Name: name,
            Type: stored.type,
            Value: stored.value,
            Version: stored.version,
          },
        });
      }
      if (action === 'PutParameter') {
        if (stored && input.Overwrite !== true) {
          return reply(400, { __type: 'ParameterAlreadyExists', message: name });
        }
        const version = (stored?.version ?? 0) + 1;
        parameters.set(name, { value: String(input.Value), type: String(input.Type), version });
        return reply(200, { Version: version, Tier: 'Standard' });
      }
      return reply(400, { __type: 'InvalidAction', message: action });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
