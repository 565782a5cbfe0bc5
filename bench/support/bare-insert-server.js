// The baseline of bench/submission.js: the least a server can do per submission (parse, one insertOne).
import http from 'node:http';
import { MongoClient } from 'mongodb';

const client = await MongoClient.connect(process.env.MONGO_URL);
const responses = client.db().collection('form_responses');
await responses.deleteMany({});

const server = http.createServer((request, response) => {
  if (request.method !== 'POST') return response.end('ok');
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const { data } = JSON.parse(Buffer.concat(chunks).toString());
    await responses.insertOne({ data, created_at: new Date() });
    response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => client.close().then(() => process.exit(0))));
