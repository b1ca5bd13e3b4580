import { existsSync } from "node:fs";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3rver, startS3rver } from "../src/s3rver";

describe("startS3rver", () => {
  let s3: S3rver;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: ["data"] });
    client = s3.client();
  });

  afterAll(async () => {
    await s3?.stop();
  });

  it("stores and returns an object byte for byte", async () => {
    const body = Buffer.from("hello from a test\n".repeat(1000));
    await client.send(new PutObjectCommand({ Bucket: "data", Key: "a/b.txt", Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: "data", Key: "a/b.txt" }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(body)).toBe(true);
  });

  it("reports a missing key as NoSuchKey", async () => {
    await expect(client.send(new GetObjectCommand({ Bucket: "data", Key: "nope" }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
  });

  it("creates more buckets on demand", async () => {
    await s3.createBucket("other");
    await client.send(new PutObjectCommand({ Bucket: "other", Key: "k", Body: "v" }));
    const got = await client.send(new GetObjectCommand({ Bucket: "other", Key: "k" }));
    expect(await got.Body?.transformToString()).toBe("v");
  });

  // Last: it stops the shared instance (afterAll's stop() is then a no-op).
  it("deletes its temp dir on stop", async () => {
    expect(existsSync(s3.dir)).toBe(true);
    await s3.stop();
    expect(existsSync(s3.dir)).toBe(false);
    await expect(fetch(s3.endpoint)).rejects.toThrow();
  });
});
