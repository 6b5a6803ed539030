/**
 * Where the stack keeps its secrets: SecureString parameters under `/likewatch/<stack>/` (standard tier, no
 * monthly fee), and, with `-c customerKey=true`, the stack's customer managed KMS key for the credentials.
 * CloudFormation cannot create a SecureString, so the generated keys are made by the first function that needs
 * one, and the TikTok client secret is put by the operator (docs/deploy.md); the stack only names them and
 * grants access.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { LikewatchFunction } from './likewatch-function.ts';

/** Properties of {@link StackSecrets}. */
export interface StackSecretsProps {
  /** The customer managed KMS key that wraps the credentials' data keys, instead of a key in Parameter Store. */
  credentialsKey: kms.IKey | undefined;
}

/** The parameters (and optional KMS key) holding the stack's secrets, and the grants to read them. */
export class StackSecrets extends Construct {
  /** The TikTok app's client secret, put by the operator. */
  readonly tiktokClientSecretParameter: string;
  private readonly linkSigningKeyParameter: string;
  private readonly credentialsKeyParameter: string;
  private readonly credentialsKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: StackSecretsProps) {
    super(scope, id);
    const prefix = `/likewatch/${Stack.of(this).stackName}`;
    this.tiktokClientSecretParameter = `${prefix}/tiktok-client-secret`;
    this.linkSigningKeyParameter = `${prefix}/link-signing-key`;
    this.credentialsKeyParameter = `${prefix}/credentials-key`;
    this.credentialsKey = props.credentialsKey;
  }

  /** Lets `fn` read the TikTok client secret (`TIKTOK_CLIENT_SECRET_PARAMETER`). */
  grantTikTokClientSecret(fn: LikewatchFunction): void {
    this.bind(fn, 'TIKTOK_CLIENT_SECRET_PARAMETER', this.tiktokClientSecretParameter, false);
  }

  /** Lets `fn` read, or make on first use, the link-signing key (`LINK_SIGNING_KEY_PARAMETER`). */
  grantLinkSigning(fn: LikewatchFunction): void {
    this.bind(fn, 'LINK_SIGNING_KEY_PARAMETER', this.linkSigningKeyParameter, true);
  }

  /** Lets `fn` seal and open credentials: the KMS key's data keys, or the master key's parameter. */
  grantCredentials(fn: LikewatchFunction): void {
    if (this.credentialsKey) {
      fn.bindDataKey('CREDENTIALS_KMS_KEY_ID', this.credentialsKey);
      return;
    }
    this.bind(fn, 'CREDENTIALS_KEY_PARAMETER', this.credentialsKeyParameter, true);
  }

  /**
   * Sets `envName` to the parameter's name and grants reading it; `create` also grants writing it, which the
   * function does only when the parameter does not exist yet (never overwriting). Decrypting needs no grant:
   * the AWS managed key of Parameter Store lets the account's principals decrypt through the service, so
   * who reads a value is decided by `ssm:GetParameter` on that one parameter.
   */
  private bind(fn: LikewatchFunction, envName: string, name: string, create: boolean): void {
    fn.function.addEnvironment(envName, name);
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: create ? ['ssm:GetParameter', 'ssm:PutParameter'] : ['ssm:GetParameter'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: name.slice(1),
          }),
        ],
      }),
    );
  }
}
