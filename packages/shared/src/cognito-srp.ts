/**
 * Cognito's SRP-6a (the USER_SRP_AUTH sign-in and its PASSWORD_VERIFIER challenge), both sides, in the
 * wire format AWS uses: the 3072-bit group of RFC 5054 with g = 2, SHA-256, k = H(N | g), hex numbers
 * padded as Java's BigInteger.toByteArray() prints them, x = H(salt | H(poolName | userId ":" password)),
 * the 16-byte session key from HKDF("Caldera Derived Key") salted with u, and the claim signature
 * HMAC(key, poolName | userId | secretBlock | timestamp). The web app signs in with the client half
 * against AWS and local mode; local mode's identity answers with the server half. Native BigInt and
 * WebCrypto only (with a plain SHA-256 where a page has no `crypto.subtle`): an SRP library would weigh
 * more than the sign-in screen. Both halves are checked against AWS's own browser client
 * (amazon-cognito-identity-js) in packages/local/tests/unit/local-identity-srp-mfa.test.ts.
 */

const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const G = 2n;
const encoder = new TextEncoder();

/** The pool's name as SRP uses it: what follows the region in the pool id (`us-east-1_AbC` → `AbC`). */
export function srpPoolName(userPoolId: string): string {
  return userPoolId.slice(userPoolId.indexOf("_") + 1);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Java's BigInteger.toByteArray() in hex (positive numbers only): even length, "00" before a set top bit. */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const even = hex.length % 2 === 1 ? `0${hex}` : hex;
  const bytes = new Uint8Array(even.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(even.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

const K256 = Uint32Array.from(
  "428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da 983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2"
    .split(" ")
    .map((h) => Number.parseInt(h, 16)),
);

/**
 * FIPS 180-4 SHA-256 in plain JavaScript, for pages without WebCrypto's `crypto.subtle`: browsers hide
 * it outside secure contexts, e.g. local mode opened as http://<LAN address> (`--host`). Checked
 * against node:crypto in packages/shared/tests/cognito-srp.test.ts.
 */
export function portableSha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const bitLength = data.length * 8;
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const H = Uint32Array.from([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const W = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) W[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15] as number;
      const w2 = W[t - 2] as number;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H as unknown as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let t = 0; t < 64; t++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + (K256[t] as number) + (W[t] as number)) >>> 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const add = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) H[i] = ((H[i] as number) + (add[i] as number)) >>> 0;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, H[i] as number);
  return out;
}

/** RFC 2104 HMAC over portableSha256 (the fallback when `crypto.subtle` is missing). */
export function portableHmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? portableSha256(key) : key);
  const inner = new Uint8Array(64 + data.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = (block[i] as number) ^ 0x36;
    outer[i] = (block[i] as number) ^ 0x5c;
  }
  inner.set(data, 64);
  outer.set(portableSha256(inner), 64);
  return portableSha256(outer);
}

const subtle = (): SubtleCrypto | undefined => globalThis.crypto?.subtle;

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const s = subtle();
  return s ? new Uint8Array(await s.digest("SHA-256", data)) : portableSha256(data);
}

async function hmac(
  key: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const s = subtle();
  if (!s) return portableHmacSha256(key, data);
  const k = await s.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await s.sign("HMAC", k, data));
}

const hashHex = async (hex: string) => bytesToHex(await sha256(hexToBytes(hex)));
const bigFromHex = (hex: string) => BigInt(`0x${hex || "0"}`);

let kValue: Promise<bigint> | undefined;
const k = () => {
  kValue ??= hashHex(padHex(N) + padHex(G)).then(bigFromHex);
  return kValue;
};

/** A random number of `bytes` bytes (the SRP secrets a and b: 128 bytes, as AWS's own client uses). */
function randomBig(bytes: number): bigint {
  return bigFromHex(bytesToHex(crypto.getRandomValues(new Uint8Array(bytes))));
}

async function passwordX(
  saltHex: string,
  poolName: string,
  userId: string,
  password: string,
): Promise<bigint> {
  const inner = bytesToHex(await sha256(encoder.encode(`${poolName}${userId}:${password}`)));
  return bigFromHex(await hashHex(padHex(bigFromHex(saltHex)) + inner));
}

/** HKDF-SHA256 as Cognito uses it: salt = padHex(u), ikm = padHex(S), info "Caldera Derived Key", 16 bytes. */
async function sessionKey(S: bigint, u: bigint): Promise<Uint8Array<ArrayBuffer>> {
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const okm = await hmac(prk, concat(encoder.encode("Caldera Derived Key"), new Uint8Array([1])));
  return okm.slice(0, 16);
}

