import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import type { SecretStore } from "../../ports";
import { validateSecretName, validateSecretValue } from "../secret-name";
import { StoreError } from "../store-error";

/**
 * Secrets as SSM SecureString parameters named `<prefix>/<name>` (encrypted with the account's
 * default SSM key). Errors are rethrown with the value scrubbed, so a secret never reaches a log.
 */
export class SsmSecretStore implements SecretStore {
  private readonly prefix: string;

  constructor(
    private readonly client: SSMClient,
    /** e.g. `/serverless-openclaw/` (a trailing `/` is added when missing). */
    prefix: string,
  ) {
    this.prefix = prefix.endsWith("/") ? prefix : `${prefix}/`;
  }

  async get(name: string): Promise<string | undefined> {
    const Name = this.parameterName(name);
    try {
      const { Parameter } = await this.client.send(new GetParameterCommand({ Name, WithDecryption: true }));
      return Parameter?.Value;
    } catch (err) {
      if (err instanceof Error && err.name === "ParameterNotFound") return undefined;
      throw scrub(err, name);
    }
  }

  async put(name: string, value: string): Promise<void> {
    const Name = this.parameterName(name);
    validateSecretValue(value);
    try {
      await this.client.send(
        new PutParameterCommand({
          Name,
          Value: value,
          Type: "SecureString",
          Overwrite: true,
        }),
      );
    } catch (err) {
      throw scrub(err, name, value);
    }
  }

  async delete(name: string): Promise<void> {
    const Name = this.parameterName(name);
    try {
      await this.client.send(new DeleteParameterCommand({ Name }));
    } catch (err) {
      if (err instanceof Error && err.name === "ParameterNotFound") return;
      throw scrub(err, name);
    }
  }

  private parameterName(name: string): string {
    return this.prefix + validateSecretName(name);
  }
}

/** A new error naming the failure, never carrying the SDK error (whose fields may echo the request). */
function scrub(err: unknown, name: string, value?: string): StoreError {
  const kind = err instanceof Error ? err.name : "Error";
  let detail = err instanceof Error ? err.message : String(err);
  if (value) detail = detail.split(value).join("[secret]");
  return new StoreError("SECRET_STORE_FAILED", `SSM could not handle secret ${name} (${kind}): ${detail}`);
}
