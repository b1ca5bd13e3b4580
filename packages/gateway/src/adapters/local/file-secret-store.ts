import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import * as z from "zod";
import type { SecretStore } from "../../ports";
import { validateSecretName, validateSecretValue } from "../secret-name";
import { StoreError } from "../store-error";
import { replaceFileAtomically } from "./atomic-file";

const SecretsFileSchema = z.record(z.string(), z.string());

/**
 * Secrets in one JSON file readable only by its owner (mode 0600), rewritten atomically
 * (temp file + rename) on every change. Values never appear in errors.
 */
export class FileSecretStore implements SecretStore {
  private readonly secrets: Map<string, string>;

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.secrets = new Map(Object.entries(this.load()));
  }

  async get(name: string): Promise<string | undefined> {
    return this.secrets.get(validateSecretName(name));
  }

  async put(name: string, value: string): Promise<void> {
    this.secrets.set(validateSecretName(name), validateSecretValue(value));
    this.save();
  }

  async delete(name: string): Promise<void> {
    if (this.secrets.delete(validateSecretName(name))) this.save();
  }

  private load(): Record<string, string> {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw err;
    }
    chmodSync(this.file, 0o600);
    const parsed = SecretsFileSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new StoreError(
        "STORE_CORRUPT",
        `${this.file} is not a JSON object of strings; fix or remove it.`,
      );
    }
    return parsed.data;
  }

  private save(): void {
    replaceFileAtomically(this.file, (append) =>
      append(JSON.stringify(Object.fromEntries(this.secrets), null, 2)),
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
