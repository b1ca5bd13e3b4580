import WebSocket from "ws";

const [url, user, pass] = process.argv.slice(2) as [string, string, string];
const config = await (await fetch(`${url}/config.json`)).json();
const res = await fetch(config.cognitoEndpoint, {
  method: "POST",
  headers: {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
  },
  body: JSON.stringify({
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: config.userPoolClientId,
    AuthParameters: { USERNAME: user, PASSWORD: pass },
  }),
});
const token = (await res.json()).AuthenticationResult.IdToken;
const ws = new WebSocket(`${config.wsUrl}?token=${token}`);
await new Promise((r) => ws.once("open", r));
const t0 = Date.now();
ws.on("message", (d) => console.log(((Date.now() - t0) / 1000).toFixed(1), String(d).slice(0, 400)));
ws.send(
  JSON.stringify({ type: "chat.send", conversationId: "c1", clientMessageId: "nokey1", text: "hello?" }),
);
await new Promise((r) => setTimeout(r, Number(process.env.WAIT ?? 150000)));
ws.close();
