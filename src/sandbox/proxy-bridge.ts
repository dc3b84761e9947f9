/** Where the proxy's socket is seen inside the sandbox, and the port the bridge listens on. */
export const PROXY_SOCKET_INSIDE = '/run/aidev/proxy.sock';
export const PROXY_PORT_INSIDE = 3128;

/**
 * Runs inside the sandbox, as `node -e BRIDGE_SCRIPT socket port -- command…`: the sandbox has
 * its own network with nothing but loopback, so package managers are pointed at a proxy on that
 * loopback, and this bridge carries each connection to aidev's proxy through the one Unix socket
 * bound in. It starts the command once it listens and ends with the command's exit status.
 * Plain JavaScript in a string: it runs on the bare Node.js inside the sandbox.
 */
export const BRIDGE_SCRIPT = `
const net = require('net');
const { spawn } = require('child_process');
const [socketPath, port, , ...command] = process.argv.slice(1);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end);
  upstream.on('error', end);
});
server.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  child.on('error', (error) => { console.error(error.message); process.exit(127); });
  child.on('exit', (code, signal) => process.exit(code === null ? 128 + (require('os').constants.signals[signal] || 0) : code));
});
`;

/** The proxy variables every common package manager reads (the port: the bridge's, or aidev's). */
export function proxyEnv(port = PROXY_PORT_INSIDE): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  return {
    HTTPS_PROXY: url,
    https_proxy: url,
    HTTP_PROXY: url,
    http_proxy: url,
    npm_config_proxy: url,
    npm_config_https_proxy: url,
  };
}
