import { describe, expect, it } from "vitest";
import { Redactor } from "../src/redact";

// Built at run time so no token-shaped literal sits in the repository.
const part = (c: string) => c.repeat(24);
const JWT = `eyJ${part("a")}.${part("b")}.${part("c")}`;

describe("Redactor", () => {
  it("hides registered values, ignores values too short to be secrets, and forgets removed ones", () => {
    const r = new Redactor();
    r.add("s3cret-value-1", undefined, "abc");
    expect(r.redact("key s3cret-value-1 twice s3cret-value-1, abc stays")).toBe(
      "key [redacted] twice [redacted], abc stays",
    );
    r.remove("s3cret-value-1");
    expect(r.redact("s3cret-value-1")).toBe("s3cret-value-1");
  });

  it("masks JWTs and token= query values nobody registered (an id token in a URL or an echoed error)", () => {
    const r = new Redactor();
    expect(r.redact(`GET /ws?token=${JWT}`)).toBe("GET /ws?token=[redacted]");
    expect(r.redact(`upstream said: bad bearer ${JWT} (expired)`)).toBe(
      "upstream said: bad bearer [redacted-jwt] (expired)",
    );
  });
});
