import { GatewayError } from "../errors";

/** Why an uploaded skill was refused. Each code has one cause and a message saying how to fix it. */
export type SkillErrorCode =
  | "SKILL_TOO_LARGE"
  | "SKILL_NOT_ZIP"
  | "SKILL_ENCRYPTED"
  | "SKILL_UNSUPPORTED_COMPRESSION"
  | "SKILL_TOO_MANY_FILES"
  | "SKILL_FILE_TOO_LARGE"
  | "SKILL_PATH_TRAVERSAL"
  | "SKILL_PATH_ABSOLUTE"
  | "SKILL_PATH_INVALID"
  | "SKILL_PATH_TOO_DEEP"
  | "SKILL_DUPLICATE_PATH"
  | "SKILL_SYMLINK"
  | "SKILL_SPECIAL_FILE"
  | "SKILL_MD_MISSING"
  | "SKILL_MD_NOT_UTF8"
  | "SKILL_FRONTMATTER_INVALID"
  | "SKILL_NAME_INVALID"
  | "SKILL_NAME_MISMATCH"
  | "SKILL_NAME_RESERVED"
  | "SKILL_DESCRIPTION_INVALID"
  | "SKILL_LIMIT_REACHED";

/** A refused skill upload: 413 for size limits, 422 for everything else. Nothing was written. */
export class SkillError extends GatewayError {
  declare readonly code: SkillErrorCode;
  constructor(code: SkillErrorCode, message: string) {
    super(code, message, code === "SKILL_TOO_LARGE" || code === "SKILL_FILE_TOO_LARGE" ? 413 : 422);
  }
}
