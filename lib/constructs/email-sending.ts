/**
 * Everything SES needs to send the digests: the sender's domain identity (DKIM-signed), a configuration set
 * that suppresses bounced and complaining addresses and publishes reputation metrics, an SNS topic that
 * receives bounce and complaint events, and the DNS records the team must publish, as stack outputs.
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Properties of {@link EmailSending}. */
export interface EmailSendingProps {
  /** The domain of the sender address, e.g. `example.com`. */
  readonly senderDomain: string;
}

/** The SES side of likewatch. */
export class EmailSending extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** Bounce, complaint, reject and delivery-delay events from SES. */
  readonly eventsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: EmailSendingProps) {
    super(scope, id);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      // Addresses that bounce for good or complain are never mailed again, account-wide policy aside.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });

    this.eventsTopic = new sns.Topic(this, 'EventsTopic', {
      displayName: 'likewatch SES events',
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('ToEventsTopic', {
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      // A domain identity lets any address at the domain send, DKIM-signed, without re-verifying per address.
      identity: ses.Identity.domain(props.senderDomain),
      configurationSet: this.configurationSet,
    });

    this.identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        description: `DKIM: publish this CNAME for ${props.senderDomain} (record ${index + 1} of 3).`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });
    new CfnOutput(this, 'SpfRecord', {
      description: `SPF: publish on ${props.senderDomain} (merge with an existing SPF record rather than adding a second).`,
      value: `${props.senderDomain} TXT "v=spf1 include:amazonses.com ~all"`,
    });
    new CfnOutput(this, 'DmarcRecord', {
      description:
        'DMARC: start with p=none, move to quarantine once reports show only SES sending.',
      value: `_dmarc.${props.senderDomain} TXT "v=DMARC1; p=none; adkim=s; aspf=r"`,
    });
  }

  /** Lets `grantee` send as the identity, through the configuration set only. */
  grantSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn()],
      }),
    );
  }

  private configurationSetArn(): string {
    const stack = this.configurationSet.stack;
    return stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }
}
