// A page served from another origin than the signaling server (as an application's own site is)
// imports the client library from the server and, with a JWT (so its TURN fetch needs a preflight),
// joins a topic and gets TURN credentials: CORS must let each of these through.
// Usage: SERVER_URL=http://127.0.0.1:PORT PAGE_PORT=... JWT_SECRET=... node cross-origin-e2e.mjs
import { chromium } from 'playwright-core';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';

const SERVER = process.env.SERVER_URL.replace(/\/$/, '');
const PAGE_PORT = Number(process.env.PAGE_PORT);
const TIMEOUT = 30_000;

const b64url = (value) => Buffer.from(value).toString('base64url');
function jwt(secret, claims) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}
const token = jwt(process.env.JWT_SECRET, { sub: 'cross-origin-user', exp: Math.floor(Date.now() / 1000) + 600 });

const page = `<!doctype html><meta charset="utf-8"><title>an application elsewhere</title>
<script type="module">
  import { SignalingClient } from '${SERVER}/client/signaling-client.js';
  const client = new SignalingClient('${SERVER}', 'cross-origin-room', { token: '${token}', turn: true });
  client.addEventListener('ice-servers', (e) => { window.iceServers = e.detail.iceServers; });
  client.addEventListener('error', (e) => { window.failure = e.detail.code + ': ' + e.detail.message; });
  client.connect().then((id) => { window.selfId = id; }, (e) => { window.failure = e.message; });
</script>`;
const site = http.createServer((request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/html' });
  response.end(page);
});
await new Promise((resolve) => site.listen(PAGE_PORT, '127.0.0.1', resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const tab = await browser.newPage();
  tab.on('console', (m) => console.log(`[page] ${m.text()}`));
  await tab.goto(`http://127.0.0.1:${PAGE_PORT}/`);
  await tab.waitForFunction(() => window.iceServers || window.failure, null, { timeout: TIMEOUT });
  assert.equal(await tab.evaluate(() => window.failure), undefined);
  assert.match(await tab.evaluate(() => window.selfId), /^[0-9A-HJKMNP-TV-Z]{26}$/);
  const servers = await tab.evaluate(() => window.iceServers);
  assert.equal(servers.length, 1);
  assert.match(servers[0].username, /:cross-origin-user$/, 'the credentials of the token\'s subject');
  console.log('cross-origin page got TURN credentials for', servers[0].username);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
  site.close();
}
