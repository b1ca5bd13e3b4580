import type { SecretStore } from "../../ports";
import { validateSecretName, validateSecretValue } from "../secret-name";

/** Secrets in a Map, for unit tests. */
export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();

  async get(name: string): Promise<string | undefined> {
    return this.secrets.get(validateSecretName(name));
  }

  async put(name: string, value: string): Promise<void> {
    this.secrets.set(validateSecretName(name), validateSecretValue(value));
  }

  async delete(name: string): Promise<void> {
    this.secrets.delete(validateSecretName(name));
  }
}
