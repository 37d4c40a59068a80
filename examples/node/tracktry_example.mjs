// Creates, gets and lists trackings through tracktry.v1.TrackingService with
// @grpc/grpc-js; the stubs are generated from the proto at start-up by
// @grpc/proto-loader (installed by the repository's package.json).
//
//   node examples/node/tracktry_example.mjs [TARGET] [BEARER_TOKEN]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = process.argv[2] ?? '127.0.0.1:50051';
const token = process.argv[3];

const definition = protoLoader.loadSync('tracktry/v1/tracking_service.proto', {
  includeDirs: [path.join(here, '../../proto')],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const { TrackingService } = grpc.loadPackageDefinition(definition).tracktry.v1;
const client = new TrackingService(target, grpc.credentials.createInsecure());

function call(method, request) {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 10_000 },
      (error, response) => (error ? reject(error) : resolve(response)));
  });
}

const number = `NODE${Date.now()}`;
try {
  const created = await call('CreateTracking', {
    tracking: { carrier_code: 'dhl', tracking_number: number, title: 'node example' },
  });
  console.log(`created ${created.tracking.carrier_code}/${created.tracking.tracking_number}`);

  const got = await call('GetTracking', { carrier_code: 'dhl', tracking_number: number });
  console.log(`got ${got.tracking.tracking_number} title=${got.tracking.title}`);

  const listed = await call('ListTrackings', { page_size: 50 });
  const found = listed.trackings.some((t) => t.tracking_number === number);
  console.log(`listed ${listed.trackings.length} trackings, ours ${found ? 'included' : 'missing'}`);

  let code;
  try {
    await call('GetTracking', { carrier_code: 'dhl', tracking_number: '0000000000' });
  } catch (error) {
    code = error.code;
  }
  console.log(`missing tracking -> ${grpc.status[code]}`);
  process.exitCode = found && code === grpc.status.NOT_FOUND ? 0 : 1;
} catch (error) {
  console.error(`failed: ${grpc.status[error.code] ?? ''} ${error.details ?? error.message}`);
  process.exitCode = 1;
} finally {
  client.close();
}
