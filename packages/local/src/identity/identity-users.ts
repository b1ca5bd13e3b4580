import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { srpPoolName, srpVerifierFor } from "@serverless-openclaw/shared/cognito-srp";
import * as z from "zod";
import { readJsonFile, writeJsonFile } from "./json-file";
import { hashPassword } from "./password-hash";

const SessionSchema = z.object({ originJti: z.string(), refreshHash: z.string(), expiresAt: z.number() });

const UserSchema = z.object({
  username: z.string(),
  sub: z.string(),
  email: z.string().optional(),
  passwordHash: z.string(),
  status: z.enum(["CONFIRMED", "FORCE_CHANGE_PASSWORD"]),
  createdAt: z.string(),
  sessions: z.array(SessionSchema),
  resetCode: z.object({ hash: z.string(), expiresAt: z.number(), attempts: z.number() }).optional(),
  /**
   * The SRP verifier of the current password (USER_SRP_AUTH). Absent for users whose password was set
   * before SRP sign-in existed: it is added the next time the password is presented or set.
   */
  srp: z.object({ salt: z.string(), verifier: z.string() }).optional(),
  /**
   * The authenticator-app secret (TOTP MFA): `verified` once a code from it was accepted, `enabled`
   * when sign-in asks for a code; `lastStep` is the time step of the last code accepted (no replay).
   */
  totp: z
    .object({
      secret: z.string(),
      verified: z.boolean(),
      enabled: z.boolean(),
      lastStep: z.number().optional(),
    })
    .optional(),
  /** A secret handed out by AssociateSoftwareToken, not yet confirmed by a code. */
  totpPending: z.string().optional(),
});
export type LocalUser = z.infer<typeof UserSchema>;

const DirectorySchema = z.object({ clientId: z.string(), users: z.record(z.string(), UserSchema) });

export const LOCAL_USER_POOL_ID = "us-east-1_LocalDev1";
/** The pool name SRP mixes into every verifier (local mode's one pool). */
export const LOCAL_SRP_POOL_NAME = srpPoolName(LOCAL_USER_POOL_ID);

/** What is stored for a password: the scrypt hash (password sign-in) and the SRP verifier. */
export async function passwordFields(
  username: string,
  password: string,
): Promise<Pick<LocalUser, "passwordHash" | "srp">> {
  return {
    passwordHash: await hashPassword(password),
    srp: await srpVerifierFor(LOCAL_SRP_POOL_NAME, username, password),
  };
}

/** Cognito pools created today treat usernames case-insensitively. */
const keyOf = (username: string) => username.trim().toLowerCase();

/** Users of the local identity issuer, persisted as one JSON file (0600) in the data dir. */
export class UserDirectory {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly data: z.infer<typeof DirectorySchema>,
  ) {}

  static async open(dir: string, newClientId: () => string): Promise<UserDirectory> {
    const path = join(dir, "users.json");
    const raw = await readJsonFile(path);
    const data = raw === undefined ? { clientId: newClientId(), users: {} } : DirectorySchema.parse(raw);
    const directory = new UserDirectory(path, data);
    if (raw === undefined) await directory.save();
    return directory;
  }

  get clientId(): string {
    return this.data.clientId;
  }

  get(username: string): LocalUser | undefined {
    return this.data.users[keyOf(username)];
  }

  bySub(sub: string): LocalUser | undefined {
    return Object.values(this.data.users).find((u) => u.sub === sub);
  }

  names(): string[] {
    return Object.values(this.data.users).map((u) => u.username);
  }

  count(): number {
    return Object.keys(this.data.users).length;
  }

  async create(input: {
    username: string;
    password: string;
    email?: string;
    temporary?: boolean;
  }): Promise<LocalUser> {
    if (this.get(input.username)) throw new Error(`user ${input.username} already exists`);
    const username = input.username.trim();
    const user: LocalUser = {
      username,
      sub: randomUUID(),
      ...(input.email ? { email: input.email } : {}),
      ...(await passwordFields(username, input.password)),
      status: input.temporary ? "FORCE_CHANGE_PASSWORD" : "CONFIRMED",
      createdAt: new Date().toISOString(),
      sessions: [],
    };
    await this.update(user);
    return user;
  }

  /** Stores the user (writes are serialized so concurrent requests never lose one). */
  async update(user: LocalUser): Promise<void> {
    this.data.users[keyOf(user.username)] = user;
    await this.save();
  }

  private save(): Promise<void> {
    const next = this.saving.then(() => writeJsonFile(this.path, this.data));
    this.saving = next.catch(() => {});
    return next;
  }
}
