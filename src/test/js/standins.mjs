// Stand-ins for the client tests: a TCP proxy in front of the real server whose connections the
// test can cut, refuse or make swallow what the client sends; and a small WebSocket server that
// speaks just enough of the protocol to close, refuse or answer as a test needs.
import net from 'node:net';
import http from 'node:http';
import { WebSocketServer } from 'ws';

/** A TCP proxy to host:port on a free loopback port. */
export async function tcpProxy(targetPort, targetHost = '127.0.0.1') {
  const pipes = new Set();
  const proxy = {
    /** WebSocket upgrades to refuse (the connection is dropped) before one goes through again. */
    refuseUpgrades: 0,
    /** Upgrades that went through, and those refused. */
    upgrades: 0,
    refused: 0,
    port: 0,
    /** Cuts every connection: the client sees 1006, the server a reset. */
    cutAll() {
      for (const pipe of pipes) { pipe.client.destroy(); pipe.upstream.destroy(); }
      pipes.clear();
    },
    /** From now on what the clients send goes nowhere (a half-open connection), until cutAll(). */
    swallowClientData() {
      for (const pipe of pipes) pipe.swallow = true;
    },
    close() {
      this.cutAll();
      return new Promise((resolve) => server.close(resolve));
    },
  };
  const server = net.createServer((client) => {
    client.once('data', (first) => {
      if (/^Upgrade: websocket/im.test(first.toString('latin1')) && proxy.refuseUpgrades > 0) {
        proxy.refuseUpgrades--;
        proxy.refused++;
        client.destroy();
        return;
      }
      if (/^Upgrade: websocket/im.test(first.toString('latin1'))) proxy.upgrades++;
      const upstream = net.connect(targetPort, targetHost);
      const pipe = { client, upstream, swallow: false };
      pipes.add(pipe);
      upstream.write(first);
      client.on('data', (chunk) => { if (!pipe.swallow) upstream.write(chunk); });
      upstream.on('data', (chunk) => client.write(chunk));
      const end = () => { pipes.delete(pipe); client.destroy(); upstream.destroy(); };
      client.on('close', end);
      upstream.on('close', end);
      client.on('error', end);
      upstream.on('error', end);
    });
    client.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = server.address().port;
  return proxy;
}

/**
 * A WebSocket server of one test: {@code onConnection(socket, request, n)} for every connection (n
 * counts from 1); {@code refuse(request)} may return an HTTP status to refuse the upgrade with,
 * which a plain GET of the same path gets too (the client's probe); {@code onRequest(request,
 * response)} answers other HTTP requests (true when it did).
 */
export async function standIn({ onConnection = () => {}, refuse = () => 0, onRequest = () => false } = {}) {
  const handshakes = [];
  const http1 = http.createServer((request, response) => {
    if (onRequest(request, response)) return;
    const status = refuse(request) || 426;
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ error: status === 426 ? 'upgrade_required' : 'refused' }));
  });
  const wss = new WebSocketServer({ noServer: true });
  http1.on('upgrade', (request, socket, head) => {
    const status = refuse(request);
    if (status) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      handshakes.push(request);
      onConnection(ws, request, handshakes.length);
    });
  });
  await new Promise((resolve) => http1.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${http1.address().port}`,
    handshakes,
    close() {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((resolve) => http1.close(resolve));
    },
  };
}

/** A welcome and an empty peer-list, as the server starts a session. */
export function welcome(ws, selfId, resumeToken, extra = {}) {
  ws.send(JSON.stringify({ type: 'welcome', selfId, resumeToken, ...extra }));
  ws.send(JSON.stringify({ type: 'peer-list', peers: [] }));
}