async function scrambler(A: bigint, B: bigint): Promise<bigint> {
  return bigFromHex(await hashHex(padHex(A) + padHex(B)));
}

/** Cognito's TIMESTAMP: "ddd MMM D HH:mm:ss UTC YYYY", the day not zero-padded. */
export function srpTimestamp(date: Date): string {
  const week = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    date.getUTCMonth()
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${week} ${month} ${date.getUTCDate()} ${time} UTC ${date.getUTCFullYear()}`;
}

/** The claim both sides compute from the session key; the server compares it with the client's. */
export async function srpClaimSignature(input: {
  key: Uint8Array<ArrayBuffer>;
  poolName: string;
  userId: string;
  secretBlock: string;
  timestamp: string;
}): Promise<string> {
  const message = concat(
    encoder.encode(input.poolName),
    encoder.encode(input.userId),
    base64ToBytes(input.secretBlock),
    encoder.encode(input.timestamp),
  );
  return bytesToBase64(await hmac(input.key, message));
}

/** The client half: A for InitiateAuth, then the PASSWORD_VERIFIER answer from the server's challenge. */
export class SrpClient {
  private readonly a = randomBig(128);
  readonly A = modPow(G, this.a, N);

  constructor(private readonly poolName: string) {}

  /** `SRP_A` for InitiateAuth's AuthParameters. */
  get srpA(): string {
    return this.A.toString(16);
  }

  /** The ChallengeResponses (without USERNAME) that answer PASSWORD_VERIFIER. */
  async answer(input: {
    userId: string;
    password: string;
    saltHex: string;
    srpBHex: string;
    secretBlock: string;
    now: Date;
  }): Promise<{ PASSWORD_CLAIM_SECRET_BLOCK: string; PASSWORD_CLAIM_SIGNATURE: string; TIMESTAMP: string }> {
    const B = bigFromHex(input.srpBHex);
    if (B % N === 0n) throw new Error("The sign-in service sent an invalid SRP_B.");
    const u = await scrambler(this.A, B);
    if (u === 0n) throw new Error("The sign-in service sent an invalid SRP_B.");
    const x = await passwordX(input.saltHex, this.poolName, input.userId, input.password);
    const base = (((B - (await k()) * modPow(G, x, N)) % N) + N) % N;
    const S = modPow(base, this.a + u * x, N);
    const timestamp = srpTimestamp(input.now);
    const signature = await srpClaimSignature({
      key: await sessionKey(S, u),
      poolName: this.poolName,
      userId: input.userId,
      secretBlock: input.secretBlock,
      timestamp,
    });
    return {
      PASSWORD_CLAIM_SECRET_BLOCK: input.secretBlock,
      PASSWORD_CLAIM_SIGNATURE: signature,
      TIMESTAMP: timestamp,
    };
  }
}

/** What a server keeps per password instead of the password: a random salt and v = g^x. */
export interface SrpVerifier {
  salt: string;
  verifier: string;
}

export async function srpVerifierFor(
  poolName: string,
  userId: string,
  password: string,
): Promise<SrpVerifier> {
  const salt = padHex(randomBig(16));
  const x = await passwordX(salt, poolName, userId, password);
  return { salt, verifier: modPow(G, x, N).toString(16) };
}

/**
 * The server half of one sign-in: B for the challenge, then the session key once the client's A is known
 * to be valid. Throws on an A that would let a client skip the password (A mod N = 0).
 */
export class SrpServer {
  private readonly b = randomBig(128);
  private readonly v: bigint;
  readonly B: bigint;

  private constructor(
    private readonly A: bigint,
    verifier: SrpVerifier,
    kv: bigint,
  ) {
    this.v = bigFromHex(verifier.verifier);
    this.B = (kv * this.v + modPow(G, this.b, N)) % N;
  }

  static async start(srpAHex: string, verifier: SrpVerifier): Promise<SrpServer> {
    if (!/^[0-9a-fA-F]{1,2048}$/.test(srpAHex)) throw new Error("SRP_A is not a hex number");
    const A = bigFromHex(srpAHex);
    if (A % N === 0n) throw new Error("SRP_A is not valid");
    return new SrpServer(A, verifier, await k());
  }

  get srpB(): string {
    return this.B.toString(16);
  }

  async key(): Promise<Uint8Array<ArrayBuffer>> {
    const u = await scrambler(this.A, this.B);
    const S = modPow(this.A * modPow(this.v, u, N), this.b, N);
    return sessionKey(S, u);
  }
}
