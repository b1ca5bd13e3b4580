/** What the web UI reads from `/config.json` before it signs in. */
export async function webConfig(url: string): Promise<Record<string, string>> {
  return (await (await fetch(`${url}/config.json`)).json()) as Record<string, string>;
}

/** One `InitiateAuth` (USER_PASSWORD_AUTH) in the Cognito JSON protocol, over plain fetch as the web UI sends it. */
export function initiateAuth(
  cognitoEndpoint: string,
  clientId: string,
  username: string,
  password: string,
): Promise<Response> {
  return fetch(cognitoEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
}

/**
 * Signs in the way the web UI does: `/config.json`, then the Cognito JSON protocol at the endpoint it
 * names. Returns the id token (and the config the page saw); a refused sign-in throws with its answer.
 */
export async function webLogin(
  url: string,
  username: string,
  password: string,
): Promise<{ idToken: string; config: Record<string, string> }> {
  const config = await webConfig(url);
  const res = await initiateAuth(
    config.cognitoEndpoint as string,
    config.userPoolClientId as string,
    username,
    password,
  );
  if (res.status !== 200) throw new Error(`sign-in refused: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { AuthenticationResult: { IdToken: string } };
  return { idToken: body.AuthenticationResult.IdToken, config };
}
