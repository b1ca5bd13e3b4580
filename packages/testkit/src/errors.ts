export type TestkitErrorCode =
  | "STANDIN_EXITED"
  | "STANDIN_TIMEOUT"
  | "PREREQ_MISSING"
  | "STANDIN_REQUEST_FAILED";

/** Every failure of a stand-in says which one, what happened and (where it helps) what to do about it. */
export class TestkitError extends Error {
  constructor(
    readonly code: TestkitErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TestkitError";
  }
}
