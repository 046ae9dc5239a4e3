/** An error whose name Step Functions matches in Retry and Catch (`ErrorEquals`). */
export class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
