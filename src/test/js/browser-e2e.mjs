// Two pages of the demo in Debian's Chromium make a real RTCPeerConnection through the server
// (offer, answer and ICE relayed by it), open a data channel and exchange messages both ways.
// Usage: SERVER_URL=http://127.0.0.1:PORT SCREENSHOTS=target/screenshots node browser-e2e.mjs
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';

const SERVER = process.env.SERVER_URL || 'http://127.0.0.1:8081';
const SHOTS = process.env.SCREENSHOTS || 'target/screenshots';
const TIMEOUT = 30_000;
mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
});
try {
  const context = await browser.newContext();
  // Without media permission Chromium hides host candidates behind mDNS names, which do not resolve here.
  await context.grantPermissions(['camera', 'microphone'], { origin: SERVER });
  const topic = `e2e-${Date.now()}`;
  const pages = [];
  for (const name of ['alice', 'bob']) {
    const page = await context.newPage();
    page.on('console', (m) => console.log(`[${name}] ${m.text()}`));
    await page.goto(`${SERVER}/`);
    await page.fill('#topic', topic);
    await page.fill('#name', name);
    await page.click('#connect');
    await page.waitForSelector('#status[data-state="online"]', { timeout: TIMEOUT });
    pages.push(page);
  }
  const [alice, bob] = pages;
  await alice.waitForSelector('#peers li', { timeout: TIMEOUT });
  assert.equal(await alice.textContent('#peers li span'), 'bob');
  assert.equal(await bob.textContent('#peers li span'), 'alice');

  await alice.click('#peers li button.chat');
  // Bob is asked first: nothing is answered before he accepts.
  await bob.waitForSelector('#incoming:not([hidden])', { timeout: TIMEOUT });
  assert.match(await bob.textContent('#incoming-text'), /alice wants to chat/);
  assert.equal(await alice.getAttribute('#channel', 'data-state'), 'connecting', 'no answer came before the click');
  await bob.click('#accept');
  for (const page of pages) {
    await page.waitForSelector('#channel[data-state="open"]', { timeout: TIMEOUT });
  }
  await alice.fill('#text', 'hello from alice');
  await alice.click('#send');
  await bob.waitForFunction(() => document.querySelector('#messages').textContent.includes('hello from alice'),
    null, { timeout: TIMEOUT });
  await bob.fill('#text', 'hi alice, bob here');
  await bob.click('#send');
  await alice.waitForFunction(() => document.querySelector('#messages').textContent.includes('hi alice, bob here'),
    null, { timeout: TIMEOUT });

  await alice.screenshot({ path: `${SHOTS}/alice.png`, fullPage: true });
  await bob.screenshot({ path: `${SHOTS}/bob.png`, fullPage: true });

  // An offer whose peer leaves before it was answered goes with it.
  const carol = await context.newPage();
  carol.on('console', (m) => console.log(`[carol] ${m.text()}`));
  await carol.goto(`${SERVER}/`);
  await carol.fill('#topic', topic);
  await carol.fill('#name', 'carol');
  await carol.click('#connect');
  await carol.waitForSelector('#status[data-state="online"]', { timeout: TIMEOUT });
  await carol.click('#peers li:has-text("alice") button.chat');
  await alice.waitForSelector('#incoming:not([hidden])', { timeout: TIMEOUT });
  assert.match(await alice.textContent('#incoming-text'), /carol wants to chat/);
  await carol.click('#leave');
  await alice.waitForSelector('#incoming[hidden]', { state: 'attached', timeout: TIMEOUT });

  // A call whose callee takes a while to grant the camera (ICE candidates keep coming meanwhile),
  // then a hang-up: both sides let go of the camera and the microphone.
  await bob.evaluate(() => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => new Promise((resolve) => setTimeout(resolve, 1000)).then(() => real(constraints));
  });
  await alice.click('#peers li:has-text("bob") button.call');
  await bob.waitForSelector('#incoming:not([hidden])', { timeout: TIMEOUT });
  assert.match(await bob.textContent('#incoming-text'), /alice wants to call you/);
  await bob.click('#accept');
  for (const page of pages) {
    await page.waitForSelector('#channel[data-state="open"]', { timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelector('#remote').srcObject !== null, null, { timeout: TIMEOUT });
    await page.evaluate(() => { window.callTracks = document.querySelector('#local').srcObject.getTracks(); });
    assert.equal(await page.evaluate(() => window.callTracks.filter((t) => t.readyState === 'live').length), 2, 'camera and microphone live');
  }
  for (const page of pages) {
    const errors = await page.evaluate(() => [...document.querySelectorAll('#messages li')].map((li) => li.textContent)
      .filter((text) => text.startsWith('error')));
    assert.deepEqual(errors, [], 'no ICE candidate was refused or lost while the camera was asked for');
  }
  await alice.click('#hangup');
  for (const page of pages) {
    await page.waitForFunction(() => window.callTracks.every((t) => t.readyState === 'ended'), null, { timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => document.querySelector('#local').srcObject), null);
    assert.equal(await page.getAttribute('#hangup', 'disabled'), '');
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
}
