/**
 * cdk-nag's AWS Solutions rules, run on every synth (CLI and tests). A finding fails synthesis unless it is
 * acknowledged next to the resource it concerns, with the reason.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** Adds the AWS Solutions checks to `app`. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
