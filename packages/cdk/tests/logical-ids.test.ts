import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, type Synthesized, synth } from "./synth";

/**
 * CloudFormation replaces a resource whose logical id changes: a renamed construct (or a helper that
 * builds it under another scope or id) deletes the deployed table, user pool, bucket or log group and
 * creates an empty one on the next `cdk deploy`. The fixture lists every logical id the stacks had
 * (every optional feature on) when it was written; each must still be there, with the same type.
 * Adding resources is fine. A removal or rename that is meant: take the id out of
 * tests/fixtures/logical-ids.json and say in docs/deployment.md what an update does to existing data.
 */
type Ids = Record<string, string>;
const EXPECTED = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/logical-ids.json"), "utf8")) as {
  data: Ids;
  app: Ids;
};

let s: Synthesized;
// One synth with every feature on: seconds on a quiet machine, minutes at load 40.
beforeAll(() => {
  s = synth({ telegram: true, discord: true, slack: true, browser: true, alarmEmail: "ops@example.com" });
}, 600_000);
afterAll(() => cleanup(s));

const idsOf = (template: Synthesized["dataTemplate"]): Ids =>
  Object.fromEntries(
    Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => [
      id,
      r.Type,
    ]),
  );

describe("the deployed resources keep their logical ids", () => {
  it.each([
    ["data", () => s.dataTemplate],
    ["app", () => s.appTemplate],
  ] as const)("in the %s stack", (stack, template) => {
    const now = idsOf(template());
    const missing = Object.entries(EXPECTED[stack])
      .filter(([id, type]) => now[id] !== type)
      .map(([id, type]) => `${id} (${type})${now[id] ? ` is now ${now[id]}` : ""}`);
    expect(missing, "these would be replaced (or deleted) on the next deploy").toEqual([]);
  });

  it("lists the stateful resources a replacement would empty", () => {
    const types = [...Object.values(EXPECTED.data), ...Object.values(EXPECTED.app)];
    expect(types.filter((t) => t === "AWS::DynamoDB::Table")).toHaveLength(5);
    expect(types).toContain("AWS::Cognito::UserPool");
    expect(types).toContain("AWS::S3::Bucket");
    expect(types).toContain("AWS::Logs::LogGroup");
  });
});
