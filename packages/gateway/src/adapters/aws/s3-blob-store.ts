import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { BlobStore, BlobUrlSigner } from "../../ports";
import { validateBlobKey, validateBlobPrefix } from "../blob-key";

/** Blobs as S3 objects under an optional key prefix of one bucket. */
export class S3BlobStore implements BlobStore, BlobUrlSigner {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = "",
    /** Signs the presigned URLs; configured with checksums only when required (see createAwsStores). */
    private readonly presignClient: S3Client = client,
  ) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.byteLength,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return Body ? await Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (err instanceof Error && (err.name === "NoSuchKey" || err.name === "NotFound")) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async list(prefix: string): Promise<string[]> {
    validateBlobPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) keys.push(object.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** A presigned GET or PUT of one object, signed with this client's credentials (the gateway's role). */
  async signedUrl(key: string, method: "GET" | "PUT", expiresInSeconds: number): Promise<string> {
    const input = { Bucket: this.bucket, Key: this.objectKey(key) };
    const command = method === "GET" ? new GetObjectCommand(input) : new PutObjectCommand(input);
    return getSignedUrl(this.presignClient, command, { expiresIn: expiresInSeconds });
  }

  private objectKey(key: string): string {
    return this.prefix + validateBlobKey(key);
  }
}
