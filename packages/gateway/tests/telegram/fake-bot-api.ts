// The fake Bot API lives in testkit (local mode's tests and the benches use it too).
export * from "@serverless-openclaw/testkit/fake-bot-api";
