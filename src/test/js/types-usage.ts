// A usage example of the client library, type-checked against signaling-client.d.ts (ClientTypesIT
// runs `tsc --noEmit -p tsconfig.json` here). The @ts-expect-error lines must stay errors.
import { ErrorCodes, SignalingClient, SignalingError } from '../../main/webapp/client/signaling-client.js';
import type { PeerRecord, SignalingClientOptions } from '../../main/webapp/client/signaling-client.js';

const options: SignalingClientOptions = { metadata: { name: 'Ada' }, restartJitter: 100, turn: true };
const client = new SignalingClient('wss://signal.example.com', 'my-room', options);

client.addEventListener('peers', (event) => {
  const peers: PeerRecord[] = event.detail.peers;
  peers.forEach((peer) => console.log(peer.id, peer.metadata));
});
client.addEventListener('peer-joined', (event) => console.log('joined', event.detail.peerId));
client.addEventListener('welcome', (event) => {
  const resumed: boolean = event.detail.resumed;
  console.log(event.detail.selfId, resumed);
});
client.addEventListener('reconnecting', (event) => console.log(event.detail.attempt, event.detail.delay, event.detail.code));
client.addEventListener('offer', (event) => console.log(event.detail.from, event.detail.payload));
client.addEventListener('gave-up', (event) => console.log(event.detail.code, event.detail.status));
client.addEventListener('close', (event) => console.log(event.detail.willReconnect));
client.addEventListener('error', (event) => console.log(event.detail.late === true));

const refreshing = new SignalingClient('wss://signal.example.com', 'my-room', { token: async () => 'a fresh JWT' });
console.log(refreshing.topic, ErrorCodes.SESSION_LOST);

export async function call(peerId: string): Promise<string> {
  const selfId: string = await client.connect();
  try {
    await client.send('offer', peerId, { type: 'offer', sdp: 'v=0' });
  } catch (error) {
    if (error instanceof SignalingError && error.code === ErrorCodes.DROPPED) {
      await client.send('offer', peerId, { type: 'offer', sdp: 'v=0' });
    }
  }
  const servers = await client.refreshTurnCredentials();
  console.log(servers[0]?.urls, client.iceServers.length, client.peers.size);
  client.close();
  return selfId;
}

// @ts-expect-error: not a relay type
client.send('hello', 'peer', {});
// @ts-expect-error: the topic is required
new SignalingClient('ws://localhost:8081');
// @ts-expect-error: a welcome has no peerId
client.addEventListener('welcome', (event) => console.log(event.detail.peerId));
