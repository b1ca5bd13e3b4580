/** A setup problem the user fixes (a flag, an environment variable): the CLI prints its message alone. */
export class LocalSetupError extends Error {}
