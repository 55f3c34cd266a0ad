// Node-RED for tests, as a process of its own: `node node-red-host.mjs <userDir>`. Prints one
// JSON line per thing a test watches: {"admin":url} once started, {"status":{id,text}} per node
// status, {"sent":{source,msg}} per message a node sends. Stops on SIGTERM or when stdin closes.
import { startEmbedded } from './node-red-runtime.mjs';

const out = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const nodeRed = await startEmbedded(process.argv[2]);
nodeRed.red.events.on('node-status', ({ id, status }) => out({ status: { id, text: status?.text ?? '' } }));
nodeRed.red.hooks.add('onSend', (events) => {
  for (const e of events) out({ sent: { source: e.source.id, msg: { topic: e.msg.topic, eventId: e.msg.eventId, payload: e.msg.payload } } });
});
out({ admin: nodeRed.admin });

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  nodeRed.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
