import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { LocalIdentity } from "../../src/identity/local-identity";
import { type ApiGatewayServer, startApiGatewayServer } from "../../src/server/api-gateway-server";
import { createConsoleLogger } from "../../src/support/local-logger";

/** Local mode's identity in a fresh data dir, served at `/cognito/` on loopback, with a real SDK client. */
export interface IdentityServer {
  dir: string;
  identity: LocalIdentity;
  server: ApiGatewayServer;
  cognito: CognitoIdentityProviderClient;
  close(): Promise<void>;
}

export async function startIdentityServer(
  prefix: string,
  notify: (line: string) => void = () => {},
): Promise<IdentityServer> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const identity = await LocalIdentity.open({ dir, notify });
  const server = await startApiGatewayServer({
    port: 0,
    logger: createConsoleLogger({ level: "silent" }),
    localRoutes: [identity.route()],
  });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: `${server.url}/cognito/`,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });
  return {
    dir,
    identity,
    server,
    cognito,
    async close() {
      cognito.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
