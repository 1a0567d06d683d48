package io.strata.conformance.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * A TCP relay in front of one member's peer port: the other members reach the member through
 * it, so the test can cut the member's peer traffic without touching the process. Each
 * accepted connection is relayed to the real port by two copying threads, one per direction,
 * unless {@code admits} rejects the connecting socket's source port; rejected connections are
 * closed at once, which the members see as a refused peer.
 */
final class PeerProxy implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    static final int COPY_BUFFER_BYTES = 64 * 1024;

    private final String name;
    private final int targetPort;
    private final ServerSocket listener;
    private final IntPredicate admits;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    /** {@code admits} gets the source port of each connection accepted on {@code listenPort}. */
    PeerProxy(String name, int listenPort, int targetPort, IntPredicate admits) {
        this.name = name;
        this.targetPort = targetPort;
        this.admits = admits;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 64);
        } catch (IOException e) {
            throw new IllegalStateException("could not listen on peer proxy port " + listenPort + " for " + name, e);
        }
        acceptor = new Thread(this::acceptLoop, "peer-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int listenPort() {
        return listener.getLocalPort();
    }

    /** Breaks every relayed connection; members reconnect through {@code admits} again. */
    void dropConnections() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket downstream;
            try {
                downstream = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (!admits.test(downstream.getPort())) {
                closeQuietly(downstream);
                continue;
            }
            relay(downstream);
        }
    }

    private void relay(Socket downstream) {
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
                    CONNECT_TIMEOUT_MILLIS);
            downstream.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException e) {
            // The member behind the proxy is down: the caller sees the same refusal it would.
            closeQuietly(upstream);
            closeQuietly(downstream);
            return;
        }
        open.add(downstream);
        open.add(upstream);
        startCopier(downstream, upstream, "in");
        startCopier(upstream, downstream, "out");
        if (closed) {
            dropConnections();
        }
    }

    private void startCopier(Socket from, Socket to, String direction) {
        Thread copier = new Thread(() -> {
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                }
            } catch (IOException e) {
                // A broken side ends the relay; closing both below tells the other side.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "peer-proxy-" + name + "-" + direction);
        copier.setDaemon(true);
        copier.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already broken, which is all closing wanted.
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // The listener is gone either way.
        }
        dropConnections();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " proxy :" + listenPort() + " -> :" + targetPort;
    }
}
