import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  padHex,
  portableHmacSha256,
  portableSha256,
  SrpClient,
  SrpServer,
  srpClaimSignature,
  srpPoolName,
  srpTimestamp,
  srpVerifierFor,
} from "../src/cognito-srp";

describe("cognito-srp", () => {
  it("the plain SHA-256 and HMAC (pages without crypto.subtle) match node:crypto", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 150 }), (data, key) => {
        const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
        expect(hex(portableSha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
        expect(hex(portableHmacSha256(key, data))).toBe(createHmac("sha256", key).update(data).digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("pads hex as Java's BigInteger.toByteArray prints it, and formats Cognito's timestamp", () => {
    expect(padHex(0x14n)).toBe("14");
    expect(padHex(0xecn)).toBe("00ec");
    expect(padHex(0x1abn)).toBe("01ab");
    expect(srpPoolName("eu-west-1_AbC123")).toBe("AbC123");
    // The day is not zero-padded; hours, minutes and seconds are.
    expect(srpTimestamp(new Date(Date.UTC(2026, 11, 6, 3, 4, 5)))).toBe("Sun Dec 6 03:04:05 UTC 2026");
  });

  it("client and server agree on the claim only with the right password", async () => {
    const verifier = await srpVerifierFor("Pool1", "alice", "right-password");
    for (const [password, matches] of [
      ["right-password", true],
      ["wrong-password", false],
    ] as const) {
      const client = new SrpClient("Pool1");
      const server = await SrpServer.start(client.srpA, verifier);
      const secretBlock = Buffer.from("block").toString("base64");
      const now = new Date();
      const answer = await client.answer({
        userId: "alice",
        password,
        saltHex: verifier.salt,
        srpBHex: server.srpB,
        secretBlock,
        now,
      });
      const expected = await srpClaimSignature({
        key: await server.key(),
        poolName: "Pool1",
        userId: "alice",
        secretBlock,
        timestamp: answer.TIMESTAMP,
      });
      expect(answer.PASSWORD_CLAIM_SIGNATURE === expected, password).toBe(matches);
    }
  });
});
