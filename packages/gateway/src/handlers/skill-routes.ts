import {
  LIMITS,
  SKILL_UPLOAD_CONTENT_TYPES,
  SkillNameSchema,
  SkillPatchSchema,
  safeParse,
} from "@serverless-openclaw/shared";
import { GatewayError } from "../errors";
import type { SkillsService } from "../services/skills";
import { SkillError } from "../skills/skill-errors";
import { type HandlerResult, header, type ParsedHttpEvent } from "./events";
import { json } from "./http-response";

export type SkillRouteName = "listSkills" | "putSkill" | "patchSkill" | "deleteSkill";

/**
 * The skills routes of the management API (docs/skills.md). `PUT /skills/{name}` takes the zip itself
 * as the body (`Content-Type: application/zip`); API Gateway hands binary bodies over base64-encoded.
 */
export function createSkillRoutes(skills: SkillsService) {
  return async (
    name: SkillRouteName,
    params: Record<string, string>,
    event: ParsedHttpEvent,
    userId: string,
  ): Promise<HandlerResult> => {
    if (name === "listSkills") return json(200, { skills: await skills.list(userId) });
    const parsedName = safeParse(SkillNameSchema, params.name);
    if (!parsedName.ok) throw new SkillError("SKILL_NAME_INVALID", parsedName.message);
    const skill = parsedName.value;
    switch (name) {
      case "putSkill": {
        const result = await skills.put(userId, skill, zipBody(event));
        const { created, ...rest } = result;
        return json(created ? 201 : 200, rest);
      }
      case "patchSkill":
        return json(200, await skills.setEnabled(userId, skill, patchBody(event).enabled));
      case "deleteSkill":
        return json(200, await skills.delete(userId, skill));
    }
  };
}

function zipBody(event: ParsedHttpEvent): Uint8Array {
  const type = (header(event.headers, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!(SKILL_UPLOAD_CONTENT_TYPES as readonly string[]).includes(type)) {
    throw new GatewayError(
      "UNSUPPORTED_MEDIA_TYPE",
      `send the skill as a zip file with 'Content-Type: application/zip' (got '${type || "none"}')`,
      400,
    );
  }
  if (!event.body)
    throw new SkillError("SKILL_NOT_ZIP", "the request has no body; send the zip file as the body");
  // Refuse before decoding: base64 is 4/3 of the bytes.
  if (event.body.length > Math.ceil((LIMITS.skillZipMaxBytes * 4) / 3) + 4) {
    throw new SkillError("SKILL_TOO_LARGE", `a skill may be at most ${LIMITS.skillZipMaxBytes} bytes zipped`);
  }
  // A binary content type arrives base64-encoded from API Gateway (and local mode); anything else would
  // have been mangled as text on the way.
  if (!event.isBase64Encoded) {
    throw new SkillError(
      "SKILL_NOT_ZIP",
      "the zip arrived as text; send it as binary data (curl --data-binary @skill.zip)",
    );
  }
  return new Uint8Array(Buffer.from(event.body, "base64"));
}

function patchBody(event: ParsedHttpEvent): { enabled: boolean } {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, "base64").toString("utf8")
      : event.body
    : "";
  if (raw.length > LIMITS.maxBodyBytes) {
    throw new GatewayError("PAYLOAD_TOO_LARGE", `body must be at most ${LIMITS.maxBodyBytes} bytes`, 413);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new GatewayError("BAD_JSON", 'body must be JSON like {"enabled": false}', 400);
  }
  const parsed = safeParse(SkillPatchSchema, data);
  if (!parsed.ok) throw new GatewayError("VALIDATION_FAILED", parsed.message, 422);
  return parsed.value;
}
