/**
 * AWS SDK clients, built once per process and passed into adapters. Endpoints come from the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how the local runtime points the very same code at embedded
 * services; in AWS they are unset and the regional endpoints are used.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A DynamoDB document client that drops `undefined` attributes instead of failing on them. */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * The SESv2 client: it carries custom headers and inline attachments that the v1 API cannot. `maxAttempts`
 * (the SDK's own retries, 3 by default) is 1 where a wrapper such as `ThrottledMailer` already retries, so
 * the two never multiply.
 */
export function createSesClient(options: { maxAttempts?: number } = {}): SESv2Client {
  return new SESv2Client(options);
}
