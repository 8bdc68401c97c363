// TEMP: client-side trace of failed requests through undici's diagnostics channels.
import { subscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";

interface SockInfo { connectedAt: number; sent: number; localPort?: number }
const sockets = new WeakMap<Socket, SockInfo>();
const requests = new WeakMap<object, { socket: Socket; index: number; at: number }>();
export const clientErrors: Array<Record<string, unknown>> = [];

subscribe("undici:client:connected", (m) => {
  const { socket } = m as { socket: Socket };
  sockets.set(socket, { connectedAt: Date.now(), sent: 0, localPort: socket.localPort });
});
subscribe("undici:client:sendHeaders", (m) => {
  const { request, socket } = m as { request: object; socket: Socket };
  const info = sockets.get(socket);
  const index = info ? info.sent++ : -1;
  requests.set(request, { socket, index, at: Date.now() });
});
subscribe("undici:request:error", (m) => {
  const { request, error } = m as { request: { origin: string; path: string; method: string }; error: NodeJS.ErrnoException };
  const r = requests.get(request);
  const info = r ? sockets.get(r.socket) : undefined;
  clientErrors.push({
    at: Date.now(),
    origin: String(request.origin),
    method: request.method,
    path: request.path,
    code: error.code ?? error.message,
    headersSent: !!r,
    sentAt: r?.at,
    socketIndex: r?.index,
    fresh: r ? r.index === 0 : undefined,
    localPort: info?.localPort,
    connectedAt: info?.connectedAt,
    bytesWritten: r?.socket.bytesWritten,
    bytesRead: r?.socket.bytesRead,
  });
});
