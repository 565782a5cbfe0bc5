import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

export interface TestDnsServer {
  /** `ip:port`, for WEBHOOK_DNS_SERVERS. */
  address: string;
  /** What `name` resolves to from now on (A records; an empty list answers no records). */
  answer(name: string, ...ipv4: string[]): void;
  stop(): Promise<void>;
}

/** A real DNS server on loopback (UDP) whose answers the test sets: a resolver the test controls. */
export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    const addresses = question?.type === 'A' ? (records.get(question.name.toLowerCase()) ?? []) : [];
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: query.questions,
      answers: addresses.map((data) => ({ type: 'A' as const, name: question!.name, ttl: 0, data })),
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    answer: (name, ...ipv4) => void records.set(name.toLowerCase(), ipv4),
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
