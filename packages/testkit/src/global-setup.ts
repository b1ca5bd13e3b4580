/** Runs once before the whole vitest run. The testkit helper fills this in. */
export default async function setup(): Promise<void> {}
