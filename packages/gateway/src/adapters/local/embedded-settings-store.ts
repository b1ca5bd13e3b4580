import type { Clock, SettingsStore } from "../../ports";
import { isExpired, systemClock } from "../clock";
import { toJsonValue, validateExpiresAt, validateSettingKey } from "../settings-value";
import type { LocalTable } from "./local-table";

/** Settings in an embedded table; `expiresAt` (epoch seconds) makes an item absent once passed. */
export class EmbeddedSettingsStore implements SettingsStore {
  constructor(
    private readonly table: LocalTable,
    private readonly clock: Clock = systemClock,
  ) {}

  async get<T = unknown>(userId: string, settingKey: string): Promise<T | undefined> {
    return this.live(userId, settingKey)?.value as T | undefined;
  }

  async put(userId: string, settingKey: string, value: unknown, opts: { expiresAt?: number } = {}) {
    this.write(userId, settingKey, value, opts.expiresAt);
  }

  async putIfAbsent(userId: string, settingKey: string, value: unknown, opts: { expiresAt?: number } = {}) {
    if (this.live(userId, settingKey)) return false;
    this.write(userId, settingKey, value, opts.expiresAt);
    return true;
  }

  async take<T = unknown>(userId: string, settingKey: string): Promise<T | undefined> {
    const item = this.live(userId, settingKey);
    this.table.delete(userId, validateSettingKey(settingKey));
    return item?.value as T | undefined;
  }

  async delete(userId: string, settingKey: string): Promise<void> {
    this.table.delete(userId, validateSettingKey(settingKey));
  }

  async list<T = unknown>(userId: string, prefix: string) {
    return this.table
      .query(userId, { prefix })
      .filter(([, item]) => !isExpired(item.expiresAt, this.clock))
      .map(([settingKey, item]) => ({ settingKey, value: item.value as T }));
  }

  private live(userId: string, settingKey: string) {
    const item = this.table.get(userId, validateSettingKey(settingKey));
    return item && !isExpired(item.expiresAt, this.clock) ? item : undefined;
  }

  private write(userId: string, settingKey: string, value: unknown, expiresAt?: number): void {
    const item: Record<string, unknown> = { value: toJsonValue(value) };
    if (validateExpiresAt(expiresAt) !== undefined) item.expiresAt = expiresAt;
    this.table.put(userId, validateSettingKey(settingKey), item);
  }
}
