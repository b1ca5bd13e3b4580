import {
  SkillChangeResultSchema,
  SkillDeleteResultSchema,
  SkillListSchema,
} from "@serverless-openclaw/shared";
import type * as z from "zod";
import { fetchApi, readApiResponse } from "../api/http-api";

/**
 * The skills routes of the management API (docs/skills.md). Kept apart from HttpApi because an upload
 * sends the zip itself as the body (`Content-Type: application/zip`), not JSON.
 */
export class SkillsApi {
  constructor(
    private readonly apiUrl: string,
    private readonly auth: { getIdToken(): Promise<string>; refreshNow(): Promise<string> },
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  list() {
    return this.call("GET", "/skills", SkillListSchema).then((r) => r.skills);
  }
  /** Creates or replaces the skill `name` (its SKILL.md must say the same name). */
  upload(name: string, zip: Uint8Array) {
    return this.call("PUT", `/skills/${enc(name)}`, SkillChangeResultSchema, {
      type: "application/zip",
      body: zip,
    });
  }
  setEnabled(name: string, enabled: boolean) {
    return this.call("PATCH", `/skills/${enc(name)}`, SkillChangeResultSchema, {
      type: "application/json",
      body: JSON.stringify({ enabled }),
    });
  }
  remove(name: string) {
    return this.call("DELETE", `/skills/${enc(name)}`, SkillDeleteResultSchema);
  }

  private async call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    body?: { type: string; body: string | Uint8Array },
  ): Promise<T> {
    let res = await this.send(method, path, await this.auth.getIdToken(), body);
    if (res.status === 401) res = await this.send(method, path, await this.auth.refreshNow(), body);
    return readApiResponse(res, schema);
  }

  private async send(
    method: string,
    path: string,
    token: string,
    body?: { type: string; body: string | Uint8Array },
  ): Promise<Response> {
    return fetchApi(this.fetchImpl, this.apiUrl, path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": body.type } : {}) },
      body: body ? (body.body as BodyInit) : undefined,
    });
  }
}

const enc = encodeURIComponent;
