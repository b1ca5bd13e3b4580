import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { SsmSecretStore } from "../../src/adapters/aws/ssm-secret-store";
import { expectStoreError } from "../contract/harness";

// No SSM stand-in runs here, so the adapter is tested at the SDK boundary.
const ssm = mockClient(SSMClient);
const SECRET = "sk-ant-very-secret-value-1234";
const notFound = () => new ParameterNotFound({ message: "not found", $metadata: {} });

describe("SsmSecretStore", () => {
  let store: SsmSecretStore;
  beforeEach(() => {
    ssm.reset();
    store = new SsmSecretStore(new SSMClient({ region: "us-east-1" }), "/openclaw");
  });

  it("reads a SecureString with decryption under the prefix", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });
    expect(await store.get("users/u1/llm-api-key")).toBe(SECRET);
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: "/openclaw/users/u1/llm-api-key",
      WithDecryption: true,
    });
  });

  it("reads a missing parameter as undefined and deletes idempotently", async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    ssm.on(DeleteParameterCommand).rejects(notFound());
    expect(await store.get("telegram/bot-token")).toBeUndefined();
    await store.delete("telegram/bot-token");
    expect(ssm.commandCalls(DeleteParameterCommand)[0]?.args[0].input).toEqual({
      Name: "/openclaw/telegram/bot-token",
    });
  });

  it("writes a SecureString, overwriting", async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    await store.put("telegram/bot-token", SECRET);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toEqual({
      Name: "/openclaw/telegram/bot-token",
      Value: SECRET,
      Type: "SecureString",
      Overwrite: true,
    });
  });

  it("never puts the secret into a thrown error", async () => {
    const echo = new SSMServiceException({
      name: "ValidationException",
      $fault: "client",
      message: `Value '${SECRET}' at 'value' failed to satisfy constraint`,
      $metadata: {},
    });
    ssm.on(PutParameterCommand).rejects(echo);
    const err = (await store.put("users/u1/llm-api-key", SECRET).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { code: string }).code).toBe("SECRET_STORE_FAILED");
    expect(err.message).toContain("ValidationException");
    expect(err.message).toContain("users/u1/llm-api-key");
    expect(
      JSON.stringify({ ...err, message: err.message, stack: err.stack, cause: String(err.cause) }),
    ).not.toContain(SECRET);
  });

  it("rejects bad names and empty values before calling SSM", async () => {
    await expectStoreError(store.put("../x", SECRET), "INVALID_ARGUMENT");
    await expectStoreError(store.put("ok", ""), "INVALID_ARGUMENT");
    expect(ssm.calls()).toHaveLength(0);
  });
});
